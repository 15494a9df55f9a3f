// Go's math package as a Prometheus binary for linux/amd64 runs it, bit for bit.
//
// PromQL's results are defined by Prometheus, and Prometheus computes exp, ln, sin, `^`, atan2 ...
// with Go's math package, whose algorithms differ from glibc's by an ulp here and there
// (glibc's log10(20) is 1.3010299956639813, Go's 1.301029995663981). Each function here is a
// port of Go's src/math (Go 1.19, whose amd64 assembly later releases keep) that keeps Go's
// operation order and constants.
// Where Go has amd64 assembly, the assembly is what is ported: Exp (exp_amd64.s) and Log
// (log_amd64.s); everything built on them (Log2, Log10, Pow, Sinh, Cosh, Tanh, Asinh, Acosh)
// inherits their results. Go's amd64 Exp takes an FMA path on CPUs with AVX and FMA and an SSE2
// path otherwise, and the two differ in the last bit; ExpKernel picks the same path Go would on
// this CPU. NaN results carry Go's bit patterns too (math.NaN() is 0x7FF8000000000001).
//
// Pure functions of their arguments; thread-safe. The ports live in go_math.cc (frexp, ldexp,
// modf, mod), go_math_exp_log.cc, go_math_trig.cc and go_math_hyperbolic.cc, sharing
// go_math_internal.h; all are compiled with -ffp-contract=off so that no multiply-add is fused
// behind Go's back (see agent/core/CMakeLists.txt).
#pragma once

#include <cstdint>

namespace tocsin::gomath {

// math.Exp, Expm1, Exp2, Log, Log2, Log10, Log1p, Pow.
double Exp(double x);
double Expm1(double x);
double Exp2(double x);
double Log(double x);
double Log2(double x);
double Log10(double x);
double Log1p(double x);
double Pow(double x, double y);

// math.Sin, Cos, Tan (Payne-Hanek reduction from 2^29 up), Asin, Acos, Atan, Atan2(y, x).
double Sin(double x);
double Cos(double x);
double Tan(double x);
double Asin(double x);
double Acos(double x);
double Atan(double x);
double Atan2(double y, double x);

// math.Sinh, Cosh, Tanh, Asinh, Acosh, Atanh.
double Sinh(double x);
double Cosh(double x);
double Tanh(double x);
double Asinh(double x);
double Acosh(double x);
double Atanh(double x);

// math.Mod: x - n*y truncated, exact (so it is fmod's value), with Go's NaN for y == 0, x = ±Inf
// or a NaN argument.
double Mod(double x, double y);

// Go's int64(x) conversion as amd64 runs it (CVTTSD2SQ): truncation toward zero, and
// math.MinInt64 for NaN, ±Inf and anything out of int64's range (the Go spec leaves those to the
// implementation; C++ leaves them undefined).
int64_t Int64(double x);

// math.Frexp, Ldexp, Modf, which the functions above are built on. Frexp returns frac in
// [0.5, 1) with x == frac * 2^exp (frac = x, exp = 0 for ±0, ±Inf, NaN).
struct FrexpResult {
  double frac;
  int exp;
};
FrexpResult Frexp(double x);
double Ldexp(double frac, int64_t exp);
struct ModfResult {
  double int_part;
  double frac;
};
ModfResult Modf(double x);

// Which of Go's two amd64 Exp code paths is followed: kAuto detects the CPU as Go's
// internal/cpu does (AVX and FMA, both enabled by the OS). Tests force a path to check both
// against Go's output; the setting is process-wide and atomic.
enum class ExpKernel { kAuto, kFma, kSse2 };
void SetExpKernelForTesting(ExpKernel kernel);
// The path in effect: kFma or kSse2.
ExpKernel ActiveExpKernel();

}  // namespace tocsin::gomath
