#!/usr/bin/env python3
"""Flip-to-hand-off latency of a `for: 0` alert in the real tocsin daemon.

A local HTTP target serves `app_circuit_breaker_state{breaker="db"}`; tocsin scrapes it
(scrape_configs) and evaluates `app_circuit_breaker_state == 2`. For each of N flips the gauge
goes 0 -> 2; we take the time of the flip and the time the target served the first scrape that
carried the 2 ("collected"), and read the daemon's `alert hand-off:` log line (its handoff_ms is
the daemon's wall clock when it handed the alert to the NotifyFn). Then the gauge goes back to 0
and we wait for the resolve hand-off before the next flip (random phase in between).

Beside the breaker group, --groups N - 1 filler groups evaluate rules over the system
collector's series (another source, committing every global.interval), so that event-driven
mode is measured with 100 groups of which one reads the flipping series. Each mode runs in its
own daemon, one after the other, in the same run.

Prints, for each mode: median / p99 / worst of flip->hand-off and collected->hand-off, rule
group evaluations per second, the agent's CPU time per collected sample (utime + stime from
/proc/<pid>/stat over the run, divided by tocsin_store_samples_appended_total) and the ratio
event/interval of both. With --pagerduty the alert is also routed (group_wait 0s) to the local
PagerDuty fake (tests/fakes/pagerduty_fake.py, which validates Events API v2 requests) and
flip->PagerDuty, the time until the trigger request arrives there, is printed too.

Usage:
  TOCSIN_BINARY=build/release/agent/tocsin python3 tests/bench/rules/alert_latency.py \\
      [--flips 50] [--scrape-interval 1s] [--eval-interval 1s] [--modes event,interval] \\
      [--groups 100] [--pagerduty]
"""
import argparse
import http.server
import math
import subprocess
import urllib.request
import json
import os
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "integration"))
from tocsin_harness import Agent, wait_for  # noqa: E402
from tocsin_harness import http as http_request  # noqa: E402

# Filler rules over the system collector's series; none of them fires.
FILLER_EXPRS = [
    "node_load1 > 1e9",
    "rate(node_cpu_seconds_total[1m]) > 1e9",
    "node_memory_MemAvailable_bytes < 0",
    "sum by (device) (rate(node_network_receive_bytes_total[1m])) > 1e15",
    "node_filesystem_avail_bytes / node_filesystem_size_bytes < -1",
]

HANDOFF = "alert hand-off: "


class Target:
    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()
        self.first_served_ms = None  # first scrape serving the current value 2
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with target.lock:
                    v = target.value
                    if v == 2 and target.first_served_ms is None:
                        target.first_served_ms = time.time() * 1000
                body = ("# TYPE app_circuit_breaker_state gauge\n"
                        f'app_circuit_breaker_state{{breaker="db"}} {v}\n').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def set(self, v):
        with self.lock:
            self.value = v
            if v == 2:
                self.first_served_ms = None


def handoffs(agent, status):
    out = []
    for line in agent.logs().splitlines():
        i = line.find(HANDOFF)
        if i >= 0:
            a = json.loads(line[i + len(HANDOFF):])
            if a["labels"].get("alertname") == "CircuitBreakerOpen" and a["status"] == status:
                out.append(a)
    return out


class PagerDutyFake:
    """tests/fakes/pagerduty_fake.py in a subprocess; `triggers()` lists the accepted triggers."""

    def __init__(self, workdir):
        fake = os.path.join(os.path.dirname(__file__), "..", "..", "fakes", "pagerduty_fake.py")
        port_file = os.path.join(workdir, "pd.port")
        self.proc = subprocess.Popen([sys.executable, fake, "--port-file", port_file])
        self.port = int(wait_for(lambda: os.path.exists(port_file) and open(port_file).read(),
                                 "the PagerDuty fake to listen"))

    def events(self, action):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_control/received") as r:
            reqs = json.load(r)["requests"]
        return [q for q in reqs if q["status"] == 202 and q["json"] and
                q["json"].get("event_action") == action]

    def triggers(self):
        return self.events("trigger")

    def close(self):
        self.proc.kill()
        self.proc.wait()


def percentile(xs, q):
    """Nearest-rank percentile."""
    v = sorted(xs)
    return v[max(0, math.ceil(q / 100 * len(v)) - 1)]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def counter_sum(agent, name):
    """The sum of a family's samples on /metrics."""
    _, body = http_request("GET", agent.url("/metrics"))
    total = 0.0
    for line in body.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def run_mode(mode, flips, scrape_interval, eval_interval, pagerduty=False, groups=1):
    target = Target()
    agent = Agent(config_text="")
    pd = PagerDutyFake(agent.dir.name) if pagerduty else None
    alerting = ""
    if pd:
        key_file = os.path.join(agent.dir.name, "pd.key")
        with open(key_file, "w") as f:
            f.write("0123456789abcdef0123456789abcdef")
        alerting = (
            "alerting:\n  route:\n    receiver: pd\n    group_by: [alertname]\n"
            "    group_wait: 0s\n    group_interval: 1s\n    repeat_interval: 1h\n"
            "  receivers:\n    - name: pd\n      pagerduty_configs:\n"
            f"        - routing_key_file: {key_file}\n"
            f"          url: http://127.0.0.1:{pd.port}/v2/enqueue\n")
    rules = os.path.join(agent.dir.name, "rules.yml")
    with open(rules, "w") as f:
        f.write("groups:\n  - name: breaker\n    rules:\n"
                "      - alert: CircuitBreakerOpen\n"
                "        expr: app_circuit_breaker_state == 2\n"
                "        labels: {severity: page}\n")
        for g in range(1, groups):
            f.write(f"  - name: filler_{g}\n    rules:\n      - alert: Filler{g}\n"
                    f"        expr: {FILLER_EXPRS[g % len(FILLER_EXPRS)]}\n")
    agent.write_config(
        f"global:\n  interval: {eval_interval}\n"
        f"web:\n  listen_address: 127.0.0.1:{agent.port}\n"
        f"state_dir: {agent.state_dir}\n"
        "collectors:\n  system: {}\n"
        f"scrape_configs:\n  - job_name: app\n    scrape_interval: {scrape_interval}\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{target.port}']}}]\n"
        f"rule_files: ['{rules}']\n"
        f"rules:\n  event_driven: {'true' if mode == 'event' else 'false'}\n" + alerting)
    flip_lat, collect_lat, pd_lat = [], [], []
    try:
        agent.start()
        agent.wait_ready()
        t0, cpu0 = time.time(), cpu_seconds(agent.proc.pid)
        evals0 = counter_sum(agent, "tocsin_rule_group_iterations_total")
        samples0 = counter_sum(agent, "tocsin_store_samples_appended_total")
        for i in range(flips):
            time.sleep(random.uniform(0.2, 1.2))  # random phase against scrape/eval slots
            n_fired = len(handoffs(agent, "firing"))
            n_resolved = len(handoffs(agent, "resolved"))
            n_pd = len(pd.triggers()) if pd else 0
            n_pd_resolved = len(pd.events("resolve")) if pd else 0
            flip_ms = time.time() * 1000
            target.set(2)
            fired = wait_for(lambda: len(handoffs(agent, "firing")) > n_fired and
                             handoffs(agent, "firing"), "the firing hand-off", timeout=60,
                             interval=0.01)
            h = fired[n_fired]["handoff_ms"]
            flip_lat.append(h - flip_ms)
            collect_lat.append(h - target.first_served_ms)
            if pd:
                sent = wait_for(lambda: len(pd.triggers()) > n_pd and pd.triggers(),
                                "the PagerDuty trigger", timeout=60, interval=0.01)
                pd_lat.append(sent[n_pd]["t"] * 1000 - flip_ms)
            target.set(0)
            wait_for(lambda: len(handoffs(agent, "resolved")) > n_resolved, "the resolve",
                     timeout=60, interval=0.01)
            if pd:
                # A re-fire before the resolve reached PagerDuty changes nothing for the receiver
                # (the incident is still open), so no new trigger would be sent: wait for it.
                wait_for(lambda: len(pd.events("resolve")) > n_pd_resolved,
                         "the PagerDuty resolve", timeout=60, interval=0.01)
        elapsed = time.time() - t0
        cpu = cpu_seconds(agent.proc.pid) - cpu0
        evals = counter_sum(agent, "tocsin_rule_group_iterations_total") - evals0
        samples = counter_sum(agent, "tocsin_store_samples_appended_total") - samples0
        usage = {"evals_per_s": evals / elapsed, "cpu_us_per_sample": cpu * 1e6 / samples,
                 "cpu_percent": 100 * cpu / elapsed}
    except AssertionError:
        sys.stderr.write("agent log tail:\n" + "\n".join(agent.logs().splitlines()[-15:]) + "\n")
        raise
    finally:
        agent.close()
        target.server.shutdown()
        if pd:
            pd.close()
    return flip_lat, collect_lat, pd_lat, usage


def summary(xs):
    return (f"median {statistics.median(xs):5.0f} ms  p99 {percentile(xs, 99):5.0f} ms  "
            f"worst {max(xs):5.0f} ms")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--flips", type=int, default=50)
    p.add_argument("--scrape-interval", default="1s")
    p.add_argument("--eval-interval", default="1s")
    p.add_argument("--modes", default="event,interval")
    p.add_argument("--groups", type=int, default=100,
                   help="rule groups in all; one reads the flipping series")
    p.add_argument("--pagerduty", action="store_true",
                   help="also route to the PagerDuty fake and time the trigger's arrival")
    args = p.parse_args()
    print(f"flips={args.flips} scrape_interval={args.scrape_interval} "
          f"eval_interval={args.eval_interval} groups={args.groups}")
    usages = {}
    for mode in args.modes.split(","):
        flip, coll, pd, usage = run_mode(mode, args.flips, args.scrape_interval,
                                         args.eval_interval, args.pagerduty, args.groups)
        usages[mode] = usage
        print(f"{mode}: flip->handoff      {summary(flip)}")
        print(f"{mode}: collected->handoff {summary(coll)}")
        if pd:
            print(f"{mode}: flip->PagerDuty    {summary(pd)}")
        print(f"{mode}: {usage['evals_per_s']:.1f} group evaluations/s, "
              f"{usage['cpu_us_per_sample']:.2f} us CPU per collected sample, "
              f"{usage['cpu_percent']:.2f} % of a core")
        print(f"  {mode} flip->handoff ms: {[round(x) for x in flip]}")
        if pd:
            print(f"  {mode} flip->PagerDuty ms: {[round(x) for x in pd]}")
    if "event" in usages and "interval" in usages:
        e, i = usages["event"], usages["interval"]
        print(f"event/interval: evaluations/s x{e['evals_per_s'] / i['evals_per_s']:.2f}, "
              f"CPU per collected sample x{e['cpu_us_per_sample'] / i['cpu_us_per_sample']:.2f}")


if __name__ == "__main__":
    main()
