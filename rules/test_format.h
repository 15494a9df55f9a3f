// Values printed the way promtool's unit-test messages print them (Go's fmt, strconv and
// Prometheus's String methods), so `tocsin test rules` output can be diffed against promtool's.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "agent/core/float_histogram.h"
#include "agent/core/labels.h"

namespace tocsin::rules {

// time.Duration's String: "1m0s", "1.5s", "473040h0m0s".
std::string GoDurationString(std::chrono::milliseconds d);
// Prometheus 3's labels.Labels String: {a="b", "c.d"="e"} (names outside the legacy charset
// quoted, values strconv.Quote'd).
std::string GoLabelsString(const Labels& labels);
// strconv.FormatFloat(v, 'E', -1, 64): "9E+00".
std::string GoFormatFloatE(double v);
// FloatHistogram.TestExpression(): schema, count, sum, z_bucket, z_bucket_w, custom_values and
// the counter-reset hint when not zero/default, then buckets compacted to one span per side.
std::string GoHistogramTestExpression(const FloatHistogram& h);

}  // namespace tocsin::rules
