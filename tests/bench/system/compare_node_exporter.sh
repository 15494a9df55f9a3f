#!/usr/bin/env bash
# Resident memory and CPU of `tocsin run` next to Debian's prometheus-node-exporter, both scraped
# at the same rate in the same window.
#
#   tests/bench/system/compare_node_exporter.sh [TOCSIN_BINARY] [DURATION_S] [SCRAPE_INTERVAL_S]
#
# tocsin runs the built-in default collectors (system) with global.interval = the scrape
# interval; node_exporter runs its defaults. Both are scraped by curl every interval. CPU is
# utime+stime from /proc/<pid>/stat over the window (after one warm-up scrape). Memory is sampled
# at every scrape: RSS (VmRSS), its anonymous part (RssAnon: heap and stacks) and PSS (shared
# library pages divided among the processes mapping them) — tocsin links shared libraries whose
# resident pages count fully in RSS though other processes share them, while node_exporter is
# one static binary.
set -euo pipefail
TOCSIN=${1:-build/release/agent/tocsin}
DURATION=${2:-600}
INTERVAL=${3:-15}
command -v prometheus-node-exporter >/dev/null || { echo "needs prometheus-node-exporter" >&2; exit 1; }

dir=$(mktemp -d)
trap 'kill $tpid $npid 2>/dev/null || true; rm -rf "$dir"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tport=$(free_port); nport=$(free_port)
cat > "$dir/tocsin.yml" <<YML
global: {interval: ${INTERVAL}s}
web: {listen_address: 127.0.0.1:$tport}
state_dir: $dir/state
collectors: {system: {}}
YML
"$TOCSIN" run --config "$dir/tocsin.yml" --log.target stderr 2>"$dir/tocsin.log" & tpid=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:$nport >"$dir/ne.log" 2>&1 & npid=$!

wait_up() { for _ in $(seq 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.1; done; echo "not up: $1" >&2; exit 1; }
wait_up "http://127.0.0.1:$tport/-/ready"; wait_up "http://127.0.0.1:$nport/metrics"
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
rss_kb() { awk '/^VmRSS/{print $2}' /proc/$1/status; }
anon_kb() { awk '/^RssAnon/{print $2}' /proc/$1/status; }
pss_kb() { awk '/^Pss:/{print $2}' /proc/$1/smaps_rollup; }
tck=$(getconf CLK_TCK)

curl -s "http://127.0.0.1:$tport/metrics" >"$dir/t.prom"; curl -s "http://127.0.0.1:$nport/metrics" >"$dir/n.prom"
t0=$(cpu $tpid); n0=$(cpu $npid)
scrapes=0; trss=0; nrss=0; tmax=0; nmax=0; tanon=0; nanon=0; tpss=0; npss=0
end=$((SECONDS + DURATION))
while (( SECONDS < end )); do
  next=$((SECONDS + INTERVAL))
  curl -s "http://127.0.0.1:$tport/metrics" >/dev/null
  curl -s "http://127.0.0.1:$nport/metrics" >/dev/null
  scrapes=$((scrapes + 1))
  tr=$(rss_kb $tpid); nr=$(rss_kb $npid)
  trss=$((trss + tr)); nrss=$((nrss + nr))
  (( tr > tmax )) && tmax=$tr; (( nr > nmax )) && nmax=$nr
  tanon=$((tanon + $(anon_kb $tpid))); nanon=$((nanon + $(anon_kb $npid)))
  tpss=$((tpss + $(pss_kb $tpid))); npss=$((npss + $(pss_kb $npid)))
  while (( SECONDS < next )); do sleep 1; done
done
t1=$(cpu $tpid); n1=$(cpu $npid)
python3 - "$scrapes" "$tck" "$t0" "$t1" "$n0" "$n1" "$trss" "$nrss" "$tmax" "$nmax" \
  "$(wc -l <"$dir/t.prom")" "$(wc -l <"$dir/n.prom")" "$DURATION" "$INTERVAL" \
  "$tanon" "$nanon" "$tpss" "$npss" <<'PY'
import sys
(s, tck, t0, t1, n0, n1, trss, nrss, tmax, nmax, tl, nl, dur, iv,
 tanon, nanon, tpss, npss) = map(float, sys.argv[1:])
tcpu, ncpu = (t1 - t0) / tck, (n1 - n0) / tck
print(f"window {dur:.0f}s, scrape every {iv:.0f}s, {s:.0f} scrapes each")
print(f"{'':24}{'tocsin':>14}{'node_exporter':>16}{'ratio':>10}")
print(f"{'exposition lines':24}{tl:>14.0f}{nl:>16.0f}")
print(f"{'RSS mean (MiB)':24}{trss/s/1024:>14.1f}{nrss/s/1024:>16.1f}{(trss/nrss):>10.2f}")
print(f"{'RSS max (MiB)':24}{tmax/1024:>14.1f}{nmax/1024:>16.1f}{(tmax/nmax):>10.2f}")
print(f"{'RssAnon mean (MiB)':24}{tanon/s/1024:>14.1f}{nanon/s/1024:>16.1f}{(tanon/nanon):>10.2f}")
print(f"{'PSS mean (MiB)':24}{tpss/s/1024:>14.1f}{npss/s/1024:>16.1f}{(tpss/npss):>10.2f}")
print(f"{'CPU total (s)':24}{tcpu:>14.2f}{ncpu:>16.2f}{(tcpu/ncpu if ncpu else float('nan')):>10.2f}")
print(f"{'CPU per scrape (ms)':24}{tcpu/s*1000:>14.2f}{ncpu/s*1000:>16.2f}")
PY
