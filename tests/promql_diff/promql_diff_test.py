#!/usr/bin/env python3
"""Differential PromQL test: tocsin against a real Prometheus, bit for bit through both HTTP APIs.

  TOCSIN_BINARY=build/dev/agent/tocsin tests/promql_diff/promql_diff_test.py [--seed N] [--count N]

1. From a seed, generates a few dozen series (counters with resets, gauges with negative, large,
   tiny and NaN values, series that start late, end early or have gaps longer than the lookback,
   classic histograms), ~70 minutes of samples ending two minutes before now, at 15 s - 60 s
   spacing per target.
2. Writes them once as an OpenMetrics text with explicit timestamps. Prometheus gets them through
   `promtool tsdb create-blocks-from openmetrics` into a temporary data dir, tocsin through a
   scrape job (honor_labels) against a local HTTP server of the test that serves the same bytes;
   both sides' raw samples are then compared before any expression is.
3. Generates expressions from a seeded grammar and evaluates each through /api/v1/query on both
   (and some through /api/v1/query_range), comparing label sets, value strings, result types and
   error/no-error exactly.
4. Localises each difference to its innermost differing sub-expression and classifies it:
   a known Prometheus 2.42 vs 3.0 difference (known_differences.txt; applied only where the
   verifier reproduces Prometheus's value with 2.42's algorithm and tocsin's with 3.0's), a float
   math ulp difference (Go's math package vs glibc), or an unexplained difference (a tocsin bug).

Window edges. Prometheus 2.x selects [t - range, t], 3.x (t - range, t]; they differ only when a
sample (or a subquery point) sits exactly on t - range. Every sample timestamp here has a
millisecond part that is neither 000 nor 500; evaluation times (instant queries, range query
starts, @ times) have the ms part 500; ranges, offsets, steps and the lookback delta are whole
seconds. So every left edge at the top level has the ms part 500, and inside a subquery (whose
steps are multiples of the step: ms part 000) 000; no sample is on either. Subquery points
themselves sit on whole seconds, so a subquery nested in another subquery gets a range with an
extra 500ms (its left edges then fall on ms 500, its points on 000).

Classification of a difference (the innermost differing sub-expression, found by evaluating
operands alone, inside the same subquery, or as the same range query):
  known: <id>       a Prometheus 2.42 -> 3.0 change from known_differences.txt, verified by
                    recomputing both values from the operands with 2.42's and 3.0's algorithms;
  math-ulp          Go's math package vs glibc (tocsin's value is glibc's), a few ulps;
  nondeterministic  Prometheus itself is order-dependent there: in range evaluation it hands an
                    aggregation its series in Go map order (verified: both values are reachable
                    by some order, or Prometheus answers differently when asked again);
  unexplained       anything else: a tocsin bug (some are named, see TOCSIN_FINDINGS).
Runs fail on math-ulp and unexplained differences.

Exit status: 0 no unexplained difference, 1 differences (or a setup failure), 77 when the
prometheus / promtool binaries are absent (CTest SKIP_RETURN_CODE).
"""
import argparse
import collections
import concurrent.futures
import decimal
import http.server
import itertools
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
LOOKBACK_S = 300

# ---------------------------------------------------------------------------------------------
# Float helpers (Go semantics)
# ---------------------------------------------------------------------------------------------


def go_f(x):
    """A sample value as Prometheus's JSON writes it (jsonutil.MarshalValue): Go's
    strconv.FormatFloat(x, 'f', -1, 64), or 'e' when 0 < |x| < 1e-6 or |x| >= 1e21."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    d = decimal.Decimal(repr(x)).normalize()
    if x != 0 and (abs(x) < 1e-6 or abs(x) >= 1e21):
        sign, digits, exp = d.as_tuple()
        e = exp + len(digits) - 1
        mant = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
        return ("-" if sign else "") + f"{mant}e{'+' if e >= 0 else '-'}{abs(e):02d}"
    return format(d, "f")


def parse_go_float(s):
    if s in ("NaN",):
        return math.nan
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    return float(s)


def fdiv(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if math.isnan(a) or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def ordered_bits(x):
    (i,) = struct.unpack("<q", struct.pack("<d", x))
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulp_distance(a, b):
    """ulps between two value strings; None when not both finite numbers."""
    try:
        fa, fb = parse_go_float(a), parse_go_float(b)
    except ValueError:
        return None
    if math.isnan(fa) or math.isnan(fb) or math.isinf(fa) or math.isinf(fb):
        return None
    return abs(ordered_bits(fa) - ordered_bits(fb))


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

TARGETS = [  # job, instance
    ("api", "10.0.0.1:9100"),
    ("api", "10.0.0.2:9100"),
    ("db", "10.0.0.3:9100"),
    ("cache", "10.0.0.4:9100"),  # starts late and has a gap: churn, extrapolation edge cases
]
LE_BOUNDS = ["0.005", "0.025", "0.1", "0.25", "1", "2.5", "+Inf"]

# family -> (kind, label names besides job/instance)
FAMILIES = {
    "http_requests_total": ("counter", ["code"]),
    "process_cpu_seconds_total": ("counter", ["mode"]),
    "node_temperature_celsius": ("gauge", ["sensor"]),
    "queue_length": ("gauge", []),
    "tiny_ratio": ("gauge", []),
    "load_ratio": ("gauge", []),
    "request_duration_seconds_bucket": ("bucket", ["le"]),
    "request_duration_seconds_sum": ("counter", []),
    "request_duration_seconds_count": ("counter", []),
}
COUNTERS = [f for f, (k, _) in FAMILIES.items() if k == "counter"]
GAUGES = [f for f, (k, _) in FAMILIES.items() if k == "gauge"]
LABEL_VALUES = {
    "job": ["api", "db", "cache"],
    "instance": [i for _, i in TARGETS],
    "code": ["200", "404", "500"],
    "mode": ["user", "system"],
    "sensor": ["cpu", "board", "ambient"],
    "le": LE_BOUNDS,
}


class Series:
    def __init__(self, name, labels):
        self.name = name
        self.labels = dict(labels)
        self.samples = []  # (ts_ms, float)

    def key(self):
        d = dict(self.labels)
        d["__name__"] = self.name
        return tuple(sorted(d.items()))


def timestamp_text(ms):
    return f"{ms // 1000}.{ms % 1000:03d}"


def exact_ts(ms):
    """True when int(float(text) * 1000) gives `ms` back (Prometheus's and tocsin's parse)."""
    return int(float(timestamp_text(ms)) * 1000) == ms


def target_timeline(rng, start_ms, end_ms):
    interval = rng.choice([15, 30, 60])
    t = start_ms // 1000 + rng.randint(0, interval - 1)
    out = []
    while t * 1000 < end_ms:
        while True:
            ms = rng.randint(1, 999)
            if ms != 500 and exact_ts(t * 1000 + ms):
                break
        out.append(t * 1000 + ms)
        t += interval + rng.choice([0, 0, 0, -1, 1, 2])  # mostly regular, some jitter
    return out


def rounded(rng, x):
    d = rng.choice([None, None, 0, 1, 2, 3, 6])
    return x if d is None else round(x, d)


def generate_data(seed, end_ms):
    rng = random.Random(seed)
    start_ms = end_ms - 70 * 60 * 1000
    series = []
    timelines = {}
    for job, inst in TARGETS:
        tl = target_timeline(rng, start_ms, end_ms)
        if job == "cache":  # starts 20 min late; a 9 min gap 15 min before the end
            gap0 = end_ms - 15 * 60000
            tl = [t for t in tl if t >= start_ms + 20 * 60000 and not gap0 <= t < gap0 + 9 * 60000]
        timelines[(job, inst)] = tl

    def counter(name, labels, tl, base, rate, resets):
        s = Series(name, labels)
        v = base
        reset_at = set(rng.sample(range(5, len(tl)), min(resets, max(0, len(tl) - 5))))
        for i, t in enumerate(tl):
            if i in reset_at:
                v = rounded(rng, rng.uniform(0, rate * 10))
            elif i > 0:
                v = rounded(rng, v + rng.uniform(0, rate * 30))
            s.samples.append((t, float(v)))
        return s

    for job, inst in TARGETS:
        tl = timelines[(job, inst)]
        lab = {"job": job, "instance": inst}
        codes = {"api": ["200", "404", "500"], "db": ["200"], "cache": ["200", "500"]}[job]
        for code in codes:
            base = rng.choice([0.0, rng.uniform(0, 5000), rng.uniform(1e6, 1e7)])
            if job == "cache" and code == "500":
                base = rng.uniform(0, 3)  # small first value: extrapolation capped at zero
            series.append(counter("http_requests_total", dict(lab, code=code), tl, base,
                                  rng.choice([0.05, 1.0, 37.5]), rng.choice([0, 1, 2])))
        for mode in ["user", "system"]:
            base = rng.uniform(1e12, 2e12) if job == "db" else rng.uniform(0, 100)
            series.append(counter("process_cpu_seconds_total", dict(lab, mode=mode), tl, base,
                                  rng.choice([0.01, 0.3]), rng.choice([0, 0, 1])))
    # Gauges.
    def gauge(name, labels, tl, start, step, lo=None, hi=None, nan_p=0.0):
        s = Series(name, labels)
        v = start
        for t in tl:
            v += rng.gauss(0, step)
            if lo is not None:
                v = max(lo, min(hi, v))
            x = math.nan if rng.random() < nan_p else rounded(rng, v)
            s.samples.append((t, float(x)))
        return s

    api1, api2, db, cache = TARGETS
    L = lambda tgt, **kw: dict({"job": tgt[0], "instance": tgt[1]}, **kw)  # noqa: E731
    tl = timelines
    board = [t for t in tl[api1] if t < end_ms - 15 * 60000]  # ends early
    series += [
        gauge("node_temperature_celsius", L(api1, sensor="cpu"), tl[api1], 55, 1.5),
        gauge("node_temperature_celsius", L(api1, sensor="board"), board, 40, 0.7),
        gauge("node_temperature_celsius", L(db, sensor="ambient"), tl[db], -5, 2.0),
        gauge("node_temperature_celsius", L(cache, sensor="cpu"), tl[cache], 60, 1.0,
              nan_p=0.02),
    ]
    db_gap0 = end_ms - 40 * 60000
    db_gappy = [t for t in tl[db] if not db_gap0 <= t < db_gap0 + 7 * 60000]
    series += [
        gauge("queue_length", L(api1), tl[api1], 4e8, 3e6),
        gauge("queue_length", L(api2), tl[api2], 123456.5, 900.0),
        gauge("queue_length", L(db), db_gappy, 7e9, 5e7),
        gauge("tiny_ratio", L(api1), tl[api1], 3e-7, 1e-7),
        gauge("tiny_ratio", L(db), tl[db], -2e-9, 5e-9),
        gauge("load_ratio", L(api1), tl[api1], 0.2, 0.1, -1.0, 1.0),
        gauge("load_ratio", L(api2), tl[api2], -0.5, 0.15, -1.0, 1.0),
        gauge("load_ratio", L(db), db_gappy, 0.9, 0.05, -1.0, 1.0),
    ]
    # Classic histograms.
    for tgt in (api1, api2, db):
        bounds = [float(b) for b in LE_BOUNDS]
        counts = [0] * len(bounds)
        total = rng.uniform(0, 500)
        mu = rng.choice([-3.0, -1.5, -0.5])
        bucket_series = [Series("request_duration_seconds_bucket", L(tgt, le=b)) for b in LE_BOUNDS]
        ssum = Series("request_duration_seconds_sum", L(tgt))
        scount = Series("request_duration_seconds_count", L(tgt))
        reset_at = rng.randint(20, len(tl[tgt]) - 5) if tgt == api2 else -1
        for i, t in enumerate(tl[tgt]):
            if i == reset_at:
                counts = [0] * len(bounds)
                total = 0.0
            for _ in range(int(rng.expovariate(1 / 20.0))):
                x = rng.lognormvariate(mu, 1.2)
                total += x
                for j, b in enumerate(bounds):
                    if x <= b:
                        counts[j] += 1
            for j, bs in enumerate(bucket_series):
                bs.samples.append((t, float(counts[j])))
            ssum.samples.append((t, total))
            scount.samples.append((t, float(counts[-1])))
        series += bucket_series + [ssum, scount]
    return series, start_ms


def openmetrics_text(series):
    lines = []
    for s in sorted(series, key=lambda s: s.key()):
        lab = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        for t, v in s.samples:
            lines.append(f"{s.name}{{{lab}}} {repr_value(v)} {timestamp_text(t)}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def repr_value(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_post(url, params, timeout=30):
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_for(pred, what, timeout, procs=()):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for p in procs:
            if p.proc.poll() is not None:
                raise RuntimeError(f"{p.name} exited with {p.proc.returncode} while waiting for "
                                   f"{what}:\n{p.log_tail()}")
        try:
            last = pred()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError) as e:
            last = e
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def die_with_parent():
    """In the child: SIGTERM when the test process dies, even by SIGKILL (a CTest timeout)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Proc:
    def __init__(self, name, argv, log_path, cwd=None):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, cwd=cwd,
                                     start_new_session=True, preexec_fn=die_with_parent)

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class BodyServer:
    """Serves the OpenMetrics text on /metrics for tocsin's scrape job."""

    def __init__(self, body):
        payload = body.encode()
        self.scrapes = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.scrapes += 1
                self.send_response(200)
                self.send_header("Content-Type",
                                 "application/openmetrics-text; version=1.0.0; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Backend:
    def __init__(self, name, base_url, rewrite=None):
        self.name = name
        self.base = base_url
        self.rewrite = rewrite or (lambda q: q)

    def query(self, q, t):
        return http_post(self.base + "/api/v1/query", {"query": self.rewrite(q), "time": t})

    def query_range(self, q, start, end, step):
        return http_post(self.base + "/api/v1/query_range",
                         {"query": self.rewrite(q), "start": start, "end": end, "step": step})


def setup(args, tmp, body, series, procs, servers):
    """Starts both systems; appends what it starts to `procs` / `servers` at once."""
    om_path = os.path.join(tmp, "data.om")
    with open(om_path, "w") as f:
        f.write(body)
    # Prometheus: backfill, then serve the blocks.
    pdata = os.path.join(tmp, "prometheus-data")
    os.makedirs(pdata)
    r = subprocess.run([args.promtool, "tsdb", "create-blocks-from", "openmetrics", om_path, pdata],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"promtool create-blocks-from failed:\n{r.stdout}\n{r.stderr}")
    pcfg = os.path.join(tmp, "prometheus.yml")
    with open(pcfg, "w") as f:
        f.write("global:\n  evaluation_interval: 1m\nscrape_configs: []\n")
    pport = free_port()
    prom = Proc("prometheus", [
        args.prometheus, f"--config.file={pcfg}", f"--storage.tsdb.path={pdata}",
        f"--web.listen-address=127.0.0.1:{pport}", "--storage.tsdb.retention.time=30d",
        "--query.lookback-delta=5m",
        "--log.level=warn", "--web.console.templates=/nonexistent",
        "--web.console.libraries=/nonexistent"], os.path.join(tmp, "prometheus.log"), cwd=tmp)
    procs.append(prom)
    # tocsin: a scrape job with honor_labels against the test's server.
    server = BodyServer(body)
    servers.append(server)
    tport = free_port()
    tcfg = os.path.join(tmp, "tocsin.yml")
    with open(tcfg, "w") as f:
        f.write(f"""global:
  interval: 5s
  retention: 6h
web:
  listen_address: 127.0.0.1:{tport}
state_dir: {os.path.join(tmp, 'tocsin-state')}
scrape_configs:
  - job_name: promql_diff
    scrape_interval: 5s
    honor_labels: true
    static_configs: [{{targets: ['127.0.0.1:{server.port}']}}]
""")
    toc = Proc("tocsin", [args.tocsin, "run", "--config", tcfg, "--log.target", "stderr"],
               os.path.join(tmp, "tocsin.log"), cwd=tmp)
    procs.append(toc)
    pbase, tbase = f"http://127.0.0.1:{pport}", f"http://127.0.0.1:{tport}"
    wait_for(lambda: http_get(pbase + "/-/ready")[0] == 200, "prometheus /-/ready", 60, [prom])
    wait_for(lambda: http_get(tbase + "/-/ready")[0] == 200, "tocsin /-/ready", 60, [toc])
    P = Backend("prometheus", pbase)
    T = Backend("tocsin", tbase, rewrite=lambda q: q.replace("holt_winters(",
                                                             "double_exponential_smoothing("))
    # Both must hold every generated series once tocsin has scraped.
    names = sorted({s.name for s in series})
    sel = '{__name__=~"' + "|".join(names) + '"}'
    now = eval_time_text(int(time.time() * 1000) // 1000 * 1000 + 500)
    want = len(series)

    def count(b):
        st, txt = b.query(f"count(last_over_time({sel}[3h]))", now)
        j = json.loads(txt)
        return j["status"] == "success" and j["data"]["result"] and \
            j["data"]["result"][0]["value"][1] == str(want)

    wait_for(lambda: count(P), f"prometheus to serve {want} backfilled series", 30, [prom])
    wait_for(lambda: count(T), f"tocsin to serve {want} scraped series", 30, [toc])
    return P, T


def check_loaded(P, T, series):
    """Raw samples through both APIs must equal the generated ones, bit for bit."""
    now_ms = int(time.time() * 1000) // 1000 * 1000 + 500
    expected = {}
    for s in series:
        expected[s.key()] = [(api_ts(t), go_f(v))
                             for t, v in s.samples]
    problems, formatting = [], []
    for name in sorted({s.name for s in series}):
        for b in (P, T):
            st, txt = b.query(f"{name}[3h]", eval_time_text(now_ms))
            res = canon(st, txt)
            if res[0] != "matrix":
                problems.append(f"{b.name}: {name}[3h] answered {res}")
                continue
            got = {k: list(v) for k, v in res[1].items()}
            for k, pts in expected.items():
                if dict(k)["__name__"] != name:
                    continue
                g = got.get(k)
                if g is not None and g != pts and [(t, float_bits(v)) for t, v in g] == \
                        [(t, float_bits(v)) for t, v in pts]:
                    bad = next(((x, y) for x, y in zip(pts, g) if x != y))
                    formatting.append(f"{b.name}: {fmt_labels(k)} value {bad[0][1]} is written "
                                      f"{bad[1][1]}")
                    continue
                if g != pts:
                    g = got.get(k)
                    problems.append(f"{b.name}: {k}: {len(pts)} samples expected, got "
                                    f"{None if g is None else len(g)}; first mismatch "
                                    f"{first_mismatch(pts, g or [])}")
            for k in got:
                if k not in expected:
                    problems.append(f"{b.name}: unexpected series {k}")
    return problems, formatting


def float_bits(v):
    x = parse_go_float(v)
    return "NaN" if math.isnan(x) else struct.pack("<d", x)


def first_mismatch(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"#{i}: expected {x}, got {y}"
    return f"length {len(a)} vs {len(b)}"


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


def eval_time_text(ms):
    return timestamp_text(ms).rstrip("0").rstrip(".")


def labelkey(metric):
    return tuple(sorted(metric.items()))


def canon(status, text):
    """('error', type, msg) | ('scalar'|'string', (ts, v)) | ('vector', {key: (ts, v)}, order)
    | ('matrix', {key: ((ts, v), ...)}, order) | ('bad', text)."""
    try:
        j = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        return ("bad", f"HTTP {status}: {text[:300]}")
    if j.get("status") != "success":
        return ("error", j.get("errorType", ""), j.get("error", ""))
    d = j["data"]
    rt, r = d["resultType"], d["result"]
    if rt in ("scalar", "string"):
        return (rt, tuple(r))
    if rt == "vector":
        m = {}
        for e in r:
            m[labelkey(e["metric"])] = tuple(e["value"])
        return ("vector", m, [labelkey(e["metric"]) for e in r])
    if rt == "matrix":
        m = {}
        for e in r:
            m[labelkey(e["metric"])] = tuple(tuple(p) for p in e["values"])
        return ("matrix", m, [labelkey(e["metric"]) for e in r])
    return ("bad", text[:300])


def loose(res):
    """`res` with every value as its float's bits and every timestamp as a number: equal when
    the two sides hold the same floats, however they are written."""
    def p(pt):
        return (float(pt[0]), float_bits(pt[1]))
    if res[0] in ("scalar",):
        return (res[0], p(res[1]))
    if res[0] == "vector":
        return (res[0], {k: p(v) for k, v in res[1].items()}, res[2])
    if res[0] == "matrix":
        return (res[0], {k: tuple(p(x) for x in v) for k, v in res[1].items()}, res[2])
    return res


def same(a, b, ordered=False, strict=False):
    """Same result: both errors, or the same type, series and values (as text when `strict`,
    else as float bits); `ordered` also compares the order of the values (sort, sort_desc)."""
    if a[0] == "error" and b[0] == "error":
        return True
    if a[0] != b[0]:
        return False
    if not strict:
        a, b = loose(a), loose(b)
    if a[0] in ("vector", "matrix"):
        if a[1] != b[1]:
            return False
        if ordered and a[0] == "vector":
            return [a[1][k][1] for k in a[2]] == [b[1][k][1] for k in b[2]]
        return True
    return a[1] == b[1]


def points(res):
    """{labelkey: {ts: value}} of a vector/matrix/scalar result."""
    if res[0] == "vector":
        return {k: {v[0]: v[1]} for k, v in res[1].items()}
    if res[0] == "matrix":
        return {k: dict(v) for k, v in res[1].items()}
    if res[0] == "scalar":  # scalar timestamps are written as JSON numbers (1.5, not 1.500)
        return {(): {api_ts(ts_ms(res[1][0])): res[1][1]}}
    return {}


def describe(a, b):
    if a[0] == "error" or b[0] == "error":
        return ("error", f"prometheus: {short(a)} | tocsin: {short(b)}")
    if a[0] != b[0]:
        return ("type", f"prometheus: {short(a)} | tocsin: {short(b)}")
    if a[0] in ("scalar", "string"):
        u = ulp_distance(a[1][1], b[1][1])
        kind = "values" if a[1][1] != b[1][1] else "timestamps"
        if u == 0 and a[1][1] != b[1][1]:
            kind = "signed zero"
        return (kind, f"prometheus {a[1]} | tocsin {b[1]}" + (f" ({u} ulp)" if u else ""))
    only_p = [k for k in a[1] if k not in b[1]]
    only_t = [k for k in b[1] if k not in a[1]]
    if only_p or only_t:
        return ("labels", f"only prometheus: {fmt_keys(only_p, a)} | only tocsin: "
                          f"{fmt_keys(only_t, b)} ({len(a[1])} vs {len(b[1])} series)")
    pa, pb = points(a), points(b)
    diffs = []
    maxu = 0
    for k in pa:
        if pa[k].keys() != pb[k].keys():
            return ("timestamps", f"{fmt_labels(k)}: prometheus ts {sorted(pa[k])[:5]} | tocsin "
                                  f"ts {sorted(pb[k])[:5]}")
        for ts in pa[k]:
            if float_bits(pa[k][ts]) != float_bits(pb[k][ts]):
                u = ulp_distance(pa[k][ts], pb[k][ts])
                maxu = max(maxu, u if u is not None else 1 << 62)
                diffs.append(f"{fmt_labels(k)}@{ts}: prometheus {pa[k][ts]} tocsin {pb[k][ts]}"
                             + (f" ({u} ulp)" if u is not None else ""))
    if not diffs:
        return ("order", "same series and values, different order")
    if maxu == 0:
        return ("signed zero", f"{len(diffs)} value(s) differ in the sign of zero; "
                               f"{'; '.join(diffs[:3])}")
    return ("values", f"{len(diffs)} value(s) differ, max {maxu if maxu < 1 << 62 else 'inf'} ulp;"
                      f" {'; '.join(diffs[:3])}")


def formatting_pairs(a, b):
    """[(where, prometheus text, tocsin text)] of the points written differently."""
    out = []
    if a[0] == "scalar":
        if a[1][0] != b[1][0]:
            out.append(("scalar timestamp", a[1][0], b[1][0]))
        if a[1][1] != b[1][1]:
            out.append(("scalar value", a[1][1], b[1][1]))
        return out
    for k in a[1]:
        pa = a[1][k] if a[0] == "matrix" else (a[1][k],)
        pb = b[1][k] if b[0] == "matrix" else (b[1][k],)
        for x, y in zip(pa, pb):
            if x[0] != y[0]:
                out.append(("timestamp", x[0], y[0]))
            if x[1] != y[1]:
                out.append(("value", x[1], y[1]))
    return out


def formatting_kind(a, b):
    kinds = set()
    for where, x, y in formatting_pairs(a, b):
        if "timestamp" in where:
            kinds.add(where)
        elif "e" in x or "e" in y:
            kinds.add(f"{where} in exponent form (|x| < 1e-6 or >= 1e21)")
        else:
            kinds.add(f"{where} digits (shortest round-trip)")
    return ", ".join(sorted(kinds))


def formatting_desc(a, b):
    pairs = formatting_pairs(a, b)
    return f"{len(pairs)} point(s) written differently, same floats: " + "; ".join(
        f"{w}: prometheus {x} tocsin {y}" for w, x, y in pairs[:3])


def short(r):
    if r[0] == "error":
        return f"error {r[1]}: {r[2][:160]}"
    if r[0] in ("vector", "matrix"):
        return f"{r[0]} of {len(r[1])}: " + ", ".join(
            f"{fmt_labels(k)}={v if r[0] == 'vector' else len(v)}"
            for k, v in list(r[1].items())[:2])
    return f"{r[0]} {r[1]}"


def fmt_labels(k):
    return "{" + ",".join(f'{n}="{v}"' for n, v in k) + "}"


def fmt_keys(keys, r):
    return ", ".join(f"{fmt_labels(k)}={r[1][k][1] if r[0] == 'vector' else '...'}"
                     for k in keys[:2]) + (f" (+{len(keys) - 2})" if len(keys) > 2 else "")


# ---------------------------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------------------------

MATH_FUNCS = ["abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "sin", "cos",
              "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
              "deg", "rad"]
# Functions whose results come from Go's math package (ulp differences against glibc).
GO_MATH = {"exp", "ln", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
           "cosh", "tanh", "asinh", "acosh", "atanh", "^", "atan2", "holt_winters"}
DATE_FUNCS = ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
              "month", "year"]
RANGE_FUNCS = ["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
               "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
               "count_over_time", "last_over_time", "stddev_over_time", "stdvar_over_time",
               "present_over_time", "absent_over_time"]
COUNTER_FUNCS = {"rate", "irate", "increase", "resets"}
AGGS = ["sum", "avg", "min", "max", "count", "stddev", "stdvar", "group"]
RANGES = ["1m", "2m", "3m", "5m", "10m", "15m", "30m", "1h"]
SUB_RANGES = ["5m", "10m", "15m", "30m"]
SUB_STEPS = ["15s", "30s", "1m", "2m", "45s", ""]
OFFSETS = ["30s", "1m", "5m", "10m", "-2m"]
ZERO_DURATION_P = 0.02  # how often an offset or subquery step is the invalid "0s"


def dur_ms(d):
    if d == "":
        return 60000
    sign = -1 if d.startswith("-") else 1
    total = 0
    for n, u in re.findall(r"(\d+)(ms|s|m|h)", d):
        total += int(n) * {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}[u]
    return sign * total


class Node:
    type = "vector"
    kind = ""  # feature name for the summary

    def children(self):
        return []  # (node, how): how in "instant", "range", "sub"

    def features(self):
        out = {self.kind} if self.kind else set()
        for c, _ in self.children():
            out |= c.features()
        return out


class Num(Node):
    type = "scalar"

    def __init__(self, text):
        self.text = text

    def render(self):
        return self.text


class Str(Node):
    type = "string"

    def __init__(self, text):
        self.text = text

    def render(self):
        return json.dumps(self.text)


class Selector(Node):
    def __init__(self, name, matchers, offset="", at=""):
        self.name, self.matchers, self.offset, self.at = name, matchers, offset, at
        self.kind = "offset" if offset else ""

    def render_base(self):
        if self.name.startswith("{"):
            inner = self.name[1:-1]
            ms = [inner] + [f'{l}{op}"{v}"' for l, op, v in self.matchers]
            return "{" + ", ".join(ms) + "}"
        if not self.matchers:
            return self.name
        return self.name + "{" + ", ".join(f'{l}{op}"{v}"' for l, op, v in self.matchers) + "}"

    def modifiers(self):
        s = ""
        if self.offset:
            s += f" offset {self.offset}"
        if self.at:
            s += f" @ {self.at}"
        return s

    def render(self):
        return self.render_base() + self.modifiers()

    def features(self):
        f = {"offset"} if self.offset else set()
        if self.at:
            f.add("@")
        if self.name.startswith("{"):
            f.add("multi-name")
        return f


class MatrixSel(Node):
    type = "matrix"

    def __init__(self, sel, rng):
        self.sel, self.range = sel, rng

    def render(self):
        return f"{self.sel.render_base()}[{self.range}]{self.sel.modifiers()}"

    def features(self):
        return self.sel.features()

    @property
    def range_ms(self):
        return dur_ms(self.range)

    @property
    def offset_ms(self):
        return dur_ms(self.sel.offset) if self.sel.offset else 0


class Subquery(Node):
    type = "matrix"
    kind = "subquery"

    def __init__(self, expr, rng, step, offset="", at=""):
        self.expr, self.range, self.step, self.offset, self.at = expr, rng, step, offset, at

    def suffix(self):
        s = f"[{self.range}:{self.step}]"
        if self.offset:
            s += f" offset {self.offset}"
        if self.at:
            s += f" @ {self.at}"
        return s

    def render(self):
        return f"({self.expr.render()}){self.suffix()}"

    def children(self):
        return [(self.expr, "sub")]

    def features(self):
        f = super().features()
        if self.offset:
            f.add("offset")
        if self.at:
            f.add("@")
        return f

    @property
    def range_ms(self):
        return dur_ms(self.range)

    @property
    def offset_ms(self):
        return dur_ms(self.offset) if self.offset else 0


SCALAR_FUNCS = {"scalar", "time", "pi"}


class Call(Node):
    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self.kind = fn
        self.type = "scalar" if fn in SCALAR_FUNCS else "vector"

    def render(self):
        return f"{self.fn}(" + ", ".join(a.render() for a in self.args) + ")"

    def children(self):
        return [(a, "range" if a.type == "matrix" else "instant") for a in self.args
                if not isinstance(a, (Num, Str))]


class Unary(Node):
    kind = "unary-"

    def __init__(self, expr):
        self.expr = expr
        self.type = expr.type

    def render(self):
        return f"-({self.expr.render()})"

    def children(self):
        return [(self.expr, "instant")]


class Binary(Node):
    def __init__(self, op, lhs, rhs, bool_=False, match=None, group=None):
        self.op, self.lhs, self.rhs, self.bool, self.match, self.group = \
            op, lhs, rhs, bool_, match, group
        self.type = "vector" if "vector" in (lhs.type, rhs.type) else "scalar"
        self.kind = op + (" bool" if bool_ else "")

    def render(self):
        mod = ""
        if self.bool:
            mod += " bool"
        if self.match:
            mod += f" {self.match[0]}({', '.join(self.match[1])})"
        if self.group:  # always with (): `group_left (x)` would take (x) as its label list
            mod += f" {self.group[0]}({', '.join(self.group[1])})"
        return f"({self.lhs.render()}) {self.op}{mod} ({self.rhs.render()})"

    def children(self):
        return [(c, "instant") for c in (self.lhs, self.rhs) if not isinstance(c, Num)]

    def features(self):
        f = super().features()
        if self.match:
            f.add(self.match[0])
        if self.group:
            f.add(self.group[0])
        return f


class Agg(Node):
    def __init__(self, op, expr, param=None, grouping=None):
        self.op, self.expr, self.param, self.grouping = op, expr, param, grouping
        self.kind = op

    def render(self):
        g = f" {self.grouping[0]} ({', '.join(self.grouping[1])})" if self.grouping else ""
        p = f"{self.param.render()}, " if self.param is not None else ""
        return f"{self.op}{g} ({p}{self.expr.render()})"

    def children(self):
        out = [(self.expr, "instant")]
        if self.param is not None and not isinstance(self.param, (Num, Str)):
            out.insert(0, (self.param, "instant"))
        return out

    def features(self):
        f = super().features()
        if self.grouping:
            f.add(self.grouping[0])
        return f


class Gen:
    """The seeded expression grammar."""

    def __init__(self, rng, eval_lo_ms, eval_hi_ms):
        self.r = rng
        self.lo, self.hi = eval_lo_ms, eval_hi_ms
        self.allow_at = True
        self.sub_depth = 0

    def pick(self, items, weights=None):
        return self.r.choices(items, weights=weights)[0] if weights else self.r.choice(items)

    def family(self, kinds=None):
        fams = [f for f, (k, _) in FAMILIES.items() if kinds is None or k in kinds]
        return self.pick(fams)

    def labels_of(self, fam):
        return ["job", "instance"] + FAMILIES[fam][1]

    def matchers(self, fam):
        out = []
        for _ in range(self.pick([0, 0, 1, 1, 2])):
            l = self.pick(self.labels_of(fam))
            vals = LABEL_VALUES[l]
            op = self.pick(["=", "!=", "=~", "!~"], [4, 2, 2, 1])
            if op in ("=~", "!~"):
                v = self.pick(["|".join(self.r.sample(vals, min(2, len(vals)))), vals[0][:2] + ".*",
                               ".*" + vals[-1][-1:], ".+"]).replace("+Inf", "[+]Inf")
            else:
                v = self.pick(vals)
            out.append((l, op, v))
        return out

    def selector(self, fam=None, kinds=None):
        fam = fam or self.family(kinds)
        offset = self.offset() if self.r.random() < 0.12 else ""
        at = self.at_time() if self.r.random() < 0.04 else ""
        if fam.startswith("{"):
            return Selector(fam, [], offset, at)
        return Selector(fam, self.matchers(fam), offset, at)

    def offset(self):
        return "0s" if self.r.random() < ZERO_DURATION_P else self.pick(OFFSETS)

    def at_time(self):
        if not self.allow_at:
            return ""
        if self.r.random() < 0.3:
            return self.pick(["start()", "end()"])
        return eval_time_text(self.r.randint(self.lo // 1000, self.hi // 1000) * 1000 + 500)

    def num(self, choices=None):
        return Num(self.pick(choices or ["0", "1", "2", "0.5", "3", "10", "100", "1e3", "0.25",
                                         "-1", "1.5", "0.001", "7", "0.1", "1e-9", "60", "-0.3",
                                         "NaN", "Inf", "-Inf", "2.5e6"]))

    def scalar(self, d, fam=None):
        c = self.pick(["num", "time", "pi", "scalar", "binop"], [8, 1, 0.3, 2 if d > 0 else 0,
                                                                  1 if d > 0 else 0])
        if c == "num":
            return self.num()
        if c in ("time", "pi"):
            return Call(c, [])
        if c == "scalar":
            return Call("scalar", [self.vector(d - 1, fam)])
        op = self.pick(["+", "-", "*", "/", "%", "^", "atan2", "==", ">", "<", "!="])
        return Binary(op, self.scalar(d - 1), self.scalar(d - 1),
                      bool_=op in ("==", ">", "<", "!="))  # scalar comparisons need bool

    def range_vec(self, d, fam=None, kinds=None):
        if d > 0 and self.r.random() < 0.2:
            nested = self.sub_depth > 0
            self.sub_depth += 1
            inner = self.vector(d - 1, fam)
            self.sub_depth -= 1
            # Subquery points sit on whole seconds (multiples of the step). Inside another
            # subquery, this subquery's window starts at (outer step - range - offset), also a
            # whole second, so its range gets half a second more: no point on a left edge.
            rng = self.pick(SUB_RANGES) + ("500ms" if nested else "")
            step = "0s" if self.r.random() < ZERO_DURATION_P else self.pick(SUB_STEPS)
            return Subquery(inner, rng, step, self.offset() if self.r.random() < 0.15 else "",
                            self.at_time() if self.r.random() < 0.04 and not nested else "")
        return MatrixSel(self.selector(fam, kinds), self.pick(RANGES))

    def vector(self, d, fam=None):
        if d <= 0:
            c = self.pick(["sel", "range"], [3, 2])
        else:
            c = self.pick(["sel", "math", "round", "clamp", "range", "range2", "hq", "label",
                           "ts", "absent", "date", "vecfn", "binvs", "binvv", "set", "agg",
                           "aggp", "count_values", "unary", "multi"],
                          [3, 4, 1, 1.5, 7, 2, 2.5, 1.5, 0.8, 0.8, 0.7, 0.5, 5, 5, 2, 6, 2, 0.8,
                           0.4, 0.6])
        if c == "sel":
            return self.selector(fam)
        if c == "range":
            fn = self.pick(RANGE_FUNCS)
            kinds = ("counter", "bucket") if fn in COUNTER_FUNCS and fam is None else None
            return Call(fn, [self.range_vec(d, fam, kinds)])
        if c == "range2":
            fn = self.pick(["quantile_over_time", "predict_linear", "holt_winters"])
            if fn == "quantile_over_time":
                return Call(fn, [self.num(["0", "0.1", "0.5", "0.9", "0.99", "1", "-0.5", "1.5"]),
                                 self.range_vec(d, fam)])
            if fn == "predict_linear":
                return Call(fn, [self.range_vec(d, fam, ("gauge",)),
                                 self.num(["60", "300", "3600", "-300", "0", "17.5"])])
            return Call(fn, [self.range_vec(d, fam, ("gauge",)),
                             self.num(["0.1", "0.3", "0.5", "0.8", "0.9"]),
                             self.num(["0.1", "0.3", "0.5", "0.8", "0.9"])])
        if c == "math":
            return Call(self.pick(MATH_FUNCS), [self.vector(d - 1, fam)])
        if c == "round":
            args = [self.vector(d - 1, fam)]
            if self.r.random() < 0.7:
                args.append(self.num(["0.1", "0.5", "1", "5", "0.01", "10", "0.3", "3"]))
            return Call("round", args)
        if c == "clamp":
            fn = self.pick(["clamp", "clamp_min", "clamp_max"])
            args = [self.vector(d - 1, fam)] + [self.num(["0", "1", "-1", "50", "0.5", "1e6",
                                                          "-10"])
                                                for _ in range(2 if fn == "clamp" else 1)]
            return Call(fn, args)
        if c == "hq":
            q = self.num(["0", "0.25", "0.5", "0.9", "0.99", "1", "-0.1", "1.5", "NaN"])
            rng = self.pick(["1m", "2m", "5m", "10m", "30m"])
            inner = self.pick(["raw", "rate", "sum", "sumby", "increase"])
            bsel = Selector("request_duration_seconds_bucket",
                            [m for m in self.matchers("request_duration_seconds_bucket")
                             if m[0] != "le"])
            if inner == "raw":
                v = bsel
            elif inner in ("rate", "increase"):
                v = Call(inner, [MatrixSel(bsel, rng)])
            else:
                g = ["le"] + (self.r.sample(["job", "instance"], self.r.randint(0, 2))
                              if inner == "sumby" else [])
                v = Agg("sum", Call("rate", [MatrixSel(bsel, rng)]), grouping=("by", g))
            return Call("histogram_quantile", [q, v])
        if c == "label":
            v = self.vector(d - 1, fam)
            if self.r.random() < 0.6:
                src = self.pick(["instance", "job", "code", "__name__", "le", "nope"])
                regex = self.pick(["(.*):(.*)", "(.+)", "([a-z]+)", "(.*)", "10.0.0.(.*):9100",
                                   "x(.*)"])
                repl = self.pick(["$1", "${1}-x", "$2", "", "static"])
                dst = self.pick(["host", "job", "code", "__name__", "instance"])
                if dst == "__name__" and repl in ("", "${1}-x"):
                    repl = "$1"
                return Call("label_replace", [v, Str(dst), Str(repl), Str(src), Str(regex)])
            srcs = self.r.sample(["job", "instance", "code", "mode", "__name__", "le"],
                                 self.r.randint(1, 3))
            return Call("label_join", [v, Str(self.pick(["joined", "job", "host"])),
                                       Str(self.pick(["-", ",", ""]))] + [Str(s) for s in srcs])
        if c == "ts":
            return Call("timestamp", [self.vector(d - 1, fam)])
        if c == "absent":
            if self.r.random() < 0.5:
                return Call("absent", [self.vector(d - 1, fam)])
            return Call("absent_over_time", [self.range_vec(d, fam)])
        if c == "date":
            fn = self.pick(DATE_FUNCS)
            if self.r.random() < 0.3:
                return Call(fn, [])
            return Call(fn, [self.pick([Call("timestamp", [self.selector(fam)]),
                                        self.vector(d - 1, fam)])])
        if c == "vecfn":
            return Call("vector", [self.scalar(d - 1)])
        if c == "binvs":
            op = self.pick(["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=",
                            "<="], [3, 3, 3, 3, 1.5, 1.5, 0.7, 1, 1, 2, 2, 1, 1])
            cmp = op in ("==", "!=", ">", "<", ">=", "<=")
            v, s = self.vector(d - 1, fam), self.scalar(d - 1, fam)
            lhs, rhs = (v, s) if self.r.random() < 0.7 else (s, v)
            return Binary(op, lhs, rhs, bool_=cmp and self.r.random() < 0.4)
        if c == "binvv":
            op = self.pick(["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=",
                            "<="], [3, 3, 3, 3, 1, 1, 0.5, 1, 1, 2, 2, 1, 1])
            cmp = op in ("==", "!=", ">", "<", ">=", "<=")
            f = fam or self.family()
            lhs = self.vector(d - 1, f)
            style = self.pick(["plain", "on", "ignoring", "group"], [4, 2, 2, 2])
            if style == "group":
                on = self.r.sample(["job", "instance"], self.r.randint(1, 2))
                rhs = Agg(self.pick(["sum", "max", "avg", "count"]), self.vector(d - 1, f),
                          grouping=("by", on))
                extra = self.r.sample(self.labels_of(f), self.r.randint(0, 1))
                extra = [e for e in extra if e not in on]
                if self.r.random() < 0.75:
                    return Binary(op, lhs, rhs, cmp and self.r.random() < 0.4, ("on", on),
                                  ("group_left", extra))
                return Binary(op, rhs, lhs, cmp and self.r.random() < 0.4, ("on", on),
                              ("group_right", extra))
            g = self.pick([f, self.family()], [4, 1])
            rhs = self.vector(d - 1, g)
            match = None
            if style in ("on", "ignoring"):
                labs = self.r.sample(self.labels_of(f) + ["__name__"],
                                     self.pick([0, 1, 1, 2, 2, 2]))
                match = (style, labs)
            return Binary(op, lhs, rhs, cmp and self.r.random() < 0.4, match)
        if c == "set":
            op = self.pick(["and", "or", "unless"])
            f = fam or self.family()
            match = None
            if self.r.random() < 0.5:
                match = (self.pick(["on", "ignoring"]),
                         self.r.sample(self.labels_of(f), self.r.randint(0, 2)))
            return Binary(op, self.vector(d - 1, f), self.vector(d - 1, self.pick([f, None])),
                          match=match)
        if c == "agg":
            op = self.pick(AGGS, [5, 4, 2, 2, 2, 2, 2, 1])
            v = self.vector(d - 1, fam)
            return Agg(op, v, grouping=self.grouping(fam))
        if c == "aggp":
            op = self.pick(["topk", "bottomk", "quantile"])
            p = self.num(["1", "2", "3", "5"] if op != "quantile" else
                         ["0", "0.1", "0.5", "0.9", "0.99", "1", "-1", "2"])
            return Agg(op, self.vector(d - 1, fam), p, self.grouping(fam))
        if c == "count_values":
            return Agg("count_values", self.vector(d - 1, fam), Str(self.pick(["value", "v"])),
                       self.grouping(fam))
        if c == "unary":
            return Unary(self.vector(d - 1, fam))
        if c == "multi":  # several metric names in one selector
            names = self.r.sample(list(FAMILIES), 2)
            sel = Selector('{__name__=~"' + "|".join(names) + '"}', [])
            if self.r.random() < 0.5:
                fn = self.pick(["rate", "abs", "delta"])
                return Agg(self.pick(["sum", "count", "max"]),
                           Call(fn, [sel] if fn == "abs" else [MatrixSel(sel, "5m")]),
                           grouping=("by", ["job"]))
            return Call(self.pick(["rate", "last_over_time"]), [MatrixSel(sel, "5m")])
        raise AssertionError(c)

    def grouping(self, fam):
        if self.r.random() < 0.3:
            return None
        labs = self.labels_of(fam) if fam and not fam.startswith("{") else \
            ["job", "instance", "code", "mode", "le", "sensor"]
        return (self.pick(["by", "without"], [3, 1]), self.r.sample(labs, self.r.randint(0, 2)))

    def top(self, for_range=False):
        self.allow_at = not for_range  # 2.42's @ in range queries has fixed bugs (#11708)
        d = self.pick([1, 2, 2, 3, 3, 4])
        c = self.pick(["vector", "scalar", "matrix", "sort"], [85, 5, 0 if for_range else 6, 4])
        if c == "scalar":
            return self.scalar(d)
        if c == "matrix":
            return self.range_vec(min(d, 2))
        if c == "sort":
            return Call(self.pick(["sort", "sort_desc"]), [self.vector(d - 1)])
        return self.vector(d)


# ---------------------------------------------------------------------------------------------
# Localisation and verification
# ---------------------------------------------------------------------------------------------


class Evaluator:
    """Evaluates a query on both sides, instant at t, or (mode = (start, end, step)) as a range
    query whose step t is returned as an instant vector."""

    def __init__(self, P, T, now):
        self.P, self.T, self.now = P, T, now
        self.cache = {}
        self.lock = threading.Lock()

    def both(self, q, t, mode=None):
        key = (q, t if mode is None else mode)
        with self.lock:
            hit = self.cache.get(key)
        if hit is None:
            if mode is None:
                hit = (canon(*self.P.query(q, t)), canon(*self.T.query(q, t)))
            else:
                hit = (canon(*self.P.query_range(q, *mode)), canon(*self.T.query_range(q, *mode)))
            with self.lock:
                self.cache[key] = hit
        if mode is None:
            return hit
        return tuple(step_slice(r, t) for r in hit)

    def raw(self, sel):
        """{labelkey: [(ms, float)]}: every stored sample of a selector (without @/offset)."""
        a, _ = self.both(f"{sel.render_base()}[4h]", self.now)
        if a[0] != "matrix":
            return None
        return {k: [(ts_ms(ts), parse_go_float(v)) for ts, v in pts] for k, pts in a[1].items()}


def step_slice(res, t):
    """One step of a range query result, as an instant vector (scalars: the series {})."""
    if res[0] != "matrix":
        return res
    m = {}
    for k, pts in res[1].items():
        for ts, v in pts:
            if ts == t:
                m[k] = (ts, v)
    return ("vector", m, [k for k in res[2] if k in m])


def in_context(node, ctx):
    """The query that evaluates `node` inside subquery `ctx` (or alone)."""
    if ctx is None:
        return node.render()
    inner = node.render() if node.type == "vector" else f"vector({node.render()})"
    return f"({inner}){ctx.suffix()}"


def localise(ev, node, t, ctx=None, mode=None, depth=0):
    """Descends from a differing node into its first differing operand while there is one.
    Returns (root node, ctx, mode, [(child, how, prometheus, tocsin)]); a range-vector operand
    inside a subquery cannot be queried and is left out of the operand list."""
    kids = []
    for child, how in node.children():
        if how == "sub":
            if ctx is not None or child.type != "vector":
                return node, ctx, mode, kids
            a, b = ev.both(in_context(child, node), t)
            kids.append((child, how, a, b))
            if not same(a, b) and depth < 12:
                return localise(ev, child, t, node, None, depth + 1)
            continue
        if how == "range":
            if ctx is not None:
                continue
            a, b = ev.both(child.render(), t)
            kids.append((child, how, a, b))
            if not same(a, b) and depth < 12:
                if isinstance(child, Subquery):
                    return localise(ev, child, t, None, None, depth + 1)
                return child, ctx, None, []  # raw samples differ
            continue
        a, b = ev.both(in_context(child, ctx), t, mode if ctx is None else None)
        kids.append((child, how, a, b))
        if not same(a, b) and depth < 12:
            return localise(ev, child, t, ctx, mode, depth + 1)
    return node, ctx, mode, kids


def drop_name(k):
    return tuple(x for x in k if x[0] != "__name__")


def ordered_items(res):
    """[(labelkey, {ts: value})] in response order."""
    pts = points(res)
    order = res[2] if res[0] in ("vector", "matrix") else list(pts)
    return [(k, pts[k]) for k in order]


def kahan_242(inc, s, c):
    t = s + inc
    if abs(s) >= abs(inc):
        c += (s - t) + inc
    else:
        c += (inc - t) + s
    return t, c


def kahan_30(inc, s, c):
    t = s + inc
    if math.isinf(t):
        c = 0.0
    elif abs(s) >= abs(inc):
        c += (s - t) + inc
    else:
        c += (inc - t) + s
    return t, c


def agg_242(op, vals):
    if op == "sum":
        v = vals[0]
        for x in vals[1:]:
            v += x
        return v
    if op == "avg":
        mean, n = vals[0], 1
        for x in vals[1:]:
            n += 1
            if math.isinf(mean):
                if math.isinf(x) and (mean > 0) == (x > 0):
                    continue
                if not math.isinf(x) and not math.isnan(x):
                    continue
            mean += x / n - mean / n
        return mean
    if op in ("stddev", "stdvar"):
        value, mean, n = 0.0, vals[0], 1
        for x in vals[1:]:
            n += 1
            delta = x - mean
            mean += delta / n
            value += delta * (x - mean)
        return math.sqrt(value / n) if op == "stddev" else value / n
    return None


def agg_30(op, vals):
    if op == "sum":
        v, c = vals[0], 0.0
        for x in vals[1:]:
            v, c = kahan_30(x, v, c)
        return v + c
    if op == "avg":
        v, c, mean, n, incr = vals[0], 0.0, vals[0], 1.0, False
        for x in vals[1:]:
            n += 1
            if not incr:
                nv, nc = kahan_30(x, v, c)
                if not math.isinf(nv):
                    v, c = nv, nc
                    continue
                incr = True
                mean = v / (n - 1)
                c /= n - 1
            if math.isinf(mean):
                if math.isinf(x) and (mean > 0) == (x > 0):
                    continue
                if not math.isinf(x) and not math.isnan(x):
                    continue
            cur = mean + c
            mean, c = kahan_30(x / n - cur / n, mean, c)
        return mean + c if incr else (v + c) / n
    if op in ("stddev", "stdvar"):
        value = math.nan if (math.isnan(vals[0]) or math.isinf(vals[0])) else 0.0
        mean, n = vals[0], 1
        for x in vals[1:]:
            n += 1
            delta = x - mean
            mean += delta / n
            value += delta * (x - mean)
        return math.sqrt(value / n) if op == "stddev" else value / n
    return None


def over_time(fn, vals, kahan, version):
    if fn == "sum_over_time":
        s, c = 0.0, 0.0
        for x in vals:
            s, c = kahan(x, s, c)
        return s if math.isinf(s) else s + c
    if fn == "avg_over_time":
        if version == "2.42":
            mean, n, c = 0.0, 0.0, 0.0
            for x in vals:
                n += 1
                if math.isinf(mean):
                    if math.isinf(x) and (mean > 0) == (x > 0):
                        continue
                    if not math.isinf(x) and not math.isnan(x):
                        continue
                mean, c = kahan(x / n - mean / n, mean, c)
            return mean if math.isinf(mean) else mean + c
        s, mean, n, c, incr = 0.0, 0.0, 0.0, 0.0, False
        for x in vals:
            n += 1
            if not incr:
                ns, nc = kahan(x, s, c)
                if n == 1 or not math.isinf(ns):
                    s, c = ns, nc
                    continue
                incr = True
                mean = s / (n - 1)
                c /= n - 1
            if math.isinf(mean):
                if math.isinf(x) and (mean > 0) == (x > 0):
                    continue
                if not math.isinf(x) and not math.isnan(x):
                    continue
            cm = mean + c
            mean, c = kahan(x / n - cm / n, mean, c)
        return mean + c if incr else (s + c) / n
    if fn in ("stddev_over_time", "stdvar_over_time"):
        n, mean, cm, aux, ca = 0.0, 0.0, 0.0, 0.0, 0.0
        for x in vals:
            n += 1
            delta = x - (mean + cm)
            mean, cm = kahan(delta / n, mean, cm)
            aux, ca = kahan(delta * (x - (mean + cm)), aux, ca)
        v = fdiv(aux + ca, n)
        return math.sqrt(v) if fn == "stddev_over_time" else v
    return None


def extrapolated(samples, range_start, range_end, range_s, is_counter, is_rate, version):
    """Prometheus's extrapolatedRate over [(ts_ms, v)], 2.42's or 3.0's."""
    if len(samples) < 2:
        return None
    first_t, last_t = samples[0][0], samples[-1][0]
    result = samples[-1][1] - samples[0][1]
    if is_counter:
        prev = samples[0][1]
        for _, v in samples[1:]:
            if v < prev:
                result += prev
            prev = v
    to_start = (first_t - range_start) / 1000
    to_end = (range_end - last_t) / 1000
    sampled = (last_t - first_t) / 1000
    avg = sampled / (len(samples) - 1)
    threshold = avg * 1.1
    ext = sampled
    if version == "2.42":
        if is_counter and result > 0 and samples[0][1] >= 0:
            to_zero = sampled * (samples[0][1] / result)
            if to_zero < to_start:
                to_start = to_zero
        ext += to_start if to_start < threshold else avg / 2
        ext += to_end if to_end < threshold else avg / 2
    else:
        if to_start >= threshold:
            to_start = avg / 2
        if is_counter and result > 0 and samples[0][1] >= 0:
            to_zero = sampled * (samples[0][1] / result)
            if to_zero < to_start:
                to_start = to_zero
        ext += to_start
        if to_end >= threshold:
            to_end = avg / 2
        ext += to_end
    factor = ext / sampled
    if is_rate:
        factor /= range_s
    return result * factor


def linear_regression(samples, intercept_ms):
    """Prometheus 3.0's linearRegression over [(ms, v)]."""
    n = sx = cx = sy = cy = sxy = cxy = sx2 = cx2 = 0.0
    init_y, const_y = samples[0][1], True
    for i, (ts, v) in enumerate(samples):
        if const_y and i > 0 and v != init_y:
            const_y = False
        n += 1.0
        x = (ts - intercept_ms) / 1e3
        sx, cx = kahan_30(x, sx, cx)
        sy, cy = kahan_30(v, sy, cy)
        sxy, cxy = kahan_30(x * v, sxy, cxy)
        sx2, cx2 = kahan_30(x * x, sx2, cx2)
    if const_y:
        return (math.nan, math.nan) if math.isinf(init_y) else (0.0, init_y)
    sx += cx
    sy += cy
    sxy += cxy
    sx2 += cx2
    cov = sxy - sx * sy / n
    var = sx2 - sx * sx / n
    slope = fdiv(cov, var)
    return slope, sy / n - slope * sx / n


def almost_equal(a, b, eps):
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    min_normal = 2.2250738585072014e-308
    abs_sum = abs(a) + abs(b)
    diff = abs(a - b)
    if a == 0 or b == 0 or abs_sum < min_normal:
        return diff < eps * min_normal
    return diff / min(abs_sum, sys.float_info.max) < eps


def bucket_quantile(q, buckets, version):
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets, key=lambda b: b[0])
    if not math.isinf(buckets[-1][0]):
        return math.nan
    co = []
    for ub, c in buckets:
        if co and co[-1][0] == ub:
            co[-1][1] += c
        else:
            co.append([ub, c])
    if version == "2.42":
        mx = co[0][1]
        for b in co[1:]:
            if b[1] > mx:
                mx = b[1]
            elif b[1] < mx:
                b[1] = mx
    else:
        prev = co[0][1]
        for b in co[1:]:
            cur = b[1]
            if cur == prev:
                continue
            if almost_equal(prev, cur, 1e-12):
                b[1] = prev
                continue
            if cur < prev:
                b[1] = prev
                continue
            prev = cur
    if len(co) < 2:
        return math.nan
    obs = co[-1][1]
    if obs == 0:
        return math.nan
    rank = q * obs
    b = next((i for i in range(len(co) - 1) if co[i][1] >= rank), len(co) - 1)
    if b == len(co) - 1:
        return co[-2][0]
    if b == 0 and co[0][0] <= 0:
        return co[0][0]
    start, end, count = 0.0, co[b][0], co[b][1]
    if b > 0:
        start = co[b - 1][0]
        count -= co[b - 1][1]
        rank -= co[b - 1][1]
    return start + (end - start) * fdiv(rank, count)


def group_key(k, grouping):
    d = dict(k)
    if grouping is None:
        return ()
    how, labs = grouping
    if how == "by":
        return tuple(sorted((n, v) for n, v in d.items() if n in labs))
    return tuple(sorted((n, v) for n, v in d.items() if n not in labs and n != "__name__"))


def scalar_value(node):
    if isinstance(node, Num):
        text = node.text.replace("Inf", "+Inf").replace("++", "+").replace("-+", "-")
        return parse_go_float(text)
    return None


def expect_all(node_res, expected, zero_sign=True):
    """True when `expected` ({key: {ts: float}}) gives node_res's points, bit for bit (but for
    the sign of zeros unless `zero_sign`)."""
    pts = points(node_res)
    if pts.keys() != expected.keys():
        return False
    for k, m in pts.items():
        if m.keys() != expected[k].keys():
            return False
        for ts, v in m.items():
            e = expected[k][ts]
            if not zero_sign and e == 0 and parse_go_float(v) == 0:
                continue
            if float_bits(v) != float_bits(go_f(e)):
                return False
    return True


def step_keys(prom, toc):
    return sorted({ts for r in (prom, toc) for m in points(r).values() for ts in m}, key=float)


def range_windows(ev, node, ctx, kids, prom, toc, t):
    """[(step key, step ms, {labelkey: [(ms, v)]})] of the range-vector argument of `node`
    at each of its evaluation steps, with the argument's range/offset; None if unknown."""
    rv = next((x for x in node.args if x.type == "matrix"), None)
    if rv is None:
        return None
    at = rv.sel.at if isinstance(rv, MatrixSel) else rv.at
    anchor = None if not at else ts_ms(t) if at in ("start()", "end()") else ts_ms(at)
    steps = [eval_ts(t)] if ctx is None else step_keys(prom, toc)
    out = []
    if isinstance(rv, MatrixSel):
        raw = ev.raw(rv.sel)
        if raw is None:
            return None
        for st in steps:
            hi = (anchor if anchor is not None else ts_ms(st)) - rv.offset_ms
            lo = hi - rv.range_ms
            out.append((st, ts_ms(st), {k: [p for p in smp if lo < p[0] <= hi]
                                         for k, smp in raw.items()}))
        return out, rv, anchor
    if isinstance(rv, Subquery) and ctx is not None and not ctx.at and not rv.at:
        # All the points the nested subquery produces for the outer steps, in one query:
        # they are evaluated at multiples of its step whatever the outer step is.
        w = ctx.range_ms + rv.range_ms
        off = ctx.offset_ms + rv.offset_ms
        q = f"({rv.expr.render()})[{w}ms:{rv.step}]" + (f" offset {off}ms" if off else "")
        res, res_t = ev.both(q, t)
        if res[0] != "matrix":
            return None
        if not same(res, res_t):  # the nested subquery's own points differ: look there
            return "descend", Subquery(rv.expr, f"{w}ms", rv.step, f"{off}ms" if off else "")
        allp = {k: [(ts_ms(ts), parse_go_float(v)) for ts, v in pts] for k, pts in res[1].items()}
        for st in steps:
            hi = ts_ms(st) - rv.offset_ms
            lo = hi - rv.range_ms
            out.append((st, ts_ms(st), {k: [p for p in smp if lo < p[0] <= hi]
                                         for k, smp in allp.items()}))
        return out, rv, anchor
    if isinstance(rv, Subquery) and ctx is None and kids:
        res = kids[0][2]
        if res[0] != "matrix":
            return None
        return [(steps[0], ts_ms(steps[0]),
                 {k: [(ts_ms(ts), parse_go_float(v)) for ts, v in pts]
                  for k, pts in res[1].items()})], rv, anchor
    return None


def per_step(res):
    """{ts: [(labelkey, float)]} in response order."""
    out = collections.OrderedDict()
    for k, m in ordered_items(res):
        for ts, v in m.items():
            out.setdefault(ts, []).append((k, parse_go_float(v)))
    return out


def agg_expectation(node, res, fn, order=None):
    """{group: {ts: value}} of aggregation `node` over operand result `res` with `fn`;
    `order(ts, gk, vals)` may permute each group's values."""
    exp = {}
    for ts, items in per_step(res).items():
        groups = collections.OrderedDict()
        for k, v in items:
            groups.setdefault(group_key(k, node.grouping), []).append(v)
        for gk, vals in groups.items():
            exp.setdefault(gk, {})[ts] = fn(node.op, vals)
    return exp


def reachable(node, res, target, fn):
    """True when every value of `target` is what `fn` gives for some order of its group's
    operand values (Prometheus's range evaluation hands series over in Go map order)."""
    pts = points(target)
    groups = {}
    for ts, items in per_step(res).items():
        for k, v in items:
            groups.setdefault((group_key(k, node.grouping), ts), []).append(v)
    if {(gk, ts) for gk, m in pts.items() for ts in m} != set(groups):
        return False
    rng = random.Random(0)
    for (gk, ts), vals in groups.items():
        want = float_bits(pts[gk][ts])
        if len(vals) <= 6:
            orders = itertools.permutations(vals)
        else:
            orders = (rng.sample(vals, len(vals)) for _ in range(3000))
        if not any(float_bits(go_f(fn(node.op, list(o)))) == want for o in orders):
            return False
    return True


def go_heap_select(items, k, op, version):
    """The series topk/bottomk keep (Prometheus's container/heap code, 2.42's or 3.0's)."""
    def less(a, b):
        va, vb = a[1], b[1]
        if math.isnan(va):
            return True
        return va < vb if op == "topk" else va > vb

    def up(h, j):
        while True:
            i = (j - 1) // 2 if j > 0 else 0
            if i == j or not less(h[j], h[i]):
                break
            h[i], h[j] = h[j], h[i]
            j = i

    def down(h, i0, n):
        i = i0
        while True:
            j1 = 2 * i + 1
            if j1 >= n:
                break
            j = j1
            if j1 + 1 < n and less(h[j1 + 1], h[j1]):
                j = j1 + 1
            if not less(h[j], h[i]):
                break
            h[i], h[j] = h[j], h[i]
            i = j
        return i > i0

    if k < 1 or not items:
        return set()
    h = [items[0]]
    better = (lambda a, b: a < b) if op == "topk" else (lambda a, b: a > b)
    for s in items[1:]:
        top = h[0][1]
        if version == "2.42":
            if len(h) < k or better(top, s[1]) or math.isnan(top):
                if len(h) == k:
                    if k == 1:
                        h[0] = s
                        continue
                    n = len(h) - 1
                    h[0], h[n] = h[n], h[0]
                    down(h, 0, n)
                    h.pop()
                h.append(s)
                up(h, len(h) - 1)
        else:
            if len(h) < k:
                h.append(s)
                up(h, len(h) - 1)
            elif better(top, s[1]) or (math.isnan(top) and not math.isnan(s[1])):
                h[0] = s
                if k > 1 and not down(h, 0, len(h)):
                    up(h, 0)
    return {x[0] for x in h}


def verify(ev, node, ctx, kids, prom, toc, t, mode=None):
    """Names what explains a differing innermost node (its operands agree), or None."""
    if any(not same(a, b) for _, _, a, b in kids):
        return None
    # A function over a subquery nested in another one: when the nested subquery's own points
    # differ, the difference is in there (classify() looks at it as a query of its own).
    if isinstance(node, Call) and ctx is not None and any(isinstance(a, Subquery)
                                                          for a in node.args):
        rw = range_windows(ev, node, ctx, kids, prom, toc, t)
        if rw is not None and rw[0] == "descend":
            return rw
    # Prometheus hands an aggregation its series in Go map order in range evaluation (range
    # queries, inside subqueries) and after histogram_quantile (it groups buckets in a map).
    deterministic = ctx is None and mode is None and not any(
        c.features() & {"subquery", "histogram_quantile"} for c, _, _, _ in kids)
    if isinstance(node, Agg) and node.op in ("sum", "avg", "stddev", "stdvar") and kids and \
            kids[-1][2][0] not in ("error", "bad"):
        ok = {"2.42": expect_all(prom, agg_expectation(node, kids[-1][2], agg_242)),
              "3.0": expect_all(toc, agg_expectation(node, kids[-1][2], agg_30)) or
              expect_all(toc, agg_expectation(node, kids[-1][3], agg_30))}
        if ok["2.42"] and ok["3.0"]:
            return {"sum": "kahan-sum", "avg": "avg-kahan-mean"}.get(node.op, "stddev-nan-first")
        if node.op in ("stddev", "stdvar") and ok["2.42"] and expect_all(
                toc, agg_expectation(node, kids[-1][2], agg_30), zero_sign=False):
            return "stddev-signed-zero"  # what is left once 3.0's NaN rule is applied
        if not deterministic and reachable(node, kids[-1][2], prom, agg_242) and \
                reachable(node, kids[-1][2], toc, agg_30):
            return "reference-order"
    if isinstance(node, Agg) and node.op in ("topk", "bottomk") and kids and \
            kids[-1][2][0] == "vector" and prom[0] == toc[0] == "vector":
        k = scalar_value(node.param)
        sel = {"2.42": None, "3.0": None}
        if deterministic and k is not None and not math.isnan(k):
            sel = {}
            for version in ("2.42", "3.0"):
                chosen = set()
                groups = collections.OrderedDict()
                for key, (ts, v) in kids[-1][2][1].items():
                    groups.setdefault(group_key(key, node.grouping), []).append(
                        (key, parse_go_float(v)))
                for items in groups.values():
                    chosen |= go_heap_select(items, int(k), node.op, version)
                sel[version] = chosen
            if set(prom[1]) == sel["2.42"] and set(toc[1]) == sel["3.0"]:
                return "topk-nan-ties"

        def vals(r):
            c = collections.Counter()
            for key, (ts, v) in r[1].items():
                c[(group_key(key, node.grouping), float_bits(v))] += 1
            return c
        if vals(prom) == vals(toc):  # ties: the same values per group, other series
            if not deterministic:
                return "reference-order"
            if sel["2.42"] is not None and set(prom[1]) == sel["2.42"] == sel["3.0"]:
                return "topk-tie-order"
    if isinstance(node, Call) and node.fn in ("sum_over_time", "avg_over_time",
                                              "stddev_over_time", "stdvar_over_time",
                                              "rate", "increase", "delta"):
        rw = range_windows(ev, node, ctx, kids, prom, toc, t)
        if rw is not None and rw[0] == "descend":
            return rw
        if rw is not None:
            windows, rv, anchor = rw
            ok = {}
            for version, kahan, target in (("2.42", kahan_242, prom), ("3.0", kahan_30, toc)):
                exp = {}
                for st, st_ms, w in windows:
                    for k, smp in w.items():
                        if node.fn in ("rate", "increase", "delta"):
                            hi = (anchor if anchor is not None else st_ms) - rv.offset_ms
                            r = extrapolated(smp, hi - rv.range_ms, hi, rv.range_ms / 1000,
                                             node.fn != "delta", node.fn == "rate", version)
                        else:
                            r = over_time(node.fn, [v for _, v in smp], kahan, version) \
                                if smp else None
                        if r is not None:
                            exp.setdefault(drop_name(k), {})[st] = r
                ok[version] = expect_all(target, exp)
            if ok["2.42"] and ok["3.0"]:
                return {"avg_over_time": "avg-over-time-kahan", "rate": "rate-zero-point",
                        "increase": "rate-zero-point", "delta": "rate-zero-point"}.get(
                            node.fn, "kahan-inf")
    if isinstance(node, Call) and node.fn == "predict_linear" and \
            isinstance(node.args[0], MatrixSel) and node.args[0].sel.at and \
            (ctx is not None or mode is not None) and scalar_value(node.args[1]) is not None:
        rw = range_windows(ev, node, ctx, kids, prom, toc, t)
        if rw is not None and rw[0] != "descend":
            dur = scalar_value(node.args[1])
            exp = {}
            for st, st_ms, w in rw[0]:
                for k, smp in w.items():
                    if len(smp) >= 2:
                        slope, intercept = linear_regression(smp, st_ms)
                        exp.setdefault(drop_name(k), {})[st] = slope * dur + intercept
            if expect_all(toc, exp) and not expect_all(prom, exp):
                return "predict-linear-at-range"
    if isinstance(node, Call) and node.fn == "histogram_quantile" and kids:
        q = scalar_value(node.args[0])
        if q is not None:
            ok = {}
            for version, res, target in (("2.42", kids[-1][2], prom), ("3.0", kids[-1][3], toc)):
                exp = {}
                for ts, items in per_step(res).items():
                    groups = {}
                    for k, v in items:
                        d = dict(k)
                        try:
                            ub = parse_go_float(d.get("le", "x"))
                        except ValueError:
                            continue
                        gk = tuple(x for x in k if x[0] not in ("le", "__name__"))
                        groups.setdefault(gk, []).append((ub, v))
                    for gk, bs in groups.items():
                        exp.setdefault(gk, {})[ts] = bucket_quantile(q, bs, version)
                ok[version] = expect_all(target, exp)
            if ok["2.42"] and ok["3.0"]:
                return "bucket-quantile-small-deltas"
    if isinstance(node, Binary) and node.op == "atan2" and prom[0] == toc[0] and \
            prom[0] in ("vector", "matrix") and any(x[0] == "__name__" for k in prom[1] for x in k):
        p = {drop_name(k): m for k, m in points(prom).items()}
        q = points(toc)
        if p.keys() == q.keys() and all(p[k].keys() == q[k].keys() for k in p):
            us = [ulp_distance(p[k][ts], q[k][ts]) for k in p for ts in p[k]
                  if float_bits(p[k][ts]) != float_bits(q[k][ts])]
            if not us:
                return "atan2-keeps-name"
            if all(u is not None and u <= 64 for u in us):
                return "math-ulp"  # and the name; the ulps are what is left once 3.0 is matched
    # tocsin keeps __name__ until the end of the query (3.0's promql-delayed-name-removal).
    label_diff = describe(prom, toc)[0] in ("labels", "error")
    if isinstance(node, Call) and node.fn in ("label_replace", "label_join") and label_diff:
        srcs = [a.text for a in node.args[3:]] if node.fn == "label_join" else [node.args[3].text]
        if "__name__" in srcs:
            return "delayed-name-removal"
    if isinstance(node, Binary) and node.match and "__name__" in node.match[1] and label_diff:
        return "delayed-name-removal"
    if prom[0] == "error" and "same labelset" in prom[2] and toc[0] != "error":
        return "delayed-name-removal"
    if prom[0] == "error" and toc[0] != "error" and "multi-name" in node.features() and \
            ("multiple matches" in prom[2] or "duplicate series" in prom[2]):
        return "delayed-name-removal"  # series of two names that only the name told apart
    if prom[0] == toc[0] and prom[0] in ("vector", "matrix") and label_diff:
        def name_values(r):
            return {v for k in r[1] for n, v in k if n != "__name__" and
                    any(f in v for f in FAMILIES)}
        if name_values(toc) - name_values(prom):
            return "delayed-name-removal"  # a metric name in a label value (label_join/replace)
    if ctx is not None and prom[0] == toc[0] == "matrix":
        named = {k for k in prom[1] if any(x[0] == "__name__" for x in k)}
        if any(drop_name(k) in prom[1] and k not in toc[1] for k in named):
            return "subquery-name-merge"
    if prom[0] == "error" and "duration must be greater than 0" in prom[2] and toc[0] != "error":
        return "zero-duration"
    if isinstance(node, Agg) and node.op == "count_values" and prom[0] == toc[0] == "vector":
        lab = node.param.text

        def by_float(r):
            return {tuple((n, float_bits(v) if n == lab else v) for n, v in k): x[1]
                    for k, x in r[1].items()}
        if prom[1].keys() != toc[1].keys() and by_float(prom) == by_float(toc):
            return "count-values-digits"
    if isinstance(node, Call) and node.fn == "timestamp" and isinstance(node.args[0], Selector) \
            and node.args[0].at and node.args[0].offset:
        return "timestamp-at-offset"
    pa, pb = points(prom), points(toc)
    same_shape = prom[0] == toc[0] and pa.keys() == pb.keys() and \
        all(pa[k].keys() == pb[k].keys() for k in pa)
    diffs = [(pa[k][ts], pb[k][ts]) for k in pa for ts in pa[k]
             if same_shape and float_bits(pa[k][ts]) != float_bits(pb[k][ts])]
    if isinstance(node, Agg) and node.op in ("stddev", "stdvar") and diffs and \
            all(x == "0" and y == "-0" for x, y in diffs):
        return "stddev-signed-zero"
    if isinstance(node, Call) and node.fn in DATE_FUNCS and same_shape and diffs and \
            all(y == "NaN" for _, y in diffs):
        return "date-of-nan-inf"
    if isinstance(node, (Call, Agg)) and (getattr(node, "fn", "") == "quantile_over_time" or
                                          getattr(node, "op", "") == "quantile") and diffs and \
            all(parse_go_float(x) == 0 and parse_go_float(y) == 0 for x, y in diffs):
        return "quantile-signed-zero"
    # Go's math package against glibc: same series, values a few ulps apart (Go's Pow more).
    fn = node.fn if isinstance(node, Call) else node.op if isinstance(node, Binary) else ""
    if fn in GO_MATH and same_shape and diffs:
        def close(x, y):
            u = ulp_distance(x, y)
            if u is None or u == 0:
                return False
            fx, fy = parse_go_float(x), parse_go_float(y)
            return u <= 64 or (fn == "^" and abs(fx - fy) <= 1e-12 * max(abs(fx), abs(fy)))
        if all(close(x, y) for x, y in diffs):
            return "math-ulp" if libm_agrees(node, kids, toc) else "math-ulp-not-libm"
    return None


LIBM = {"exp": math.exp, "ln": math.log, "log2": math.log2, "log10": math.log10,
        "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
        "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
        "asinh": math.asinh, "acosh": math.acosh, "atanh": math.atanh}


def libm_agrees(node, kids, toc):
    """True unless a unary math function's value differs from glibc's (Python's math module)
    on the operand's value: then the ulps are not (only) libm's."""
    if not (isinstance(node, Call) and node.fn in LIBM and kids and kids[0][1] == "instant"):
        return True
    arg = {drop_name(k): m for k, m in points(kids[0][3]).items()}
    for k, m in points(toc).items():
        for ts, v in m.items():
            x = arg.get(k, {}).get(ts)
            if x is None:
                return True
            try:
                want = LIBM[node.fn](parse_go_float(x))
            except (ValueError, OverflowError):
                continue
            if float_bits(go_f(want)) != float_bits(v):
                return False
    return True


# Differences that are tocsin's, named so that the report groups them (they still fail the run).
TOCSIN_FINDINGS = {
    "count-values-digits": "count_values() writes the value label with all the digits of the "
                           "double (11545674521997289193472) where Go's FormatFloat(v, 'f', -1) "
                           "writes the shortest round-trip digits padded with zeros "
                           "(11545674521997290000000); the JSON writer has the same bug",
    "zero-duration": "tocsin accepts zero durations (`x offset 0s`, `x[5m:0s]`); Prometheus "
                     "(2.42 and 3.0, parseDuration) rejects them: 'duration must be greater than "
                     "0'",
    "subquery-name-merge": "inside a subquery, a series that keeps __name__ (a selector) and a "
                           "name-dropped series with the same other labels (e.g. from the two "
                           "sides of `or`, at different steps) come out merged into one series "
                           "without __name__; Prometheus (2.42, and 3.0 with or without delayed "
                           "name removal) keeps them apart",
    "topk-tie-order": "topk()/bottomk() among equal values keep other series than Prometheus "
                      "(2.42 and 3.0 agree here): tocsin's std::push_heap heap is not Go's "
                      "container/heap, so ties are broken differently",
    "stddev-signed-zero": "stddev()/stdvar() of a group whose first value is negative give -0 "
                          "where Prometheus gives 0 (eval_aggregate.cc seeds the variance with "
                          "v * (v - v), which is -0 for v < 0; Prometheus starts at 0, or NaN "
                          "when v is NaN/Inf)",
    "date-of-nan-inf": "hour()/minute()/month()/year()/day_of_*()/days_in_month() of NaN or "
                       "+-Inf: Prometheus converts with int64(v) (math.MinInt64 on amd64: year "
                       "292277026596, month 12, hour 15...), tocsin returns NaN",
    "quantile-signed-zero": "quantile()/quantile_over_time() over values holding both 0 and -0: "
                            "which zero sorts first differs from Go's sort (unstable for ties)",
    "delayed-name-removal": "tocsin keeps __name__ until the end of the query: label_replace/"
                            "label_join/on(__name__) see it and equal label sets after a "
                            "name-dropping function are not an error; that is Prometheus 3.0's "
                            "experimental --enable-feature=promql-delayed-name-removal, off by "
                            "default in 3.0 (and absent in 2.42)",
    "timestamp-at-offset": "timestamp(x offset O @ T): Prometheus (2.42, 3.0 and main) ignores O "
                           "when @ is given (engine.go sets vs.Offset = ts - @); tocsin applies it",
}


def eval_ts(t):
    """The timestamp the APIs print for evaluation time `t` (a query parameter)."""
    return api_ts(ts_ms(t))


def api_ts(ms):
    """Prometheus's jsonutil.MarshalTimestamp: seconds, then three ms digits unless zero."""
    return str(ms // 1000) + (f".{ms % 1000:03d}" if ms % 1000 else "")


def ts_ms(ts):
    return int(round(float(ts) * 1000))


def root_signature(node, ctx, kind):
    if isinstance(node, Call):
        s = f"{node.fn}()"
        if node.args and node.args[0].type == "matrix" and isinstance(node.args[0], Subquery):
            s += " over subquery"
    elif isinstance(node, Agg):
        s = f"{node.op} {node.grouping[0] if node.grouping else ''}".strip()
    elif isinstance(node, Binary):
        s = f"{node.lhs.type} {node.op}{' bool' if node.bool else ''} {node.rhs.type}"
        if node.match:
            s += f" {node.match[0]}()"
        if node.group:
            s += f" {node.group[0]}"
    elif isinstance(node, Subquery):
        s = "subquery"
    elif isinstance(node, (Selector, MatrixSel)):
        s = "selector" + (" offset" if node.features() & {"offset"} else "")
    else:
        s = type(node).__name__
    if ctx is not None:
        s += " (inside a subquery)"
    return f"{s}: {kind}"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def load_known(path):
    known = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            k, _, reason = line.partition(":")
            known[k.strip()] = reason.strip()
    return known


class Stats:
    def __init__(self):
        self.by_feature = collections.defaultdict(lambda: collections.Counter())
        self.totals = collections.Counter()
        self.examples = collections.defaultdict(list)  # category -> [(expr, t, desc)]
        self.error_types = []


def prometheus_varies(ev, q, t, mode, toc, tries=8):
    """True when Prometheus answers `q` differently when asked again, with the same series,
    and tocsin's values lie within the spread of Prometheus's answers (widened by the spread)."""
    answers = []
    for _ in range(tries):
        if mode is None:
            r = canon(*ev.P.query(q, t))
        else:
            r = step_slice(canon(*ev.P.query_range(q, *mode)), t)
        if r[0] not in ("vector", "matrix", "scalar"):
            return False
        answers.append(r)
    distinct = {repr(loose(r)) for r in answers}
    if len(distinct) < 2:
        return False
    if repr(loose(toc)) in distinct:
        return True
    pts = [points(r) for r in answers]
    tp = points(toc)
    if any(p.keys() != tp.keys() for p in pts):
        return False
    for k, m in tp.items():
        for ts, v in m.items():
            vals = [parse_go_float(p[k][ts]) for p in pts if ts in p[k]]
            if not vals:
                return False
            x = parse_go_float(v)
            if any(math.isnan(y) for y in vals + [x]):
                if not all(math.isnan(y) for y in vals + [x]):
                    return False
                continue
            lo, hi = min(vals), max(vals)
            spread = hi - lo
            if not lo - spread <= x <= hi + spread:
                return False
    return True


def classify(ev, known, expr, t, a, b, mode, depth=0):
    """(category, description) of a difference between a and b (the results of expr at t)."""
    kind, desc = describe(a, b)
    root, ctx, rmode, kids = localise(ev, expr, t, None, mode)
    if root is expr:
        ra, rb = a, b
    else:
        ra, rb = ev.both(in_context(root, ctx), t, rmode if ctx is None else None)
    rkind, rdesc = describe(ra, rb)
    v = verify(ev, root, ctx, kids, ra, rb, t, rmode)
    if isinstance(v, tuple) and depth < 3:  # a nested subquery's points differ: classify them
        sub = v[1]
        sa, sb = ev.both(sub.render(), t)
        cat, sdesc = classify(ev, known, sub, t, sa, sb, None, depth + 1)
        return cat, desc + f"\n      in the nested subquery, as {sub.render()}:\n      {sdesc}"
    if isinstance(v, tuple):
        v = None
    if v == "math-ulp":
        cat = "math-ulp"
    elif v == "math-ulp-not-libm":
        cat = "math-ulp: tocsin's value is not glibc's either"
    elif v and v in known:
        cat = "known: " + v
    elif v == "reference-order":
        cat = ("nondeterministic: Prometheus hands series to an aggregation in Go map order in "
               "range evaluation (range queries, subqueries); verified reachable by some order")
    elif v in TOCSIN_FINDINGS:
        cat = "unexplained: " + v
    elif prometheus_varies(ev, in_context(root, ctx), t, rmode if ctx is None else None, rb) or \
            prometheus_varies(ev, expr.render(), t, mode, b):
        cat = ("nondeterministic: Prometheus's own answer changes from one evaluation to the "
               "next (Go map order of series) and tocsin's lies within its spread")
    else:
        cat = "unexplained: " + root_signature(root, ctx, rkind)
    if root is not expr:
        desc += f"\n      innermost differing: {in_context(root, ctx)}\n        {rdesc}"
    return cat, desc


def run_case(ev, stats, known, expr, t, args, lock, range_spec=None):
    q = expr.render()
    ordered = isinstance(expr, Call) and expr.fn in ("sort", "sort_desc")
    if range_spec is None:
        a, b = ev.both(q, t)
    else:
        a = canon(*ev.P.query_range(q, *range_spec))
        b = canon(*ev.T.query_range(q, *range_spec))
    feats = expr.features() or {"selector"}
    if range_spec is not None:
        feats = feats | {"(range query)"}
    desc = ""
    if same(a, b, ordered, strict=True):
        cat = "equal"
        if a[0] == "error":
            with lock:
                stats.totals["both-error"] += 1
        if a[0] == "error" and b[0] == "error" and a[1] != b[1]:
            with lock:
                stats.error_types.append((q, a[1], a[2], b[1], b[2]))
    elif same(a, b, ordered):
        cat = "unexplained: JSON value formatting: " + formatting_kind(a, b)
        desc = formatting_desc(a, b)
    elif range_spec is None:
        cat, desc = classify(ev, known, expr, t, a, b, None)
    elif a[0] == b[0] == "matrix":
        # Localise at the first step that differs, evaluating every operand as the same range
        # query (range and instant evaluation may add up series in different orders).
        pa, pb = points(a), points(b)
        steps = sorted({ts for m in list(pa.values()) + list(pb.values()) for ts in m}, key=float)

        def differs(ts):
            for k in set(pa) | set(pb):
                x, y = pa.get(k, {}).get(ts), pb.get(k, {}).get(ts)
                if (x is None) != (y is None) or (x is not None and float_bits(x) != float_bits(y)):
                    return True
            return False
        t = next(ts for ts in steps if differs(ts))
        sa, sb = step_slice(a, t), step_slice(b, t)
        cat, desc = classify(ev, known, expr, t, sa, sb, range_spec)
        desc = f"(step {t} of the range query) " + desc
    else:
        t = eval_ts(range_spec[0])
        cat, desc = classify(ev, known, expr, t, step_slice(a, t), step_slice(b, t), range_spec)
        desc = f"(range query) " + desc
    with lock:
        if cat != "equal" and len(stats.examples[cat]) < args.examples:
            stats.examples[cat].append((q if range_spec is None else
                                        f"{q}  [range start={range_spec[0]} end={range_spec[1]} "
                                        f"step={range_spec[2]}]", t, desc))
        short_cat = cat.split(":")[0]
        stats.totals[short_cat] += 1
        stats.totals["compared"] += 1
        if cat != "equal":
            stats.totals["cat:" + cat] += 1
        for f in feats:
            stats.by_feature[f]["compared"] += 1
            stats.by_feature[f][short_cat] += 1
    return cat


def run_case_safe(ev, stats, known, expr, t, args, lock, range_spec=None):
    """run_case; a failure of the harness itself is reported as an unexplained difference."""
    try:
        return run_case(ev, stats, known, expr, t, args, lock, range_spec)
    except Exception:  # noqa: BLE001 -- report and go on
        import traceback
        cat = "unexplained: harness error (a bug in this script)"
        with lock:
            stats.totals["unexplained"] += 1
            stats.totals["compared"] += 1
            stats.totals["cat:" + cat] += 1
            if len(stats.examples[cat]) < args.examples:
                stats.examples[cat].append((expr.render(), t, traceback.format_exc()[-1500:]))
        return cat


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000, help="instant-query expressions")
    ap.add_argument("--range-count", type=int, default=None,
                    help="range-query expressions (default count/20)")
    ap.add_argument("--examples", type=int, default=5, help="examples printed per category")
    ap.add_argument("--tocsin", default=os.environ.get("TOCSIN_BINARY", ""))
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "/usr/bin/prometheus")
    ap.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    ap.add_argument("--known", default=os.path.join(HERE, "known_differences.txt"))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (data, logs)")
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--end", type=int, default=0,
                    help="unix time (s) of the data's end, to reproduce a run (within the last "
                         "few hours); default: 2 minutes ago")
    ap.add_argument("--print-expressions", action="store_true")
    ap.add_argument("--hold", type=float, default=0,
                    help="after loading, keep both systems up this many seconds (for queries by "
                         "hand), then run")
    args = ap.parse_args()
    if args.range_count is None:
        args.range_count = max(1, args.count // 20)

    for b in (args.prometheus, args.promtool):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            print(f"SKIP: {b} not found (install the Debian 'prometheus' package: "
                  "scripts/install-deps.sh --test)")
            return SKIP
    if not args.tocsin or not os.access(args.tocsin, os.X_OK):
        print("error: set TOCSIN_BINARY or --tocsin to the tocsin binary", file=sys.stderr)
        return 2
    known = load_known(args.known)

    tmp = tempfile.mkdtemp(prefix="promql-diff-")
    procs, servers = [], []

    def cleanup(*_):
        for p in procs:
            p.stop()
        for srv in servers:
            srv.stop()
        procs.clear()
        servers.clear()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    def on_signal(sig, _frame):
        cleanup()
        sys.exit(128 + sig)

    signal.signal(signal.SIGTERM, on_signal)
    try:
        t0 = time.monotonic()
        end_ms = (args.end or int(time.time()) - 120) * 1000
        series, start_ms = generate_data(args.seed, end_ms)
        body = openmetrics_text(series)
        nsamples = sum(len(s.samples) for s in series)
        print(f"seed {args.seed}: {len(series)} series, {nsamples} samples from "
              f"{time.strftime('%H:%M:%S', time.gmtime(start_ms / 1000))} to "
              f"{time.strftime('%H:%M:%S', time.gmtime(end_ms / 1000))} UTC; temp dir {tmp}\n"
              f"reproduce with: --seed {args.seed} --count {args.count} --end {end_ms // 1000}")
        P, T = setup(args, tmp, body, series, procs, servers)
        problems, formatting = check_loaded(P, T, series)
        for f in formatting[:5]:
            print("  value formatting differs (same float): " + f)
        if problems:
            print("FAIL: the two systems do not hold the generated samples:")
            for p in problems[:20]:
                print("  " + p)
            return 1
        print(f"both systems hold the generated samples ({time.monotonic() - t0:.1f}s)")
        if args.hold > 0:
            print(f"holding {args.hold:.0f}s: prometheus {P.base}  tocsin {T.base}", flush=True)
            time.sleep(args.hold)

        rng = random.Random(args.seed * 7919 + 13)
        lo = start_ms + 15 * 60000
        hi = end_ms + 4 * 60000
        gen = Gen(rng, lo, hi)
        cases = []
        for _ in range(args.count):
            e = gen.top()
            t = eval_time_text(rng.randint(lo // 1000, hi // 1000) * 1000 + 500)
            cases.append((e, t, None))
        for _ in range(args.range_count):
            e = gen.top(for_range=True)
            step = rng.choice([15, 30, 45, 60])
            n = rng.randint(5, 40)
            s0 = rng.randint(lo // 1000, hi // 1000 - n * step)
            cases.append((e, eval_time_text(s0 * 1000 + 500),
                          (eval_time_text(s0 * 1000 + 500),
                           eval_time_text((s0 + n * step) * 1000 + 500), str(step))))
        if args.print_expressions:
            for e, t, r in cases:
                print(f"{t} {r or ''} {e.render()}")

        ev = Evaluator(P, T, eval_time_text(int(time.time()) * 1000 + 500))
        stats = Stats()
        lock = threading.Lock()
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futs = [pool.submit(run_case_safe, ev, stats, known, e, t, args, lock, r)
                    for e, t, r in cases]
            for f in futs:
                f.result()
        report(stats, known, time.monotonic() - t0)
        unexplained = stats.totals["unexplained"] + stats.totals["math-ulp"]
        return 1 if unexplained else 0
    except RuntimeError as e:
        print(f"FAIL: {e}")
        for p in procs:
            print(f"--- {p.name} log:\n{p.log_tail()}")
        return 1
    finally:
        cleanup()


def report(stats, known, elapsed):
    tot = stats.totals
    print(f"\n{tot['compared']} expressions compared in {elapsed:.1f}s: {tot['equal']} equal, "
          f"{tot['compared'] - tot['equal']} differ: {tot['known']} known 2.42/3.0 differences, "
          f"{tot['math-ulp']} float-math ulp (Go math vs glibc), {tot['nondeterministic']} "
          f"order-dependent in Prometheus itself, {tot['unexplained']} unexplained "
          f"({tot['both-error']} of the equal ones are errors on both sides)")
    print("\nby feature (compared / equal / known / math-ulp / nondeterministic / unexplained):")
    for f, c in sorted(stats.by_feature.items(), key=lambda x: (-x[1]["unexplained"], x[0])):
        print(f"  {f:24} {c['compared']:6} {c['equal']:6} {c['known']:6} {c['math-ulp']:6} "
              f"{c['nondeterministic']:6} {c['unexplained']:6}")
    cats = sorted((k[4:], v) for k, v in tot.items() if k.startswith("cat:"))
    if cats:
        print("\ndifferences by category:")
        for c, n in sorted(cats, key=lambda x: -x[1]):
            reason = known.get(c[7:], "") if c.startswith("known: ") else ""
            print(f"  {n:5}  {c}" + (f"\n         ({reason})" if reason else ""))
    for c, exs in sorted(stats.examples.items()):
        print(f"\n== {c}")
        for q, t, desc in exs:
            print(f"  at {t}: {q}\n      {desc}")
    if stats.error_types:
        print(f"\n{len(stats.error_types)} expressions fail on both sides with different error "
              "types (not counted as differences):")
        for q, pt, pm, tt, tm in stats.error_types[:5]:
            print(f"  {q}\n      prometheus {pt}: {pm[:150]}\n      tocsin {tt}: {tm[:150]}")


if __name__ == "__main__":
    sys.exit(main())
