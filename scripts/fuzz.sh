#!/usr/bin/env bash
# Builds every libFuzzer target under tests/fuzz/ with clang (ASan + UBSan) and runs each for a
# short while on its seed corpus. A crash, leak or sanitizer report fails the script.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 30)
#   scripts/fuzz.sh --runs N [MAX_SECONDS] [TARGET...]
#                        N executions per target (stopping early at MAX_SECONDS, default 3600)
#
# Prints one line per target: executions, executions/s, corpus files and bytes, coverage.
# Findings are written to build/fuzz/findings/<target>/; reproduce one with
#   build/fuzz/tests/fuzz/<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
runs=-1
if [[ "${1:-}" == "--runs" ]]; then
  runs=$2
  seconds=${3:-3600}
  shift 3 2>/dev/null || shift $#
else
  seconds=${1:-30}
  shift $(($# > 0 ? 1 : 0))
fi
scripts/install-deps.sh --test
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug \
  -DTOCSIN_BUILD_TESTS=ON -DTOCSIN_BUILD_FUZZERS=ON \
  "-DCMAKE_CXX_FLAGS=-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  >/dev/null
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for src in tests/fuzz/*_fuzzer.cc; do targets+=("$(basename "$src" .cc)"); done
fi
cmake --build build/fuzz -j2 --target "${targets[@]}"
status=0
for t in "${targets[@]}"; do
  corpus_src="tests/fuzz/corpus/${t%_fuzzer}"
  work="build/fuzz/corpus/$t"
  findings="build/fuzz/findings/$t"
  mkdir -p "$work" "$findings"
  [[ -d "$corpus_src" ]] && cp -n "$corpus_src"/* "$work"/ 2>/dev/null || true
  echo "== $t: runs ${runs}, at most ${seconds}s"
  # stdin from /dev/null: a fuzzed config naming /dev/stdin as a secret file must not block.
  if ! "build/fuzz/tests/fuzz/$t" -runs="$runs" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 "$work" \
      </dev/null 2>"build/fuzz/$t.log"; then
    echo "FAILED: $t (see build/fuzz/$t.log and $findings/)"
    tail -30 "build/fuzz/$t.log"
    status=1
  fi
  execs=$(grep -oP 'stat::number_of_executed_units:\s+\K[0-9]+' "build/fuzz/$t.log" || echo 0)
  rate=$(grep -oP 'stat::average_exec_per_sec:\s+\K[0-9]+' "build/fuzz/$t.log" || echo 0)
  cov=$(grep -oP '#[0-9]+\s+DONE\s+\Kcov: [0-9]+ ft: [0-9]+' "build/fuzz/$t.log" | tail -1 || true)
  echo "$t: execs=$execs exec/s=$rate corpus_files=$(find "$work" -type f | wc -l)" \
    "corpus_bytes=$(du -sb "$work" | cut -f1) $cov"
done
exit $status
