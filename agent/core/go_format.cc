#include "agent/core/go_format.h"

#include <charconv>
#include <cmath>
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

}  // namespace

std::string FormatGoFloatG(double v) {
  std::string out;
  if (Special(v, out)) return out;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);
  auto e = sci.find('e');
  int exp = std::atoi(sci.c_str() + e + 1);
  if (exp < -4 || exp >= 6) return sci;  // to_chars already writes Go's "e+06" shape
  auto [fend, fec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, fend);
}

std::string FormatGoFloatF(double v) {
  std::string out;
  if (Special(v, out)) return out;
  char buf[400];  // fixed notation of 1e308 needs 309 digits
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, end);
}

}  // namespace tocsin
