// Scrape parser throughput on real node_exporter output (tests/collectors/scrape/testdata/
// node_exporter.txt, captured from Debian's prometheus-node-exporter 1.5): MB/s and ns/sample
// for the bare parser (TextParser: what Prometheus's textparse benchmarks measure) and for the
// full ParseBody path (items/s = samples/s; ns/sample = 1e9 / items_per_second) that builds store
// Labels for every sample.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "collectors/scrape/parsed_body.h"
#include "collectors/scrape/text_parser.h"

namespace {

std::string Load(int copies) {
  std::ifstream in(std::string(TOCSIN_SOURCE_DIR) +
                   "/tests/collectors/scrape/testdata/node_exporter.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string one = ss.str(), out;
  for (int i = 0; i < copies; ++i) out += one;
  return out;
}

void BM_TextParser(benchmark::State& state) {
  const std::string body = Load(static_cast<int>(state.range(0)));
  size_t samples = 0;
  for (auto _ : state) {
    tocsin::TextParser p(body, tocsin::TextFormat::kPrometheus);
    double sum = 0;
    size_t n = 0;
    for (tocsin::TextEntry e; (e = p.Next()) != tocsin::TextEntry::kEnd;) {
      if (e == tocsin::TextEntry::kSeries) {
        sum += p.value() + static_cast<double>(p.labels().size());
        ++n;
      }
    }
    benchmark::DoNotOptimize(sum);
    samples = n;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.counters["samples"] = static_cast<double>(samples);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * samples));  // samples/s
}
BENCHMARK(BM_TextParser)->Arg(1)->Arg(20);

void BM_ParseBody(benchmark::State& state) {
  const std::string body = Load(static_cast<int>(state.range(0)));
  tocsin::ParsedBody parsed;
  tocsin::TargetLabels target{{{"instance", "127.0.0.1:9100"}, {"job", "node"}}, false};
  for (auto _ : state) {
    tocsin::ParseBody(body, tocsin::TextFormat::kPrometheus, &target, parsed);
    benchmark::DoNotOptimize(parsed.samples.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * parsed.samples.size()));
}
BENCHMARK(BM_ParseBody)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
