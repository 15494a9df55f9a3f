// Benchmarks of the metrics core against prometheus-cpp (same binary, same run).
//
// Sketch vs prometheus-cpp Summary (quantiles 0.5/0.95/0.99 each with error 0.01, max_age 60 s,
// 5 age buckets) and Histogram (11 buckets); store append, chunk bytes/sample, per-series
// overhead, range reads and the memory of a 100k-series x 1 h store. Ratios are printed by
// tests/bench/store/run.sh from the JSON output.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <prometheus/histogram.h>
#include <prometheus/summary.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/store/series_store.h"
#include "agent/store/sliding_window_sketch.h"
#include "agent/store/xor_chunk.h"

namespace tocsin {
namespace {

const std::vector<double>& Latencies() {
  static const std::vector<double> v = [] {
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> d(-4, 1.2);
    std::vector<double> out(1 << 16);
    for (double& x : out) x = d(rng);
    return out;
  }();
  return v;
}

// ---- Observe ---------------------------------------------------------------------------

SlidingWindowSketch* g_sketch = nullptr;
void BM_SketchObserve(benchmark::State& state) {
  static FakeClock clock(1'700'000'000'000);
  if (state.thread_index() == 0) g_sketch = new SlidingWindowSketch(clock);
  const auto& v = Latencies();
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    g_sketch->Observe(v[i++ & 0xffff]);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_sketch;
    g_sketch = nullptr;
  }
}
BENCHMARK(BM_SketchObserve)->Threads(1)->Threads(2)->UseRealTime();

prometheus::Summary* g_summary = nullptr;
void BM_PromCppSummaryObserve(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_summary = new prometheus::Summary(
        prometheus::Summary::Quantiles{{0.5, 0.01}, {0.95, 0.01}, {0.99, 0.01}},
        std::chrono::seconds(60), 5);
  }
  const auto& v = Latencies();
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    g_summary->Observe(v[i++ & 0xffff]);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_summary;
    g_summary = nullptr;
  }
}
BENCHMARK(BM_PromCppSummaryObserve)->Threads(1)->Threads(2)->UseRealTime();

prometheus::Histogram* g_histogram = nullptr;
void BM_PromCppHistogramObserve(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_histogram = new prometheus::Histogram(prometheus::Histogram::BucketBoundaries{
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
  }
  const auto& v = Latencies();
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    g_histogram->Observe(v[i++ & 0xffff]);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete g_histogram;
    g_histogram = nullptr;
  }
}
BENCHMARK(BM_PromCppHistogramObserve)->Threads(1)->Threads(2)->UseRealTime();

// ---- Chunk encoding --------------------------------------------------------------------

// Timestamps on a 15 s grid with independent ±50 ms jitter (a ticker-driven collector).
std::vector<std::pair<TimestampMs, double>> Shape(int shape, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::pair<TimestampMs, double>> out(n);
  double v = static_cast<double>(rng() % 100000);
  std::poisson_distribution<int> incr(150);
  for (size_t i = 0; i < n; ++i) {
    TimestampMs t = 1'700'000'000'000 + static_cast<TimestampMs>(i) * 15000 +
                    static_cast<TimestampMs>(rng() % 101) - 50;
    switch (shape) {
      case 0:
        v += 10;
        break;  // counter, steady rate
      case 1:
        v += incr(rng);
        break;  // counter, Poisson(150)
      case 2:   // gauge with two decimals (a temperature-like wave plus noise)
        v = std::round((20 + std::sin(static_cast<double>(i) / 20) * 5 +
                        static_cast<double>(rng() % 100) / 1000) *
                       100) /
            100;
        break;
      default:
        v = 42;
        break;  // constant
    }
    out[i] = {t, v};
  }
  return out;
}

const char* kShapeNames[] = {"counter_steady", "counter_poisson", "gauge_2dec", "constant"};

void BM_ChunkEncode(benchmark::State& state) {
  int shape = static_cast<int>(state.range(0));
  auto samples = Shape(shape, 120 * 200, 3);
  size_t payload = 0, with_header = 0, chunks = 0;
  for (auto _ : state) {
    payload = with_header = chunks = 0;
    XorChunkAppender app;
    for (size_t i = 0; i < samples.size(); ++i) {
      app.Append(samples[i].first, samples[i].second);
      if (app.count() == 120) {
        XorChunk c = app.Seal();
        payload += c.payload_bytes();
        with_header += c.memory_bytes() + 16;  // + malloc header of the payload
        ++chunks;
      }
    }
    benchmark::DoNotOptimize(payload);
  }
  state.SetLabel(kShapeNames[shape]);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(samples.size()));
  state.counters["bytes_per_sample"] =
      static_cast<double>(payload) / static_cast<double>(samples.size());
  state.counters["bytes_per_sample_with_header"] =
      static_cast<double>(with_header) / static_cast<double>(samples.size());
}
BENCHMARK(BM_ChunkEncode)->DenseRange(0, 3);

void BM_ChunkDecode(benchmark::State& state) {
  int shape = static_cast<int>(state.range(0));
  auto samples = Shape(shape, 120, 3);
  XorChunkAppender app;
  for (auto& [t, v] : samples) app.Append(t, v);
  XorChunk c = app.Seal();
  for (auto _ : state) {
    ChunkIterator it(c.view());
    double sum = 0;
    while (it.Next()) sum += it.v();
    benchmark::DoNotOptimize(sum);
  }
  state.SetLabel(kShapeNames[shape]);
  state.SetItemsProcessed(state.iterations() * 120);
}
BENCHMARK(BM_ChunkDecode)->DenseRange(0, 3);

// ---- Store -----------------------------------------------------------------------------

Labels SeriesLabels(int i) {
  static const char* kModes[] = {"idle", "user",    "system", "iowait",
                                 "irq",  "softirq", "steal",  "nice"};
  return Labels({{"__name__", i % 3 == 0 ? "node_cpu_seconds_total"
                                         : (i % 3 == 1 ? "node_disk_read_bytes_total"
                                                       : "node_filesystem_avail_bytes")},
                 {"instance", "db-" + std::to_string(i / 800) + ".example.net:9100"},
                 {"job", "node"},
                 {"cpu", std::to_string(i / 8 % 100)},
                 {"mode", kModes[i % 8]}});
}

void BM_StoreAppend(benchmark::State& state) {
  const int kSeries = static_cast<int>(state.range(0));
  StoreOptions o;
  o.retention = std::chrono::milliseconds(0);
  SeriesStore store(o);
  std::vector<Labels> labels;
  for (int i = 0; i < kSeries; ++i) labels.push_back(SeriesLabels(i));
  TimestampMs t = 1'700'000'000'000;
  for (auto _ : state) {
    auto app = store.NewAppender("bench", t);
    for (int i = 0; i < kSeries; ++i)
      (void)app->Add(labels[static_cast<size_t>(i)], static_cast<double>(t / 1000 + i));
    (void)app->Commit();
    t += 15000;
  }
  state.SetItemsProcessed(state.iterations() * kSeries);
}
BENCHMARK(BM_StoreAppend)->Arg(1000)->Arg(10000);

size_t HeapBytes() { return mallinfo2().uordblks; }

size_t RssBytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, rss = 0;
  f >> pages >> rss;
  return rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// Heap per series with one sample, minus that sample's chunk bytes: labels (interned), lookup
// table, postings, series object.
void BM_SeriesOverhead(benchmark::State& state) {
  const int kSeries = 20000;
  double per_series = 0, stats_per_series = 0;
  for (auto _ : state) {
    size_t before = HeapBytes();
    auto store = std::make_unique<SeriesStore>(StoreOptions{});
    auto app = store->NewAppender("", 1'700'000'000'000);
    for (int i = 0; i < kSeries; ++i) (void)app->Add(SeriesLabels(i), 1);
    (void)app->Commit();
    app.reset();
    size_t after = HeapBytes();
    // One sample in a head chunk: 8 raw bytes plus the head buffer's allocation.
    per_series = (static_cast<double>(after - before)) / kSeries - 8;
    stats_per_series = static_cast<double>(store->Stats().bytes) / kSeries;
  }
  state.counters["heap_bytes_per_series"] = per_series;
  state.counters["stats_bytes_per_series"] = stats_per_series;
}
BENCHMARK(BM_SeriesOverhead)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_RangeRead(benchmark::State& state) {
  const int kSeries = 1000, kSamples = 240;
  StoreOptions o;
  o.retention = std::chrono::milliseconds(0);
  SeriesStore store(o);
  auto data = Shape(1, kSamples, 9);
  for (int s = 0; s < kSamples; ++s) {
    auto app = store.NewAppender("", data[static_cast<size_t>(s)].first);
    for (int i = 0; i < kSeries; ++i)
      (void)app->Add(SeriesLabels(i), data[static_cast<size_t>(s)].second + i);
    (void)app->Commit();
  }
  auto m = LabelMatcher::Equal("job", "node");
  for (auto _ : state) {
    auto q = store.NewQuerier(0, 1LL << 60);
    auto got = q->Select(std::span<const LabelMatcher>(&m, 1));
    benchmark::DoNotOptimize(got.data());
  }
  state.SetItemsProcessed(state.iterations() * kSeries * kSamples);
}
BENCHMARK(BM_RangeRead)->Unit(benchmark::kMillisecond);

// 100k series x 1 h at 15 s (240 samples each): counters, 2-decimal gauges and constants.
void BM_Memory100kSeries1h(benchmark::State& state) {
  const int kSeries = 100000, kSamples = 240;
  for (auto _ : state) {
    size_t rss0 = RssBytes(), heap0 = HeapBytes();
    StoreOptions o;
    SeriesStore store(o);
    std::vector<Labels> labels;
    labels.reserve(kSeries);
    for (int i = 0; i < kSeries; ++i) labels.push_back(SeriesLabels(i));
    std::mt19937_64 rng(5);
    std::vector<double> v(kSeries, 0);
    TimestampMs base = 1'700'000'000'000;
    for (int s = 0; s < kSamples; ++s) {
      auto app = store.NewAppender("node", base + s * 15000);
      for (int i = 0; i < kSeries; ++i) {
        double& x = v[static_cast<size_t>(i)];
        switch (i % 3) {
          case 0:
            x += static_cast<double>(rng() % 300);
            break;
          case 1:
            x = static_cast<double>(static_cast<int64_t>(rng() % 10000)) / 100;
            break;
          default:
            x = 1;
            break;
        }
        (void)app->AddAt(labels[static_cast<size_t>(i)],
                         base + s * 15000 + static_cast<TimestampMs>(rng() % 101) - 50, x);
      }
      (void)app->Commit();
    }
    labels.clear();
    labels.shrink_to_fit();
    malloc_trim(0);
    state.counters["rss_MiB"] = static_cast<double>(RssBytes() - rss0) / (1 << 20);
    state.counters["heap_MiB"] = static_cast<double>(HeapBytes() - heap0) / (1 << 20);
    state.counters["stats_MiB"] = static_cast<double>(store.Stats().bytes) / (1 << 20);
    state.counters["heap_bytes_per_sample"] =
        static_cast<double>(HeapBytes() - heap0) / (double(kSeries) * kSamples);
  }
}
BENCHMARK(BM_Memory100kSeries1h)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tocsin

BENCHMARK_MAIN();
