#include "agent/store/quantile_sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace tocsin {

QuantileSketch::QuantileSketch(SketchOptions options)
    : options_(options),
      positive_(std::max<uint32_t>(options.max_buckets, 1)),
      negative_(std::max<uint32_t>(options.max_buckets, 1)) {
  double alpha = std::clamp(options.relative_accuracy, 1e-6, 0.49);
  int m = 0;
  while (m < 20 && 1.0 / (std::ldexp(1.0, m + 1) + 1) > alpha) ++m;
  shift_ = 52 - m;
  bound_ = 1.0 / (std::ldexp(1.0, m + 1) + 1);
}

int32_t QuantileSketch::Index(double abs_v) const {
  return static_cast<int32_t>(std::bit_cast<uint64_t>(abs_v) >> shift_);
}

double QuantileSketch::Value(int32_t index) const {
  double lo = std::bit_cast<double>(static_cast<uint64_t>(index) << shift_);
  double hi = std::bit_cast<double>(static_cast<uint64_t>(index + 1) << shift_);
  if (std::isinf(lo)) return lo;
  if (std::isinf(hi)) return lo;  // the last finite bucket
  return 2 * lo * (hi / (lo + hi));
}

void QuantileSketch::Store::AddSlow(int32_t index, uint64_t n) {
  if (counts_.empty()) {
    offset_ = index;
    counts_.assign(1, n);
    return;
  }
  int32_t lo = std::min(offset_, index);
  int32_t hi = std::max(offset_ + static_cast<int32_t>(counts_.size()) - 1, index);
  int32_t floor = hi - static_cast<int32_t>(max_buckets_) + 1;  // lowest index kept apart
  if (lo < floor) lo = floor;
  if (index < lo) index = lo;  // collapsed into the lowest kept bucket
  if (lo < offset_) {
    counts_.insert(counts_.begin(), static_cast<size_t>(offset_ - lo), 0);
    offset_ = lo;
  } else if (lo > offset_) {
    // Collapse everything below `lo` into bucket `lo`.
    size_t drop = static_cast<size_t>(lo - offset_);
    uint64_t folded = 0;
    for (size_t i = 0; i < drop && i < counts_.size(); ++i) folded += counts_[i];
    counts_.erase(counts_.begin(),
                  counts_.begin() + static_cast<ptrdiff_t>(std::min(drop, counts_.size())));
    offset_ = lo;
    if (counts_.empty()) counts_.push_back(0);
    counts_[0] += folded;
  }
  size_t need = static_cast<size_t>(hi - offset_ + 1);
  if (counts_.size() < need) counts_.resize(need, 0);
  counts_[static_cast<size_t>(index - offset_)] += n;
}

void QuantileSketch::Store::Merge(const Store& other) {
  const auto& oc = other.counts();
  // Add the highest first so that collapsing (if any) happens once, at the bottom.
  for (size_t i = oc.size(); i-- > 0;) {
    if (oc[i] == 0) continue;
    int32_t index = other.offset() + static_cast<int32_t>(i);
    uint32_t off = static_cast<uint32_t>(index - offset_);
    if (off < counts_.size()) {
      counts_[off] += oc[i];
    } else {
      AddSlow(index, oc[i]);
    }
  }
}

void QuantileSketch::Store::Clear() {
  counts_.clear();
  offset_ = 0;
}

bool QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.shift_ != shift_) return false;
  positive_.Merge(other.positive_);
  negative_.Merge(other.negative_);
  zeros_ += other.zeros_;
  count_ += other.count_;
  sum_ += other.sum_;
  return true;
}

void QuantileSketch::Clear() {
  positive_.Clear();
  negative_.Clear();
  zeros_ = 0;
  count_ = 0;
  sum_ = 0;
}

double QuantileSketch::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return std::numeric_limits<double>::quiet_NaN();
  double rank = q * static_cast<double>(count_ - 1);
  double seen = 0;
  const auto& neg = negative_.counts();
  for (size_t i = neg.size(); i-- > 0;) {  // most negative first
    seen += static_cast<double>(neg[i]);
    if (seen > rank) return -Value(negative_.offset() + static_cast<int32_t>(i));
  }
  seen += static_cast<double>(zeros_);
  if (seen > rank) return 0;
  const auto& pos = positive_.counts();
  for (size_t i = 0; i < pos.size(); ++i) {
    seen += static_cast<double>(pos[i]);
    if (seen > rank) return Value(positive_.offset() + static_cast<int32_t>(i));
  }
  // Rounding in `seen` at huge counts: the highest bucket.
  if (!pos.empty()) return Value(positive_.offset() + static_cast<int32_t>(pos.size()) - 1);
  return 0;
}

size_t QuantileSketch::memory_bytes() const {
  return sizeof(*this) + positive_.memory_bytes() + negative_.memory_bytes();
}

}  // namespace tocsin
