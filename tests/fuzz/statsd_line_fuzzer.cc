// libFuzzer target for the StatsD / DogStatsD line protocol and its aggregation: any datagram
// must be counted (good or by reason) without crashing, and the aggregate must be writable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/store/appender.h"
#include "collectors/statsd/statsd_aggregator.h"
#include "collectors/statsd/statsd_line.h"

namespace {

class NullAppender final : public tocsin::Appender {
 public:
  tocsin::Status Add(const tocsin::Labels& labels, double) override {
    if (labels.MetricName().empty()) __builtin_trap();
    return tocsin::Status::Ok();
  }
  tocsin::Status AddAt(const tocsin::Labels& l, tocsin::TimestampMs, double v) override {
    return Add(l, v);
  }
  void SetMetadata(std::string_view, const tocsin::Metadata&) override {}
  tocsin::Result<tocsin::CommitStats> Commit() override { return tocsin::CommitStats{}; }
  void Rollback() override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 16) return 0;
  std::string packet(reinterpret_cast<const char*>(data), size);
  tocsin::StatsdLine line;
  (void)tocsin::ParseStatsdLine(packet, line);
  static tocsin::FakeClock clock(1'700'000'000'000);
  tocsin::StatsdAggregatorOptions options;
  options.max_series = 64;
  tocsin::StatsdAggregator agg(clock, options);
  agg.AddPacket(packet);
  tocsin::StatsdCounts c = agg.Counts();
  uint64_t bad = 0;
  for (uint64_t n : c.bad) bad += n;
  if (bad > c.lines || c.series > 64) __builtin_trap();
  NullAppender app;
  if (!agg.WriteTo(app).ok()) __builtin_trap();
  return 0;
}
