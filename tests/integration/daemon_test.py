"""Integration tests of the real tocsin binary: serving, reload, exit codes, systemd protocol.

Usage: TOCSIN_BINARY=build/dev/agent/tocsin python3 tests/integration/daemon_test.py
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import TOCSIN, Agent, free_port, http, metric_value, wait_for  # noqa: E402

SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def promtool_check_metrics(body):
    r = subprocess.run(["promtool", "check", "metrics"], input=body.encode(), capture_output=True)
    return (r.stdout + r.stderr).decode(), r.returncode


def node_exporter_body():
    """One scrape of Debian's prometheus-node-exporter (its defaults) on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen(["prometheus-node-exporter", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def scrape():
            try:
                status, body = http("GET", f"http://127.0.0.1:{port}/metrics")
            except OSError:  # not listening yet
                return None
            return body if status == 200 else None
        return wait_for(scrape, "node_exporter serving /metrics")
    finally:
        proc.terminate()
        proc.wait()


class ServingTest(unittest.TestCase):
    def setUp(self):
        self.agent = Agent().start()
        self.addCleanup(self.agent.close)
        self.agent.wait_ready()

    def test_metrics_has_system_and_self_metrics(self):
        body = self.agent.scrape()
        for family in ("node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1",
                       "tocsin_build_info", "process_resident_memory_bytes",
                       "process_cpu_seconds_total", "process_open_fds",
                       "process_start_time_seconds", "tocsin_collector_last_duration_seconds",
                       "tocsin_store_series"):
            self.assertIn(f"\n{family}", "\n" + body, family)
        self.assertEqual(metric_value(body, 'tocsin_collector_last_success{collector="system"}'), 1)
        self.assertEqual(metric_value(body, "tocsin_config_last_reload_successful"), 1)

    def test_exposition_passes_promtool(self):
        body = self.agent.scrape()
        out, code = promtool_check_metrics(body)
        # Exit 1 is a format error; 3 means lint findings only. The lint findings accepted are
        # exactly those node_exporter's own output draws on this host (camelCase names such as
        # node_memory_MemTotal_bytes and node_netstat_Tcp_InSegs, node_entropy_*_bits' unit):
        # they are node_exporter's names, which existing dashboards use.
        self.assertIn(code, (0, 3), out)
        node_exporter_lint = set(promtool_check_metrics(node_exporter_body())[0].splitlines())
        lint = [l for l in out.splitlines() if l.strip()]
        unexpected = [l for l in lint if l not in node_exporter_lint]
        self.assertEqual(unexpected, [], out)

    def test_health_and_unknown_paths(self):
        self.assertEqual(http("GET", self.agent.url("/-/healthy"))[0], 200)
        self.assertEqual(http("GET", self.agent.url("/nope"))[0], 404)
        self.assertEqual(http("GET", self.agent.url("/-/reload"))[0], 405)

    def test_broken_config_on_sighup_keeps_serving(self):
        self.agent.write_config(self.agent.default_config() + "bogus_key: 1\n")
        self.agent.send_signal(signal.SIGHUP)
        body = wait_for(lambda: (lambda b: b if metric_value(
            b, "tocsin_config_last_reload_successful") == 0 else None)(self.agent.scrape()),
            "tocsin_config_last_reload_successful 0")
        self.assertEqual(metric_value(body, "tocsin_config_reload_failures_total"), 1)
        # Still collecting with the old config.
        runs = metric_value(body, 'tocsin_collector_collections_total{collector="system"}')
        wait_for(lambda: metric_value(self.agent.scrape(),
                                      'tocsin_collector_collections_total{collector="system"}')
                 > runs, "the system collector to keep running")
        self.assertIn("bogus_key", self.agent.logs())

    def test_http_reload_reports_errors_then_recovers(self):
        self.agent.write_config("global: {interval: 5x}\n")
        status, body = http("POST", self.agent.url("/-/reload"))
        self.assertEqual(status, 500)
        self.assertIn("global.interval", body)
        self.assertIn(":1:", body)  # file:line:col
        self.agent.write_config(self.agent.default_config())
        status, _ = http("POST", self.agent.url("/-/reload"))
        self.assertEqual(status, 200)
        self.assertEqual(
            metric_value(self.agent.scrape(), "tocsin_config_last_reload_successful"), 1)

    def test_query_api(self):
        import json
        import urllib.parse
        status, body = http("GET", self.agent.url("/api/v1/query?query=" +
                                                  urllib.parse.quote("node_load1 >= 0")))
        self.assertEqual(status, 200, body)
        data = json.loads(body)
        self.assertEqual(data["status"], "success")
        self.assertEqual(data["data"]["resultType"], "vector")
        self.assertEqual(len(data["data"]["result"]), 1, body)
        # A POST carries the query as a form body (urllib sends the form content type).
        status, body = http("POST", self.agent.url("/api/v1/query"),
                            body=b"query=sum(node_cpu_seconds_total)")
        self.assertEqual(status, 200, body)
        self.assertEqual(len(json.loads(body)["data"]["result"]), 1, body)
        status, body = http("GET", self.agent.url("/api/v1/query?query=" +
                                                  urllib.parse.quote("sum(rate(x[5m])")))
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["errorType"], "bad_data")
        self.assertIn("1:", json.loads(body)["error"])
        import time
        now = time.time()
        status, body = http("GET", self.agent.url(
            f"/api/v1/query_range?query=node_load1&start={now - 30}&end={now}&step=5"))
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["data"]["resultType"], "matrix")

    def test_silence_cli_round_trip(self):
        url = f"--url=http://127.0.0.1:{self.agent.port}"
        add = subprocess.run([TOCSIN, "silence", "add", url, "--comment", "maintenance",
                              "--author", "ops", "--duration", "2h", "alertname=HighLoad",
                              'instance=~"db-.*"'], capture_output=True, text=True, timeout=30)
        self.assertEqual(add.returncode, 0, add.stderr)
        silence_id = add.stdout.strip()
        self.assertRegex(silence_id, r"^[0-9a-f-]{16,}$")
        query = subprocess.run([TOCSIN, "silence", "query", url], capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(query.returncode, 0, query.stderr)
        self.assertIn(silence_id, query.stdout)
        self.assertIn('instance=~"db-.*"', query.stdout)
        self.assertIn("maintenance", query.stdout)
        expire = subprocess.run([TOCSIN, "silence", "expire", url, silence_id],
                                capture_output=True, text=True, timeout=30)
        self.assertEqual(expire.returncode, 0, expire.stderr)
        query = subprocess.run([TOCSIN, "silence", "query", url], capture_output=True,
                               text=True, timeout=30)
        self.assertNotIn(silence_id, query.stdout)  # expired ones only with --expired
        query = subprocess.run([TOCSIN, "silence", "query", "--expired", url],
                               capture_output=True, text=True, timeout=30)
        self.assertIn(silence_id, query.stdout)
        bad = subprocess.run([TOCSIN, "silence", "add", url, "alertname=x"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(bad.returncode, 2)  # --comment is required, as amtool requires it

    def test_sigterm_stops_cleanly(self):
        self.assertEqual(self.agent.stop(signal.SIGTERM), 0)


class SelfMetricsTest(unittest.TestCase):
    """The agent's own tocsin_* series are in its store: its API answers them and rules over
    them (the built-in tocsin pack's, and a user's) evaluate inside the agent."""

    def setUp(self):
        self.agent = Agent()
        rules = os.path.join(self.agent.dir.name, "self.yml")
        with open(rules, "w") as f:
            f.write("groups:\n  - name: self\n    rules:\n      - alert: ReloadFailedNow\n"
                    "        expr: tocsin_config_last_reload_successful == 0\n")
        self.config = (self.agent.default_config() +
                       f"rule_files: ['builtin:tocsin.yml', '{rules}']\n")
        self.agent.write_config(self.config)
        self.agent.start()
        self.addCleanup(self.agent.close)
        self.agent.wait_ready()

    def query(self, expr):
        import json
        import urllib.parse
        status, body = http("GET", self.agent.url(
            "/api/v1/query?" + urllib.parse.urlencode({"query": expr})))
        self.assertEqual(status, 200, body)
        return json.loads(body)["data"]["result"]

    def test_own_series_are_queryable_with_target_labels(self):
        result = wait_for(lambda: self.query('tocsin_build_info') or None, "tocsin_build_info")
        self.assertEqual(result[0]["metric"]["job"], "node")
        self.assertTrue(result[0]["metric"]["instance"].endswith(f":{self.agent.port}"), result)
        wait_for(lambda: self.query('tocsin_collector_last_success{collector="system"} == 1'),
                 "the system collector's own series")
        wait_for(lambda: self.query('tocsin_store_series / tocsin_store_max_series > 0'),
                 "the store's fill ratio")
        # /metrics shows each family once: the live copy, not the stored one as well.
        body = self.agent.scrape()
        self.assertEqual(body.count("# TYPE tocsin_store_series gauge\n"), 1)
        self.assertEqual(body.count("\ntocsin_build_info{"), 1)

    def alerts(self, name):
        import json
        _, body = http("GET", self.agent.url("/api/v1/alerts"))
        return [a for a in json.loads(body)["data"]["alerts"] if a["labels"]["alertname"] == name]

    def test_rules_over_own_series_fire_inside_the_agent(self):
        # The pack's dead man's switch, and a rule on the reload gauge once a reload fails.
        wait_for(lambda: self.alerts("Watchdog"), "the built-in Watchdog firing")
        self.assertEqual(self.alerts("ReloadFailedNow"), [])
        self.agent.write_config(self.config + "bogus_key: 1\n")
        self.agent.send_signal(signal.SIGHUP)
        alerts = wait_for(lambda: self.alerts("ReloadFailedNow"), "ReloadFailedNow firing")
        self.assertEqual(alerts[0]["state"], "firing")
        self.assertEqual(alerts[0]["labels"]["job"], "node")


class HostileRequestsTest(unittest.TestCase):
    """One bad or expensive request never stops the agent or starves /metrics."""

    SLOTS = 2

    def setUp(self):
        self.agent = Agent()
        self.agent.write_config(self.agent.default_config().replace(
            "web:\n", f"web:\n  query_timeout: 4s\n  max_concurrent_queries: {self.SLOTS}\n"))
        self.agent.start()
        self.addCleanup(self.agent.close)
        self.agent.wait_ready()

    def query(self, q, timeout=30):
        import urllib.parse
        return http("GET", self.agent.url("/api/v1/query?query=" + urllib.parse.quote(q)),
                    timeout=timeout)

    def test_invalid_utf8_label_answers_replacement_character(self):
        import urllib.parse
        # The reproducer: curl --data-urlencode 'query=label_replace(vector(1),"a","\xff","","")'
        body = b"query=" + urllib.parse.quote_from_bytes(
            b'label_replace(vector(1),"a","\xff","","")').encode()
        status, text = http("POST", self.agent.url("/api/v1/query"), body=body)
        self.assertEqual(status, 200, text)
        self.assertIn('"a":"\\ufffd"', text)
        self.agent.alive_or_fail()
        self.assertEqual(self.agent.scrape().count("tocsin_internal_errors_total{"), 8)

    def test_slow_queries_on_every_slot_do_not_starve_metrics(self):
        import json
        import threading
        slow = "sum_over_time(sum_over_time(vector(1)[1h:1s])[1h:1s])"
        results = []
        threads = [threading.Thread(target=lambda: results.append(self.query(slow)))
                   for _ in range(2 * self.SLOTS)]  # every slot, and every place in the queue
        for t in threads:
            t.start()
        self.addCleanup(lambda: [t.join() for t in threads])
        gauges = wait_for(
            lambda: (lambda b: b if metric_value(b, 'tocsin_api_queries{state="running"}') ==
                     self.SLOTS and metric_value(b, 'tocsin_api_queries{state="waiting"}') ==
                     self.SLOTS else None)(self.agent.scrape()),
            "every query slot and queue place taken")
        self.assertEqual(metric_value(gauges, "tocsin_api_queries_concurrent_max"), self.SLOTS)
        # With every slot and the queue full: the scrape (10 s timeout, as a scraper's) and
        # health are answered, and one more query is refused at once.
        status, _ = http("GET", self.agent.url("/metrics"), timeout=10)
        self.assertEqual(status, 200)
        self.assertEqual(http("GET", self.agent.url("/-/healthy"), timeout=10)[0], 200)
        status, body = self.query("vector(1)", timeout=10)
        self.assertEqual(status, 503, body)
        self.assertEqual(json.loads(body)["errorType"], "unavailable")
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(len(results), 2 * self.SLOTS)
        for status, body in results:
            self.assertEqual(status, 503, body)
            self.assertEqual(json.loads(body)["errorType"], "timeout", body)
        self.assertEqual(self.query("vector(1)")[0], 200)
        body = self.agent.scrape()
        self.assertEqual(metric_value(body, 'tocsin_api_queries{state="running"}'), 0)
        self.assertEqual(metric_value(body, 'tocsin_internal_errors_total{component="http"}'), 0)

    def test_head_and_oversized_requests(self):
        status, body = http("HEAD", self.agent.url("/metrics"))
        self.assertEqual((status, body), (200, ""))
        self.assertEqual(http("GET", self.agent.url("/api/v1/query?query=" + "1" * 70000))[0],
                         414)
        status, _ = http("POST", self.agent.url("/api/v1/query"), body=b"q" * (2 << 20))
        self.assertEqual(status, 413)
        self.agent.alive_or_fail()


class ExitCodeTest(unittest.TestCase):
    def run_tocsin(self, *args):
        return subprocess.run([TOCSIN, *args], capture_output=True, text=True, timeout=30)

    def test_broken_config_at_start_exits_78(self):
        agent = Agent(config_text="web:\n  listen_address: nope\n")
        self.addCleanup(agent.close)
        agent.start()
        agent.proc.wait(timeout=30)
        self.assertEqual(agent.proc.returncode, 78, agent.logs())
        self.assertIn("web.listen_address", agent.logs())

    def test_check_config(self):
        with tempfile.TemporaryDirectory() as d:
            good = os.path.join(d, "good.yml")
            bad = os.path.join(d, "bad.yml")
            with open(good, "w") as f:
                f.write("global:\n  interval: 30s\ncollectors:\n  system: {}\n")
            with open(bad, "w") as f:
                f.write("global:\n  interval: 30s\n  retension: 1h\n")
            r = self.run_tocsin("check", "config", good)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            r = self.run_tocsin("check", "config", bad)
            self.assertEqual(r.returncode, 1)
            self.assertIn(f"{bad}:3:3: global.retension: unknown key", r.stderr)

    def test_check_config_checks_rule_files_and_warns_past_retention(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "rules"))
            rules = os.path.join(d, "rules", "node.yml")
            with open(rules, "w") as f:
                f.write("groups:\n- name: g\n  rules:\n"
                        "  - alert: DiskFillingUp\n"
                        "    expr: predict_linear(node_filesystem_avail_bytes[6h], 4*3600) < 0\n"
                        "  - record: job:up:sum\n    expr: sum(up)\n")
            cfg = os.path.join(d, "tocsin.yml")
            with open(cfg, "w") as f:
                f.write(f"global:\n  retention: 1h\nrule_files: ['{d}/rules/*.yml']\n")
            r = self.run_tocsin("check", "config", cfg)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(f'  WARNING: {rules}: group "g", rule "DiskFillingUp" reads 6h back, '
                          'further than global.retention (1h)', r.stdout)
            self.assertNotIn("job:up:sum", r.stdout)  # reads 5m back: within retention
            self.assertIn("SUCCESS: 0 collector(s), 2 rule(s) in 1 rule file(s)", r.stdout)
            with open(rules, "a") as f:
                f.write("  - record: bad\n    expr: sum(\n")
            r = self.run_tocsin("check", "config", cfg)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("FAILED: rule files are invalid", r.stdout)
            self.assertIn(rules, r.stderr)

    def test_check_config_does_not_bind_the_statsd_port(self):
        # A running agent holds the port: checking its configuration must neither fail nor
        # try to take the port over.
        holder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "statsd.yml")
            with open(path, "w") as f:
                f.write("collectors:\n  system: {}\n"
                        f"  statsd:\n    listen_address: 127.0.0.1:{port}\n")
            r = self.run_tocsin("check", "config", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS: 2 collector(s)", r.stdout)
        self.assertEqual(r.stderr, "")

    def test_shipped_default_config_is_valid(self):
        r = self.run_tocsin("check", "config", os.path.join(SOURCE_DIR, "systemd", "tocsin.yml"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_usage_errors_exit_2(self):
        self.assertEqual(self.run_tocsin().returncode, 2)
        self.assertEqual(self.run_tocsin("frobnicate").returncode, 2)
        self.assertEqual(self.run_tocsin("run", "--bogus", "x").returncode, 2)

    def test_version(self):
        r = self.run_tocsin("version")
        self.assertEqual(r.returncode, 0)
        self.assertIn("tocsin, version", r.stdout)


class SystemdNotifyTest(unittest.TestCase):
    """The sd_notify protocol against a NOTIFY_SOCKET datagram socket the test owns."""

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="tocsin-notify-")
        self.addCleanup(self.dir.cleanup)
        self.sock_path = os.path.join(self.dir.name, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.sock_path)
        self.addCleanup(self.sock.close)
        self.messages = []

    def receive_until(self, key, timeout=20):
        def poll():
            self.sock.settimeout(0.2)
            try:
                data = self.sock.recv(4096).decode()
                self.messages.append(data)
            except socket.timeout:
                pass
            return any(key in m.split("\n") or any(line.startswith(key) for line in m.split("\n"))
                       for m in self.messages)
        wait_for(poll, f"{key} on NOTIFY_SOCKET", timeout=timeout, interval=0)
        return [m for m in self.messages if key in m]

    def test_ready_watchdog_reload_stopping(self):
        agent = Agent(env={"NOTIFY_SOCKET": self.sock_path, "WATCHDOG_USEC": "400000"})
        self.addCleanup(agent.close)
        agent.start()
        ready = self.receive_until("READY=1")
        self.assertTrue(any("STATUS=" in m for m in ready), ready)
        # Pings at half of WATCHDOG_USEC: several arrive within a few seconds.
        wait_for(lambda: self.receive_until("WATCHDOG=1") and
                 sum(m.count("WATCHDOG=1") for m in self.messages) >= 3, "three watchdog pings")
        agent.send_signal(signal.SIGHUP)
        reloading = self.receive_until("RELOADING=1")
        self.assertTrue(any("MONOTONIC_USEC=" in m for m in reloading), reloading)
        agent.send_signal(signal.SIGTERM)
        self.receive_until("STOPPING=1")
        agent.proc.wait(timeout=20)
        self.assertEqual(agent.proc.returncode, 0, agent.logs())


    def test_slow_reload_does_not_hold_back_the_watchdog(self):
        agent = Agent(env={"NOTIFY_SOCKET": self.sock_path, "WATCHDOG_USEC": "400000"})
        self.addCleanup(agent.close)
        agent.start()
        self.receive_until("READY=1")
        # The config becomes a FIFO: the reload blocks opening it until the test writes it.
        with open(agent.config_path) as f:
            config = f.read()
        os.unlink(agent.config_path)
        os.mkfifo(agent.config_path)
        agent.send_signal(signal.SIGHUP)
        self.receive_until("RELOADING=1")
        self.messages.clear()
        wait_for(lambda: self.receive_until("WATCHDOG=1") and
                 sum(m.count("WATCHDOG=1") for m in self.messages) >= 3,
                 "three watchdog pings while the reload is blocked")
        with open(agent.config_path, "w") as fifo:
            fifo.write(config)
        self.receive_until("READY=1")
        self.assertIn("configuration reloaded", "".join(self.messages))
        agent.send_signal(signal.SIGTERM)
        agent.proc.wait(timeout=20)
        self.assertEqual(agent.proc.returncode, 0, agent.logs())


class UnitFileTest(unittest.TestCase):
    UNIT = os.path.join(SOURCE_DIR, "systemd", "tocsin.service")
    SOCKET = os.path.join(SOURCE_DIR, "systemd", "tocsin.socket")

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_security_exposure_at_most_1_5(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=true", self.UNIT],
                           capture_output=True, text=True)
        line = [l for l in r.stdout.splitlines() if "Overall exposure level" in l]
        self.assertTrue(line, r.stdout + r.stderr)
        score = float(line[0].split(":")[1].split()[0])
        self.assertLessEqual(score, 1.5, line[0])

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze not installed")
    def test_units_verify(self):
        # The service and its socket together, as the package installs them side by side.
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for unit in (self.UNIT, self.SOCKET):
                with open(unit) as f:
                    text = f.read().replace("/usr/bin/tocsin", os.path.abspath(TOCSIN))
                path = os.path.join(d, os.path.basename(unit))
                with open(path, "w") as f:
                    f.write(text)
                paths.append(path)
            # --man=no: tocsin(1) exists once the package is installed, not in the tree.
            r = subprocess.run(["systemd-analyze", "verify", "--man=no"] + paths, capture_output=True,
                               text=True)
            problems = [l for l in (r.stdout + r.stderr).splitlines()
                        if "tocsin.service" in l or "tocsin.socket" in l]
            self.assertEqual(problems, [], r.stdout + r.stderr)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    if not TOCSIN:
        sys.exit("set TOCSIN_BINARY to the tocsin binary")
    unittest.main(verbosity=2)
