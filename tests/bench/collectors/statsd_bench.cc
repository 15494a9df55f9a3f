// StatsD ingest cost per core: line parsing alone, and parsing + aggregation (the receiver
// thread's work per datagram) over a realistic mix: counters with tags, gauges, timers with
// sample rates, sets, across ~200 series. Reports lines/s (items_per_second).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "collectors/statsd/statsd_aggregator.h"
#include "collectors/statsd/statsd_line.h"

namespace {

std::vector<std::string> Packets() {
  // 100 datagrams of 10 lines each (~400 bytes), like a client's buffered flush.
  std::vector<std::string> out;
  const char* ops[] = {"put", "get", "search", "delete"};
  for (int p = 0; p < 100; ++p) {
    std::string d;
    for (int l = 0; l < 10; ++l) {
      int i = p * 10 + l;
      const char* op = ops[i % 4];
      switch (i % 5) {
        case 0:
          d += "scylladb.requests:1|c|#operation:" + std::string(op) +
               ",status:ok,shard:" + std::to_string(i % 25);
          break;
        case 1:
          d += "scylladb.latency:" + std::to_string(5 + i % 200) + ".25|ms|@0.5|#operation:" + op;
          break;
        case 2:
          d += "scylladb.queue.depth:" + std::to_string(i % 50) + "|g";
          break;
        case 3:
          d += "scylladb.cache.hits:1|c|#cache:lru" + std::to_string(i % 8);
          break;
        case 4:
          d += "scylladb.users:u" + std::to_string(i % 300) + "|s";
          break;
      }
      if (l != 9) d += '\n';
    }
    out.push_back(std::move(d));
  }
  return out;
}

void BM_StatsdParseLine(benchmark::State& state) {
  std::vector<std::string> lines;
  for (const std::string& p : Packets()) {
    size_t s = 0;
    for (size_t e; (e = p.find('\n', s)) != std::string::npos; s = e + 1) {
      lines.push_back(p.substr(s, e - s));
    }
    lines.push_back(p.substr(s));
  }
  for (auto _ : state) {
    for (const std::string& l : lines) {
      tocsin::StatsdLine parsed;
      benchmark::DoNotOptimize(tocsin::ParseStatsdLine(l, parsed));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
}
BENCHMARK(BM_StatsdParseLine);

void BM_StatsdAggregate(benchmark::State& state) {
  const std::vector<std::string> packets = Packets();
  std::vector<std::string_view> views(packets.begin(), packets.end());
  tocsin::FakeClock clock(1'700'000'000'000);
  tocsin::StatsdAggregator agg(clock, {});
  for (auto _ : state) {
    // The receiver hands over up to 64 datagrams per recvmmsg batch.
    for (size_t i = 0; i < views.size(); i += 50) {
      agg.AddPackets(std::span<const std::string_view>(views.data() + i, 50));
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * packets.size() * 10));
  state.counters["series"] = static_cast<double>(agg.Counts().series);
}
BENCHMARK(BM_StatsdAggregate);

}  // namespace

BENCHMARK_MAIN();
