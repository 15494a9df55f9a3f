#include "agent/store/sliding_window_sketch.h"

#include <algorithm>
#include <mutex>
#include <thread>

namespace tocsin {

void SlidingWindowSketch::SpinLock::Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

uint32_t SlidingWindowSketch::ThreadSlot() {
  static std::atomic<uint32_t> next{0};
  thread_local uint32_t slot = next.fetch_add(1, std::memory_order_relaxed);
  return slot;
}

SlidingWindowSketch::SlidingWindowSketch(const Clock& clock, SlidingWindowOptions options)
    : clock_(clock), options_(options) {
  if (options_.parts == 0) options_.parts = 1;
  part_ms_ = std::max<int64_t>(1, options_.window.count() / options_.parts);
  nshards_ = options_.shards;
  if (nshards_ == 0) nshards_ = std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1, 8);
  parts_ = std::vector<Part>(options_.parts);
  for (Part& p : parts_) {
    for (uint32_t i = 0; i < nshards_; ++i)
      p.shards.push_back(std::make_unique<Shard>(options_.sketch));
  }
  int64_t e = EpochOf(clock_.NowMs());
  current_epoch_.store(e);
  current_.store(static_cast<uint32_t>(e % options_.parts));
  parts_[current_.load()].epoch.store(e);
}

SlidingWindowSketch::~SlidingWindowSketch() = default;

void SlidingWindowSketch::Observe(double v) {
  uint32_t slot = ThreadSlot() % nshards_;
  Shard& s = *parts_[current_.load(std::memory_order_acquire)].shards[slot];
  std::lock_guard lock(s.mu);
  s.sketch.Add(v);
  if (v != v) return;  // NaN: not counted, as the sketch ignores it
  ++s.total_count;     // never cleared by rotation: all-time totals are summed over all parts
  s.total_sum += v;
}

void SlidingWindowSketch::Rotate() {
  int64_t e = EpochOf(clock_.NowMs());
  if (e <= current_epoch_.load(std::memory_order_acquire)) return;
  std::lock_guard rlock(rotate_mu_);
  int64_t cur = current_epoch_.load(std::memory_order_relaxed);
  if (e <= cur) return;
  auto n = static_cast<int64_t>(options_.parts);
  uint32_t idx = static_cast<uint32_t>(((e % n) + n) % n);
  Part& p = parts_[idx];
  for (auto& shard : p.shards) {
    std::lock_guard lock(shard->mu);
    shard->sketch.Clear();
  }
  p.epoch.store(e, std::memory_order_release);
  current_.store(idx, std::memory_order_release);
  current_epoch_.store(e, std::memory_order_release);
}

SlidingWindowSketch::Snapshot SlidingWindowSketch::Read() {
  Rotate();
  Snapshot snap{QuantileSketch(options_.sketch)};
  int64_t e = current_epoch_.load(std::memory_order_acquire);
  auto n = static_cast<int64_t>(options_.parts);
  for (Part& p : parts_) {
    int64_t pe = p.epoch.load(std::memory_order_acquire);
    bool in_window = pe >= 0 && pe > e - n && pe <= e;
    for (auto& shard : p.shards) {
      std::lock_guard lock(shard->mu);
      if (in_window) snap.window.Merge(shard->sketch);
      snap.total_count += shard->total_count;
      snap.total_sum += shard->total_sum;
    }
  }
  return snap;
}

std::vector<double> SlidingWindowSketch::Quantiles(std::span<const double> qs) {
  Snapshot snap = Read();
  std::vector<double> out;
  out.reserve(qs.size());
  for (double q : qs) out.push_back(snap.window.Quantile(q));
  return out;
}

}  // namespace tocsin
