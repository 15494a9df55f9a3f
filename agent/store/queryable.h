// Queryable: read access to the store for rules, the PromQL engine, the API and the exporter.
//
// A Querier is a consistent view of samples with mint <= t <= maxt taken when it was opened;
// appends that commit later are not visible through it. Queriers are used by one thread; many
// may be open at once on different threads. The Queryable must outlive its Queriers.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/float_histogram.h"
#include "agent/core/function_ref.h"
#include "agent/core/labels.h"
#include "agent/core/matcher.h"
#include "agent/store/metadata.h"

namespace tocsin {

struct Sample {
  TimestampMs t;
  double v;
  friend bool operator==(const Sample&, const Sample&) = default;
};

// A native-histogram sample. The histogram is immutable once shared.
struct HistogramSample {
  TimestampMs t;
  std::shared_ptr<const FloatHistogram> h;
};

// One series and its samples in [mint, maxt], in time order. Stale markers are included
// (IsStaleNaN tells them apart from an ordinary NaN). A series may hold float samples,
// native-histogram samples or both (never both at one timestamp); the SeriesStore holds floats
// only, other Queryables may add histograms.
struct SeriesData {
  Labels labels;
  std::vector<Sample> samples;
  std::vector<HistogramSample> histograms{};
};

// One series as a Querier streams it (see Querier::ForEach): borrowed views, valid only during
// the visitor's call.
struct SeriesView {
  const Labels& labels;
  std::span<const Sample> samples;
  std::span<const HistogramSample> histograms;
  // At most this many series follow (for reserving); 0 when unknown.
  size_t remaining_hint = 0;
};

// One metric family's metadata as Querier::ListMetadata reports it.
struct FamilyMetadata {
  std::string family;
  Metadata metadata;
  friend bool operator==(const FamilyMetadata&, const FamilyMetadata&) = default;
};

class Querier {
 public:
  virtual ~Querier() = default;
  // Visits every series matching all matchers, sorted by labels, with its samples in
  // [mint, maxt]; series without samples there are skipped. An empty matcher list selects
  // nothing. Streaming lets a caller reduce each series as it comes (one decode buffer, no
  // per-series copies); the visitor must not call back into this Querier.
  virtual void ForEach(std::span<const LabelMatcher> matchers,
                       FunctionRef<void(const SeriesView&)> visit) const = 0;
  // Like ForEach, but each view holds only the series' newest float sample and newest
  // histogram sample in [mint, maxt] (what an instant vector selector reads). The default takes
  // them from ForEach; a store that keeps each series' newest sample at hand skips decoding.
  virtual void ForEachLatest(std::span<const LabelMatcher> matchers,
                             FunctionRef<void(const SeriesView&)> visit) const;
  // ForEach collected into owned copies (for callers that keep several series at once).
  std::vector<SeriesData> Select(std::span<const LabelMatcher> matchers) const;
  // Sorted distinct values of a label name over all series (for the API and templates).
  virtual std::vector<std::string> LabelValues(std::string_view name) const = 0;

  // The label index over this view's time range, for /api/v1/labels, /label/<name>/values and
  // /series: only series with at least one sample in [mint, maxt] count, and an empty matcher
  // list means every series (unlike ForEach). Results are sorted and distinct; empty values
  // never appear. The defaults take them from ForEachLatest; a store with an index overrides.
  virtual std::vector<std::string> LabelNames(std::span<const LabelMatcher> matchers) const;
  virtual std::vector<std::string> MatchingLabelValues(
      std::string_view name, std::span<const LabelMatcher> matchers) const;
  // Metadata of the metric families that have series (HELP/TYPE/UNIT as the appenders set it),
  // sorted by family name; the family is named as /metrics writes it on # TYPE (a counter's
  // series name with _total, a histogram's base name). Not bounded by the time range: metadata
  // is not timestamped. Empty by default (a Queryable that keeps no metadata).
  virtual std::vector<FamilyMetadata> ListMetadata() const { return {}; }
};

class Queryable {
 public:
  virtual ~Queryable() = default;
  virtual std::unique_ptr<Querier> NewQuerier(TimestampMs mint, TimestampMs maxt) const = 0;
};

// Prometheus's staleness marker: a NaN with a specific bit pattern (0x7ff0000000000002).
// Inline: checked for every sample a query reads.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

}  // namespace tocsin
