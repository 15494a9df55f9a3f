// Go's float formatting, which Prometheus's formats and APIs are defined by.
//   FormatGoFloatG:      strconv.FormatFloat(v, 'g', -1, 64) — fmt's %v, the text exposition and
//                        templates' {{ $value }}: shortest round-trip digits, exponent form when
//                        the decimal exponent is < -4 or >= 6 ("1e+06", "123456", "1e-05").
//   FormatGoFloatF:      strconv.FormatFloat(v, 'f', -1, 64) — scalar results, count_values
//                        labels: the shortest round-trip digits, never an exponent; a large value
//                        is padded with zeros ("177514401712176400"), not written exactly.
//   FormatGoFloatSample: Prometheus's jsonutil.MarshalFloat — the HTTP API's vector and matrix
//                        sample values and native histogram numbers: 'e' (Go's "1e-07",
//                        "6.2e+248") when 0 < |v| < 1e-6 or |v| >= 1e21, else FormatGoFloatF.
//   FormatGoFloatE:      strconv.FormatFloat(v, 'e', -1, 64) — an alert's value in the rules API
//                        ("1e+00", "2.5e-07").
//   FormatGoPrintfF:     fmt's "%.<precision>f" (plain %f: precision 6) — Prometheus's error
//                        messages that print a float with %f ("got: 1.500000").
// All print NaN, +Inf, -Inf as Go does. Pure functions; thread-safe.
#pragma once

#include <string>

namespace tocsin {

std::string FormatGoFloatG(double v);
std::string FormatGoFloatF(double v);
std::string FormatGoFloatSample(double v);
std::string FormatGoFloatE(double v);
std::string FormatGoPrintfF(double v, int precision = 6);

}  // namespace tocsin
