// Series: one time series in the store: interned labels, sealed chunks and a head chunk.
//
// Thread-safety: `mu` guards the samples (Append, Read*, DropBefore, Last) and the cached
// Labels handed to queriers (SharedLabels). The label refs, hash and id are immutable after the
// series is published. `pins` keeps a series alive while an
// appender, querier or compaction holds a raw pointer outside the store's locks; `source_refs`
// counts the sources whose last commit wrote it (such a series is never deleted). The store owns
// Series objects and the label symbol references they hold.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
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
  // Label order (as Labels' operator<=>) without materialising Labels: equal symbols are
  // compared by pointer (they are interned), others by content. <0, 0 or >0.
  static int LabelsCompare(const Series& a, const Series& b);
  // Position in label order among the indexed series (see PostingsIndex); guarded by the
  // index's lock.
  uint64_t order_key() const { return order_key_; }
  void set_order_key(uint64_t k) { order_key_ = k; }
  // Memory of this object, its label vector and its cached Labels (not the symbols, which are
  // shared). Requires mu once the series is published (or that nobody else can reach it).
  size_t fixed_bytes() const;

  // --- Require mu. ---
  // The series' Labels, built on first use and shared (O(1) copies) by every querier after
  // that. Never changes once built: the reference stays valid (and may be read without mu)
  // while the series is pinned. Adds the memory of a newly built cache to *added_bytes.
  const Labels& SharedLabels(int64_t* added_bytes);
  // Appends unless the timestamp is not after the newest sample (Prometheus's rules: an older
  // timestamp is out of order; the same timestamp with the same value bits is a no-op; with
  // another value a duplicate). Cuts a new head chunk every `samples_per_chunk` samples.
  AppendOutcome Append(TimestampMs t, double v, uint32_t samples_per_chunk, SeriesDelta* delta);
  // Appends samples with mint <= t <= maxt. Remembers where in the head chunk the samples
  // before `mint` end (a read cursor), so that the next read of a later window (rules evaluate
  // the same selectors over sliding windows) resumes there instead of decoding the chunk from
  // its start; adds the memory of a newly allocated cursor to *added_bytes.
  void Read(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out, int64_t* added_bytes);
  // Appends the newest sample with mint <= t <= maxt, if any: without decoding when that is the
  // newest sample of the series (an instant query at the present), else as Read does.
  void ReadLatest(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out,
                  int64_t* added_bytes);
  // Asks the CPU to fetch what a Read will touch (the head chunk's end, the read cursor, the
  // shared labels), so that a querier can overlap those cache misses with work on other series.
  void PrefetchForRead() const;
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
  uint64_t order_key_ = 0;
  const std::vector<LabelRef> labels_;
  Labels labels_cache_;  // empty until SharedLabels; guarded by mu
  size_t labels_cache_bytes_ = 0;
  // Decoder state after the last head-chunk sample before the previous read's mint, valid
  // while the head's epoch is unchanged. Null until a read skips head samples; guarded by mu.
  struct ReadCursor {
    uint64_t epoch;
    ChunkIterator::State state;
  };
  std::unique_ptr<ReadCursor> cursor_;
  std::vector<XorChunk> sealed_;
  XorChunkAppender head_;
  TimestampMs last_t_ = 0;
  double last_v_ = 0;
  bool has_last_ = false;
};

}  // namespace tocsin
