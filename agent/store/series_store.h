// SeriesStore: the in-memory sliding-window metrics core (the agent's only sample storage).
//
// Keeps the last `retention` of every series in compressed chunks (delta-of-delta timestamps,
// Gorilla XOR values), interns label strings, enforces series limits, writes stale markers for
// series that vanish from their source, and serves consistent range reads (Queryable) and the
// newest-sample snapshot behind /metrics.
//
// Thread-safety: all methods may be called concurrently. Appenders are single-threaded objects
// but many may be open at once; commits take short, striped locks so that readers and writers
// never wait on a long global lock. The store outlives every Appender and Querier it creates.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/store/appender.h"
#include "agent/store/queryable.h"
#include "agent/store/sample_tap.h"

namespace tocsin {

struct StoreOptions {
  std::chrono::milliseconds retention{3600000};  // 0 keeps everything (unit-test runners)
  size_t max_series = 1'000'000;                 // global bound on live series
  size_t max_series_per_source = 100'000;        // default bound per appender source
  size_t samples_per_chunk = 120;
};

struct AppendLimits {
  size_t max_series = 0;    // 0 = StoreOptions::max_series_per_source
  size_t sample_limit = 0;  // 0 = none; Prometheus's scrape sample_limit: over it, the batch fails
};

// The distinct metric names of a commit's series, sorted; when the source's set of series
// changed, also the names of the series it marked stale. Consecutive commits of a source whose
// series set did not change pass the same pointer, so that a listener can cache what it derives
// from it per pointer. Never null.
using CommitNames = std::shared_ptr<const std::vector<std::string>>;

struct StoreStats {
  uint64_t series = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;             // chunk bytes plus index and label memory, estimated
  uint64_t samples_appended = 0;  // counters since start
  uint64_t out_of_order = 0;
  uint64_t duplicate = 0;
  uint64_t rejected_global_limit = 0;
  uint64_t rejected_source_limit = 0;
  uint64_t stale_markers = 0;
  uint64_t max_series = 0;  // StoreOptions::max_series (storage.max_series)
};

class SeriesStore final : public Queryable {
 public:
  explicit SeriesStore(StoreOptions options);
  ~SeriesStore() override;

  // Opens a batch for `source` ("system", "scrape/<job>/<instance>", "rules/<group>"). An empty
  // source tracks no staleness (used by test runners that load fixed data).
  std::unique_ptr<Appender> NewAppender(std::string_view source, TimestampMs batch_time,
                                        AppendLimits limits = {});

  // Marks every series of `source` stale at `t` (a collector or target removed by a reload).
  void MarkSourceStale(std::string_view source, TimestampMs t);

  std::unique_ptr<Querier> NewQuerier(TimestampMs mint, TimestampMs maxt) const override;

  // Drops chunks entirely older than now - retention and series left without samples.
  void Compact(TimestampMs now);

  // Appends the newest non-stale sample of every series whose newest sample is not older than
  // `max_age`, grouped by metric family with # HELP / # TYPE lines, to `out` in the Prometheus
  // text format 0.0.4, leaving out the labels in `omit` (see WriteTextExposition). Runs on a
  // snapshot: it never blocks appenders for long.
  // Series whose metric name `skip` accepts are left out (the exporter renders those live).
  void WriteExposition(std::string& out, TimestampMs now, std::chrono::milliseconds max_age,
                       const Labels& omit = {},
                       const std::function<bool(std::string_view)>& skip = {}) const;

  StoreStats Stats() const;

  // Called after every successful commit with the batch's source and the metric names it wrote
  // (event-driven rule groups). Set once at wiring time, before appends start.
  using CommitListener =
      std::function<void(std::string_view source, const CommitNames& metric_names)>;
  void SetCommitListener(CommitListener listener);

  // Hands every commit's appended samples and stale markers to `tap` (remote_write; see
  // sample_tap.h); null (the default) turns it off, so that a store without remote_write
  // collects nothing for it. May be called at any time (each commit reads it once); the tap
  // must outlive every commit.
  void SetSampleTap(SampleTap* tap);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin
