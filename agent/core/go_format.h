// Go's float formatting, which Prometheus's formats and APIs are defined by.
//   FormatGoFloatG: strconv.FormatFloat(v, 'g', -1, 64) — fmt's %v, the text exposition and
//                   templates' {{ $value }}: shortest round-trip digits, exponent form when the
//                   decimal exponent is < -4 or >= 6 ("1e+06", "123456", "1e-05").
//   FormatGoFloatF: strconv.FormatFloat(v, 'f', -1, 64) — the HTTP API's sample values.
// Both print NaN, +Inf, -Inf as Go does. Pure functions; thread-safe.
#pragma once

#include <string>

namespace tocsin {

std::string FormatGoFloatG(double v);
std::string FormatGoFloatF(double v);

}  // namespace tocsin
