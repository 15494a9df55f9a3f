// QueueWriter: the writing half of one remote_write queue. Turns each store commit
// (CommittedSamples) into one record of the SegmentQueue, giving each store series a small
// per-segment ref whose labels the segment carries once, and rolling to a new segment at
// segment_bytes (refs restart with it).
//
// Thread-safety: Write may be called from many committing threads; it serialises them (one
// write() per commit, under the writer's lock). Owns nothing but its ref map; the queue must
// outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "agent/store/sample_tap.h"
#include "remote/record_codec.h"
#include "remote/segment_queue.h"

namespace tocsin::remote {

class QueueWriter {
 public:
  // `appended` is called (outside the lock) after each successful append, to wake the reader.
  QueueWriter(SegmentQueue& queue, std::function<void()> appended);

  void Write(const CommittedSamples& samples);

  TimestampMs highest_timestamp() const { return highest_timestamp_.load(); }
  uint64_t samples_written() const { return samples_written_.load(); }
  uint64_t write_errors() const { return write_errors_.load(); }

 private:
  SegmentQueue& queue_;
  std::function<void()> appended_;
  std::mutex mu_;
  std::unordered_map<uint64_t, uint32_t> refs_;  // store series id -> ref in the active segment
  uint32_t next_ref_ = 1;
  Record record_;      // reused buffers, guarded by mu_
  std::string frame_;  // guarded by mu_
  std::atomic<TimestampMs> highest_timestamp_{0};
  std::atomic<uint64_t> samples_written_{0};
  std::atomic<uint64_t> write_errors_{0};
};

}  // namespace tocsin::remote
