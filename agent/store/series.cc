#include "agent/store/series.h"

#include <algorithm>
#include <bit>
#include <string>

namespace tocsin {
namespace {

// Heap memory of a string: none while its characters live inside the object (SSO).
size_t HeapBytes(const std::string& s) {
  const char* obj = reinterpret_cast<const char*>(&s);
  bool inline_chars = s.data() >= obj && s.data() < obj + sizeof(s);
  return inline_chars ? 0 : s.capacity() + 1;
}

}  // namespace

Series::Series(uint64_t hash, std::vector<LabelRef> labels)
    : hash_(hash), labels_(std::move(labels)) {}

std::string_view Series::label(std::string_view name) const {
  for (const LabelRef& l : labels_) {
    if (l.name->view() == name) return l.value->view();
  }
  return {};
}

std::string_view Series::metric_name() const { return label(kMetricNameLabel); }

bool Series::LabelsEqual(const Labels& l) const {
  if (l.size() != labels_.size()) return false;
  size_t i = 0;
  for (const Label& p : l) {
    if (labels_[i].name->view() != p.name || labels_[i].value->view() != p.value) return false;
    ++i;
  }
  return true;
}

Labels Series::ToLabels() const {
  std::vector<Label> pairs;
  pairs.reserve(labels_.size());
  for (const LabelRef& l : labels_) {
    pairs.push_back({std::string(l.name->view()), std::string(l.value->view())});
  }
  return Labels::FromSorted(std::move(pairs));
}

int Series::LabelsCompare(const Series& a, const Series& b) {
  const std::vector<LabelRef>& x = a.labels_;
  const std::vector<LabelRef>& y = b.labels_;
  size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    if (x[i].name != y[i].name) return x[i].name->view().compare(y[i].name->view());
    if (x[i].value != y[i].value) return x[i].value->view().compare(y[i].value->view());
  }
  return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
}

const Labels& Series::SharedLabels(int64_t* added_bytes) {
  if (labels_cache_.empty() && !labels_.empty()) {
    labels_cache_ = ToLabels();
    // The shared vector with its control block, and the strings that do not fit in place.
    size_t bytes = 64 + labels_cache_.size() * sizeof(Label);
    for (const Label& l : labels_cache_) bytes += HeapBytes(l.name) + HeapBytes(l.value);
    labels_cache_bytes_ = bytes;
    *added_bytes += static_cast<int64_t>(bytes);
  }
  return labels_cache_;
}

size_t Series::fixed_bytes() const {
  return sizeof(Series) + labels_.capacity() * sizeof(LabelRef) + labels_cache_bytes_ +
         (cursor_ != nullptr ? sizeof(ReadCursor) : 0);
}

size_t Series::sample_bytes() const {
  size_t n = head_.memory_bytes() - sizeof(head_) + sealed_.capacity() * sizeof(XorChunk);
  for (const XorChunk& c : sealed_) n += c.payload_bytes();
  return n;
}

AppendOutcome Series::Append(TimestampMs t, double v, uint32_t samples_per_chunk,
                             SeriesDelta* delta) {
  if (has_last_) {
    if (t < last_t_) return AppendOutcome::kOutOfOrder;
    if (t == last_t_) {
      return std::bit_cast<uint64_t>(v) == std::bit_cast<uint64_t>(last_v_)
                 ? AppendOutcome::kIdenticalDuplicate
                 : AppendOutcome::kDuplicate;
    }
  }
  int64_t before =
      static_cast<int64_t>(head_.memory_bytes() + sealed_.capacity() * sizeof(XorChunk));
  if (head_.count() >= samples_per_chunk) {
    sealed_.push_back(head_.Seal());
    delta->bytes += static_cast<int64_t>(sealed_.back().payload_bytes());
  }
  if (head_.empty()) ++delta->chunks;
  head_.Append(t, v);
  delta->bytes +=
      static_cast<int64_t>(head_.memory_bytes() + sealed_.capacity() * sizeof(XorChunk)) - before;
  last_t_ = t;
  last_v_ = v;
  has_last_ = true;
  return AppendOutcome::kAppended;
}

void Series::Read(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out,
                  int64_t* added_bytes) {
  // Timestamps increase within a series (Append refuses anything else), so sealed chunks hold
  // only samples before the head's first: none of them is needed when that is before mint.
  bool head_covers = !head_.empty() && head_.min_t() < mint;
  if (!head_covers) {
    for (const XorChunk& c : sealed_) {
      if (c.max_t() < mint || c.min_t() > maxt) continue;
      ChunkIterator(c.view()).DecodeRange(mint, maxt, out, nullptr);
    }
  }
  if (head_.empty() || head_.max_t() < mint || head_.min_t() > maxt) return;
  // Resume after the samples a previous read found before its mint, if they are before ours.
  bool resume = cursor_ != nullptr && cursor_->epoch == head_.epoch() && cursor_->state.i > 0 &&
                cursor_->state.i <= head_.count() && cursor_->state.t < mint;
  ChunkIterator it =
      resume ? ChunkIterator(head_.view(), cursor_->state) : ChunkIterator(head_.view());
  ChunkIterator::State before{};
  if (!it.DecodeRange(mint, maxt, out, &before)) return;
  if (cursor_ == nullptr) {
    cursor_ = std::make_unique<ReadCursor>();
    *added_bytes += static_cast<int64_t>(sizeof(ReadCursor));
  }
  cursor_->epoch = head_.epoch();
  cursor_->state = before;
}

void Series::ReadLatest(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out,
                        int64_t* added_bytes) {
  // The newest sample is in the head chunk unless retention dropped it.
  if (has_last_ && !head_.empty() && last_t_ <= maxt) {
    if (last_t_ >= mint) out.push_back({last_t_, last_v_});
    return;
  }
  size_t before = out.size();
  Read(mint, maxt, out, added_bytes);
  if (out.size() > before + 1) {
    out[before] = out.back();
    out.resize(before + 1);
  }
}

void Series::PrefetchForRead() const {
  ChunkView head = head_.view();
  // The newest samples (what windows read) are at the end of the head chunk.
  if (head.size > 0) __builtin_prefetch(head.data + head.size - 1);
  if (cursor_ != nullptr) __builtin_prefetch(cursor_.get());
  if (!labels_cache_.empty()) {
    // The shared vector object sits next to its reference count (which a querier's copy
    // increments); its elements hold the names and values.
    __builtin_prefetch(&labels_cache_.pairs());
    __builtin_prefetch(labels_cache_.pairs().data());
  }
}

void Series::DropBefore(TimestampMs cutoff, SeriesDelta* delta) {
  int64_t before = static_cast<int64_t>(sample_bytes());
  size_t drop = 0;
  while (drop < sealed_.size() && sealed_[drop].max_t() < cutoff) ++drop;
  if (drop > 0) {
    sealed_.erase(sealed_.begin(), sealed_.begin() + static_cast<ptrdiff_t>(drop));
    delta->chunks -= static_cast<int64_t>(drop);
  }
  if (sealed_.empty()) sealed_.shrink_to_fit();
  if (!head_.empty() && head_.max_t() < cutoff) {
    head_.Reset();
    --delta->chunks;
  }
  delta->bytes += static_cast<int64_t>(sample_bytes()) - before;
}

}  // namespace tocsin
