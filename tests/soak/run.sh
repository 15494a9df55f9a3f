#!/usr/bin/env bash
# Soak test of the tocsin daemon under realistic load (issue 14).
#
#   tests/soak/run.sh [SECONDS]        (default 600)
#
# Builds the release preset's `tocsin`, then runs it for SECONDS in a temporary directory with a
# generated config (tests/soak/soak.py writes it) while:
#   - tests/soak/target.py serves 100,000 Prometheus series (values change every scrape),
#     scraped every 15 s;
#   - build/soak/statsd_blast (tests/soak/statsd_blast.c, built here with gcc -O2) sends
#     200,000 StatsD datagrams/s (SOAK_STATSD_RATE) over UDP, from a bounded set of names/tags;
#   - soak.py runs a query loop on /api/v1/query and /api/v1/query_range, reloads every 30 s
#     (POST /-/reload and SIGHUP in turn), samples RSS/PSS/USS every 10 s and polls
#     /api/v1/rules for the rule-evaluation lag;
#   - rules fire and resolve all the time (time()-driven and target-driven) and are routed to
#     tests/soak/receiver.py, a webhook receiver that flaps: up, 500/429/503 with Retry-After,
#     not listening at all.
# At the end the receiver stays up, the agent's queues drain, and soak.py prints the summary
# (also in DIR/report.txt). Exit status: 0 pass; 1 notifications lost, RSS growth not explained by
# tocsin_store_bytes (retained samples) >= 5 % over
# the last 5 min (gate only when SECONDS >= 600; shorter runs report the last half), a failed
# reload, or the agent died; 2 setup failure (build, ports, readiness).
#
# Environment: SOAK_STATSD_RATE (200000), SOAK_KEEP=1 keeps the temp dir even on success,
# SOAK_SKIP_BUILD=1 uses the existing build/release binary, SOAK_QUERY_PAUSE (0.25 s between
# queries), SOAK_RECEIVER_PHASES (receiver.py's phase list), SOAK_RSS_GATE=1 gates short runs.
set -euo pipefail

SECONDS_TO_RUN="${1:-600}"
if ! [[ "$SECONDS_TO_RUN" =~ ^[0-9]+$ ]] || (( SECONDS_TO_RUN < 30 )); then
  echo "usage: $0 [SECONDS >= 30]" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/soak"
RATE="${SOAK_STATSD_RATE:-200000}"
PHASES="${SOAK_RECEIVER_PHASES:-up:30,error:20,up:30,down:30}"

log() { printf '[soak %(%H:%M:%S)T] %s\n' -1 "$*"; }

# ---------------------------------------------------------------- build
cd "$ROOT"
if [[ "${SOAK_SKIP_BUILD:-0}" != 1 ]]; then
  log "building the release preset (target tocsin)"
  cmake --preset release >/dev/null
  cmake --build --preset release --target tocsin
fi
TOCSIN="$ROOT/build/release/agent/tocsin"
[[ -x "$TOCSIN" ]] || { echo "no $TOCSIN" >&2; exit 2; }
mkdir -p "$ROOT/build/soak"
BLAST="$ROOT/build/soak/statsd_blast"
if [[ ! -x "$BLAST" || "$HERE/statsd_blast.c" -nt "$BLAST" ]]; then
  log "building $BLAST"
  gcc -O2 -Wall -Wextra -o "$BLAST" "$HERE/statsd_blast.c"
fi
log "$("$TOCSIN" version | head -1)"

# ---------------------------------------------------------------- processes and cleanup
DIR="$(mktemp -d "${TMPDIR:-/tmp}/tocsin-soak.XXXXXX")"
PIDS=()
AGENT_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local left=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && left=1; done
    (( left )) || break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if (( rc == 0 )) && [[ "${SOAK_KEEP:-0}" != 1 ]]; then
    rm -rf "$DIR"
  else
    echo "soak: logs and records kept in $DIR" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Bounded poll: wait_until SECONDS DESCRIPTION COMMAND...
wait_until() {
  local limit=$1 what=$2
  shift 2
  local deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= deadline )); then
      echo "soak: timed out after ${limit}s waiting for $what" >&2
      return 1
    fi
    if [[ -n "$AGENT_PID" ]] && ! kill -0 "$AGENT_PID" 2>/dev/null; then
      echo "soak: the agent exited while waiting for $what; its log:" >&2
      tail -n 40 "$DIR/tocsin.log" >&2 || true
      return 1
    fi
    sleep 0.2
  done
}

# Free loopback ports: TCP for HTTP listeners, UDP for StatsD (each bound once, then released).
read -r AGENT_PORT TARGET_PORT RECEIVER_PORT STATSD_PORT < <(python3 - <<'EOF'
import socket
socks, ports = [], []
for kind in (socket.SOCK_STREAM,) * 3 + (socket.SOCK_DGRAM,):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
    ports.append(s.getsockname()[1])
print(*ports)
EOF
)
log "dir $DIR; agent :$AGENT_PORT, target :$TARGET_PORT, receiver :$RECEIVER_PORT, statsd udp :$STATSD_PORT"

python3 "$HERE/soak.py" config "$DIR" "$AGENT_PORT" "$STATSD_PORT" "$TARGET_PORT" "$RECEIVER_PORT"
"$TOCSIN" check config "$DIR/tocsin.yml" >/dev/null || { echo "soak: generated config invalid" >&2; "$TOCSIN" check config "$DIR/tocsin.yml" >&2; exit 2; }

python3 "$HERE/target.py" "$TARGET_PORT" >"$DIR/target.out" 2>&1 &
PIDS+=($!)
python3 "$HERE/receiver.py" "$RECEIVER_PORT" "$DIR/receiver.jsonl" "$PHASES" >"$DIR/receiver.out" 2>&1 &
RECEIVER_PID=$!
PIDS+=($RECEIVER_PID)
wait_until 30 "the scrape target" curl -sf "http://127.0.0.1:$TARGET_PORT/healthy"
wait_until 30 "the webhook receiver" grep -q listening "$DIR/receiver.out"

env -u NOTIFY_SOCKET -u WATCHDOG_USEC "$TOCSIN" run --config "$DIR/tocsin.yml" --log.target stderr \
  >"$DIR/tocsin.log" 2>&1 &
AGENT_PID=$!
PIDS+=($AGENT_PID)
log "agent pid $AGENT_PID"
wait_until 90 "the agent's /-/ready" curl -sf "http://127.0.0.1:$AGENT_PORT/-/ready"
# Ready means every collector ran once; also wait for the first full scrape of the target.
wait_until 90 "the first scrape of 100,000 series" sh -c \
  "curl -sf 'http://127.0.0.1:$AGENT_PORT/api/v1/query?query=count(soak_requests_total)' | grep -q '\"30000\"'"
log "agent ready, target scraped; starting ${SECONDS_TO_RUN}s of load (StatsD at ${RATE}/s)"

"$BLAST" 127.0.0.1 "$STATSD_PORT" "$RATE" "$SECONDS_TO_RUN" >"$DIR/statsd_blast.out" 2>&1 &
PIDS+=($!)

set +e
python3 "$HERE/soak.py" run "$DIR" "$AGENT_PORT" "$AGENT_PID" "$RECEIVER_PID" "$STATSD_PORT" \
  "$SECONDS_TO_RUN"
RC=$?
set -e

if ! kill -0 "$AGENT_PID" 2>/dev/null; then
  ARC=0
  wait "$AGENT_PID" 2>/dev/null || ARC=$?
  echo "soak: the agent died (exit status $ARC); last log lines:" >&2
  tail -n 40 "$DIR/tocsin.log" >&2 || true
  RC=1
else
  # A clean stop is part of the test: SIGTERM, bounded wait.
  kill -TERM "$AGENT_PID"
  for _ in $(seq 200); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$AGENT_PID" 2>/dev/null; then
    echo "soak: the agent did not stop within 20 s of SIGTERM" >&2
    RC=1
  else
    ARC=0
    wait "$AGENT_PID" 2>/dev/null || ARC=$?
    log "agent stopped on SIGTERM with exit status $ARC"
    (( ARC == 0 )) || RC=1
  fi
fi
exit "$RC"
