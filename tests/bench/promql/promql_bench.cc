// Instant evaluation of `sum by (job) (rate(x[5m]))` (a recording rule) and `x > 1500` (an
// alerting rule) over 10k series with 15 s samples, over the real SeriesStore (1 h of data,
// compressed chunks) and over an in-memory Queryable (engine cost alone). Reports sec_per_series
// (e.g. "300n" = 0.3 us per series).
//
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DTOCSIN_BUILD_BENCHMARKS=ON
//   cmake --build build/bench --target promql_bench && build/bench/tests/bench/promql/promql_bench
#include <benchmark/benchmark.h>

#include <string>

#include "agent/promql/engine.h"
#include "agent/store/series_store.h"
#include "tests/fakes/memory_queryable.h"

namespace {

constexpr int kSeries = 10'000;
constexpr int64_t kStep = 15'000;
constexpr int kSamples = 240;  // 1 h
constexpr tocsin::TimestampMs kEnd = (kSamples - 1) * kStep;

tocsin::Labels SeriesLabels(int i) {
  return tocsin::Labels{{"__name__", "x"},
                        {"job", "job-" + std::to_string(i % 10)},
                        {"instance", "host-" + std::to_string(i) + ":9100"}};
}

template <typename Q>
void RunQuery(benchmark::State& state, const Q& data,
              const char* query = "sum by (job) (rate(x[5m]))", size_t want = 10) {
  auto expr = tocsin::promql::Parse(query);
  tocsin::promql::Engine engine;
  for (auto _ : state) {
    auto r = engine.Instant(*expr, data, kEnd);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      break;
    }
    if (r->vector.size() != want) {
      state.SkipWithError(("expected " + std::to_string(want) + " elements, got " +
                           std::to_string(r->vector.size()))
                              .c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["sec_per_series"] =
      benchmark::Counter(static_cast<double>(kSeries) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

tocsin::SeriesStore& Store() {
  static tocsin::SeriesStore* store = [] {
    auto* s = new tocsin::SeriesStore(tocsin::StoreOptions{.retention = std::chrono::hours(2)});
    for (int k = 0; k < kSamples; ++k) {
      auto app = s->NewAppender("", k * kStep);
      for (int i = 0; i < kSeries; ++i) {
        (void)app->AddAt(SeriesLabels(i), k * kStep, static_cast<double>(k * (i % 7 + 1)));
      }
      (void)app->Commit();
    }
    return s;
  }();
  return *store;
}

tocsin::testing::MemoryQueryable& Memory() {
  static tocsin::testing::MemoryQueryable* mem = [] {
    auto* m = new tocsin::testing::MemoryQueryable();
    for (int i = 0; i < kSeries; ++i) {
      std::vector<tocsin::Sample> s;
      // Only the last 6 minutes: what a 5 m window with lookback needs.
      for (int k = kSamples - 25; k < kSamples; ++k) {
        s.push_back({k * kStep, static_cast<double>(k * (i % 7 + 1))});
      }
      m->Add(SeriesLabels(i), std::move(s));
    }
    return m;
  }();
  return *mem;
}

// The data access alone (what the engine asks of the Queryable for this query), so that the
// engine's own share is the difference.
void RunSelect(benchmark::State& state, const tocsin::Queryable& data) {
  auto m = tocsin::LabelMatcher::Equal("__name__", "x");
  for (auto _ : state) {
    auto q = data.NewQuerier(kEnd - 300'000, kEnd);
    auto r = q->Select(std::span(&m, 1));
    benchmark::DoNotOptimize(r);
  }
  state.counters["sec_per_series"] =
      benchmark::Counter(static_cast<double>(kSeries) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_SumRate_SeriesStore(benchmark::State& state) { RunQuery(state, Store()); }
BENCHMARK(BM_SumRate_SeriesStore)->Unit(benchmark::kMillisecond);
// An alerting-rule shape: an instant selector compared with a threshold (the newest sample of
// each series; 1/7 of the series are above it).
void BM_Threshold_SeriesStore(benchmark::State& state) {
  RunQuery(state, Store(), "x > 1500", kSeries / 7);
}
BENCHMARK(BM_Threshold_SeriesStore)->Unit(benchmark::kMillisecond);
void BM_SelectOnly_SeriesStore(benchmark::State& state) { RunSelect(state, Store()); }
BENCHMARK(BM_SelectOnly_SeriesStore)->Unit(benchmark::kMillisecond);
void BM_SumRate_Memory(benchmark::State& state) { RunQuery(state, Memory()); }
BENCHMARK(BM_SumRate_Memory)->Unit(benchmark::kMillisecond);
void BM_SelectOnly_Memory(benchmark::State& state) { RunSelect(state, Memory()); }
BENCHMARK(BM_SelectOnly_Memory)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
