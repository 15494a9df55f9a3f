#!/bin/sh
# Measures the notification dispatcher. Usage: tests/bench/notifiers/run.sh [BUILD_DIR]
# Builds notifiers_bench in BUILD_DIR (default build/bench-notifiers, Release) and prints:
#   - notifications/s to an in-process receiver, with and without the durable (fsync) queue
#   - notifications/s to a local HTTP receiver (tests/fakes/pagerduty_fake.py's sibling
#     webhook: the Slack fake would rate-limit, so a plain http.server that answers 200)
#   - memory and disk per queued notification
set -eu
src=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-$src/build/bench-notifiers}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTOCSIN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j2 --target notifiers_bench >/dev/null
bench=$build/tests/bench/notifiers/notifiers_bench
tmp=$(mktemp -d)
trap 'kill $recv_pid 2>/dev/null || true; rm -rf "$tmp"' EXIT

"$bench" throughput 20000 ""
"$bench" throughput 5000 "$tmp/state"

# A local HTTP receiver that accepts everything (threaded, keep-alive off like the fakes).
cat > "$tmp/recv.py" <<'PY'
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1])); s.serve_forever()
PY
python3 "$tmp/recv.py" "$tmp/port" & recv_pid=$!
while [ ! -s "$tmp/port" ]; do sleep 0.05; done
"$bench" throughput 2000 "$tmp/state2" "http://127.0.0.1:$(cat "$tmp/port")/hook"

"$bench" memory 20000 ""
"$bench" memory 5000 "$tmp/state3"
