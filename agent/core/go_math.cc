// Ports of Go's src/math (amd64 build). Statements follow Go's source line by line, including
// the order of every floating-point operation; a constant that Go computes exactly at compile
// time (4/Pi, 3*Pi/4, 1/Ln10 ...) is spelt as the float64 Go rounds it to. Go's shifts by 64 or
// more give 0 and its float->int conversions truncate; both are spelt out where they matter.
// This file: frexp.go, ldexp.go, modf.go, mod.go and Go's float64 -> int64 conversion.
#include "agent/core/go_math.h"

#include <cmath>
#include <limits>

#include "agent/core/go_math_internal.h"

namespace tocsin::gomath {
namespace {

using internal::Abs;
using internal::Bits;
using internal::Copysign;
using internal::FromBits;
using internal::IsInf;
using internal::IsNaN;
using internal::kBias;
using internal::kExpMask;
using internal::kInf;
using internal::kNaN;
using internal::kShift;

// Normalize returns a normal number y and exponent exp with x == y * 2^exp (bits.go).
struct Normalized {
  double y;
  int64_t exp;
};
Normalized Normalize(double x) {
  constexpr double kSmallestNormal = 2.2250738585072014e-308;  // 2**-1022
  if (Abs(x) < kSmallestNormal) return {x * static_cast<double>(int64_t{1} << 52), -52};
  return {x, 0};
}

}  // namespace

// ---- frexp.go, ldexp.go, modf.go ----

FrexpResult Frexp(double f) {
  if (f == 0) return {f, 0};  // correctly return -0
  if (IsInf(f, 0) || IsNaN(f)) return {f, 0};
  Normalized n = Normalize(f);
  uint64_t x = Bits(n.y);
  int64_t exp = n.exp + static_cast<int64_t>((x >> kShift) & kExpMask) - kBias + 1;
  x &= ~(kExpMask << kShift);
  x |= static_cast<uint64_t>(-1 + kBias) << kShift;
  return {FromBits(x), static_cast<int>(exp)};
}

double Ldexp(double frac, int64_t exp) {
  if (frac == 0) return frac;  // correctly return -0
  if (IsInf(frac, 0) || IsNaN(frac)) return frac;
  Normalized n = Normalize(frac);
  frac = n.y;
  exp += n.exp;
  uint64_t x = Bits(frac);
  exp += static_cast<int64_t>((x >> kShift) & kExpMask) - kBias;
  if (exp < -1075) return Copysign(0, frac);  // underflow
  if (exp > 1023) return frac < 0 ? -kInf : kInf;
  double m = 1;
  if (exp < -1022) {  // denormal
    exp += 53;
    m = 1.0 / static_cast<double>(int64_t{1} << 53);
  }
  x &= ~(kExpMask << kShift);
  x |= static_cast<uint64_t>(exp + kBias) << kShift;
  return m * FromBits(x);
}

ModfResult Modf(double f) {
  if (f < 1) {
    if (f < 0) {
      ModfResult r = Modf(-f);
      return {-r.int_part, -r.frac};
    }
    if (f == 0) return {f, f};  // -0, -0 for -0
    return {0, f};
  }
  uint64_t x = Bits(f);
  // Go: uint(x>>shift)&mask - bias, in unsigned arithmetic (f >= 1 here, or NaN).
  unsigned e = static_cast<unsigned>((x >> kShift) & kExpMask) - kBias;
  if (e < 64 - 12) x &= ~((uint64_t{1} << (64 - 12 - e)) - 1);
  double int_part = FromBits(x);
  return {int_part, f - int_part};
}

// ---- mod.go ----

double Mod(double x, double y) {
  if (y == 0 || IsInf(x, 0) || IsNaN(x) || IsNaN(y)) return kNaN;
  // Go's loop subtracts y*2^k exactly until r < |y|: the exact remainder, which is fmod's
  // definition too (checked against Go's output in tests/core/go_math_test.cc).
  return std::fmod(x, y);
}

int64_t Int64(double x) {
  // CVTTSD2SQ answers 0x8000000000000000, "integer indefinite", for NaN and out-of-range input.
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(x);
}

}  // namespace tocsin::gomath
