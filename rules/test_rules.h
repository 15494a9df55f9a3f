// `tocsin test rules FILE...`: runs rule unit tests written for `promtool test rules`
// (Prometheus 2.42's format and output). Per file:
//   stdout "Unit Testing:  <file>", then "  SUCCESS" or (stderr) "  FAILED:" and each failure as
//   promtool words it; exit 0 when every file passes, 1 otherwise.
// Rule groups are evaluated with the same Group / AlertingRule code the daemon uses, over a fresh
// SeriesStore per test group, at 0, evaluation_interval, ... up to the largest eval_time.
//
// Stateless; each call builds its own store and engine. Thread-safe apart from the streams.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "agent/core/labels.h"

namespace tocsin::rules {

int RunTestRules(const std::vector<std::string>& files, std::ostream& out, std::ostream& err);

// Helpers that print values exactly as Go does in promtool's messages.
std::string GoDurationString(std::chrono::milliseconds d);  // time.Duration: "1m0s", "1.5s"
std::string GoLabelsString(const Labels& labels);           // {a="b", c="d"} (strconv.Quote)
std::string GoFormatFloatE(double v);                       // strconv 'E', -1: "9E+00"

}  // namespace tocsin::rules
