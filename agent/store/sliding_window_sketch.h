// SlidingWindowSketch: quantiles over the last `window` of observations, safe for concurrent
// observers, plus all-time count and sum (a Prometheus summary's _count/_sum are counters).
//
// The window is a ring of `parts` sub-window sketches (e.g. 5 min in 10 parts of 30 s). Time
// comes from the injected Clock and is read only by Rotate() and the read methods (which rotate
// first), never by Observe(): observations land in the sub-window that was current at the last
// rotation, so the window's edges are exact to the rotation cadence (each collection, plus the
// caller's own loop tick if it has one). A read merges the sub-windows younger than `window`.
//
// Concurrency: each sub-window has one shard per observer slot (threads are spread over
// `shards` slots); a shard is a QuantileSketch behind a spin lock that only its slot's threads
// and readers take, so observers on different threads do not share cache lines. Observe() is
// lock-free with respect to readers except for the brief copy of a shard. All methods are
// thread-safe. The object owns its sketches; the Clock must outlive it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "agent/core/clock.h"
#include "agent/store/quantile_sketch.h"

namespace tocsin {

struct SlidingWindowOptions {
  std::chrono::milliseconds window{std::chrono::minutes(5)};
  uint32_t parts = 10;
  uint32_t shards = 0;  // 0 = min(hardware threads, 8)
  SketchOptions sketch;
};

class SlidingWindowSketch {
 public:
  SlidingWindowSketch(const Clock& clock, SlidingWindowOptions options = {});
  ~SlidingWindowSketch();
  SlidingWindowSketch(const SlidingWindowSketch&) = delete;
  SlidingWindowSketch& operator=(const SlidingWindowSketch&) = delete;

  void Observe(double v);

  // Advances the current sub-window to the clock's time, clearing expired ones.
  void Rotate();

  struct Snapshot {
    QuantileSketch window;  // merged sub-windows of the last `window`
    uint64_t total_count = 0;
    double total_sum = 0;
  };
  Snapshot Read();
  // Convenience: quantiles of the window (NaN when it is empty), in the order given.
  std::vector<double> Quantiles(std::span<const double> qs);

  const SlidingWindowOptions& options() const { return options_; }

 private:
  class SpinLock {
   public:
    void lock() {
      while (flag_.exchange(true, std::memory_order_acquire)) {
        while (flag_.load(std::memory_order_relaxed)) Pause();
      }
    }
    void unlock() { flag_.store(false, std::memory_order_release); }

   private:
    static void Pause();
    std::atomic<bool> flag_{false};
  };
  struct alignas(64) Shard {
    SpinLock mu;
    QuantileSketch sketch;     // guarded by mu
    uint64_t total_count = 0;  // all-time observations through this shard; guarded by mu
    double total_sum = 0;
    explicit Shard(const SketchOptions& o) : sketch(o) {}
  };
  struct Part {
    std::atomic<int64_t> epoch{-1};  // sub-window number this part holds
    std::vector<std::unique_ptr<Shard>> shards;
  };

  static uint32_t ThreadSlot();
  int64_t EpochOf(TimestampMs t) const { return t / part_ms_; }

  const Clock& clock_;
  SlidingWindowOptions options_;
  int64_t part_ms_;
  uint32_t nshards_;
  std::vector<Part> parts_;
  std::atomic<uint32_t> current_{0};  // index into parts_
  std::atomic<int64_t> current_epoch_{0};
  SpinLock rotate_mu_;
};

}  // namespace tocsin
