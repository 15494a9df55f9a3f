"""The two servers: Prometheus (blocks backfilled with promtool) and tocsin (scraping the test's
own HTTP server), their HTTP APIs, and the check that both hold the same samples."""

import http.server
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from .formats import api_ts, float_bits, go_f
from .results import canon, eval_time_text, fmt_labels


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


def first_mismatch(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"#{i}: expected {x}, got {y}"
    return f"length {len(a)} vs {len(b)}"
