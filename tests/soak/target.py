#!/usr/bin/env python3
"""Scrape target for the soak test: serves exactly SERIES (default 100,000) Prometheus text
0.0.4 series on GET /metrics, values changing on every scrape.

  target.py PORT [SERIES_UNUSED]

Series (fixed set, so the agent's series count stays bounded):
  soak_requests_total{svc,path,code,method}   counter   50 x 40 x 5 x 3 = 30,000
  soak_bytes_total{svc,path,code,method}      counter   30,000
  soak_latency_seconds{svc,path} histogram    2,500 label sets x (12 buckets + sum + count) = 35,000
  soak_queue_depth{svc,shard}                 gauge     50 x 99 = 4,950
  soak_temperature{sensor}                    gauge     30
  soak_toggle{idx}                            gauge     20: 1 / 0 alternately for TOGGLE_PERIOD/2
                                                        seconds each, phase-shifted per idx
Counters grow by a per-series increment per scrape (monotonic); the toggles follow wall time,
so alert rules on `soak_toggle == 1` fire and resolve periodically.
GET /healthy answers 200 (readiness poll). Every scrape is counted in the `X-Soak-Scrape` header.
"""
import http.server
import sys
import threading
import time

TOGGLE_PERIOD = 150.0  # seconds; on for 75 s, off for 75 s
TOGGLES = 20

SVCS = [f"s{i:02d}" for i in range(50)]
PATHS = [f"/p{i:03d}" for i in range(40)]
CODES = ["200", "201", "404", "500", "503"]
METHODS = ["GET", "POST", "PUT"]
LES = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
# Cumulative share of observations per bucket (monotonic, last = 1).
SHARE = [0.02, 0.05, 0.12, 0.25, 0.45, 0.65, 0.8, 0.9, 0.96, 0.99, 0.999, 1.0]


def build():
    counters = []  # (prefix, increment)
    for metric, mult in (("soak_requests_total", 1), ("soak_bytes_total", 512)):
        lines = [f"# HELP {metric} Soak counter.", f"# TYPE {metric} counter"]
        counters.append((lines, None))
        for si, s in enumerate(SVCS):
            for pi, p in enumerate(PATHS):
                for ci, c in enumerate(CODES):
                    for mi, m in enumerate(METHODS):
                        inc = (1 + (si * 7 + pi * 3 + ci * 11 + mi) % 17) * mult
                        counters.append(
                            (f'{metric}{{svc="{s}",path="{p}",code="{c}",method="{m}"}} ', inc))
    hists = []  # (bucket prefixes, sum prefix, count prefix, per-scrape observations)
    for si, s in enumerate(SVCS):
        for pi in range(50):
            p = f"/h{pi:02d}"
            base = f'svc="{s}",path="{p}"'
            buckets = [f'soak_latency_seconds_bucket{{{base},le="{le}"}} ' for le in LES]
            hists.append((buckets, f"soak_latency_seconds_sum{{{base}}} ",
                          f"soak_latency_seconds_count{{{base}}} ", 10 + (si + pi) % 40))
    gauges = [f'soak_queue_depth{{svc="{s}",shard="{k}"}} ' for s in SVCS for k in range(99)]
    temps = [f'soak_temperature{{sensor="t{k:02d}"}} ' for k in range(30)]
    return counters, hists, gauges, temps


COUNTERS, HISTS, GAUGES, TEMPS = build()
LOCK = threading.Lock()
SCRAPES = [0]


def body():
    with LOCK:
        SCRAPES[0] += 1
        k = SCRAPES[0]
    out = []
    ap = out.append
    for pre, inc in COUNTERS:
        if inc is None:
            out.extend(pre)
        else:
            ap(f"{pre}{1000 + inc * k}")
    ap("# HELP soak_latency_seconds Soak histogram.")
    ap("# TYPE soak_latency_seconds histogram")
    for buckets, sum_p, count_p, obs in HISTS:
        n = obs * k
        for b, share in zip(buckets, SHARE):
            ap(f"{b}{int(n * share)}")
        ap(f"{sum_p}{n * 0.137:.3f}")
        ap(f"{count_p}{n}")
    ap("# TYPE soak_queue_depth gauge")
    for i, g in enumerate(GAUGES):
        ap(f"{g}{(i * 31 + k * 7) % 1000}")
    ap("# TYPE soak_temperature gauge")
    for i, t in enumerate(TEMPS):
        ap(f"{t}{20 + (i + k) % 15}.5")
    ap("# TYPE soak_toggle gauge")
    now = time.time()
    for i in range(TOGGLES):
        phase = (now + i * (TOGGLE_PERIOD / TOGGLES)) % TOGGLE_PERIOD
        ap(f'soak_toggle{{idx="{i}"}} {1 if phase < TOGGLE_PERIOD / 2 else 0}')
    ap("")
    return "\n".join(out).encode(), k


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthy":
            data, k = b"ok\n", SCRAPES[0]
        elif self.path == "/metrics":
            data, k = body()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Soak-Scrape", str(k))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    n = sum(1 for _, inc in COUNTERS if inc is not None) + len(HISTS) * 14 + len(GAUGES) + \
        len(TEMPS) + TOGGLES
    print(f"target: serving {n} series on 127.0.0.1:{port}/metrics", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
