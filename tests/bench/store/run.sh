#!/bin/sh
# Builds the store benchmarks (optimised, own build dir) and prints the comparison table.
# Usage: tests/bench/store/run.sh [extra benchmark flags]
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD_DIR:-$root/build/store-rel}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g -DNDEBUG" -DTOCSIN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target store_bench >/dev/null
out=$(mktemp)
"$build/tests/bench/store/store_bench" --benchmark_format=json --benchmark_out="$out" \
  --benchmark_out_format=json "$@" >/dev/null
python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = {b["name"]: b for b in d["benchmarks"] if b.get("run_type", "iteration") == "iteration"}
def ns(b):
    if "items_per_second" in b and b["items_per_second"]:
        # with N threads, items_per_second is the aggregate: per-op cost on one thread
        return 1e9 / b["items_per_second"] * b.get("threads", 1)
    return b["real_time"]
def cpu(b):
    # CPU ns per item (per thread); robust against a loaded machine, unlike real time.
    if b.get("threads", 1) > 1 or "Observe" in b["name"]:
        return b["cpu_time"]  # one item per iteration; cpu_time is per thread
    if b.get("items_per_second"):
        return b["cpu_time"] / (b["items_per_second"] * b["real_time"] / 1e9)
    return b["cpu_time"]
print(f"{'benchmark':58} {'real ns/op':>11} {'cpu ns/op':>10}  extra")
for name, b in rows.items():
    extra = {k: v for k, v in b.items() if k in ("bytes_per_sample", "bytes_per_sample_with_header",
             "heap_bytes_per_series", "stats_bytes_per_series", "rss_MiB", "heap_MiB", "stats_MiB",
             "heap_bytes_per_sample")}
    label = (" [" + b["label"] + "]") if b.get("label") else ""
    print(f"{name + label:58} {ns(b):11.1f} {cpu(b):10.1f}  " + " ".join(f"{k}={v:.3g}" for k, v in extra.items()))
print()
for t in ("threads:1", "threads:2"):
    sk = rows.get(f"BM_SketchObserve/real_time/{t}")
    su = rows.get(f"BM_PromCppSummaryObserve/real_time/{t}")
    hi = rows.get(f"BM_PromCppHistogramObserve/real_time/{t}")
    if sk and su and hi:
        print(f"{t}: sketch {cpu(sk):.1f} ns/observe (cpu); PromCpp Summary/sketch = "
              f"{cpu(su)/cpu(sk):.0f}x (real {ns(su)/ns(sk):.0f}x); Histogram/sketch = "
              f"{cpu(hi)/cpu(sk):.2f}x (real {ns(hi)/ns(sk):.2f}x)")
PY
rm -f "$out"
