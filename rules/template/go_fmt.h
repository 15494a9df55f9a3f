// Go formatting for the template executor: fmt.Sprintf's verbs over template Values, and the
// number formatters of Prometheus's template funcMap (humanize, humanize1024,
// humanizeDuration, humanizePercentage, humanizeTimestamp), following P:template/template.go
// and prometheus/common's helpers/templates.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "agent/core/status.h"
#include "rules/template/value.h"

namespace tocsin::rules::tmpl {

// fmt.Sprintf(format, args...): verbs %v %s %d %f %F %e %E %g %G %q %x %X %t %%, flags
// "+- #0", width and precision. Bad verb/argument pairs print as Go does ("%!d(float64=1.5)",
// "%!s(MISSING)", "%!(EXTRA float64=1)").
std::string GoSprintf(const std::string& format, const std::vector<Value>& args);

// Go's "%.4g" (NaN, +Inf, -Inf spelled as Go spells them).
std::string GoG4(double v);

// Prometheus's ConvertToFloat: a number, or a string parsed with strconv.ParseFloat.
Result<double> ToFloat(const Value& v);

std::string Humanize(double v);
std::string Humanize1024(double v);
std::string HumanizeDuration(double v);
std::string HumanizePercentage(double v);
// Unix seconds as Go's time.Time String() in UTC ("2015-06-23 13:19:44.128 +0000 UTC");
// NaN/Inf as "%.4g".
std::string HumanizeTimestamp(double v);

}  // namespace tocsin::rules::tmpl
