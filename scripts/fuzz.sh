#!/usr/bin/env bash
# Builds every libFuzzer target under tests/fuzz/ with clang (ASan + UBSan) and runs each for a
# short while on its seed corpus. A crash, leak or sanitizer report fails the script.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 30)
#
# Findings are written to build/fuzz/findings/<target>/; reproduce one with
#   build/fuzz/tests/fuzz/<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
scripts/install-deps.sh --test
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug \
  -DTOCSIN_BUILD_TESTS=ON -DTOCSIN_BUILD_FUZZERS=ON \
  "-DCMAKE_CXX_FLAGS=-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  >/dev/null
targets=()
for src in tests/fuzz/*_fuzzer.cc; do targets+=("$(basename "$src" .cc)"); done
cmake --build build/fuzz -j2 --target "${targets[@]}"
status=0
for t in "${targets[@]}"; do
  corpus_src="tests/fuzz/corpus/${t%_fuzzer}"
  work="build/fuzz/corpus/$t"
  findings="build/fuzz/findings/$t"
  mkdir -p "$work" "$findings"
  [[ -d "$corpus_src" ]] && cp -n "$corpus_src"/* "$work"/ 2>/dev/null || true
  echo "== $t: ${seconds}s"
  if ! "build/fuzz/tests/fuzz/$t" -max_total_time="$seconds" -artifact_prefix="$findings/" \
      -print_final_stats=1 "$work" 2>"build/fuzz/$t.log"; then
    echo "FAILED: $t (see build/fuzz/$t.log and $findings/)"
    tail -30 "build/fuzz/$t.log"
    status=1
  else
    grep -E "stat::number_of_executed_units" "build/fuzz/$t.log" || true
  fi
done
exit $status
