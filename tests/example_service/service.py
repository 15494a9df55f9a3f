#!/usr/bin/env python3
"""Example service for tocsin's integration tests: the seeds' ScyllaDB-backed store in miniature.

It exposes the application metrics the seed runbooks use (000, 004) both ways at once:
  * on /metrics in the Prometheus text format (prometheus_client's names):
      scylladb_requests_total{operation,status}     counter
      scylladb_errors_total{operation}              counter
      scylladb_latency_seconds{operation}           histogram
      scylladb_cache_hits_total / _misses_total     counters
      scylladb_circuit_breaker_state{name}          gauge 0=closed 1=half-open 2=open
      scylladb_queue_depth                          gauge
  * through StatsD/DogStatsD datagrams to --statsd HOST:PORT, one datagram per operation:
      scylladb.requests:1|c|#operation:put,status:ok
      scylladb.latency:12.5|ms|#operation:put
      scylladb.cache.hits:1|c   scylladb.cache.misses:1|c
      scylladb.circuit_breaker.state:2|g|#name:scylla   scylladb.queue.depth:17|g
The workload is deterministic (seeded), driven by the test through control endpoints:
  POST /simulate?n=N      run N operations; answers the totals as JSON
  POST /breaker?state=S   set the breaker state (0/1/2)
  POST /queue?depth=D     set the queue depth
  GET  /health            200 "status: healthy" (503 while the breaker is open)
  GET  /totals            the totals so far, as JSON
Python 3 standard library only. Prints "<port>" once listening.
Usage: service.py [--port P] [--statsd HOST:PORT] [--seed S]
"""
import argparse
import http.server
import json
import random
import socket
import socketserver
import threading
import urllib.parse

BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
OPERATIONS = ["put", "get", "search", "delete"]


def fmt(v):
    if v == float("inf"):
        return "+Inf"
    r = repr(float(v))
    return r[:-2] if r.endswith(".0") else r


class Store:
    def __init__(self, seed, statsd):
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.requests = {}  # (op, status) -> n
        self.errors = {}    # op -> n
        self.hist = {op: [0] * len(BUCKETS) for op in OPERATIONS}
        self.hist_sum = {op: 0.0 for op in OPERATIONS}
        self.hist_count = {op: 0 for op in OPERATIONS}
        self.hits = 0
        self.misses = 0
        self.breaker = 0
        self.queue = 0
        self.statsd = statsd
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) if statsd else None
        self.sent = 0

    def send(self, line):
        if self.sock is not None:
            self.sock.sendto(line.encode(), self.statsd)
            self.sent += 1

    def operation(self):
        op = self.rng.choice(OPERATIONS)
        ok = self.rng.random() > 0.05
        status = "ok" if ok else "error"
        latency = self.rng.lognormvariate(-4.0, 0.8)  # ~20 ms median
        hit = op == "get" and self.rng.random() < 0.8
        self.requests[(op, status)] = self.requests.get((op, status), 0) + 1
        if not ok:
            self.errors[op] = self.errors.get(op, 0) + 1
        for i, b in enumerate(BUCKETS):
            if latency <= b:
                self.hist[op][i] += 1
        self.hist_sum[op] += latency
        self.hist_count[op] += 1
        self.send(f"scylladb.requests:1|c|#operation:{op},status:{status}")
        self.send(f"scylladb.latency:{latency * 1000:.3f}|ms|#operation:{op}")
        if op == "get":
            if hit:
                self.hits += 1
                self.send("scylladb.cache.hits:1|c")
            else:
                self.misses += 1
                self.send("scylladb.cache.misses:1|c")

    def simulate(self, n):
        with self.lock:
            for _ in range(n):
                self.operation()
            self.send(f"scylladb.queue.depth:{self.queue}|g")
            self.send(f"scylladb.circuit_breaker.state:{self.breaker}|g|#name:scylla")
            return self.totals()

    def totals(self):
        return {
            "requests": {f"{op},{st}": n for (op, st), n in sorted(self.requests.items())},
            "errors": dict(sorted(self.errors.items())),
            "hits": self.hits, "misses": self.misses, "breaker": self.breaker,
            "queue": self.queue, "statsd_datagrams": self.sent,
            "latency_count": dict(self.hist_count),
        }

    def exposition(self):
        with self.lock:
            out = ["# HELP scylladb_requests_total Total requests",
                   "# TYPE scylladb_requests_total counter"]
            for (op, st), n in sorted(self.requests.items()):
                out.append(f'scylladb_requests_total{{operation="{op}",status="{st}"}} {n}')
            out += ["# HELP scylladb_errors_total Failed requests",
                    "# TYPE scylladb_errors_total counter"]
            for op, n in sorted(self.errors.items()):
                out.append(f'scylladb_errors_total{{operation="{op}"}} {n}')
            out += ["# HELP scylladb_latency_seconds Request latency",
                    "# TYPE scylladb_latency_seconds histogram"]
            for op in OPERATIONS:
                for b, n in zip(BUCKETS, self.hist[op]):
                    out.append(f'scylladb_latency_seconds_bucket{{operation="{op}",le="{fmt(b)}"}} {n}')
                out.append(f'scylladb_latency_seconds_bucket{{operation="{op}",le="+Inf"}} '
                           f'{self.hist_count[op]}')
                out.append(f'scylladb_latency_seconds_sum{{operation="{op}"}} {fmt(self.hist_sum[op])}')
                out.append(f'scylladb_latency_seconds_count{{operation="{op}"}} {self.hist_count[op]}')
            out += ["# HELP scylladb_cache_hits_total Embedding cache hits",
                    "# TYPE scylladb_cache_hits_total counter",
                    f"scylladb_cache_hits_total {self.hits}",
                    "# HELP scylladb_cache_misses_total Embedding cache misses",
                    "# TYPE scylladb_cache_misses_total counter",
                    f"scylladb_cache_misses_total {self.misses}",
                    "# HELP scylladb_circuit_breaker_state Circuit breaker state (0 closed, 1 half-open, 2 open)",
                    "# TYPE scylladb_circuit_breaker_state gauge",
                    f'scylladb_circuit_breaker_state{{name="scylla"}} {self.breaker}',
                    "# HELP scylladb_queue_depth Operations waiting for a connection",
                    "# TYPE scylladb_queue_depth gauge",
                    f"scylladb_queue_depth {self.queue}"]
            return "\n".join(out) + "\n"


def make_handler(store):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, body, ctype="text/plain; version=0.0.4; charset=utf-8"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = urllib.parse.urlparse(self.path).path
            if path == "/metrics":
                self.reply(200, store.exposition())
            elif path == "/health":
                if store.breaker == 2:
                    self.reply(503, "status: breaker open\n")
                else:
                    self.reply(200, "status: healthy\n")
            elif path == "/totals":
                with store.lock:
                    self.reply(200, json.dumps(store.totals()), "application/json")
            else:
                self.reply(404, "not found\n")

        def do_POST(self):
            url = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(url.query)
            if url.path == "/simulate":
                totals = store.simulate(int(q.get("n", ["1"])[0]))
                self.reply(200, json.dumps(totals), "application/json")
            elif url.path == "/breaker":
                with store.lock:
                    store.breaker = int(q["state"][0])
                self.reply(200, "ok\n")
            elif url.path == "/queue":
                with store.lock:
                    store.queue = int(q["depth"][0])
                self.reply(200, "ok\n")
            else:
                self.reply(404, "not found\n")

    return Handler


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--statsd", default="")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    statsd = None
    if args.statsd:
        host, _, port = args.statsd.rpartition(":")
        statsd = (host, int(port))
    store = Store(args.seed, statsd)
    server = Server(("127.0.0.1", args.port), make_handler(store))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
