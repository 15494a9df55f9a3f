// strconv.ParseFloat(s, 64) as the hwmon and mdadm parts' Go originals call it: an optional
// sign, decimal digits with an optional fraction and exponent, or "Inf"/"Infinity" (signed,
// any case) and "NaN" (any case). Values out of double range fail, as Go's ErrRange does for
// overflow; Go's hexadecimal floats ("0x1p4") and underscore-separated digits, which no
// kernel file prints, are rejected. Pure function; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace tocsin::system {

std::optional<double> GoParseFloat(std::string_view s);

}  // namespace tocsin::system
