#!/usr/bin/env python3
"""Reproducers for the lost notifications found by the soak test (tests/soak/run.sh).

  python3 tests/soak/repro_lost_resolves.py [build/release/agent/tocsin]

Two control scenarios run first (the same steps without the reload / without the outage; they
must pass, else the reproducer itself is broken). Each scenario starts its own agent (textfile collector drives the alert condition, 1 s rule
interval, webhook receiver in this process) and prints PASS (the resolve arrived) or FAIL (it
was handed off by the rule engine but never delivered). Exit status 1 if any scenario fails.

A "reload": an alert fires and its notification is delivered; the config is reloaded unchanged
   (POST /-/reload); the alert resolves. The resolved notification never comes (before eec0e77).
B "supersede": two alerts of one group (group_by [alertname]) fire and are delivered; the
   receiver starts answering 500; alert 1 resolves (a flush carrying its resolve is queued and
   retried); alert 3 starts firing (the next flush of the group supersedes the queued one, and no
   longer carries alert 1, which the first flush removed from the group); the receiver recovers.
   Alert 1's resolve never comes (before 85bc828).
C "reload within group_wait": an alert is handed off firing and the config is reloaded
   (unchanged) before group_wait has passed; the alert resolves before rules.resend_delay (1m)
   would hand it off again. The receiver never hears of the alert at all (before eec0e77).
"""
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOCSIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/release/agent/tocsin")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    def __init__(self):
        self.mode = 200
        self.got = []  # (idx, status) of every alert in payloads answered 200
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                code = outer.mode
                if code == 200:
                    for a in json.loads(body)["alerts"]:
                        outer.got.append((a["labels"].get("idx"), a["status"]))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()


class Agent:
    def __init__(self, receiver):
        self.dir = tempfile.mkdtemp(prefix="tocsin-repro-")
        self.port = free_port()
        os.makedirs(f"{self.dir}/tf")
        self.set_conditions({"1": 0, "2": 0, "3": 0})
        with open(f"{self.dir}/rules.yml", "w") as f:
            f.write("groups:\n  - name: g\n    interval: 1s\n    rules:\n"
                    "      - alert: Repro\n        expr: cond == 1\n")
        with open(f"{self.dir}/tocsin.yml", "w") as f:
            f.write(f"""global: {{interval: 1s}}
web: {{listen_address: 127.0.0.1:{self.port}, enable_lifecycle: true}}
state_dir: {self.dir}/state
collectors: {{textfile: {{directory: {self.dir}/tf}}}}
rule_files: ['{self.dir}/rules.yml']
alerting:
  route: {{receiver: r, group_by: ['alertname'], group_wait: 1s, group_interval: 2s,
          repeat_interval: 1h}}
  receivers: [{{name: r, webhook_configs: [{{url: 'http://127.0.0.1:{receiver.port}/'}}]}}]
  delivery: {{initial_backoff: 200ms, max_backoff: 1s, breaker_failures: 1000}}
""")
        self.log = open(f"{self.dir}/tocsin.log", "wb")
        self.proc = subprocess.Popen([TOCSIN, "run", "--config", f"{self.dir}/tocsin.yml",
                                      "--log.target", "stderr"], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        wait(lambda: urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready").status == 200,
             "agent ready")

    def set_conditions(self, conds):
        text = "".join(f'cond{{idx="{k}"}} {v}\n' for k, v in conds.items())
        with open(f"{self.dir}/tf/c.prom.tmp", "w") as f:
            f.write(text)
        os.replace(f"{self.dir}/tf/c.prom.tmp", f"{self.dir}/tf/c.prom")

    def reload(self):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/-/reload", data=b"",
                                     method="POST")
        assert urllib.request.urlopen(req).status == 200

    def handed_off(self, idx, status):
        with open(f"{self.dir}/tocsin.log", errors="replace") as f:
            for line in f:
                if "alert hand-off: " in line:
                    a = json.loads(line.split("alert hand-off: ", 1)[1])
                    if a["labels"].get("idx") == idx and a["status"] == status:
                        return True
        return False

    def handed_off_resolved(self, idx):
        return self.handed_off(idx, "resolved")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def wait(pred, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def expect_resolve(agent, rcv, idx, name):
    wait(lambda: agent.handed_off_resolved(idx), f"rule engine hand-off of {idx}'s resolve")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (idx, "resolved") not in rcv.got:
        time.sleep(0.2)
    ok = (idx, "resolved") in rcv.got
    print(f"{name}: {'PASS' if ok else 'FAIL'}: resolve of alert idx={idx} handed off by the "
          f"rule engine, {'delivered' if ok else 'never delivered (waited 20 s)'}; receiver got "
          f"{rcv.got}")
    return ok


def scenario_reload(reload=True):
    rcv = Receiver()
    agent = Agent(rcv)
    try:
        agent.set_conditions({"1": 1})
        wait(lambda: ("1", "firing") in rcv.got, "firing notification")
        if reload:
            agent.reload()  # unchanged config
        agent.set_conditions({"1": 0})
        return expect_resolve(agent, rcv, "1", "A reload" if reload else "control: no reload")
    finally:
        agent.stop()


def scenario_supersede(outage=True):
    rcv = Receiver()
    agent = Agent(rcv)
    try:
        agent.set_conditions({"1": 1, "2": 1})
        wait(lambda: ("1", "firing") in rcv.got and ("2", "firing") in rcv.got, "firing")
        rcv.mode = 500 if outage else 200
        agent.set_conditions({"1": 0, "2": 1})
        wait(lambda: agent.handed_off_resolved("1"), "resolve hand-off")
        time.sleep(4)  # group_interval: the flush carrying the resolve is queued and retried
        agent.set_conditions({"1": 0, "2": 1, "3": 1})
        time.sleep(4)  # the next flush (alert 3 firing) supersedes it
        rcv.mode = 200
        wait(lambda: ("3", "firing") in rcv.got, "alert 3 delivered after recovery")
        return expect_resolve(agent, rcv, "1",
                              "B supersede" if outage else "control: no receiver outage")
    finally:
        agent.stop()


def scenario_reload_in_group_wait():
    rcv = Receiver()
    agent = Agent(rcv)
    try:
        agent.set_conditions({"1": 1})
        wait(lambda: agent.handed_off("1", "firing"), "firing hand-off", timeout=30)
        agent.reload()  # within group_wait (1 s) of the hand-off, unchanged config
        time.sleep(3)
        agent.set_conditions({"1": 0})  # resolves before the rule engine re-sends (1m)
        wait(lambda: agent.handed_off_resolved("1"), "resolve hand-off")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and ("1", "resolved") not in rcv.got:
            time.sleep(0.2)
        ok = ("1", "resolved") in rcv.got
        print(f"C reload within group_wait: {'PASS' if ok else 'FAIL'}: alert idx=1 fired and "
              f"resolved (both handed off by the rule engine); receiver got {rcv.got}"
              + ("" if ok else " -- no resolve (waited 20 s)"))
        return ok
    finally:
        agent.stop()


if __name__ == "__main__":
    controls = [scenario_reload(reload=False), scenario_supersede(outage=False)]
    if not all(controls):
        sys.exit("a control scenario failed: the reproducer itself is broken")
    results = [scenario_reload(), scenario_supersede(), scenario_reload_in_group_wait()]
    sys.exit(0 if all(results) else 1)
