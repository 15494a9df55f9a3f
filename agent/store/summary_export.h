// Writes a sliding-window sketch into the store as a Prometheus summary, so that collectors
// (statsd, probes) expose latency quantiles and rules can use them:
//   name{base..., quantile="0.5"} ...   (window quantiles; NaN while the window is empty)
//   name_sum{base...}  name_count{base...}   (all-time, counters as Prometheus clients do)
// and sets the family's metadata to summary. Thread-safe as far as the sketch is; the Appender
// is used from the calling thread only.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"
#include "agent/store/sliding_window_sketch.h"

namespace tocsin {

inline constexpr double kDefaultSummaryQuantiles[] = {0.5, 0.95, 0.99};

// `base` must not contain __name__ or quantile; `name` is the family name.
Status WriteSummary(Appender& app, std::string_view name, const Labels& base,
                    SlidingWindowSketch& sketch, std::string_view help = {},
                    std::span<const double> quantiles = kDefaultSummaryQuantiles);

// The same for a plain sketch (e.g. one already merged by the caller); `count`/`sum` are the
// totals to expose.
Status WriteSummary(Appender& app, std::string_view name, const Labels& base,
                    const QuantileSketch& window, uint64_t count, double sum,
                    std::string_view help = {},
                    std::span<const double> quantiles = kDefaultSummaryQuantiles);

}  // namespace tocsin
