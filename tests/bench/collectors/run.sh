#!/usr/bin/env bash
# Collector benchmarks (Release build):
#   tests/bench/collectors/run.sh [build-dir]     default build/appcol-rel
# Prints: scrape parser MB/s and samples/s on node_exporter output (and, side by side, the time
# promtool check metrics -- Prometheus's Go expfmt parser plus its linter -- takes on the same
# bytes), StatsD parse/aggregate lines/s per core, and the sustained loopback rate with loss.
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$src/build/appcol-rel}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTOCSIN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target scrape_parser_bench statsd_bench statsd_loopback >/dev/null
"$build/tests/bench/collectors/scrape_parser_bench" --benchmark_min_time=2
if command -v promtool >/dev/null; then
  body=$(mktemp)
  for _ in $(seq 20); do cat "$src/tests/collectors/scrape/testdata/node_exporter.txt"; done >"$body"
  bytes=$(stat -c %s "$body")
  start=$(date +%s.%N)
  for _ in $(seq 10); do promtool check metrics <"$body" >/dev/null 2>&1 || true; done
  end=$(date +%s.%N)
  python3 -c "b=$bytes*10; t=$end-$start; print(f'promtool check metrics (Go expfmt parse + lint), same 20x body: {b/t/1e6:.1f} MB/s wall')"
  rm -f "$body"
fi
"$build/tests/bench/collectors/statsd_bench" --benchmark_min_time=2
"$build/tests/bench/collectors/statsd_loopback" 3 10
