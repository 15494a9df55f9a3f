#include "collectors/system/go_float.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>

namespace tocsin::system {
namespace {

bool EqualsFold(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<double> GoParseFloat(std::string_view s) {
  if (EqualsFold(s, "nan")) return std::numeric_limits<double>::quiet_NaN();
  bool neg = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (EqualsFold(body, "inf") || EqualsFold(body, "infinity")) {
    return neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  // Digits, at most one '.', and an exponent: a mantissa digit is required.
  bool digit = false, dot = false;
  size_t i = 0;
  for (; i < body.size(); ++i) {
    char c = body[i];
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digit) return std::nullopt;
  if (i < body.size()) {
    if (body[i] != 'e' && body[i] != 'E') return std::nullopt;
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    if (i == body.size()) return std::nullopt;
    for (; i < body.size(); ++i) {
      if (body[i] < '0' || body[i] > '9') return std::nullopt;
    }
  }
  double v = 0;
  auto [ptr, ec] =
      std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
  if (ptr != body.data() + body.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Go rounds an underflow to zero (or a subnormal) and fails only on overflow.
    double d = std::strtod(std::string(body).c_str(), nullptr);
    if (std::isinf(d)) return std::nullopt;
    return neg ? -d : d;
  }
  if (ec != std::errc()) return std::nullopt;
  return neg ? -v : v;
}

}  // namespace tocsin::system
