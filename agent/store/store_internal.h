// Internals shared by the SeriesStore implementation files (series_store.cc, store_appender.cc).
// Not part of the store's API: include only from agent/store/*.cc.
//
// StoreCore holds the store's state: lookup stripes (label-set hash -> series), the postings
// index, the symbol table, per-source staleness state, metadata and the counters behind
// Stats(). Thread-safety is described per member; see series_store.cc for the lock order.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/store/exposition.h"
#include "agent/store/postings_index.h"
#include "agent/store/sample_tap.h"
#include "agent/store/series.h"
#include "agent/store/series_store.h"
#include "agent/store/symbol_table.h"

namespace tocsin::store_internal {

// The series a source wrote in its last successful commit, sorted by pointer; each holds one
// Series::source_refs reference. `mu` serialises commits of the source.
struct SourceState {
  std::mutex mu;
  std::vector<Series*> prev;
  CommitNames names;  // the metric names of `prev`; null until the first commit
};

struct StoreCore {
  explicit StoreCore(StoreOptions options);
  ~StoreCore();

  static constexpr size_t kStripes = 256;
  // Per-series bookkeeping outside the Series object: stripe hash-map node and bucket, the
  // `all` postings entry, source-set entry, label-order set node (the label postings are added
  // per label).
  static constexpr size_t kPerSeriesIndexBytes = 112;

  struct alignas(64) Stripe {
    std::mutex mu;
    std::unordered_multimap<uint64_t, Series*> by_hash;  // guarded by mu
  };
  Stripe& StripeFor(uint64_t hash) { return stripes[hash % kStripes]; }

  // Finds a series and pins it, or returns null.
  Series* Lookup(uint64_t hash, const Labels& labels);
  // Finds or creates (and indexes) a series, pinned. Null when the global limit refuses it.
  Series* GetOrCreate(uint64_t hash, const Labels& labels, bool* created, bool* over_global_limit);
  // Appends a stale marker unless the series is already stale or has a sample at/after t.
  bool AppendStale(Series* s, TimestampMs t);
  // Marks stale every series of st.prev not in `keep` (sorted). Requires st.mu. When `marked` is
  // given, the series that got a marker are appended to it (for the sample tap).
  uint64_t MarkStale(SourceState& st, TimestampMs t, const std::vector<Series*>& keep,
                     std::vector<Series*>* marked = nullptr);
  std::shared_ptr<SourceState> Source(std::string_view name);
  void SetMetadata(const std::string& family, const Metadata& md);
  void ApplyDelta(const SeriesDelta& d);
  void FreeSeries(Series* s);

  StoreOptions options;
  SymbolTable symbols;
  PostingsIndex index;
  std::array<Stripe, kStripes> stripes;

  std::mutex sources_mu;
  std::unordered_map<std::string, std::shared_ptr<SourceState>> sources;  // guarded by sources_mu

  mutable std::mutex metadata_mu;  // mutable: queriers hold a const StoreCore
  MetadataMap metadata;            // guarded by metadata_mu

  std::mutex graveyard_mu;
  std::vector<Series*> graveyard;  // unlinked and unindexed, waiting for pins to drop

  SeriesStore::CommitListener commit_listener;  // set before appends start
  // Loaded once per commit; may change at any time (a reload adds or removes remote_write).
  std::atomic<SampleTap*> sample_tap{nullptr};  // not owned

  // Counters (relaxed atomics; see docs/metrics.md "Store").
  std::atomic<uint64_t> series_count{0};
  std::atomic<int64_t> chunks{0};
  std::atomic<int64_t> chunk_bytes{0};
  mutable std::atomic<int64_t> series_bytes{0};  // queriers add the Labels they cache
  std::atomic<uint64_t> samples_appended{0};
  std::atomic<uint64_t> out_of_order{0};
  std::atomic<uint64_t> duplicate{0};
  std::atomic<uint64_t> rejected_global_limit{0};
  std::atomic<uint64_t> rejected_source_limit{0};
  std::atomic<uint64_t> stale_markers{0};
};

// One appended sample as handed to the SampleTap.
struct TapItem {
  Series* series;  // pinned or owned by the committing source
  TimestampMs t;
  double v;
};

// The SampleTap's view of a commit's appended samples.
class TapBatch final : public CommittedSamples {
 public:
  explicit TapBatch(const std::vector<TapItem>& items) : items_(items) {}
  size_t size() const override { return items_.size(); }
  uint64_t series_id(size_t i) const override { return items_[i].series->id(); }
  Labels labels(size_t i) const override { return items_[i].series->ToLabels(); }
  TimestampMs timestamp(size_t i) const override { return items_[i].t; }
  double value(size_t i) const override { return items_[i].v; }

 private:
  const std::vector<TapItem>& items_;
};

// Hands the stale markers of `marked` at `t` to the store's tap, if any.
void TapStaleMarkers(StoreCore& store, const std::vector<Series*>& marked, TimestampMs t);

class StoreAppender final : public Appender {
 public:
  StoreAppender(StoreCore* store, std::string_view source, TimestampMs batch_time,
                AppendLimits limits);
  ~StoreAppender() override;

  Status Add(const Labels& labels, double value) override;
  Status AddAt(const Labels& labels, TimestampMs t, double value) override;
  void SetMetadata(std::string_view family, const Metadata& metadata) override;
  Result<CommitStats> Commit() override;
  void Rollback() override;

 private:
  struct Pending {
    Series* series;  // pinned; null while the series is new (see `fresh`)
    uint32_t fresh;  // index into new_series_ when series is null
    TimestampMs t;
    double v;
  };
  struct NewSeries {
    uint64_t hash;
    Labels labels;
  };
  void Unpin();
  Status Fail(Status st);
  static CommitNames CommittedNames(SourceState* src, const std::vector<Series*>& now_set);

  StoreCore* store_;
  std::string source_;
  TimestampMs batch_time_;
  AppendLimits limits_;
  std::vector<Pending> pending_;
  std::vector<NewSeries> new_series_;
  std::unordered_multimap<uint64_t, uint32_t> new_by_hash_;
  std::vector<std::pair<std::string, Metadata>> metadata_;
  Status failed_;
  bool done_ = false;
};

}  // namespace tocsin::store_internal
