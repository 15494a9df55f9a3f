#include "agent/core/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace tocsin {
namespace {

bool Special(double v, std::string& out) {
  if (std::isnan(v)) {
    out = "NaN";
    return true;
  }
  if (std::isinf(v)) {
    out = v > 0 ? "+Inf" : "-Inf";
    return true;
  }
  return false;
}

// Shortest round-trip scientific form, which std::to_chars already writes in Go's shape
// (at least two exponent digits: "1e-07", "6.239452022590642e+248").
std::string Scientific(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return std::string(buf, end);
}

}  // namespace

std::string FormatGoFloatG(double v) {
  std::string out;
  if (Special(v, out)) return out;
  std::string sci = Scientific(v);
  int exp = std::atoi(sci.c_str() + sci.find('e') + 1);
  if (exp < -4 || exp >= 6) return sci;
  return FormatGoFloatF(v);
}

// Go's fmtF over the shortest digits. std::to_chars(fixed) would instead pick, among equally
// short strings, the one closest to the value: every exact digit of a large integer.
std::string FormatGoFloatF(double v) {
  std::string out;
  if (Special(v, out)) return out;
  std::string sci = Scientific(v);
  const size_t e = sci.find('e');
  std::string digits;
  size_t i = 0;
  if (sci[0] == '-') {
    out += '-';
    i = 1;
  }
  for (; i < e; ++i) {
    if (sci[i] != '.') digits += sci[i];
  }
  // The decimal point sits after `point` digits (negative: zeros before the first digit).
  const long point = std::atol(sci.c_str() + e + 1) + 1;
  const long nd = static_cast<long>(digits.size());
  if (point > 0) {
    out.append(digits, 0, static_cast<size_t>(std::min(nd, point)));
    if (point > nd) out.append(static_cast<size_t>(point - nd), '0');
  } else {
    out += '0';
  }
  if (nd > point) {
    out += '.';
    if (point < 0) out.append(static_cast<size_t>(-point), '0');
    out.append(digits, static_cast<size_t>(std::max(point, 0L)), std::string::npos);
  }
  return out;
}

std::string FormatGoFloatSample(double v) {
  const double abs = std::fabs(v);
  if (abs != 0 && (abs < 1e-6 || abs >= 1e21) && std::isfinite(v)) return Scientific(v);
  return FormatGoFloatF(v);
}

std::string FormatGoFloatE(double v) {
  std::string out;
  if (Special(v, out)) return out;
  return Scientific(v);
}

// Both Go and glibc round the exact binary value half-to-even, so printf's digits are Go's.
std::string FormatGoPrintfF(double v, int precision) {
  std::string out;
  if (Special(v, out)) return out;
  const int n = std::snprintf(nullptr, 0, "%.*f", precision, v);
  out.resize(static_cast<size_t>(n) + 1);
  std::snprintf(out.data(), out.size(), "%.*f", precision, v);
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace tocsin
