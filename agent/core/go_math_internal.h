// Shared by the go_math*.cc files only: Go's float64 bit layout, the constants Go rounds at
// compile time, and the small helpers of Go's math package (bits.go, abs.go, copysign.go ...).
// Not part of the public API (agent/core/go_math.h); every file including it is compiled with
// -ffp-contract=off (agent/core/CMakeLists.txt).
#pragma once

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

// Go rounds every operation to float64; so must we (x87 or fused arithmetic would not).
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "go_math needs FLT_EVAL_METHOD == 0 (SSE2 arithmetic)"
#endif
#if defined(__FAST_MATH__)
#error "go_math must not be compiled with -ffast-math"
#endif

namespace tocsin::gomath::internal {

inline constexpr uint64_t kSignMask = uint64_t{1} << 63;
inline constexpr uint64_t kFracMask = (uint64_t{1} << 52) - 1;
inline constexpr uint64_t kExpMask = 0x7FF;
inline constexpr int kShift = 52;
inline constexpr int kBias = 1023;
inline constexpr uint64_t kPosInfBits = 0x7FF0000000000000;
inline constexpr uint64_t kNegInfBits = 0xFFF0000000000000;

constexpr uint64_t Bits(double x) { return std::bit_cast<uint64_t>(x); }
constexpr double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

inline constexpr double kNaN = FromBits(0x7FF8000000000001);  // math.NaN()
inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kMaxFloat64 = std::numeric_limits<double>::max();

// Go constants as Go rounds them (exact constant arithmetic, then one rounding).
inline constexpr double kPi = FromBits(0x400921fb54442d18);            // Pi
inline constexpr double kPi2 = FromBits(0x3ff921fb54442d18);           // Pi/2
inline constexpr double kPi4 = FromBits(0x3fe921fb54442d18);           // Pi/4
inline constexpr double k3Pi4 = FromBits(0x4002d97c7f3321d2);          // 3*Pi/4
inline constexpr double k4OverPi = FromBits(0x3ff45f306dc9c883);       // 4/Pi
inline constexpr double kInvLn2 = FromBits(0x3ff71547652b82fe);        // 1/Ln2
inline constexpr double kInvLn10 = FromBits(0x3fdbcb7b1526e50e);       // 1/Ln10
inline constexpr double kLn2 = FromBits(0x3fe62e42fefa39ef);           // Ln2
inline constexpr double kHalfMorebits = FromBits(0x3c81a62633145c07);  // 0.5*Morebits (atan.go)

inline bool IsNaN(double f) { return f != f; }
inline bool IsInf(double f, int sign) {
  return (sign >= 0 && f > kMaxFloat64) || (sign <= 0 && f < -kMaxFloat64);
}
inline double Abs(double x) { return FromBits(Bits(x) & ~kSignMask); }
inline double Copysign(double f, double sign) {
  return FromBits((Bits(f) & ~kSignMask) | (Bits(sign) & kSignMask));
}
inline bool Signbit(double x) { return (Bits(x) & kSignMask) != 0; }
inline double Sqrt(double x) { return std::sqrt(x); }  // SQRTSD, correctly rounded in both

// Go's x << s and x >> s for unsigned x: 0 once s reaches the width.
inline uint64_t Shl(uint64_t x, unsigned s) { return s >= 64 ? 0 : x << s; }
inline uint64_t Shr(uint64_t x, unsigned s) { return s >= 64 ? 0 : x >> s; }

}  // namespace tocsin::gomath::internal
