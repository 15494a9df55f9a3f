"""The scylla collector against a local HTTP server that replays a ScyllaDB node: its :9180
exposition (testdata/scylla_metrics*.txt, scylla-monitoring's names) and its :10000 REST API
shapes (operation_mode string, gossiper live/down arrays, storage_service node lists, pending
compaction count). Scenarios: healthy node, another node going down, a slow REST endpoint
(the cycle still ends before its deadline), the metrics endpoint failing, garbage replies.

Usage: scylla_fake_test.py SCYLLA_COLLECT_BINARY
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cycle_output import find, parse_cycles  # noqa: E402

DRIVER = None
HERE = os.path.dirname(os.path.abspath(__file__))


class FakeScylla:
    """One fake node serving both the metrics and the REST paths on one port."""

    def __init__(self):
        self.state = "normal"
        self.slow_seconds = 5.0
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.requests.append(self.path)
                code, body, ctype = fake.respond(self.path.rstrip("/") or "/")
                data = body.encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the collector gave up (deadline): expected in the slow scenario

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def respond(self, path):
        js = "application/json"
        if path == "/metrics":
            if self.state == "metrics_down":
                return 503, "unavailable", "text/plain"
            name = "scylla_metrics_node_down.txt" if self.state == "node_down" else \
                "scylla_metrics.txt"
            with open(os.path.join(HERE, "testdata", name)) as f:
                return 200, f.read(), "text/plain; version=0.0.4"
        if self.state == "garbage" and not path == "/metrics":
            return 200, "<html>gateway</html>", "text/html"
        nodes = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
        live, down = (nodes[:2], nodes[2:]) if self.state == "node_down" else (nodes, [])
        if path == "/storage_service/operation_mode":
            return 200, json.dumps("NORMAL"), js
        if path == "/gossiper/endpoint/live":
            if self.state == "slow_api":
                time.sleep(self.slow_seconds)
            return 200, json.dumps(live), js
        if path == "/gossiper/endpoint/down":
            return 200, json.dumps(down), js
        if path == "/storage_service/nodes/joining":
            return 200, json.dumps(["10.0.0.4"] if self.state == "joining" else []), js
        if path in ("/storage_service/nodes/leaving", "/storage_service/nodes/moving"):
            return 200, "[]", js
        if path == "/compaction_manager/metrics/pending_tasks":
            return 200, "7", js
        return 404, json.dumps({"message": "Not found", "code": 404}), js


class ScyllaFakeNodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = FakeScylla()
        cls.dir = tempfile.TemporaryDirectory(prefix="tocsin-scylla-")
        cls.config = os.path.join(cls.dir.name, "tocsin.yml")
        base = f"http://127.0.0.1:{cls.node.port}"
        with open(cls.config, "w") as f:
            f.write(f"""global: {{interval: 5s}}
collectors:
  scylla:
    - name: local
      metrics_url: '{base}/metrics'
      api_url: '{base}/'
      timeout: 1500ms
      labels: {{cluster: store}}
    - name: custom
      metrics_url: '{base}/metrics'
      api_url: ''
      metric_families: ['scylla_lsa_.*']
      labels: {{cluster: other}}
""")

    @classmethod
    def tearDownClass(cls):
        cls.node.close()
        cls.dir.cleanup()

    def setUp(self):
        self.node.state = "normal"

    def collect(self, instance="local", cycles=1):
        p = subprocess.run([DRIVER, "--config", self.config, "--instance", instance,
                            "--cycles", str(cycles)],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return parse_cycles(p.stdout), p.stderr

    def test_healthy_node(self):
        cycles, err = self.collect()
        status, m = cycles[-1]
        self.assertEqual(status, "ok", err)
        self.assertEqual(find(m, "scylla_up"), [1])
        self.assertEqual(find(m, "scylla_api_up"), [1])
        self.assertEqual(find(m, "scylla_api_operation_mode", mode="NORMAL"), [3])
        self.assertEqual(find(m, "scylla_nodes", state="live"), [3])
        self.assertEqual(find(m, "scylla_nodes", state="down"), [0])
        self.assertEqual(find(m, "scylla_nodes", state="joining"), [0])
        self.assertEqual(find(m, "scylla_pending_compactions"), [7])
        self.assertEqual(sorted(find(m, "scylla_endpoint_up")), [1, 1, 1])
        # Passed through under Scylla's own names, per shard, with the configured label.
        self.assertEqual(find(m, "scylla_cache_row_hits", shard="1", cluster="store"), [1017])
        self.assertEqual(find(m, "scylla_node_operation_mode", shard="0"), [3])
        self.assertEqual(len(find(m, "scylla_storage_proxy_coordinator_read_latency_bucket")), 10)
        self.assertEqual(find(m, "scylla_reactor_utilization", shard="0"), [12.5])
        self.assertEqual(find(m, "scylla_io_queue_total_read_ops"), [])  # not allow-listed
        self.assertEqual(find(m, "scylla_lsa_free_space"), [])
        self.assertGreater(find(m, "scylla_scrape_samples_scraped")[0],
                           find(m, "scylla_scrape_samples_post_filter")[0])

    def test_node_going_down(self):
        self.node.state = "node_down"
        cycles, err = self.collect()
        m = cycles[-1][1]
        self.assertEqual(find(m, "scylla_api_up"), [1], err)
        self.assertEqual(find(m, "scylla_nodes", state="live"), [2])
        self.assertEqual(find(m, "scylla_nodes", state="down"), [1])
        self.assertEqual(find(m, "scylla_endpoint_up", endpoint="10.0.0.3"), [0])
        self.assertEqual(find(m, "scylla_endpoint_up", endpoint="10.0.0.1"), [1])
        self.assertEqual(find(m, "scylla_gossip_unreachable", shard="0"), [1])

    def test_joining_node(self):
        self.node.state = "joining"
        cycles, _ = self.collect()
        self.assertEqual(find(cycles[-1][1], "scylla_nodes", state="joining"), [1])

    def test_slow_endpoint_is_cut_at_the_deadline(self):
        self.node.state = "slow_api"
        cycles, err = self.collect(cycles=2)
        # "ok", not "late": the 5 s endpoint was abandoned before the 1.5 s deadline, and the
        # cycle kept what it had.
        self.assertEqual([c[0] for c in cycles], ["ok", "ok"], err)
        for _, m in cycles:
            self.assertEqual(find(m, "scylla_up"), [1])
            self.assertEqual(find(m, "scylla_api_up"), [0])
            self.assertEqual(find(m, "scylla_nodes", state="live"), [])
            self.assertEqual(find(m, "scylla_api_operation_mode", mode="NORMAL"), [3])
        self.assertIn("/gossiper/endpoint/live/", err)

    def test_metrics_endpoint_down(self):
        self.node.state = "metrics_down"
        cycles, err = self.collect()
        m = cycles[-1][1]
        self.assertEqual(find(m, "scylla_up"), [0])
        self.assertEqual(find(m, "scylla_cache_row_hits"), [])
        self.assertEqual(find(m, "scylla_api_up"), [1])
        self.assertIn("HTTP 503", err)

    def test_garbage_api_replies(self):
        self.node.state = "garbage"
        cycles, err = self.collect()
        m = cycles[-1][1]
        self.assertEqual(cycles[-1][0], "ok")
        self.assertEqual(find(m, "scylla_api_up"), [0])
        self.assertEqual(find(m, "scylla_nodes"), [])
        self.assertIn("expected a JSON", err)

    def test_custom_allow_list_without_api(self):
        cycles, _ = self.collect("custom")
        m = cycles[-1][1]
        self.assertEqual(len(find(m, "scylla_lsa_free_space", cluster="other")), 2)
        self.assertEqual(find(m, "scylla_cache_row_hits"), [])
        self.assertEqual(find(m, "scylla_api_up"), [])


if __name__ == "__main__":
    DRIVER = sys.argv.pop(1)
    unittest.main()
