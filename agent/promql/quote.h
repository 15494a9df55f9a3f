// String quoting helpers shared by the PromQL lexer, printer and the series notation: Go-style
// unquoting of "..." / '...' / `...` literals and strconv.Quote-style printing.
//
// Pure functions; thread-safe. Results are returned by value.
#pragma once

#include <string>
#include <string_view>

#include "agent/core/status.h"

namespace tocsin::promql {

// `quoted` includes its delimiters. Double- and single-quoted strings take Go escapes
// (\a \b \f \n \r \t \v \\ \' \" \xHH \OOO \uHHHH \UHHHHHHHH); backquoted strings are raw.
Result<std::string> Unquote(std::string_view quoted);

// Double-quoted with Go's strconv.Quote escaping.
std::string Quote(std::string_view s);

// Go's strconv.FormatFloat(v, 'g', -1, 64), as fmt's %v prints a float64: "1e+06", "0.1",
// "+Inf", "-Inf", "NaN".
std::string FormatFloat(double v);

}  // namespace tocsin::promql
