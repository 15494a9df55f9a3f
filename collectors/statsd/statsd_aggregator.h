// StatsdAggregator: the state behind the StatsD collector. The receiver thread feeds it packets
// (AddPackets); each collection writes it into the store (WriteTo) with statsd_exporter's
// naming: counters -> <name>_total counters (value/rate summed since start), gauges -> gauges
// (+N/-N deltas), timers (ms, converted to seconds) / histograms / distributions -> summaries
// over a sliding window (<name>{quantile}, <name>_sum, <name>_count), sets -> a gauge of the
// distinct members seen since the previous collection. DogStatsD tags become labels.
//
// Bad lines are counted by reason and never stop a packet's other lines. New series beyond
// max_series are dropped and counted (reason series_limit).
//
// Thread-safety: all methods are thread-safe (one mutex, taken once per batch of packets;
// WriteTo copies a snapshot under it and writes outside it). The Clock must outlive it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "agent/store/appender.h"
#include "agent/store/sliding_window_sketch.h"
#include "collectors/statsd/statsd_line.h"

namespace tocsin {

struct StatsdAggregatorOptions {
  std::vector<double> quantiles = {0.5, 0.95, 0.99};
  std::chrono::milliseconds window{300000};
  size_t max_series = 10000;
  size_t max_set_members = 100000;  // per set series and interval
};

struct StatsdCounts {
  uint64_t packets = 0;
  uint64_t lines = 0;  // every non-empty line, good or bad
  std::array<uint64_t, static_cast<size_t>(StatsdError::kCount)> bad{};  // by reason
  uint64_t series = 0;
};

class StatsdAggregator {
 public:
  StatsdAggregator(const Clock& clock, StatsdAggregatorOptions options);
  ~StatsdAggregator();
  StatsdAggregator(const StatsdAggregator&) = delete;
  StatsdAggregator& operator=(const StatsdAggregator&) = delete;

  // Each packet holds one or more '\n'-separated lines.
  void AddPackets(std::span<const std::string_view> packets);
  void AddPacket(std::string_view packet) { AddPackets({&packet, 1}); }

  // Writes every series and the tocsin_statsd_* self-metrics; resets the sets' members.
  Status WriteTo(Appender& out);

  StatsdCounts Counts() const;
  const StatsdAggregatorOptions& options() const { return options_; }

 private:
  enum class Kind : uint8_t { kCounter, kGauge, kObserver, kSet };
  struct Series {
    Kind kind;
    std::string family;  // the exposed family (escaped name)
    Labels labels;       // with __name__ (the exposed sample name; the family for observers)
    double value = 0;
    std::unique_ptr<SlidingWindowSketch> sketch;  // observers
    std::unordered_set<std::string> members;      // sets
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  void AddLine(std::string_view line);                                  // mu_ held
  Series* Find(const StatsdLine& line, Kind kind, StatsdError& error);  // mu_ held

  const Clock& clock_;
  const StatsdAggregatorOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Series>, Hash, std::equal_to<>> series_;
  std::unordered_map<std::string, Kind> names_;  // exposed family -> kind (type conflicts)
  StatsdCounts counts_;
  std::string key_;                                                  // scratch for lookups
  std::vector<std::pair<std::string_view, std::string_view>> tags_;  // scratch
};

}  // namespace tocsin
