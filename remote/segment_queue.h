// SegmentQueue: remote_write's durable on-disk queue of framed records (record_codec.h), in
// numbered segment files under one directory, plus a persisted read cursor.
//
// Durability: Append write()s a whole frame before it returns (so a kill -9 loses nothing that
// was appended); Sync fdatasyncs what was appended since the last Sync (called in batches, every
// fsync_interval, so a power cut loses at most that much). After Open the writer always starts
// a new segment: a torn tail left by a crash is never appended to; the reader finds it, counts
// it as a corruption and skips to the next segment. PersistCursor writes the position the
// remote acknowledged (temp + fsync + rename) and deletes the segments wholly before it.
// The size is bounded: when the segments exceed max_bytes the oldest closed segment is dropped
// and its samples counted as dropped.
//
// Thread-safety: one writer (Append/Roll, serialised by the caller), one reader (ReadNext,
// PersistCursor) and Sync may run concurrently with each other; Counters from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/core/status.h"
#include "remote/record_codec.h"

namespace tocsin::remote {

struct QueuePosition {
  uint64_t segment = 0;
  uint64_t offset = 0;  // bytes from the start of the segment file
  friend auto operator<=>(const QueuePosition&, const QueuePosition&) = default;
};

// What is persisted: the acknowledged position and the send round in flight past it (its end and
// shard count), so that after a crash the same round can be rebuilt request for request: a
// receiver then sees an identical request again (already stored or not at all), never a mix of
// stored and new samples that it would reject as out of order.
struct QueueCursor {
  QueuePosition acked;
  QueuePosition in_flight_end;  // == acked when no round was in flight
  uint32_t in_flight_shards = 0;
};

struct SegmentQueueOptions {
  std::string dir;
  uint64_t segment_bytes = 8ull << 20;
  uint64_t max_bytes = 512ull << 20;
};

struct SegmentQueueCounters {
  uint64_t segments = 0;
  uint64_t bytes = 0;
  uint64_t corruptions_total = 0;       // torn or corrupt segment tails skipped
  uint64_t dropped_segments_total = 0;  // dropped by the size bound
  uint64_t dropped_samples_total = 0;   // samples in those segments
  uint64_t samples_in_queue = 0;        // samples in the live segments (read or not)
};

class SegmentQueue {
 public:
  static Result<std::unique_ptr<SegmentQueue>> Open(SegmentQueueOptions options);
  ~SegmentQueue();
  SegmentQueue(const SegmentQueue&) = delete;
  SegmentQueue& operator=(const SegmentQueue&) = delete;

  // --- Writer ---
  // True when a frame of `bytes` would take the active segment past segment_bytes (the caller
  // then rolls first and restarts its per-segment refs).
  bool ShouldRoll(size_t bytes) const;
  Status Roll();
  // Appends one whole frame holding `samples` samples.
  Status Append(std::string_view frame, uint32_t samples);
  // fdatasync of everything appended so far.
  Status Sync();

  // --- Reader ---
  // Where reading starts after Open: the persisted cursor (acked clamped to the first live
  // segment's start when its segment is gone).
  const QueueCursor& start() const { return start_; }
  enum class Read { kRecord, kNoData };
  // Reads the record at `pos` (advanced past it). `new_segment` is set when reading moved to
  // another segment first (per-segment refs restart). Corrupt tails are skipped and counted.
  Read ReadNext(QueuePosition& pos, FrameHeader& header, std::string& payload, bool& new_segment);
  // Persists `cursor` and deletes the segments before cursor.acked.segment.
  Status PersistCursor(const QueueCursor& cursor);

  SegmentQueueCounters Counters() const;
  const std::string& dir() const { return options_.dir; }

 private:
  struct Segment {
    uint64_t bytes = 0;  // published (readable) bytes
    uint64_t samples = 0;
    bool closed = false;
  };
  explicit SegmentQueue(SegmentQueueOptions options);
  Status Recover();
  Status OpenActive(uint64_t index);
  std::string PathOf(uint64_t index) const;
  void DropOverBound();  // requires mu_
  // Reader helpers.
  bool EnsureReadFd(uint64_t segment);
  bool SkipToNextSegment(QueuePosition& pos);  // requires mu_

  SegmentQueueOptions options_;
  QueueCursor start_;
  mutable std::mutex mu_;
  std::map<uint64_t, Segment> segments_;  // guarded by mu_
  uint64_t active_ = 0;                   // guarded by mu_
  int active_fd_ = -1;                    // guarded by mu_ (closed only by Sync / destructor)
  std::vector<int> to_sync_and_close_;    // closed segments' fds, guarded by mu_
  bool dirty_ = false;                    // guarded by mu_
  uint64_t corruptions_ = 0;              // guarded by mu_
  uint64_t dropped_segments_ = 0;         // guarded by mu_
  uint64_t dropped_samples_ = 0;          // guarded by mu_
  std::mutex sync_mu_;                    // one Sync at a time
  int read_fd_ = -1;                      // reader only
  uint64_t read_segment_ = 0;             // reader only
};

// The file every segment starts with.
inline constexpr std::string_view kSegmentMagic = "TOCSRW01";

}  // namespace tocsin::remote
