// Native histograms in promqltest scripts: `{{...}}` literals in series lines, `load_with_nhcb`
// (classic bucket series also loaded as native histograms with custom buckets, as Prometheus's
// test runner does), and a Queryable that serves those histogram series beside the store's
// float series.
//
// Used by the script runner (test_script.cc) only; single-threaded.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/float_histogram.h"
#include "agent/core/status.h"
#include "agent/promql/series_notation.h"
#include "agent/store/queryable.h"

namespace tocsin::promql {

// A series line whose `{{...}}` literals have been swapped for placeholder numbers, so that the
// float notation parser reads it; Resolve() maps the parsed values back.
class HistogramLiterals {
 public:
  // Replaces every `{{...}}` (optionally followed by xN) in `line`; `{{a}}+{{b}}xN` and
  // `{{a}}-{{b}}xN` expand to N+1 placeholders for a, a±b, a±2b, ...
  Result<std::string> Extract(std::string_view line);
  // For each parsed value: the histogram it stands for (and clears that float value), or
  // nullopt for a real float.
  std::vector<std::optional<FloatHistogram>> Resolve(SeriesValues& values) const;
  bool empty() const { return histograms_.empty(); }

 private:
  std::vector<FloatHistogram> histograms_;
};

// The native-histogram samples of one load block, per series, in time order.
using HistogramSeriesMap = std::map<Labels, std::vector<HistogramSample>>;

// Prometheus's load_with_nhcb conversion: every group of `<name>_bucket{le=...}`, `<name>_count`
// and `<name>_sum` series becomes a `<name>` series of custom-bucket histograms, one per
// timestamp. `defs` are the block's parsed series; step i is at i·interval_ms.
Status ConvertClassicToNhcb(const std::vector<SeriesDescription>& defs, int64_t interval_ms,
                            HistogramSeriesMap& out);

// The store's float series plus in-memory histogram series with the same matcher semantics;
// a series present in both is returned once with both kinds of samples.
class HistogramOverlayQueryable final : public Queryable {
 public:
  HistogramOverlayQueryable(const Queryable& floats, const HistogramSeriesMap& histograms)
      : floats_(floats), histograms_(histograms) {}
  std::unique_ptr<Querier> NewQuerier(TimestampMs mint, TimestampMs maxt) const override;

 private:
  const Queryable& floats_;
  const HistogramSeriesMap& histograms_;
};

}  // namespace tocsin::promql
