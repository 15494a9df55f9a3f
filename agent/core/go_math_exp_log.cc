// Ports of Go's src/math (amd64 build). Statements follow Go's source line by line, including
// the order of every floating-point operation; a constant that Go computes exactly at compile
// time (4/Pi, 3*Pi/4, 1/Ln10 ...) is spelt as the float64 Go rounds it to. Go's shifts by 64 or
// more give 0 and its float->int conversions truncate; both are spelt out where they matter.
// This file: exp_amd64.s (and its kernel selection), exp2 and expm1, log_amd64.s, log10.go,
// log1p.go, pow.go.
#include <atomic>
#include <cmath>
#include <limits>

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
using internal::kExpMask;
using internal::kFracMask;
using internal::kInf;
using internal::kInvLn10;
using internal::kInvLn2;
using internal::kNaN;
using internal::kNegInfBits;
using internal::kPosInfBits;
using internal::kSignMask;
using internal::Sqrt;

// ---- Exp kernel selection (exp_amd64.go: useFMA = cpu.X86.HasAVX && cpu.X86.HasFMA) ----

bool DetectFma() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // libgcc, like Go's internal/cpu, reports AVX and FMA only when XGETBV says the OS saves
  // the YMM state.
  return __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma");
#else
  return true;  // not amd64: nothing to mimic; std::fma is exact everywhere
#endif
}

std::atomic<int> g_kernel_override{static_cast<int>(ExpKernel::kAuto)};

bool UseFma() {
  auto k = static_cast<ExpKernel>(g_kernel_override.load(std::memory_order_relaxed));
  if (k != ExpKernel::kAuto) return k == ExpKernel::kFma;
  static const bool kDetected = DetectFma();
  return kDetected;
}

// CVTSD2SL: round to nearest even (the default MXCSR mode Go runs in); out of range -> INT32_MIN.
int32_t Cvtsd2sl(double t) {
  double r = std::nearbyint(t);
  if (!(r >= -2147483648.0 && r <= 2147483647.0)) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(r);
}

bool IsOddInt(double x) {
  // Go 1.21+ returns early here (issue 57465); on amd64 the older code gave the same answers.
  if (Abs(x) >= static_cast<double>(int64_t{1} << 53)) return false;
  ModfResult m = Modf(x);
  return m.frac == 0 && (static_cast<int64_t>(m.int_part) & 1) == 1;
}

// exp.go's expmulti: e^(hi-lo) * 2^k.
double Expmulti(double hi, double lo, int64_t k) {
  constexpr double P1 = 1.66666666666666657415e-01;
  constexpr double P2 = -2.77777777770155933842e-03;
  constexpr double P3 = 6.61375632143793436117e-05;
  constexpr double P4 = -1.65339022054652515390e-06;
  constexpr double P5 = 4.13813679705723846039e-08;
  double r = hi - lo;
  double t = r * r;
  double c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  double y = 1 - ((lo - (r * c) / (2 - c)) - hi);
  return Ldexp(y, k);
}

}  // namespace

void SetExpKernelForTesting(ExpKernel kernel) {
  g_kernel_override.store(static_cast<int>(kernel), std::memory_order_relaxed);
}

ExpKernel ActiveExpKernel() { return UseFma() ? ExpKernel::kFma : ExpKernel::kSse2; }

// ---- exp_amd64.s: Shibata's method, sleef's constants, a 2^-4 reduction and four squarings ----

double Exp(double x) {
  constexpr double kLog2e = 1.4426950408889634073599246810018920;
  constexpr double kLn2U = 0.69314718055966295651160180568695068359375;
  constexpr double kLn2L = 0.28235290563031577122588448175013436025525412068e-12;
  constexpr double kOverflow = 7.09782712893384e+02;
  constexpr double kT[] = {
      0.5,
      1.0,
      2.0,
      1.6666666666666666667e-1,
      4.1666666666666666667e-2,
      8.3333333333333333333e-3,
      1.3888888888888888889e-3,
      1.9841269841269841270e-4,
      2.4801587301587301587e-5,
  };  // exprodata, in the assembly's order

  uint64_t bx = Bits(x);
  if ((bx & ~kSignMask) >= kPosInfBits) {  // not finite
    if (bx == kNegInfBits) return 0;
    return x;  // NaN or +Inf
  }
  if (x > kOverflow) return kInf;
  int32_t k = Cvtsd2sl(kLog2e * x);
  double kf = static_cast<double>(k);
  double r;
  if (UseFma()) {
    r = std::fma(-kf, kLn2U, x);  // VFNMADD231SD
    r = std::fma(-kf, kLn2L, r);
    r *= 0.0625;
    double p = kT[8];
    p = std::fma(r, p, kT[7]);  // VFMADD213SD
    p = std::fma(r, p, kT[6]);
    p = std::fma(r, p, kT[5]);
    p = std::fma(r, p, kT[4]);
    p = std::fma(r, p, kT[3]);
    p = std::fma(r, p, kT[0]);
    p = std::fma(r, p, kT[1]);
    r = r * p;
    double q = r + kT[2];
    r = r * q;
    q = r + kT[2];
    r = r * q;
    q = r + kT[2];
    r = r * q;
    q = r + kT[2];
    r = std::fma(q, r, kT[1]);
  } else {
    r = x - kf * kLn2U;
    r = r - kf * kLn2L;
    r *= 0.0625;
    double p = kT[8];
    p = p * r + kT[7];
    p = p * r + kT[6];
    p = p * r + kT[5];
    p = p * r + kT[4];
    p = p * r + kT[3];
    p = p * r + kT[0];
    p = p * r + kT[1];
    r = r * p;
    for (int i = 0; i < 4; ++i) {
      double q = kT[2] + r;
      r = r * q;
    }
    r = r + kT[1];
  }
  // Return r * 2^k through the biased exponent, as the assembly does (32-bit arithmetic).
  int32_t b = k + 0x3FF;
  if (b <= 0) {             // denormal
    if (b < -52) return 0;  // underflow
    b += 0x3FE;
    r *= FromBits(static_cast<uint64_t>(b) << 52);
    b = 1;
  } else if (b >= 0x7FF) {
    return kInf;
  }
  return r * FromBits(static_cast<uint64_t>(b) << 52);
}

double Exp2(double x) {  // pure Go on amd64
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kOverflow = 1.0239999999999999e+03;
  constexpr double kUnderflow = -1.0740e+03;
  if (IsNaN(x) || IsInf(x, 1)) return x;
  if (IsInf(x, -1)) return 0;
  if (x > kOverflow) return kInf;
  if (x < kUnderflow) return 0;
  int64_t k = 0;
  if (x > 0) {
    k = static_cast<int64_t>(x + 0.5);
  } else if (x < 0) {
    k = static_cast<int64_t>(x - 0.5);
  }
  double t = x - static_cast<double>(k);
  double hi = t * kLn2Hi;
  double lo = -t * kLn2Lo;
  return Expmulti(hi, lo, k);
}

double Expm1(double x) {  // pure Go on amd64
  constexpr double Othreshold = 7.09782712893383973096e+02;
  constexpr double Ln2X56 = 3.88162421113569373274e+01;
  constexpr double Ln2HalfX3 = 1.03972077083991796413e+00;
  constexpr double Ln2Half = 3.46573590279972654709e-01;
  constexpr double Ln2Hi = 6.93147180369123816490e-01;
  constexpr double Ln2Lo = 1.90821492927058770002e-10;
  constexpr double InvLn2 = 1.44269504088896338700e+00;
  constexpr double Tiny = 1.0 / static_cast<double>(int64_t{1} << 54);
  constexpr double Q1 = -3.33333333333331316428e-02;
  constexpr double Q2 = 1.58730158725481460165e-03;
  constexpr double Q3 = -7.93650757867487942473e-05;
  constexpr double Q4 = 4.00821782732936239552e-06;
  constexpr double Q5 = -2.01099218183624371326e-07;

  if (IsInf(x, 1) || IsNaN(x)) return x;
  if (IsInf(x, -1)) return -1;
  double absx = x;
  bool sign = false;
  if (x < 0) {
    absx = -absx;
    sign = true;
  }
  if (absx >= Ln2X56) {
    if (sign) return -1;
    if (absx >= Othreshold) return kInf;
  }
  double c = 0;
  int64_t k = 0;
  if (absx > Ln2Half) {
    double hi;
    double lo;
    if (absx < Ln2HalfX3) {
      if (!sign) {
        hi = x - Ln2Hi;
        lo = Ln2Lo;
        k = 1;
      } else {
        hi = x + Ln2Hi;
        lo = -Ln2Lo;
        k = -1;
      }
    } else {
      if (!sign) {
        k = static_cast<int64_t>(InvLn2 * x + 0.5);
      } else {
        k = static_cast<int64_t>(InvLn2 * x - 0.5);
      }
      double t = static_cast<double>(k);
      hi = x - t * Ln2Hi;
      lo = t * Ln2Lo;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (absx < Tiny) {
    return x;
  } else {
    k = 0;
  }
  double hfx = 0.5 * x;
  double hxs = x * hfx;
  double r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  double t = 3 - r1 * hfx;
  double e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);  // c is 0
  e = (x * (e - c) - c);
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) {
    if (x < -0.25) return -2 * (e - (x + 0.5));
    return 1 + 2 * (x - e);
  }
  if (k <= -2 || k > 56) {
    double y = 1 - (e - x);
    y = FromBits(Bits(y) + (static_cast<uint64_t>(k) << 52));  // add k to y's exponent
    return y - 1;
  }
  if (k < 20) {
    double t1 = FromBits(0x3ff0000000000000 - (0x20000000000000 >> k));  // 1-2**-k
    double y = t1 - (e - x);
    y = FromBits(Bits(y) + (static_cast<uint64_t>(k) << 52));
    return y;
  }
  double t2 = FromBits(static_cast<uint64_t>(0x3ff - k) << 52);  // 2**-k
  double y = x - (e + t2);
  y++;
  y = FromBits(Bits(y) + (static_cast<uint64_t>(k) << 52));
  return y;
}

// ---- log_amd64.s: fdlibm's log, but the exponent is read straight from the bits, so (unlike
// Go's pure log) a subnormal x is not normalised first ----

double Log(double x) {
  constexpr double kHSqrt2 = 7.07106781186547524401e-01;  // sqrt(2)/2
  constexpr double Ln2Hi = 6.93147180369123816490e-01;
  constexpr double Ln2Lo = 1.90821492927058770002e-10;
  constexpr double L1 = 6.666666666666735130e-01;
  constexpr double L2 = 3.999999999940941908e-01;
  constexpr double L3 = 2.857142874366239149e-01;
  constexpr double L4 = 2.222219843214978396e-01;
  constexpr double L5 = 1.818357216161805012e-01;
  constexpr double L6 = 1.531383769920937332e-01;
  constexpr double L7 = 1.479819860511658591e-01;

  uint64_t bx = Bits(x);
  if ((bx & ~kSignMask) == 0) return -kInf;
  if (static_cast<int64_t>(bx) < 0) return kNaN;  // negative, -Inf, or a NaN with the sign bit
  if (bx >= kPosInfBits) return x;                // +Inf or NaN
  double f1 = FromBits((bx & kFracMask) | Bits(0.5));
  double k = static_cast<double>(static_cast<int32_t>((bx >> 52) & kExpMask) - 0x3FE);
  // CMPSD NLT: the assembly halves the interval with f1 <= sqrt(2)/2, not f1 < sqrt(2)/2.
  double adj = (kHSqrt2 < f1) ? 0.0 : 1.0;
  k = k - adj;
  f1 = f1 * (adj + 1.0);
  double f = f1 - 1.0;
  double s = f / (2.0 + f);
  double s2 = s * s;
  double s4 = s2 * s2;
  double t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
  double t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
  double R = t1 + t2;
  double hfsq = 0.5 * f * f;
  return k * Ln2Hi - ((hfsq - (s * (hfsq + R) + k * Ln2Lo)) - f);
}

double Log10(double x) { return Log(x) * kInvLn10; }

double Log2(double x) {
  FrexpResult fr = Frexp(x);
  if (fr.frac == 0.5) return static_cast<double>(fr.exp - 1);  // exact for powers of two
  return Log(fr.frac) * kInvLn2 + static_cast<double>(fr.exp);
}

double Log1p(double x) {  // pure Go on amd64
  constexpr double Sqrt2M1 = 4.142135623730950488017e-01;
  constexpr double Sqrt2HalfM1 = -2.928932188134524755992e-01;
  constexpr double Small = 1.0 / static_cast<double>(int64_t{1} << 29);
  constexpr double Tiny = 1.0 / static_cast<double>(int64_t{1} << 54);
  constexpr double Two53 = static_cast<double>(int64_t{1} << 53);
  constexpr double Ln2Hi = 6.93147180369123816490e-01;
  constexpr double Ln2Lo = 1.90821492927058770002e-10;
  constexpr double Lp1 = 6.666666666666735130e-01;
  constexpr double Lp2 = 3.999999999940941908e-01;
  constexpr double Lp3 = 2.857142874366239149e-01;
  constexpr double Lp4 = 2.222219843214978396e-01;
  constexpr double Lp5 = 1.818357216161805012e-01;
  constexpr double Lp6 = 1.531383769920937332e-01;
  constexpr double Lp7 = 1.479819860511658591e-01;

  if (x < -1 || IsNaN(x)) return kNaN;  // includes -Inf
  if (x == -1) return -kInf;
  if (IsInf(x, 1)) return kInf;

  double absx = Abs(x);
  double f = 0;
  uint64_t iu = 0;
  int64_t k = 1;
  if (absx < Sqrt2M1) {
    if (absx < Small) {
      if (absx < Tiny) return x;
      return x - x * x * 0.5;
    }
    if (x > Sqrt2HalfM1) {
      k = 0;
      f = x;
      iu = 1;
    }
  }
  double c = 0;
  if (k != 0) {
    double u;
    if (absx < Two53) {
      u = 1.0 + x;
      iu = Bits(u);
      k = static_cast<int64_t>((iu >> 52) - 1023);
      if (k > 0) {
        c = 1.0 - (u - x);
      } else {
        c = x - (u - 1.0);
      }
      c /= u;
    } else {
      u = x;
      iu = Bits(u);
      k = static_cast<int64_t>((iu >> 52) - 1023);
      c = 0;
    }
    iu &= 0x000fffffffffffff;
    if (iu < 0x0006a09e667f3bcd) {  // mantissa of Sqrt(2)
      u = FromBits(iu | 0x3ff0000000000000);
    } else {
      k++;
      u = FromBits(iu | 0x3fe0000000000000);
      iu = (0x0010000000000000 - iu) >> 2;
    }
    f = u - 1.0;
  }
  double hfsq = 0.5 * f * f;
  double kf = static_cast<double>(k);
  if (iu == 0) {  // |f| < 2**-20
    if (f == 0) {
      if (k == 0) return 0;
      c += kf * Ln2Lo;
      return kf * Ln2Hi + c;
    }
    double R = hfsq * (1.0 - 0.66666666666666666 * f);
    if (k == 0) return f - R;
    return kf * Ln2Hi - ((R - (kf * Ln2Lo + c)) - f);
  }
  double s = f / (2.0 + f);
  double z = s * s;
  double R = z * (Lp1 + z * (Lp2 + z * (Lp3 + z * (Lp4 + z * (Lp5 + z * (Lp6 + z * Lp7))))));
  if (k == 0) return f - (hfsq - s * (hfsq + R));
  return kf * Ln2Hi - ((hfsq - (s * (hfsq + R) + (kf * Ln2Lo + c))) - f);
}

// ---- pow.go ----

double Pow(double x, double y) {
  if (y == 0 || x == 1) return 1;
  if (y == 1) return x;
  if (IsNaN(x) || IsNaN(y)) return kNaN;
  if (x == 0) {
    if (y < 0) return IsOddInt(y) ? Copysign(kInf, x) : kInf;
    if (y > 0) return IsOddInt(y) ? x : 0;
  } else if (IsInf(y, 0)) {
    if (x == -1) return 1;
    if ((Abs(x) < 1) == IsInf(y, 1)) return 0;
    return kInf;
  } else if (IsInf(x, 0)) {
    if (IsInf(x, -1)) return Pow(1 / x, -y);  // Pow(-0, -y)
    if (y < 0) return 0;
    if (y > 0) return kInf;
  } else if (y == 0.5) {
    return Sqrt(x);
  } else if (y == -0.5) {
    return 1 / Sqrt(x);
  }

  ModfResult ym = Modf(Abs(y));
  double yi = ym.int_part;
  double yf = ym.frac;
  if (yf != 0 && x < 0) return kNaN;
  if (yi >= 9223372036854775808.0) {  // 1<<63
    // yi is a large even int: overflow or underflow to 0 for all x but -1.
    if (x == -1) return 1;
    if ((Abs(x) < 1) == (y > 0)) return 0;
    return kInf;
  }

  // ans = a1 * 2**ae (= 1 for now).
  double a1 = 1.0;
  int64_t ae = 0;
  if (yf != 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = Exp(yf * Log(x));
  }
  // ans *= x**yi by repeated squaring, tracking the exponent apart to avoid overflow.
  FrexpResult xf = Frexp(x);
  double x1 = xf.frac;
  int64_t xe = xf.exp;
  for (auto i = static_cast<int64_t>(yi); i != 0; i >>= 1) {
    if (xe < -(1 << 12) || (1 << 12) < xe) {
      // catastrophic overflow: the final Ldexp gives ±0 or ±Inf
      ae += xe;
      break;
    }
    if ((i & 1) == 1) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < .5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return Ldexp(a1, ae);
}

}  // namespace tocsin::gomath
