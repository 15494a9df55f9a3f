// Ports of Go's src/math (amd64 build). Statements follow Go's source line by line, including
// the order of every floating-point operation; a constant that Go computes exactly at compile
// time (4/Pi, 3*Pi/4, 1/Ln10 ...) is spelt as the float64 Go rounds it to. Go's shifts by 64 or
// more give 0 and its float->int conversions truncate; both are spelt out where they matter.
// This file: sinh.go, tanh.go, asinh.go, acosh.go, atanh.go.
#include "agent/core/go_math.h"
#include "agent/core/go_math_internal.h"

namespace tocsin::gomath {
namespace {

using internal::Abs;
using internal::IsInf;
using internal::IsNaN;
using internal::kInf;
using internal::kLn2;
using internal::kNaN;
using internal::Sqrt;

}  // namespace

// ---- sinh.go, tanh.go, asinh.go, acosh.go, atanh.go ----

double Sinh(double x) {
  constexpr double P0 = -0.6307673640497716991184787251e+6;
  constexpr double P1 = -0.8991272022039509355398013511e+5;
  constexpr double P2 = -0.2894211355989563807284660366e+4;
  constexpr double P3 = -0.2630563213397497062819489e+2;
  constexpr double Q0 = -0.6307673640497716991212077277e+6;
  constexpr double Q1 = 0.1521517378790019070696485176e+5;
  constexpr double Q2 = -0.173678953558233699533450911e+3;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  double temp;
  if (x > 21) {
    temp = Exp(x) * 0.5;
  } else if (x > 0.5) {
    double ex = Exp(x);
    temp = (ex - 1 / ex) * 0.5;
  } else {
    double sq = x * x;
    temp = (((P3 * sq + P2) * sq + P1) * sq + P0) * x;
    temp = temp / (((sq + Q2) * sq + Q1) * sq + Q0);
  }
  if (sign) temp = -temp;
  return temp;
}

double Cosh(double x) {
  x = Abs(x);
  if (x > 21) return Exp(x) * 0.5;
  double ex = Exp(x);
  return (ex + 1 / ex) * 0.5;
}

double Tanh(double x) {
  constexpr double P[] = {-9.64399179425052238628e-1, -9.92877231001918586564e1,
                          -1.61468768441708447952e3};
  constexpr double Q[] = {1.12811678491632931402e2, 2.23548839060100448583e3,
                          4.84406305325125486048e3};
  constexpr double kMaxLog = 8.8029691931113054295988e+01;  // log(2**127)
  double z = Abs(x);
  if (z > 0.5 * kMaxLog) return x < 0 ? -1 : 1;
  if (z >= 0.625) {
    double s = Exp(2 * z);
    z = 1 - 2 / (s + 1);
    if (x < 0) z = -z;
    return z;
  }
  if (x == 0) return x;
  double s = x * x;
  return x + x * s * ((P[0] * s + P[1]) * s + P[2]) / (((s + Q[0]) * s + Q[1]) * s + Q[2]);
}

double Asinh(double x) {
  constexpr double kNearZero = 1.0 / static_cast<double>(int64_t{1} << 28);
  constexpr double kLarge = static_cast<double>(int64_t{1} << 28);
  if (IsNaN(x) || IsInf(x, 0)) return x;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  double temp;
  if (x > kLarge) {
    temp = Log(x) + kLn2;
  } else if (x > 2) {
    temp = Log(2 * x + 1 / (Sqrt(x * x + 1) + x));
  } else if (x < kNearZero) {
    temp = x;
  } else {
    temp = Log1p(x + x * x / (1 + Sqrt(1 + x * x)));
  }
  if (sign) temp = -temp;
  return temp;
}

double Acosh(double x) {
  constexpr double kLarge = static_cast<double>(int64_t{1} << 28);
  if (x < 1 || IsNaN(x)) return kNaN;
  if (x == 1) return 0;
  if (x >= kLarge) return Log(x) + kLn2;
  if (x > 2) return Log(2 * x - 1 / (x + Sqrt(x * x - 1)));
  double t = x - 1;
  return Log1p(t + Sqrt(2 * t + t * t));
}

double Atanh(double x) {
  constexpr double kNearZero = 1.0 / static_cast<double>(int64_t{1} << 28);
  if (x < -1 || x > 1 || IsNaN(x)) return kNaN;
  if (x == 1) return kInf;
  if (x == -1) return -kInf;
  bool sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  double temp;
  if (x < kNearZero) {
    temp = x;
  } else if (x < 0.5) {
    temp = x + x;
    temp = 0.5 * Log1p(temp + temp * x / (1 - x));
  } else {
    temp = 0.5 * Log1p((x + x) / (1 - x));
  }
  if (sign) temp = -temp;
  return temp;
}

}  // namespace tocsin::gomath
