// The expanding series notation shared by promqltest `load` blocks, promqltest expected results
// and promtool's `input_series`:
//
//   metric{a="b"} 1+2x3 _ _x2 stale 5x2 -1-1x2 NaN +Inf
//
// `a+bxN` / `a-bxN` expand to N+1 values (a, a+b, ..., added up one step at a time as Prometheus
// does), `axN` to N+1 copies of a, `_` to one missing sample and `_xN` to N missing samples,
// `stale` to a staleness marker (StaleNaN()). Native-histogram literals (`{{...}}`) are rejected
// with a message starting "native histogram".
//
// Pure functions; thread-safe. Results are returned by value.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/status.h"

namespace tocsin::promql {

// One value per step: nullopt = no sample at that step.
using SeriesValues = std::vector<std::optional<double>>;

// Parses the values part, e.g. "1+2x3 _ stale". An empty string gives no values.
Result<SeriesValues> ParseSeriesValues(std::string_view text);

// Parses `metric{a="b", c='d'}`, `{__name__="m", a="b"}` or `metric` (quoted names allowed in
// braces: `{"metric.name", "a.b"="c"}`). The whole text must be consumed.
Result<Labels> ParseSeriesLabels(std::string_view text);

struct SeriesDescription {
  Labels labels;
  SeriesValues values;
};

// Parses `metric{a="b"} 1+1x3`: a label set followed by values.
Result<SeriesDescription> ParseSeriesDescription(std::string_view line);

// Length of the label-set prefix of `line` (metric name and braces), for callers that split a
// line themselves; 0 when there is none.
size_t SeriesLabelsLength(std::string_view line);

}  // namespace tocsin::promql
