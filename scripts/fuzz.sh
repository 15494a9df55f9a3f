#!/usr/bin/env bash
# Builds every libFuzzer target under tests/fuzz/ with clang (ASan + UBSan) and runs each for a
# short while on its seed corpus. A crash, leak or sanitizer report fails the script.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 30)
#   scripts/fuzz.sh --runs N [MAX_SECONDS] [TARGET...]
#                        N executions per target (stopping early at MAX_SECONDS, default 3600)
#
# Targets run FUZZ_JOBS at a time (default: one per core). Prints one line per target:
# executions, executions/s, corpus files and bytes, coverage.
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
run_target() {
  local t=$1 corpus_src="tests/fuzz/corpus/${1%_fuzzer}" work="build/fuzz/corpus/$1"
  local findings="build/fuzz/findings/$1" log="build/fuzz/$1.log" rc=0
  mkdir -p "$work" "$findings"
  [[ -d "$corpus_src" ]] && cp -n "$corpus_src"/* "$work"/ 2>/dev/null || true
  # stdin from /dev/null: a fuzzed config naming /dev/stdin as a secret file must not block.
  "build/fuzz/tests/fuzz/$t" -runs="$runs" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$findings/" -print_final_stats=1 "$work" \
    </dev/null 2>"$log" || rc=$?
  local execs rate cov
  execs=$(grep -oP 'stat::number_of_executed_units:\s+\K[0-9]+' "$log" || echo 0)
  rate=$(grep -oP 'stat::average_exec_per_sec:\s+\K[0-9]+' "$log" || echo 0)
  cov=$(grep -oP '#[0-9]+\s+DONE\s+\Kcov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  if ((rc != 0)); then
    echo "FAILED: $t (see $log and $findings/)"
    tail -30 "$log"
  fi
  echo "$t: execs=$execs exec/s=$rate corpus_files=$(find "$work" -type f | wc -l)" \
    "corpus_bytes=$(du -sb "$work" | cut -f1) $cov"
  return $rc
}
jobs_max=${FUZZ_JOBS:-$(nproc)}
echo "== ${#targets[@]} targets, ${jobs_max} at a time: runs ${runs}, at most ${seconds}s each"
status=0
running=0
for t in "${targets[@]}"; do
  if ((running >= jobs_max)); then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
