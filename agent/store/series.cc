#include "agent/store/series.h"

#include <bit>

namespace tocsin {

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

size_t Series::fixed_bytes() const {
  return sizeof(Series) + labels_.capacity() * sizeof(LabelRef);
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

void Series::Read(TimestampMs mint, TimestampMs maxt, std::vector<Sample>& out) const {
  auto read = [&](const ChunkView& view, TimestampMs cmin, TimestampMs cmax) {
    if (cmax < mint || cmin > maxt) return;
    ChunkIterator it(view);
    while (it.Next()) {
      if (it.t() < mint) continue;
      if (it.t() > maxt) break;
      out.push_back({it.t(), it.v()});
    }
  };
  for (const XorChunk& c : sealed_) read(c.view(), c.min_t(), c.max_t());
  if (!head_.empty()) read(head_.view(), head_.min_t(), head_.max_t());
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
