#!/usr/bin/env bash
# Collector benchmarks (Release build):
#   tests/bench/collectors/run.sh [build-dir]     default build/appcol-rel
# Prints: scrape parser MB/s and samples/s on node_exporter output, StatsD parse/aggregate
# lines/s per core, and the sustained loopback rate with loss (10 lines per datagram).
set -euo pipefail
src=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$src/build/appcol-rel}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTOCSIN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target scrape_parser_bench statsd_bench statsd_loopback >/dev/null
"$build/tests/bench/collectors/scrape_parser_bench" --benchmark_min_time=2
# No Go parser can be benchmarked side by side here: `promtool check metrics` also lints (its
# cost is dominated by linting, ~3 MB/s on this body), so the reference stays Prometheus's
# published textparse figure (~248 MB/s, docs: shared/reference/performance-anchors.md row 38).
"$build/tests/bench/collectors/statsd_bench" --benchmark_min_time=2
"$build/tests/bench/collectors/statsd_loopback" 3 10
