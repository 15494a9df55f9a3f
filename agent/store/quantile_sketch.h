// QuantileSketch: a mergeable, log-bucketed quantile sketch with bounded relative error
// (DDSketch-like), used for latency observations (StatsD timers, probe durations).
//
// Bucketing needs no log(): the bucket of |x| is its IEEE-754 bit pattern shifted right so that
// the exponent and the top m mantissa bits remain (2^m linear sub-buckets per power of two).
// A bucket spans [lo, hi) with hi/lo <= 1 + 2^-m, and a quantile is reported as the bucket's
// harmonic midpoint 2·lo·hi/(lo+hi), so its relative error against the exact sample at that rank
// is at most (hi-lo)/(hi+lo) <= 1/(2^(m+1)+1). m is the smallest giving a bound <= alpha
// (alpha = 1% -> m = 6, bound 0.775%). Zeros (and |x| below DBL_MIN) are counted apart, negative
// values in a mirrored store, NaN is ignored, ±Inf land in the outermost buckets. When a store
// exceeds max_buckets its lowest buckets are collapsed into one (accuracy is kept for the high
// quantiles that latency alerts use).
//
// Thread-safety: none (a plain value); ShardedSketch / SlidingWindowSketch add concurrency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tocsin {

struct SketchOptions {
  double relative_accuracy = 0.01;  // alpha, in (0, 0.5)
  uint32_t max_buckets = 2048;      // per sign
};

class QuantileSketch {
 public:
  explicit QuantileSketch(SketchOptions options = {});

  void Add(double v) {
    if (v > kMinPositive) {
      positive_.Add(Index(v));
    } else if (v < -kMinPositive) {
      negative_.Add(Index(-v));
    } else if (v == v) {
      ++zeros_;
    } else {
      return;  // NaN
    }
    ++count_;
    sum_ += v;
  }
  // Adds `other`'s observations (same options required; returns false otherwise).
  bool Merge(const QuantileSketch& other);
  void Clear();

  // The value at rank q·(count-1) within the relative accuracy; NaN when empty or q outside [0,1].
  double Quantile(double q) const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // The proven bound on the relative error of Quantile() (<= the requested alpha).
  double relative_accuracy() const { return bound_; }
  size_t bucket_count() const { return positive_.size() + negative_.size(); }
  size_t memory_bytes() const;

 private:
  static constexpr double kMinPositive = 2.2250738585072014e-308;  // DBL_MIN

  class Store {
   public:
    explicit Store(uint32_t max_buckets) : max_buckets_(max_buckets) {}
    void Add(int32_t index) {
      uint32_t off = static_cast<uint32_t>(index - offset_);
      if (off < counts_.size()) {
        ++counts_[off];
      } else {
        AddSlow(index, 1);
      }
    }
    void AddSlow(int32_t index, uint64_t n);
    void Merge(const Store& other);
    void Clear();
    size_t size() const { return counts_.size(); }
    int32_t offset() const { return offset_; }
    const std::vector<uint64_t>& counts() const { return counts_; }
    size_t memory_bytes() const { return counts_.capacity() * sizeof(uint64_t); }

   private:
    uint32_t max_buckets_;
    int32_t offset_ = 0;            // index of counts_[0]
    std::vector<uint64_t> counts_;  // empty or counts_.front() != 0 after collapse
  };

  int32_t Index(double abs_v) const;
  double Value(int32_t index) const;  // harmonic midpoint of the bucket

  SketchOptions options_;
  int shift_;  // 52 - m
  double bound_;
  Store positive_;
  Store negative_;
  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace tocsin
