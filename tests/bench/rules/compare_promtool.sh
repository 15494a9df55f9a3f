#!/bin/bash
# Whole-process time of `tocsin test rules` vs `promtool test rules` (Prometheus 2.42) on one
# large generated test file: SERIES input series x STEPS evaluation steps (1m apart), with
# recording and alerting rules. Runs alternate (promtool, tocsin, ...) and the script prints each
# run, the medians and the ratio tocsin/promtool. Both must pass the generated test first.
# Usage: compare_promtool.sh TOCSIN_BINARY [SERIES=400] [STEPS=300] [RUNS=5]
set -eu
tocsin=${1:?usage: compare_promtool.sh TOCSIN_BINARY [SERIES] [STEPS] [RUNS]}
series=${2:-400}
steps=${3:-300}
runs=${4:-5}
promtool=${PROMTOOL:-/usr/bin/promtool}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" "$series" "$steps" <<'PY'
import sys
d, n, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
jobs = 8
with open(f"{d}/rules.yml", "w") as f:
    f.write("""groups:
- name: recording
  rules:
  - record: instance:requests:rate2m30s
    expr: rate(requests_total[2m30s])
  - record: job:requests:rate2m30s
    expr: sum by (job) (instance:requests:rate2m30s)
  - record: job:latency:avg5m30s
    expr: avg by (job) (avg_over_time(latency_seconds[5m30s]))
  - record: job:errors:ratio
    expr: sum by (job) (rate(errors_total[2m30s])) / sum by (job) (rate(requests_total[2m30s]))
- name: alerts
  rules:
  - alert: HighRequestRate
    expr: instance:requests:rate2m30s > 1.5
    for: 3m
    labels: {severity: warning}
    annotations: {summary: "{{ $labels.instance }} at {{ $value }}"}
  - alert: HighLatency
    expr: max_over_time(latency_seconds[4m30s]) > 0.9
    for: 2m
    labels: {severity: page}
  - alert: JobErrorRatio
    expr: job:errors:ratio > 0.05
    for: 5m
  - alert: InstanceMissing
    expr: absent_over_time(requests_total{instance="i0"}[3m30s])
""")
with open(f"{d}/bench.test.yml", "w") as f:
    f.write("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n")
    for i in range(n):
        job = f"j{i % jobs}"
        inc = 1 + i % 3
        f.write(f"  - series: requests_total{{job=\"{job}\", instance=\"i{i}\"}}\n    values: '0+{inc*60}x{steps}'\n")
        f.write(f"  - series: errors_total{{job=\"{job}\", instance=\"i{i}\"}}\n    values: '0+{(i % 5)}x{steps}'\n")
        f.write(f"  - series: latency_seconds{{job=\"{job}\", instance=\"i{i}\"}}\n    values: '{(i % 10) / 10}x{steps}'\n")
    f.write("  promql_expr_test:\n")
    f.write(f"  - expr: count(instance:requests:rate2m30s)\n    eval_time: {steps}m\n    exp_samples: [{{labels: '{{}}', value: {n}}}]\n")
    f.write(f"  - expr: count(ALERTS{{alertname=\"HighRequestRate\", alertstate=\"firing\"}})\n    eval_time: {steps}m\n")
    firing = sum(1 for i in range(n) if 1 + i % 3 > 1.5)
    f.write(f"    exp_samples: [{{labels: '{{}}', value: {firing}}}]\n")
PY

echo "test file: $series series x 3 metrics, $steps steps; $(wc -c <"$dir/bench.test.yml") bytes"
"$promtool" test rules "$dir/bench.test.yml" >/dev/null || { echo "promtool fails the generated test"; exit 1; }
"$tocsin" test rules "$dir/bench.test.yml" >/dev/null || { echo "tocsin fails the generated test"; "$tocsin" test rules "$dir/bench.test.yml"; exit 1; }

now() { date +%s.%N; }
p_times=()
t_times=()
for ((r = 1; r <= runs; r++)); do
  s=$(now); "$promtool" test rules "$dir/bench.test.yml" >/dev/null; e=$(now)
  p=$(echo "$e - $s" | bc -l)
  s=$(now); "$tocsin" test rules "$dir/bench.test.yml" >/dev/null; e=$(now)
  t=$(echo "$e - $s" | bc -l)
  printf 'run %d: promtool %.3fs  tocsin %.3fs\n' "$r" "$p" "$t"
  p_times+=("$p")
  t_times+=("$t")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
pm=$(median "${p_times[@]}")
tm=$(median "${t_times[@]}")
printf 'median: promtool %.3fs  tocsin %.3fs  ratio tocsin/promtool %.3f (target <= 0.333)\n' \
  "$pm" "$tm" "$(echo "$tm / $pm" | bc -l)"
