#include "remote/queue_writer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tocsin::remote {

QueueWriter::QueueWriter(SegmentQueue& queue, std::function<void()> appended)
    : queue_(queue), appended_(std::move(appended)) {}

void QueueWriter::Write(const CommittedSamples& samples) {
  const size_t n = samples.size();
  if (n == 0) return;
  TimestampMs highest = 0;
  {
    std::lock_guard lock(mu_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      record_.series.clear();
      record_.samples.clear();
      record_.samples.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        auto [it, added] = refs_.try_emplace(samples.series_id(i), next_ref_);
        if (added) {
          ++next_ref_;
          record_.series.push_back({it->second, samples.labels(i)});
        }
        TimestampMs t = samples.timestamp(i);
        highest = std::max(highest, t);
        record_.samples.push_back({it->second, t, samples.value(i)});
      }
      frame_.clear();
      EncodeRecord(record_, frame_);
      // A new segment must define every ref it uses: encode again after rolling.
      if (attempt == 0 && queue_.ShouldRoll(frame_.size())) {
        if (Status st = queue_.Roll(); !st.ok()) {
          write_errors_.fetch_add(1);
          spdlog::error("remote_write queue {}: {}", queue_.dir(), st.message());
          return;
        }
        refs_.clear();
        next_ref_ = 1;
        continue;
      }
      break;
    }
    if (Status st = queue_.Append(frame_, static_cast<uint32_t>(n)); !st.ok()) {
      write_errors_.fetch_add(1);
      spdlog::error("remote_write queue {}: {}", queue_.dir(), st.message());
      return;
    }
  }
  samples_written_.fetch_add(n);
  TimestampMs prev = highest_timestamp_.load();
  while (highest > prev && !highest_timestamp_.compare_exchange_weak(prev, highest)) {
  }
  if (appended_) appended_();
}

}  // namespace tocsin::remote
