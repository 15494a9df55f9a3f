#!/usr/bin/env python3
"""remote_write end to end: the real tocsin binary pushing to

  - tests/fakes/remote_write_receiver.py, which enforces Remote-Write 1.0's MUST rules and
    injects faults (500, 429 with Retry-After, 400, slow answers past remote_timeout);
  - the real Prometheus 2.42 (Debian's `prometheus`, --web.enable-remote-write-receiver), whose
    query API reads the samples back, through an outage of Prometheus with a kill -9 of the
    agent in the middle of it.

The agent's own query API tells which samples it committed (a `rw_marker` series from the
textfile collector, one sample per second); every one of them must reach the receiver.
Run as: remote_write_test.py <TestClass>. Needs python3-protobuf, python3-snappy, protoc.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tocsin_harness import Agent, free_port, http, metric_value, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
RECEIVER = os.path.join(HERE, "..", "fakes", "remote_write_receiver.py")
PROMETHEUS = shutil.which("prometheus")


def get_json(base, path, **params):
    status, body = http("GET", base + path + "?" + urllib.parse.urlencode(params), timeout=10)
    return status, (json.loads(body) if body else None)


def agent_config(agent, url, textfile_dir, queue_extra=""):
    return (f"global:\n  interval: 1s\n  external_labels: {{cluster: it}}\n"
            f"web:\n  listen_address: 127.0.0.1:{agent.port}\n"
            f"state_dir: {agent.state_dir}\n"
            f"collectors:\n  system: {{}}\n  textfile: {{directory: {textfile_dir}}}\n"
            "remote_write:\n"
            f"  - url: {url}\n    name: it\n    remote_timeout: 1s\n"
            "    queue_config:\n      batch_send_deadline: 200ms\n      min_backoff: 20ms\n"
            "      max_backoff: 500ms\n      max_samples_per_send: 2000\n      max_shards: 4\n"
            + queue_extra)


def write_textfile(directory, text):
    tmp = os.path.join(directory, ".rw.tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(directory, "rw.prom"))


def agent_marker_timestamps(agent):
    """Timestamps (ms) of every rw_marker sample the agent holds in its store."""
    _, body = get_json(agent.url(""), "/api/v1/query", query="rw_marker[1h]")
    out = set()
    for r in body["data"]["result"]:
        for t, _ in r["values"]:
            out.add(int(round(float(t) * 1000)))
    return out


class Receiver:
    def __init__(self, *args):
        self.dir = tempfile.TemporaryDirectory(prefix="tocsin-rw-recv-")
        port_file = os.path.join(self.dir.name, "port")
        self.log = open(os.path.join(self.dir.name, "receiver.log"), "wb")
        self.proc = subprocess.Popen([sys.executable, RECEIVER, "--port", "0",
                                      "--port-file", port_file, *args],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists(port_file), "the receiver's port file")
        with open(port_file) as f:
            self.port = int(f.read())
        self.url = f"http://127.0.0.1:{self.port}/api/v1/write"

    def received(self):
        _, body = http("GET", f"http://127.0.0.1:{self.port}/_control/received")
        return json.loads(body)

    def faults(self, *faults):
        http("POST", f"http://127.0.0.1:{self.port}/_control/faults",
             json.dumps({"faults": list(faults)}).encode())

    def samples_of(self, name):
        """series key -> [(t, v)] of accepted requests, in arrival order."""
        out = {}
        for r in self.received()["requests"]:
            for s in r["series"]:
                if s["labels"].get("__name__") == name:
                    out.setdefault(s["key"], []).extend(tuple(x) for x in s["samples"])
        return out

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.log.close()
        self.dir.cleanup()


class RemoteWriteTestBase(unittest.TestCase):
    def setUp(self):
        self.textfile = tempfile.TemporaryDirectory(prefix="tocsin-rw-textfile-")
        write_textfile(self.textfile.name, "rw_marker 1\nrw_vanishing 2\n")

    def tearDown(self):
        self.textfile.cleanup()

    def start_agent(self, url, agent=None, queue_extra=""):
        agent = agent or Agent()
        agent.write_config(agent_config(agent, url, self.textfile.name, queue_extra))
        agent.start()
        agent.wait_ready()
        return agent


class SpecReceiverTest(RemoteWriteTestBase):
    """Every request satisfies Remote-Write 1.0's MUSTs, stale markers included."""

    def test_every_must_holds(self):
        recv = Receiver()
        self.addCleanup(recv.close)
        agent = self.start_agent(recv.url)
        self.addCleanup(agent.close)
        wait_for(lambda: len(recv.samples_of("rw_marker")) == 1 and
                 len(next(iter(recv.samples_of("rw_marker").values()))) >= 3,
                 "three rw_marker samples at the receiver", timeout=30)
        # A series that vanishes from its source gets a stale marker.
        write_textfile(self.textfile.name, "rw_marker 1\n")

        def stale_marker_sent():
            for samples in recv.samples_of("rw_vanishing").values():
                if samples and samples[-1][1] == "stale":
                    return True
            return False
        wait_for(stale_marker_sent, "a stale marker for rw_vanishing", timeout=30)
        got = recv.received()
        self.assertEqual(got["violations"], [], "spec violations")
        self.assertTrue(all(r["status"] == 204 for r in got["requests"]), got["requests"][:3])
        # external_labels applied; the series' own labels kept.
        key = next(iter(recv.samples_of("rw_marker")))
        self.assertIn("cluster=it", key)
        ua = got["requests"][0]["headers"].get("User-Agent", "")
        self.assertTrue(ua.startswith("tocsin/"), ua)
        # Many series (the system collector), all checked above.
        names = {s["labels"]["__name__"] for r in got["requests"] for s in r["series"]}
        self.assertIn("node_load1", names)
        body = agent.scrape()
        self.assertGreater(metric_value(
            body, 'tocsin_remote_storage_samples_total{remote_name="it",'
                  'url="http://127.0.0.1:%d/<redacted>"}' % recv.port) or 0, 0)
        self.assertEqual(agent.stop(), 0)


class FaultInjectionTest(RemoteWriteTestBase):
    """5xx and 429 are retried (429 after Retry-After), other 4xx dropped and logged, slow
    answers past remote_timeout retried; nothing is lost except what a 400 rejected."""

    def series_metric(self, agent, name, recv):
        return metric_value(agent.scrape(), '%s{remote_name="it",url="http://127.0.0.1:%d/'
                                             '<redacted>"}' % (name, recv.port)) or 0

    def test_faults(self):
        recv = Receiver()
        self.addCleanup(recv.close)
        recv.faults({"status": 500, "count": 3}, {"status": 429, "retry_after": "2", "count": 1},
                    # answered after remote_timeout (1s): the agent has given up and retries
                    {"status": 503, "delay": 1.5, "count": 1},
                    {"status": 400, "count": 1, "body": "out of bounds: sample too old (test)"})
        agent = self.start_agent(recv.url)
        self.addCleanup(agent.close)

        def faults_consumed_and_flowing():
            reqs = recv.received()["requests"]
            codes = [r["status"] for r in reqs]
            return codes.count(400) == 1 and codes[-1] == 204 and codes.count(204) >= 3
        wait_for(faults_consumed_and_flowing, "every fault consumed and sends flowing", timeout=60)
        got = recv.received()
        reqs = got["requests"]
        self.assertEqual(got["violations"], [])
        codes = [r["status"] for r in reqs]
        self.assertEqual(codes[:3], [500, 500, 500], codes)
        self.assertEqual(codes[3], 429)
        # Retry-After: 2 was honoured (a lower bound, not a duration measurement).
        self.assertGreaterEqual(reqs[4]["t"] - reqs[3]["t"], 1.9, codes)
        # The slow answer was given up on and the same request sent again.
        self.assertEqual(reqs[5]["body_hash"], reqs[4]["body_hash"])
        # The request that was rejected with 400 is never sent again.
        at = codes.index(400)
        rejected = reqs[at]
        again = [i for i, r in enumerate(reqs[at + 1:]) if r["body_hash"] == rejected["body_hash"]]
        self.assertEqual(again, [], "the rejected request was resent")
        retried = self.series_metric(agent, "tocsin_remote_storage_samples_retried_total", recv)
        failed = self.series_metric(agent, "tocsin_remote_storage_samples_failed_total", recv)
        self.assertGreater(retried, 0)
        self.assertEqual(failed, rejected["samples"])
        self.assertIn("out of bounds: sample too old (test)", agent.logs())
        self.assertIn("HTTP 400", agent.logs())
        # Order per series held through the retries.
        for key, samples in recv.samples_of("rw_marker").items():
            ts = [t for t, _ in samples]
            self.assertEqual(ts, sorted(set(ts)), key)
        self.assertEqual(agent.stop(), 0)


V2 = "    protobuf_message: io.prometheus.write.v2.Request\n"


def version_metric(agent, port):
    return metric_value(agent.scrape(), 'tocsin_remote_storage_protobuf_message_version{'
                                        'remote_name="it",url="http://127.0.0.1:%d/<redacted>"}'
                        % port)


class RemoteWrite2Test(RemoteWriteTestBase):
    """protobuf_message: io.prometheus.write.v2.Request against the spec receiver in its 2.0
    mode (every MUST of 2.0, metadata from the store), and the fallback to 1.0 against a 1.x
    receiver that answers 415 and against one that ignores the content type."""

    def _start_v2(self, recv):
        agent = Agent()
        agent.write_config(agent_config(agent, recv.url, self.textfile.name).replace(
            "    remote_timeout: 1s\n", "    remote_timeout: 1s\n" + V2))
        agent.start()
        agent.wait_ready()
        self.addCleanup(agent.close)
        return agent

    def wait_markers(self, recv, n=3):
        wait_for(lambda: len(recv.samples_of("rw_marker")) == 1 and
                 len(next(iter(recv.samples_of("rw_marker").values()))) >= n,
                 f"{n} rw_marker samples at the receiver", timeout=30)

    def test_v2_requests_hold_every_must_and_carry_metadata(self):
        recv = Receiver()
        self.addCleanup(recv.close)
        agent = self._start_v2(recv)
        self.wait_markers(recv)
        write_textfile(self.textfile.name, "rw_marker 1\n")

        def stale_marker_sent():
            return any(samples and samples[-1][1] == "stale"
                       for samples in recv.samples_of("rw_vanishing").values())
        wait_for(stale_marker_sent, "a stale marker for rw_vanishing", timeout=30)
        got = recv.received()
        self.assertEqual(got["violations"], [], "spec violations")
        self.assertTrue(all(r["protocol"] == "2.0" and r["status"] == 204
                            for r in got["requests"]), got["requests"][:2])
        metadata = {s["labels"]["__name__"]: s["metadata"]
                    for r in got["requests"] for s in r["series"]}
        self.assertEqual(metadata["node_load1"]["type"], "gauge", metadata["node_load1"])
        self.assertTrue(metadata["node_load1"]["help"], metadata["node_load1"])
        self.assertEqual(version_metric(agent, recv.port), 2)
        self.assertEqual(agent.stop(), 0)

    def test_falls_back_to_1_0_on_415(self):
        recv = Receiver("--v1-only")
        self.addCleanup(recv.close)
        agent = self._start_v2(recv)
        self.wait_markers(recv)
        got = recv.received()
        self.assertEqual(got["requests"][0]["status"], 415, got["requests"][0])
        self.assertTrue(all(r["protocol"] == "1.0" and r["status"] == 204
                            for r in got["requests"][1:]), got["requests"][1:3])
        self.assertEqual(got["violations"], [])
        self.assertEqual(version_metric(agent, recv.port), 1)
        # Nothing was lost in the switch: every marker the agent holds arrived.
        sent = agent_marker_timestamps(agent)
        wait_for(lambda: sent <= {t for v in recv.samples_of("rw_marker").values()
                                  for t, _ in v}, "every rw_marker sample", timeout=30)
        self.assertEqual(agent.stop(), 0)

    def test_falls_back_when_a_1_0_receiver_ignores_the_content_type(self):
        recv = Receiver("--v1-broken")
        self.addCleanup(recv.close)
        agent = self._start_v2(recv)
        self.wait_markers(recv)
        got = recv.received()
        self.assertEqual(got["requests"][0]["status"], 204)
        self.assertEqual(got["requests"][0]["series"], [])  # the 2.0 body read as 1.0: nothing
        self.assertTrue(all(r["content_type"] == "application/x-protobuf"
                            for r in got["requests"][1:]), got["requests"][1:3])
        self.assertEqual(version_metric(agent, recv.port), 1)
        self.assertEqual(agent.stop(), 0)


class ReloadTest(RemoteWriteTestBase):
    """A reload applies remote_write: a changed url moves the same durable queue to the new
    endpoint (nothing committed meanwhile is lost), an added endpoint starts, a removed one
    stops; a reload with a broken remote_write keeps the running one."""

    def markers(self, *receivers):
        return {t for r in receivers for v in r.samples_of("rw_marker").values() for t, _ in v}

    def reload(self, agent, text):
        """SIGHUP with `text` as the config; True when the reload succeeded."""
        def reloads():  # (last success time, failures so far)
            body = agent.scrape()
            return (metric_value(body, "tocsin_config_last_reload_success_timestamp_seconds"),
                    metric_value(body, "tocsin_config_reload_failures_total") or 0)
        before = reloads()
        agent.write_config(text)
        agent.send_signal(signal.SIGHUP)
        wait_for(lambda: reloads() != before, "the reload", timeout=30)
        return reloads()[1] == before[1]

    def test_reload_moves_adds_and_removes_endpoints(self):
        a, b, c = Receiver(), Receiver(), Receiver()
        for r in (a, b, c):
            self.addCleanup(r.close)
        agent = self.start_agent(a.url)
        self.addCleanup(agent.close)
        wait_for(lambda: len(self.markers(a)) >= 3, "markers at the first receiver", timeout=30)
        base = agent_config(agent, a.url, self.textfile.name)
        # The same queue, a new url; a second endpoint beside it.
        moved = base.replace(a.url, b.url) + (
            f"  - url: {c.url}\n    name: second\n    remote_timeout: 1s\n"
            "    queue_config:\n      batch_send_deadline: 200ms\n")
        self.assertTrue(self.reload(agent, moved), agent.logs()[-2000:])
        wait_for(lambda: len(self.markers(b)) >= 3, "markers at the moved endpoint", timeout=30)
        wait_for(lambda: len(self.markers(c)) >= 3, "markers at the added endpoint", timeout=30)
        before = len(a.received()["requests"])
        # Every marker the agent holds reached the first or the moved endpoint, in order each.
        sent = agent_marker_timestamps(agent)
        wait_for(lambda: sent <= self.markers(a, b), "every marker at a or b", timeout=30)
        for recv in (a, b):
            self.assertEqual(recv.received()["violations"], [])
        # A broken remote_write is refused and the running one kept.
        self.assertFalse(self.reload(agent, moved.replace("name: second", "name: 'bad/name'")))
        # Removing the second endpoint stops it.
        self.assertTrue(self.reload(agent, base.replace(a.url, b.url)), agent.logs()[-2000:])
        count_c = len(c.received()["requests"])
        at_b = len(self.markers(b))
        wait_for(lambda: len(self.markers(b)) >= at_b + 3, "b keeps receiving", timeout=60)
        self.assertLessEqual(len(c.received()["requests"]), count_c + 1)
        self.assertEqual(len(a.received()["requests"]), before)  # the old url gets nothing new
        body = agent.scrape()
        self.assertIsNone(metric_value(body, 'tocsin_remote_storage_samples_total{'
                                             'remote_name="second",url="http://127.0.0.1:%d/'
                                             '<redacted>"}' % c.port))
        self.assertEqual(agent.stop(), 0)


    def test_reload_adds_the_first_endpoint(self):
        recv = Receiver()
        self.addCleanup(recv.close)
        agent = Agent()
        self.addCleanup(agent.close)
        full = agent_config(agent, recv.url, self.textfile.name)
        agent.write_config(full[:full.index("remote_write:")])
        agent.start()
        agent.wait_ready()
        self.assertTrue(self.reload(agent, full), agent.logs()[-2000:])
        wait_for(lambda: len(self.markers(recv)) >= 3, "markers after the reload", timeout=30)
        self.assertEqual(recv.received()["violations"], [])
        self.assertEqual(agent.stop(), 0)


@unittest.skipUnless(PROMETHEUS, "prometheus not installed")
class PrometheusTestBase(RemoteWriteTestBase):
    def setUp(self):
        super().setUp()
        self.prom_dir = tempfile.TemporaryDirectory(prefix="tocsin-rw-prom-")
        self.prom_port = free_port()
        self.prom_cfg = os.path.join(self.prom_dir.name, "prometheus.yml")
        with open(self.prom_cfg, "w") as f:
            f.write("global:\n  scrape_interval: 15s\n")
        self.prom = None
        self.prom_base = f"http://127.0.0.1:{self.prom_port}"
        self.prom_url = self.prom_base + "/api/v1/write"

    def start_prometheus(self):
        self.prom_log = open(os.path.join(self.prom_dir.name, "prometheus.log"), "ab")
        self.prom = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.prom_cfg}",
             f"--storage.tsdb.path={os.path.join(self.prom_dir.name, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.prom_port}",
             "--web.enable-remote-write-receiver"],
            stdout=self.prom_log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.prom.poll() is None and
                 http("GET", self.prom_base + "/-/ready")[0] == 200, "prometheus ready",
                 timeout=60)

    def stop_prometheus(self):
        if self.prom and self.prom.poll() is None:
            self.prom.terminate()
            self.prom.wait(timeout=30)
        self.prom_log.close()

    def tearDown(self):
        self.stop_prometheus()
        self.prom_dir.cleanup()
        super().tearDown()

    def prometheus_marker_timestamps(self):
        _, body = get_json(self.prom_base, "/api/v1/query", query='rw_marker{cluster="it"}[1h]')
        out = set()
        for r in body["data"]["result"]:
            for t, _ in r["values"]:
                out.add(int(round(float(t) * 1000)))
        return out


class PrometheusReceiverTest(PrometheusTestBase):
    def test_samples_arrive_and_read_back(self):
        self.start_prometheus()
        agent = self.start_agent(self.prom_url)
        self.addCleanup(agent.close)
        wait_for(lambda: len(self.prometheus_marker_timestamps()) >= 5,
                 "five rw_marker samples in Prometheus", timeout=60)
        sent = agent_marker_timestamps(agent)
        # Everything the agent held a moment ago arrives, with the same timestamps.
        wait_for(lambda: sent <= self.prometheus_marker_timestamps(),
                 "every rw_marker sample of the agent in Prometheus", timeout=30)
        _, body = get_json(self.prom_base, "/api/v1/query", query='node_load1{cluster="it"}')
        self.assertTrue(body["data"]["result"], "node_load1 from the system collector")
        self.assertEqual(agent.stop(), 0)


class Prometheus242FallbackTest(PrometheusTestBase):
    """Prometheus 2.42's receiver knows only 1.0 and ignores the content type: a 2.0 sender must
    notice (2xx without Written headers), fall back, and lose nothing."""

    def test_v2_sender_against_prometheus_2_42(self):
        self.start_prometheus()
        recv = type("PromTarget", (), {"url": self.prom_url, "port": self.prom_port})()
        agent = RemoteWrite2Test._start_v2(self, recv)
        wait_for(lambda: len(self.prometheus_marker_timestamps()) >= 5,
                 "five rw_marker samples in Prometheus", timeout=60)
        sent = agent_marker_timestamps(agent)
        wait_for(lambda: sent <= self.prometheus_marker_timestamps(),
                 "every rw_marker sample of the agent in Prometheus", timeout=30)
        self.assertEqual(version_metric(agent, self.prom_port), 1)
        self.assertEqual(agent.stop(), 0)


class OutageKillTest(PrometheusTestBase):
    """Prometheus goes down; the agent keeps collecting and is killed with SIGKILL in the middle
    of the outage; a new agent on the same state dir continues; Prometheus comes back: every
    sample of the outage arrives, in order, none lost."""

    def test_outage_with_kill_9_loses_nothing(self):
        self.start_prometheus()
        agent = self.start_agent(self.prom_url)
        self.addCleanup(agent.close)
        wait_for(lambda: len(self.prometheus_marker_timestamps()) >= 3,
                 "rw_marker in Prometheus before the outage", timeout=60)
        self.stop_prometheus()  # the outage starts
        outage_start = time.time()
        wait_for(lambda: time.time() - outage_start > 4 and
                 len(agent_marker_timestamps(agent)) >= 8, "samples collected during the outage",
                 timeout=30)
        expected = agent_marker_timestamps(agent)
        agent.send_signal(signal.SIGKILL)
        agent.proc.wait()
        agent.log.close()
        # A new agent on the same state dir, still during the outage.
        agent2 = Agent()
        agent2.state_dir = agent.state_dir
        agent2.port = agent.port
        self.start_agent(self.prom_url, agent=agent2)
        self.addCleanup(agent2.close)
        wait_for(lambda: len(agent_marker_timestamps(agent2)) >= 3, "agent 2 collecting",
                 timeout=30)
        expected |= agent_marker_timestamps(agent2)
        during_outage = {t for t in expected if t > outage_start * 1000}
        self.assertGreaterEqual(len(during_outage), 6, "samples collected during the outage")
        self.start_prometheus()  # the outage ends
        wait_for(lambda: expected <= self.prometheus_marker_timestamps(),
                 "every sample of the outage in Prometheus", timeout=90, interval=0.5)
        got = sorted(self.prometheus_marker_timestamps())
        self.assertEqual(len(got), len(set(got)))
        body = agent2.scrape()
        self.assertEqual(metric_value(body, 'tocsin_remote_storage_samples_failed_total'
                                      '{remote_name="it",url="http://127.0.0.1:%d/<redacted>"}'
                                      % self.prom_port), 0)
        self.assertEqual(agent2.stop(), 0)


if __name__ == "__main__":
    cls = sys.argv.pop(1) if len(sys.argv) > 1 else None
    suite = (unittest.defaultTestLoader.loadTestsFromTestCase(globals()[cls]) if cls
             else unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
