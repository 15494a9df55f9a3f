// Ports of Go's src/math (amd64 build). Statements follow Go's source line by line, including
// the order of every floating-point operation; a constant that Go computes exactly at compile
// time (4/Pi, 3*Pi/4, 1/Ln10 ...) is spelt as the float64 Go rounds it to. Go's shifts by 64 or
// more give 0 and its float->int conversions truncate; both are spelt out where they matter.
// This file: sin.go, tan.go and trig_reduce.go (Payne-Hanek), asin.go, atan.go, atan2.go.
#include <bit>
#include <cmath>

#include "agent/core/go_math.h"
#include "agent/core/go_math_internal.h"

namespace tocsin::gomath {
namespace {

using internal::Abs;
using internal::Bits;
using internal::Copysign;
using internal::FromBits;
using internal::IsInf;
using internal::IsNaN;
using internal::k3Pi4;
using internal::k4OverPi;
using internal::kBias;
using internal::kExpMask;
using internal::kHalfMorebits;
using internal::kNaN;
using internal::kPi;
using internal::kPi2;
using internal::kPi4;
using internal::kShift;
using internal::Shl;
using internal::Shr;
using internal::Signbit;
using internal::Sqrt;

// Payne-Hanek reduction for x >= 2^29 (trig_reduce.go): j is the octant, z the angle within it.
// mPi4 holds the binary digits of 4/pi.
constexpr uint64_t kReduceThreshold = uint64_t{1} << 29;
constexpr uint64_t kMPi4[] = {
    0x0000000000000001, 0x45f306dc9c882a53, 0xf84eafa3ea69bb81, 0xb6c52b3278872083,
    0xfca2c757bd778ac3, 0x6e48dc74849ba5c0, 0x0c925dd413a32439, 0xfc3bd63962534e7d,
    0xd1046bea5d768909, 0xd338e04d68befc82, 0x7323ac7306a673e9, 0x3908bf177bf25076,
    0x3ff12fffbc0b301f, 0xde5e2316b414da3e, 0xda6cfd9e4f96136e, 0x9e8c7ecd3cbfd45a,
    0xea4f758fd7cbe2f6, 0x7a0e73ef14a525d4, 0xd7f6bf623f1aba10, 0xac06608df8f6d757,
};

struct Reduced {
  uint64_t j;
  double z;
};
Reduced TrigReduce(double x) {
  if (x < kPi4) return {0, x};
  uint64_t ix = Bits(x);
  int exp = static_cast<int>((ix >> kShift) & kExpMask) - kBias - kShift;
  ix &= ~(kExpMask << kShift);
  ix |= uint64_t{1} << kShift;
  unsigned digit = static_cast<unsigned>(exp + 61) / 64;
  unsigned bitshift = static_cast<unsigned>(exp + 61) % 64;
  uint64_t z0 = Shl(kMPi4[digit], bitshift) | Shr(kMPi4[digit + 1], 64 - bitshift);
  uint64_t z1 = Shl(kMPi4[digit + 1], bitshift) | Shr(kMPi4[digit + 2], 64 - bitshift);
  uint64_t z2 = Shl(kMPi4[digit + 2], bitshift) | Shr(kMPi4[digit + 3], 64 - bitshift);
  using u128 = unsigned __int128;
  uint64_t z2hi = static_cast<uint64_t>((u128{z2} * ix) >> 64);
  u128 z1p = u128{z1} * ix;
  uint64_t z1hi = static_cast<uint64_t>(z1p >> 64);
  uint64_t z1lo = static_cast<uint64_t>(z1p);
  uint64_t z0lo = z0 * ix;
  uint64_t lo = z1lo + z2hi;
  uint64_t carry = lo < z1lo ? 1 : 0;
  uint64_t hi = z0lo + z1hi + carry;
  uint64_t j = hi >> 61;
  hi = (hi << 3) | (lo >> 61);
  unsigned lz = static_cast<unsigned>(std::countl_zero(hi));
  uint64_t e = static_cast<uint64_t>(kBias) - (lz + 1);
  hi = Shl(hi, lz + 1) | Shr(lo, 64 - (lz + 1));
  hi >>= 64 - kShift;
  hi |= e << kShift;
  double z = FromBits(hi);
  if ((j & 1) == 1) {
    j++;
    j &= 7;
    z--;
  }
  return {j, z * kPi4};
}

// sin.go's coefficients and Pi/4 split into three parts.
constexpr double kSinC[] = {
    1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
    -1.98412698295895385996e-4, 8.33333333332211858878e-3,  -1.66666666666666307295e-1,
};
constexpr double kCosC[] = {
    -1.13585365213876817300e-11, 2.08757008419747316778e-9,  -2.75573141792967388112e-7,
    2.48015872888517045348e-5,   -1.38888888888730564116e-3, 4.16666666666665929218e-2,
};
constexpr double kPI4A = 7.85398125648498535156e-1;   // 0x3fe921fb40000000
constexpr double kPI4B = 3.77489470793079817668e-8;   // 0x3e64442d00000000
constexpr double kPI4C = 2.69515142907905952645e-15;  // 0x3ce8469898cc5170

// Octant j and reduced argument z of |x| >= 0 for Sin/Cos/Tan, as sin.go and tan.go reduce it;
// only sin.go takes the octant modulo 8 (mask_octant) below the threshold.
Reduced ReduceSmallOrHuge(double x, bool mask_octant) {
  if (x >= static_cast<double>(kReduceThreshold)) return TrigReduce(x);
  uint64_t j = static_cast<uint64_t>(x * k4OverPi);  // integer part of x/(Pi/4)
  double y = static_cast<double>(j);
  if ((j & 1) == 1) {
    j++;
    y++;
  }
  if (mask_octant) j &= 7;
  double z = ((x - y * kPI4A) - y * kPI4B) - y * kPI4C;
  return {j, z};
}

double SinPoly(double z, double zz) {
  return z +
         z * zz *
             ((((((kSinC[0] * zz) + kSinC[1]) * zz + kSinC[2]) * zz + kSinC[3]) * zz + kSinC[4]) *
                  zz +
              kSinC[5]);
}
double CosPoly(double zz) {
  return 1.0 - 0.5 * zz +
         zz * zz *
             ((((((kCosC[0] * zz) + kCosC[1]) * zz + kCosC[2]) * zz + kCosC[3]) * zz + kCosC[4]) *
                  zz +
              kCosC[5]);
}

// atan.go: xatan on [0, 0.66], satan on [0, +Inf].
double Xatan(double x) {
  constexpr double P0 = -8.750608600031904122785e-01;
  constexpr double P1 = -1.615753718733365076637e+01;
  constexpr double P2 = -7.500855792314704667340e+01;
  constexpr double P3 = -1.228866684490136173410e+02;
  constexpr double P4 = -6.485021904942025371773e+01;
  constexpr double Q0 = +2.485846490142306297962e+01;
  constexpr double Q1 = +1.650270098316988542046e+02;
  constexpr double Q2 = +4.328810604912902668951e+02;
  constexpr double Q3 = +4.853903996359136964868e+02;
  constexpr double Q4 = +1.945506571482613964425e+02;
  double z = x * x;
  z = z * ((((P0 * z + P1) * z + P2) * z + P3) * z + P4) /
      (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4);
  z = x * z + x;
  return z;
}

double Satan(double x) {
  constexpr double kMorebits = 6.123233995736765886130e-17;  // pi/2 = PIO2 + Morebits
  constexpr double kTan3pio8 = 2.41421356237309504880;       // tan(3*pi/8)
  if (x <= 0.66) return Xatan(x);
  if (x > kTan3pio8) return kPi2 - Xatan(1 / x) + kMorebits;
  return kPi4 + Xatan((x - 1) / (x + 1)) + kHalfMorebits;
}

}  // namespace

// ---- sin.go, tan.go ----

double Cos(double x) {
  if (IsNaN(x) || IsInf(x, 0)) return kNaN;
  bool sign = false;
  x = Abs(x);
  Reduced r = ReduceSmallOrHuge(x, /*mask_octant=*/true);
  uint64_t j = r.j;
  double z = r.z;
  if (j > 3) {
    j -= 4;
    sign = !sign;
  }
  if (j > 1) sign = !sign;
  double zz = z * z;
  double y = (j == 1 || j == 2) ? SinPoly(z, zz) : CosPoly(zz);
  if (sign) y = -y;
  return y;
}

double Sin(double x) {
  if (x == 0 || IsNaN(x)) return x;  // ±0 or NaN
  if (IsInf(x, 0)) return kNaN;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  Reduced r = ReduceSmallOrHuge(x, /*mask_octant=*/true);
  uint64_t j = r.j;
  double z = r.z;
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  double zz = z * z;
  double y = (j == 1 || j == 2) ? CosPoly(zz) : SinPoly(z, zz);
  if (sign) y = -y;
  return y;
}

double Tan(double x) {
  constexpr double P[] = {
      -1.30936939181383777646e4,
      1.15351664838587416140e6,
      -1.79565251976484877988e7,
  };
  constexpr double Q[] = {
      1.00000000000000000000e0, 1.36812963470692954678e4,  -1.32089234440210967447e6,
      2.50083801823357915839e7, -5.38695755929454629881e7,
  };
  if (x == 0 || IsNaN(x)) return x;
  if (IsInf(x, 0)) return kNaN;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  // tan.go does not reduce the octant modulo 8 below the threshold; only bit 1 is read.
  Reduced r = ReduceSmallOrHuge(x, /*mask_octant=*/false);
  uint64_t j = r.j;
  double z = r.z;
  double zz = z * z;
  double y;
  if (zz > 1e-14) {
    y = z + z * (zz * (((P[0] * zz) + P[1]) * zz + P[2]) /
                 ((((zz + Q[1]) * zz + Q[2]) * zz + Q[3]) * zz + Q[4]));
  } else {
    y = z;
  }
  if ((j & 2) == 2) y = -1 / y;
  if (sign) y = -y;
  return y;
}

// ---- asin.go, atan.go, atan2.go ----

double Asin(double x) {
  if (x == 0) return x;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  if (x > 1) return kNaN;
  double temp = Sqrt(1 - x * x);
  if (x > 0.7) {
    temp = kPi2 - Satan(temp / x);
  } else {
    temp = Satan(x / temp);
  }
  if (sign) temp = -temp;
  return temp;
}

double Acos(double x) { return kPi2 - Asin(x); }

double Atan(double x) {
  if (x == 0) return x;
  if (x > 0) return Satan(x);
  return -Satan(-x);
}

double Atan2(double y, double x) {
  if (IsNaN(y) || IsNaN(x)) return kNaN;
  if (y == 0) {
    if (x >= 0 && !Signbit(x)) return Copysign(0, y);
    return Copysign(kPi, y);
  }
  if (x == 0) return Copysign(kPi2, y);
  if (IsInf(x, 0)) {
    if (IsInf(x, 1)) return IsInf(y, 0) ? Copysign(kPi4, y) : Copysign(0, y);
    return IsInf(y, 0) ? Copysign(k3Pi4, y) : Copysign(kPi, y);
  }
  if (IsInf(y, 0)) return Copysign(kPi2, y);
  double q = Atan(y / x);
  if (x < 0) {
    if (q <= 0) return q + kPi;
    return q - kPi;
  }
  return q;
}

}  // namespace tocsin::gomath
