// Series: one time series in the store: interned labels, sealed chunks and a head chunk.
//
// Thread-safety: `mu` guards the samples (Append, Read*, DropBefore, Last). The labels, hash
// and id are immutable after the series is published. `pins` keeps a series alive while an
// appender, querier or compaction holds a raw pointer outside the store's locks; `source_refs`
// counts the sources whose last commit wrote it (such a series is never deleted). The store owns
// Series objects and the label symbol references they hold.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/store/queryable.h"
#include "agent/store/symbol_table.h"
#include "agent/store/xor_chunk.h"

namespace tocsin {

struct LabelRef {
  const Symbol* name;
  const Symbol* value;
};

enum class AppendOutcome { kAppended, kOutOfOrder, kDuplicate, kIdenticalDuplicate };

// Byte and chunk count changes caused by one operation, for the store's counters.
struct SeriesDelta {
  int64_t bytes = 0;
  int64_t chunks = 0;
};

class Series {
 public:
  Series(uint64_t hash, std::vector<LabelRef> labels);
  Series(const Series&) = delete;
  Series& operator=(const Series&) = delete;

  uint64_t hash() const { return hash_; }
  uint64_t id() const { return id_; }
  void set_id(uint64_t id) { id_ = id; }
  const std::vector<LabelRef>& labels() const { return labels_; }
  std::string_view metric_name() const;
  std::string_view label(std::string_view name) const;  // "" when absent
  bool LabelsEqual(const Labels& l) const;
  Labels ToLabels() const;
  // Memory of this object and its label vector (not the symbols, which are shared).
  size_t fixed_bytes() const;

  // --- Require mu. ---
  // Appends unless the timestamp is not after the newest sample (Prometheus's rules: an older
  // timestamp is out of order; the same timestamp with the same value bits is a no-op; with
  // another value a duplicate). Cuts a new head chunk every `samples_per_chunk` samples.
  AppendOutcome Append(TimestampMs t, double v, uint32_t samples_per_chunk, SeriesDelta* delta);
  // Appends samples with mint <= t <= maxt.
  void Read(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out) const;
  bool has_last() const { return has_last_; }
  TimestampMs last_t() const { return last_t_; }
  double last_v() const { return last_v_; }
  // Drops chunks whose newest sample is older than `cutoff`.
  void DropBefore(TimestampMs cutoff, SeriesDelta* delta);
  bool empty() const { return sealed_.empty() && head_.empty(); }
  size_t chunk_count() const { return sealed_.size() + (head_.empty() ? 0 : 1); }
  size_t sample_bytes() const;

  mutable std::mutex mu;
  std::atomic<uint32_t> pins{0};
  std::atomic<uint32_t> source_refs{0};
  bool unlinked = false;  // removed from the lookup table; guarded by the store's stripe lock

 private:
  const uint64_t hash_;
  uint64_t id_ = 0;
  const std::vector<LabelRef> labels_;
  std::vector<XorChunk> sealed_;
  XorChunkAppender head_;
  TimestampMs last_t_ = 0;
  double last_v_ = 0;
  bool has_last_ = false;
};

}  // namespace tocsin
