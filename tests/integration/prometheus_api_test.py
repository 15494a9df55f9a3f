"""The Prometheus HTTP read API of the real tocsin daemon, against the real clients and the real
Prometheus (Debian's `prometheus` package, promtool 2.42):

- PromtoolClientsTest: `promtool query labels|series|instant|range` against the agent, with
  their output checked against the agent's own API answers.
- PrometheusGoldenTest: a real Prometheus (free loopback port, temp dir) scrapes the agent's
  /metrics every second; once it holds a few scrapes, the same /api/v1/labels, label values,
  series and metadata requests go to both and the JSON shapes and the label/series sets that
  must agree are compared.

What differs by design: Prometheus adds the target labels `job` and `instance` to every series
it scrapes, and has the series of its own scrape (`up`, `scrape_*`) and the agent's `tocsin_*`
self-metrics (rendered into /metrics, not kept in the agent's store); the comparisons strip or
restrict to the node_* families both hold. Error texts are compared with Prometheus 3's
wording, which 2.42 capitalises differently ("Invalid time value"); only shapes and codes are
compared here.

Every wait is a bounded poll. Usage:
  TOCSIN_BINARY=build/h_api/agent/tocsin python3 tests/integration/prometheus_api_test.py
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import TOCSIN, Agent, free_port, http, wait_for  # noqa: E402

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
# Families the system collector always writes and whose label sets do not change from one
# collection to the next.
STABLE = ["node_cpu_seconds_total", "node_load1", "node_memory_MemTotal_bytes"]
TARGET_LABELS = {"job", "instance"}


def get_json(base, path, **params):
    query = urllib.parse.urlencode(params, doseq=True)
    status, body = http("GET", base + path + ("?" + query if query else ""))
    return status, json.loads(body) if body else None


def shape(v):
    """The JSON shape of a value: dict keys with their shapes, list element shapes, leaf types."""
    if isinstance(v, dict):
        return {k: shape(x) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(v[0])] if v else []
    return type(v).__name__


def without_target_labels(series):
    return {tuple(sorted((k, v) for k, v in s.items() if k not in TARGET_LABELS)) for s in series}


class AgentTestBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not TOCSIN:
            raise unittest.SkipTest("TOCSIN_BINARY not set")
        cls.agent = Agent()
        cls.agent.start()
        cls.agent.wait_ready()
        cls.base = cls.agent.url("")
        # The store holds the stable families (a few collections in).
        wait_for(lambda: all(get_json(cls.base, "/api/v1/series", **{"match[]": m})[1]["data"]
                             for m in STABLE), "the agent to hold " + ", ".join(STABLE))

    @classmethod
    def tearDownClass(cls):
        cls.agent.stop()
        cls.agent.close()

    def api(self, path, **params):
        status, body = get_json(self.base, path, **params)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["status"], "success", body)
        return body


@unittest.skipUnless(PROMTOOL, "promtool not installed")
class PromtoolClientsTest(AgentTestBase):
    def promtool(self, *args):
        r = subprocess.run([PROMTOOL, "query", *args], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 0, f"promtool query {args}: {r.stderr}")
        return r.stdout

    def test_query_labels_lists_metric_names(self):
        names = self.promtool("labels", self.base, "__name__").split()
        self.assertEqual(names, sorted(names))
        for m in STABLE:
            self.assertIn(m, names)
        api_names = self.api("/api/v1/label/__name__/values")["data"]
        self.assertTrue(set(STABLE) <= set(api_names))
        # --match narrows to one family's label names' values.
        modes = self.promtool("labels", "--match=node_cpu_seconds_total", self.base,
                              "mode").split()
        self.assertIn("idle", modes)
        self.assertEqual(modes, self.api("/api/v1/label/mode/values",
                                         **{"match[]": "node_cpu_seconds_total"})["data"])

    def test_query_series_matches_the_api(self):
        out = self.promtool("series", "--match=node_cpu_seconds_total", self.base)
        lines = [l for l in out.splitlines() if l.strip()]
        api = self.api("/api/v1/series", **{"match[]": "node_cpu_seconds_total"})["data"]
        self.assertEqual(len(lines), len(api), out)
        for line in lines:
            self.assertTrue(line.startswith('{__name__="node_cpu_seconds_total"'), line)
            self.assertIn("cpu=", line)
            self.assertIn("mode=", line)
        # JSON output: the same label sets.
        js = json.loads(self.promtool("series", "-o", "json", "--match=node_cpu_seconds_total",
                                      self.base))
        self.assertEqual(without_target_labels(js), without_target_labels(api))

    def test_query_instant_and_range(self):
        out = self.promtool("instant", self.base, "node_load1")
        self.assertRegex(out, r'^node_load1\{instance="[^"]+", job="node"\} => [0-9.e+-]+ @\[[0-9.]+\]')
        def range_output():
            now = int(time.time())
            return self.promtool("range", f"--start={now - 5}", f"--end={now + 1}", "--step=1s",
                                 self.base, "node_load1")
        # The agent may have started less than a step before `end`: poll until a point is in.
        out = wait_for(range_output, "promtool query range to print node_load1")
        self.assertTrue(out.startswith('node_load1{instance="'), out)
        self.assertRegex(out, r"\n[0-9.e+-]+ @\[[0-9]+\]")


@unittest.skipUnless(PROMETHEUS, "prometheus not installed")
class PrometheusGoldenTest(AgentTestBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prom_dir = tempfile.TemporaryDirectory(prefix="tocsin-prom-")
        cls.prom_port = free_port()
        cfg = os.path.join(cls.prom_dir.name, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: tocsin\n"
                    f"    static_configs: [{{targets: ['127.0.0.1:{cls.agent.port}']}}]\n")
        cls.prom_log = open(os.path.join(cls.prom_dir.name, "prometheus.log"), "wb")
        cls.prom = subprocess.Popen(
            [PROMETHEUS, f"--config.file={cfg}",
             f"--storage.tsdb.path={os.path.join(cls.prom_dir.name, 'data')}",
             f"--web.listen-address=127.0.0.1:{cls.prom_port}"],
            stdout=cls.prom_log, stderr=subprocess.STDOUT)
        cls.prom_base = f"http://127.0.0.1:{cls.prom_port}"

        def scraped_a_few_times():
            if cls.prom.poll() is not None:
                raise AssertionError(f"prometheus exited with {cls.prom.returncode}")
            # While starting, Prometheus answers 503 with a plain-text body: not ready yet.
            status, _ = http("GET", cls.prom_base + "/-/ready")
            if status != 200:
                return False
            _, body = get_json(cls.prom_base, "/api/v1/query",
                               query='count_over_time(up{job="tocsin"}[1m]) >= 3')
            if not (body and body["data"]["result"]):
                return False
            _, md = get_json(cls.prom_base, "/api/v1/metadata", metric="node_load1")
            return bool(md and md["data"])
        wait_for(scraped_a_few_times, "prometheus to scrape the agent 3 times", timeout=60,
                 interval=0.2)

    @classmethod
    def tearDownClass(cls):
        cls.prom.terminate()
        try:
            cls.prom.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cls.prom.kill()
            cls.prom.wait()
        cls.prom_log.close()
        cls.prom_dir.cleanup()
        super().tearDownClass()

    def both(self, path, **params):
        a_status, a = get_json(self.base, path, **params)
        p_status, p = get_json(self.prom_base, path, **params)
        self.assertEqual(a_status, p_status, f"{path} {params}: tocsin {a} prometheus {p}")
        return a, p

    def test_label_names_agree_but_for_target_labels(self):
        for m in STABLE:
            a, p = self.both("/api/v1/labels", **{"match[]": m})
            self.assertEqual(shape(a), shape(p))
            # The agent's series carry the target labels a scrape attaches (global.target_labels:
            # job="node", instance="<host>:<port>"), so the label names are the same.
            self.assertEqual(set(a["data"]), set(p["data"]), m)
            self.assertEqual(a["data"], sorted(a["data"]))
        # Every label name of the agent's store is one Prometheus scraped.
        a, p = self.both("/api/v1/labels")
        self.assertTrue(set(a["data"]) <= set(p["data"]), set(a["data"]) - set(p["data"]))

    def test_label_values_agree(self):
        a, p = self.both("/api/v1/label/mode/values", **{"match[]": "node_cpu_seconds_total"})
        self.assertEqual(shape(a), shape(p))
        self.assertEqual(a["data"], p["data"])
        a, p = self.both("/api/v1/label/__name__/values")
        self.assertTrue(set(STABLE) <= set(a["data"]) & set(p["data"]))
        # Prometheus also holds its scrape's series and the agent's self-metrics.
        node_a = {n for n in a["data"] if n.startswith("node_")}
        node_p = {n for n in p["data"] if n.startswith("node_")}
        self.assertTrue(set(STABLE) <= node_a & node_p)
        # Errors: same status code and body. (2.42 still refuses non-legacy names such as
        # "a-b", which Prometheus 3 and the agent accept as UTF-8; invalid UTF-8 both refuse.)
        a, p = self.both("/api/v1/label/%FF/values")
        self.assertEqual(a, p)

    def test_series_agree_but_for_target_labels(self):
        for m in STABLE:
            a, p = self.both("/api/v1/series", **{"match[]": m})
            for s in p["data"]:
                self.assertEqual(s.pop("job"), "tocsin")
                self.assertEqual(s.pop("instance"), f"127.0.0.1:{self.agent.port}")
            # The agent's own: global.target_labels' defaults.
            for s in a["data"]:
                self.assertEqual(s.pop("job"), "node")
                self.assertEqual(s.pop("instance"), f"{socket.gethostname()}:{self.agent.port}")
            self.assertEqual(shape(a), shape(p))
            self.assertEqual(without_target_labels(a["data"]), without_target_labels(p["data"]), m)
        a, p = self.both("/api/v1/series")
        self.assertEqual(a, p)  # no match[] parameter provided
        # Several match[]: a union, the same on both.
        a, p = self.both("/api/v1/series", **{"match[]": STABLE[1:]})
        self.assertEqual(without_target_labels(a["data"]), without_target_labels(p["data"]))

    def test_metadata_agrees(self):
        for m in STABLE:
            a, p = self.both("/api/v1/metadata", metric=m)
            self.assertEqual(a, p, m)
        a, p = self.both("/api/v1/metadata")
        self.assertEqual(shape(a)["status"], shape(p)["status"])
        common = set(a["data"]) & set(p["data"])
        self.assertTrue(set(STABLE) <= common)
        for family in common:
            self.assertEqual(a["data"][family], p["data"][family], family)
        a, p = self.both("/api/v1/metadata", limit="x")
        self.assertEqual(a, p)
        a, p = self.both("/api/v1/metadata", limit="0")
        self.assertEqual(a, p)

    def test_status_and_exemplar_shapes(self):
        a, p = self.both("/api/v1/status/buildinfo")
        self.assertEqual(shape(a), shape(p))
        self.assertTrue(a["data"]["version"].startswith("3."))
        a, p = self.both("/api/v1/status/runtimeinfo")
        # 2.42 has no hostname and no GOMEMLIMIT yet: the agent's keys include all of 2.42's.
        self.assertTrue(set(p["data"]) <= set(a["data"]), set(p["data"]) - set(a["data"]))
        a, p = self.both("/api/v1/query_exemplars", query="node_load1")
        self.assertEqual(a, p)
        a_status, _ = get_json(self.base, "/api/v1/query_exemplars", query="1")
        p_status, _ = get_json(self.prom_base, "/api/v1/query_exemplars", query="1")
        self.assertEqual(a_status, p_status)  # 204
        a, p = self.both("/api/v1/query_exemplars", query="up", start="5", end="1")
        self.assertEqual(a, p)

    def test_format_query_agrees(self):
        q = ('sum by (job, instance) (rate(node_cpu_seconds_total{mode!="idle",job="node"}[5m])) '
             '/ on (instance) group_left count by (instance) (node_cpu_seconds_total{mode="idle"})')
        a, p = self.both("/api/v1/format_query", query=q)
        self.assertEqual(a, p)
        # Parse errors: same code and shape; the parsers' messages may differ in wording.
        a, p = self.both("/api/v1/format_query", query="sum(rate(x[5m])")
        self.assertEqual(shape(a), shape(p))
        self.assertEqual(a["errorType"], p["errorType"])
        self.assertTrue(a["error"].startswith('invalid parameter "query": 1:'), a)

    def test_limit_shapes_agree(self):
        # 2.42 predates `limit` on these endpoints (it ignores it); the agent's truncated answer
        # keeps the shape, plus Prometheus 3's warnings list.
        a, p = self.both("/api/v1/labels", limit="2")
        self.assertEqual(shape(a)["data"], shape(p)["data"])
        self.assertEqual(len(a["data"]), 2)
        self.assertEqual(a["warnings"], ["results truncated due to limit"])


if __name__ == "__main__":
    unittest.main()
