"""Integration tests of the application-facing collectors in the real tocsin binary, against
the example service (tests/example_service/service.py): Prometheus scrape, StatsD, HTTP probes
and the textfile collector; a target that disappears and comes back; bad StatsD input; and the
documented cache-hit-ratio recording rule under promtool and tocsin.

Usage: TOCSIN_BINARY=build/appcol/agent/tocsin python3 tests/integration/app_collectors_test.py
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import TOCSIN, Agent, http, wait_for  # noqa: E402

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICE = os.path.join(SOURCE_DIR, "tests", "example_service", "service.py")
RULES_DIR = os.path.join(SOURCE_DIR, "tests", "example_service", "rules")
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "collectors", "scrape"))
import reference_parser  # noqa: E402


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def samples(body):
    """{'name{a="x",b="y"}': value} of an exposition body (labels sorted)."""
    lines, errors = reference_parser.parse(body)
    assert not errors, errors
    out = {}
    for line in lines:
        key, _, value = line.rpartition(" ")
        out[key] = float(value)
    return out


class Service:
    def __init__(self, statsd_port, port=0):
        self.proc = subprocess.Popen(
            [sys.executable, SERVICE, "--port", str(port), "--statsd",
             f"127.0.0.1:{statsd_port}"], stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())  # printed once listening

    def post(self, path):
        status, body = http("POST", f"http://127.0.0.1:{self.port}{path}")
        assert status == 200, (path, status, body)
        return json.loads(body) if body.startswith("{") else body

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc.stdout.close()


class AppCollectorsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="tocsin-app-")
        self.addCleanup(self.tmp.cleanup)
        self.statsd_port = free_udp_port()
        self.service = Service(self.statsd_port)
        self.addCleanup(lambda: self.service.stop())
        self.textdir = os.path.join(self.tmp.name, "textfile")
        os.makedirs(self.textdir)
        with open(os.path.join(self.textdir, "backup.prom"), "w") as f:
            f.write("# TYPE backup_last_success_timestamp_seconds gauge\n"
                    'backup_last_success_timestamp_seconds{keyspace="langgraph_store"} 1.7e+09\n')
        with open(os.path.join(self.textdir, "broken.prom"), "w") as f:
            f.write("broken{ 1\n")
        self.agent = Agent()
        self.agent.write_config(self.config())
        self.agent.start()
        self.addCleanup(self.agent.close)
        self.agent.wait_ready()

    def config(self):
        svc = f"127.0.0.1:{self.service.port}"
        return (f"global:\n  interval: 1s\n"
                f"web:\n  listen_address: 127.0.0.1:{self.agent.port}\n"
                f"state_dir: {self.agent.state_dir}\n"
                "collectors:\n"
                f"  statsd: {{listen_address: '127.0.0.1:{self.statsd_port}', window: 1m}}\n"
                f"  probes:\n"
                f"    - {{name: api-health, url: 'http://{svc}/health', interval: 1s, timeout: 900ms,\n"
                f"       fail_if_body_not_matches_regexp: ['healthy']}}\n"
                f"  textfile: {{directory: '{self.textdir}'}}\n"
                "scrape_configs:\n"
                "  - job_name: store\n"
                "    scrape_interval: 1s\n"
                f"    static_configs: [{{targets: ['{svc}'], labels: {{team: store}}}}]\n")

    def metrics(self):
        return samples(self.agent.scrape())

    def wait_metrics(self, want, what):
        """Polls /metrics until every key of `want` has its value (None = must be absent)."""
        def check():
            m = self.metrics()
            for k, v in want.items():
                if v is None:
                    if k in m:
                        return None
                elif m.get(k) != v:
                    return None
            return m
        return wait_for(check, what)

    def target(self, metric, **labels):
        labels.update(instance=f"127.0.0.1:{self.service.port}", job="store", team="store")
        return metric + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"

    def test_scrape_statsd_probe_textfile_against_the_example_service(self):
        self.service.post("/queue?depth=17")
        self.service.post("/breaker?state=1")
        totals = self.service.post("/simulate?n=400")
        want = {self.target("up"): 1,
                self.target("scylladb_queue_depth"): 17,
                self.target("scylladb_circuit_breaker_state", name="scylla"): 1,
                self.target("scylladb_cache_hits_total"): totals["hits"],
                self.target("scylladb_cache_misses_total"): totals["misses"],
                # StatsD: the same workload, statsd_exporter's names, tags as labels.
                "scylladb_cache_hits_total{}": totals["hits"],
                "scylladb_cache_misses_total{}": totals["misses"],
                "scylladb_queue_depth{}": 17,
                'scylladb_circuit_breaker_state{name="scylla"}': 1,
                "tocsin_statsd_lines_total{}": totals["statsd_datagrams"],
                'probe_success{instance="http://127.0.0.1:%d/health",probe="api-health"}'
                % self.service.port: 1,
                "node_textfile_scrape_error{}": 1,  # broken.prom
                'backup_last_success_timestamp_seconds{keyspace="langgraph_store"}': 1.7e9}
        for key, n in totals["requests"].items():
            op, status = key.split(",")
            want[self.target("scylladb_requests_total", operation=op, status=status)] = n
            want[f'scylladb_requests_total{{operation="{op}",status="{status}"}}'] = n
        for op, n in totals["latency_count"].items():
            want[self.target("scylladb_latency_seconds_count", operation=op)] = n
            want[f'scylladb_latency_count{{operation="{op}"}}'] = n
        m = self.wait_metrics(want, "scrape and StatsD totals equal to the service's")
        # Timer quantiles (seconds) over the window, and the probe's latency summary.
        p95 = m['scylladb_latency{operation="put",quantile="0.95"}']
        self.assertGreater(p95, 0.001)
        self.assertLess(p95, 10)
        self.assertGreater(m['probe_latency_seconds_count{instance="http://127.0.0.1:%d/health",'
                             'probe="api-health"}' % self.service.port], 0)
        for reason in ("malformed_line", "malformed_value", "series_limit", "type_conflict"):
            self.assertEqual(m[f'tocsin_statsd_bad_lines_total{{reason="{reason}"}}'], 0)
        self.assertEqual(m[self.target("scrape_samples_scraped")],
                         m[self.target("scrape_samples_post_metric_relabeling")])
        # The whole exposition stays valid for Prometheus.
        promtool = shutil.which("promtool")
        if promtool:
            r = subprocess.run([promtool, "check", "metrics"], input=self.agent.scrape(),
                               capture_output=True, text=True)
            self.assertNotIn("error while linting", r.stdout + r.stderr)

    def test_target_that_disappears_goes_stale_and_comes_back(self):
        self.service.post("/queue?depth=5")
        self.wait_metrics({self.target("up"): 1, self.target("scylladb_queue_depth"): 5},
                          "the target up")
        port = self.service.port
        self.service.stop()
        probe = 'probe_success{instance="http://127.0.0.1:%d/health",probe="api-health"}' % port
        self.wait_metrics({self.target("up"): 0, self.target("scylladb_queue_depth"): None,
                           probe: 0},
                          "up 0 and the target's series stale (gone from /metrics)")
        self.service = Service(self.statsd_port, port=port)
        self.service.post("/queue?depth=9")
        self.wait_metrics({self.target("up"): 1, self.target("scylladb_queue_depth"): 9,
                           probe: 1}, "the target back")

    def test_bad_statsd_lines_are_counted_by_reason(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for payload in (b"no_colon_here", b"a:1|zz", b"b:x|c", b"c:1|c|@7",
                            b"good.one:1|c\nbad.one\n"):
                s.sendto(payload, ("127.0.0.1", self.statsd_port))
        self.wait_metrics({'tocsin_statsd_bad_lines_total{reason="malformed_line"}': 2,
                           'tocsin_statsd_bad_lines_total{reason="unknown_type"}': 1,
                           'tocsin_statsd_bad_lines_total{reason="malformed_value"}': 1,
                           'tocsin_statsd_bad_lines_total{reason="invalid_sample_rate"}': 1,
                           "good_one_total{}": 1}, "bad StatsD lines counted by reason")
        self.agent.alive_or_fail()


class CacheHitRuleTest(unittest.TestCase):
    """The documented recording rule passes promtool's and tocsin's checks and unit test."""

    def run_tool(self, *args):
        return subprocess.run([os.path.abspath(args[0])] + list(args[1:]) if os.sep in args[0]
                              else list(args), capture_output=True, text=True, cwd=RULES_DIR)

    def test_check_and_test_rules(self):
        rules = os.path.join(RULES_DIR, "cache_hit_rate.yml")
        test = os.path.join(RULES_DIR, "cache_hit_rate_test.yml")
        r = self.run_tool(TOCSIN, "check", "rules", rules)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.run_tool(TOCSIN, "test", "rules", test)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        promtool = shutil.which("promtool")
        if promtool is None:
            self.skipTest("promtool not installed")
        self.assertEqual(self.run_tool(promtool, "check", "rules", rules).returncode, 0)
        r = self.run_tool(promtool, "test", "rules", test)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
