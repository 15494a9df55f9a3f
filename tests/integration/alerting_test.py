"""Integration tests of alerting rules in the real tocsin daemon: hand-off semantics, restart
safety after kill -9 (pending timer kept, firing alert not paged again, resolve after a condition
cleared while down), reload keeping state / rejecting a broken rule file, the rules API, and
`tocsin query`.

The notification hand-off is observed through the daemon's structured log line
`alert hand-off: {json}` (one per alert handed to the NotifyFn). The condition is driven through
the textfile collector (a .prom file the test rewrites). Every wait is a bounded poll.

Usage: TOCSIN_BINARY=build/alerting/agent/tocsin python3 tests/integration/alerting_test.py
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import TOCSIN, Agent, http, metric_value, wait_for  # noqa: E402

HANDOFF = "alert hand-off: "


def rfc3339_ms(s):
    """'2026-11-23T15:54:56.123Z' -> Unix ms."""
    import datetime
    d = datetime.datetime.strptime(s.replace("Z", "+0000"),
                                   "%Y-%m-%dT%H:%M:%S.%f%z" if "." in s else "%Y-%m-%dT%H:%M:%S%z")
    return int(d.timestamp() * 1000)


class AlertingAgent(Agent):
    def __init__(self, rules, interval="500ms", rules_section=""):
        self.textfile_dir = None
        super().__init__(config_text="")
        self.textfile_dir = os.path.join(self.dir.name, "textfile")
        os.makedirs(self.textfile_dir)
        os.makedirs(os.path.join(self.dir.name, "rules"))
        self.rules_path = os.path.join(self.dir.name, "rules", "rules.yml")
        self.write_rules(rules)
        self.set_condition(1)
        self.write_config(
            f"global:\n  interval: {interval}\n"
            f"web:\n  listen_address: 127.0.0.1:{self.port}\n  enable_lifecycle: true\n"
            f"state_dir: {self.state_dir}\n"
            f"collectors:\n  textfile:\n    directory: {self.textfile_dir}\n"
            f"rule_files: ['{self.dir.name}/rules/*.yml']\n"
            + rules_section)

    def write_rules(self, text):
        tmp = self.rules_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.rules_path)

    def set_condition(self, v):
        path = os.path.join(self.textfile_dir, "cond.prom")
        with open(path + ".tmp", "w") as f:
            f.write(f"test_condition {v}\n")
        os.replace(path + ".tmp", path)

    def handoffs(self, name=None):
        out = []
        for line in self.logs().splitlines():
            i = line.find(HANDOFF)
            if i < 0:
                continue
            a = json.loads(line[i + len(HANDOFF):])
            if name is None or a["labels"].get("alertname") == name:
                out.append(a)
        return out

    def kill9_and_restart(self, before_restart=None):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()
        if before_restart:
            before_restart()
        self.start()

    def iterations(self):
        body = self.scrape()
        total = 0
        for line in body.splitlines():
            if line.startswith("tocsin_rule_group_iterations_total{"):
                total += float(line.rpartition(" ")[2])
        return total

    def api(self, path):
        status, body = http("GET", self.url(path))
        assert status == 200, f"{path} answered {status}: {body}"
        return json.loads(body)

    def alerts(self, name):
        return [a for a in self.api("/api/v1/alerts")["data"]["alerts"]
                if a["labels"].get("alertname") == name]


FIRING_RULES = """groups:
  - name: restart
    rules:
      - alert: CondFiring
        expr: test_condition > 0
        labels: {severity: page}
        annotations: {summary: "condition is {{ $value }}"}
"""

PENDING_RULES = """groups:
  - name: restart
    rules:
      - alert: CondPending
        expr: test_condition > 0
        for: 8s
"""


class FiringRestartTest(unittest.TestCase):
    def setUp(self):
        self.agent = AlertingAgent(FIRING_RULES)
        self.addCleanup(self.agent.close)
        self.agent.start()
        self.agent.wait_ready()

    def test_firing_alert_is_not_paged_again_after_kill9(self):
        a = self.agent
        first = wait_for(lambda: a.handoffs("CondFiring"), "the first hand-off")
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["status"], "firing")
        self.assertEqual(first[0]["labels"]["severity"], "page")
        # State is on disk once the group has evaluated after the hand-off.
        wait_for(lambda: a.iterations() >= 3, "more evaluations")
        a.kill9_and_restart()
        a.wait_ready()
        # Many evaluations after the restart (resend_delay is 1m): no new page.
        wait_for(lambda: a.iterations() >= 8, "8 evaluations after the restart")
        self.assertEqual(a.handoffs("CondFiring"), [], a.logs())
        alerts = a.alerts("CondFiring")
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts[0]["state"], "firing")
        self.assertEqual(rfc3339_ms(alerts[0]["activeAt"]), rfc3339_ms(first[0]["startsAt"]))

    def test_condition_cleared_while_down_is_resolved(self):
        a = self.agent
        first = wait_for(lambda: a.handoffs("CondFiring"), "the first hand-off")
        wait_for(lambda: a.iterations() >= 3, "more evaluations")
        a.kill9_and_restart(before_restart=lambda: a.set_condition(0))
        a.wait_ready()
        resolved = wait_for(lambda: a.handoffs("CondFiring"), "a resolve after the restart")
        self.assertEqual(resolved[0]["status"], "resolved", resolved)
        self.assertEqual(resolved[0]["startsAt"], first[0]["startsAt"])
        self.assertGreater(rfc3339_ms(resolved[0]["endsAt"]), rfc3339_ms(first[0]["startsAt"]))


class PendingRestartTest(unittest.TestCase):
    def test_pending_timer_survives_kill9(self):
        a = AlertingAgent(PENDING_RULES, rules_section="rules:\n  grace_period: 1s\n")
        self.addCleanup(a.close)
        a.start()
        a.wait_ready()
        pending = wait_for(lambda: a.alerts("CondPending"), "a pending alert")
        active_at = rfc3339_ms(pending[0]["activeAt"])
        self.assertEqual(pending[0]["state"], "pending")

        def pending_for_3s():
            rules = a.api("/api/v1/rules")["data"]["groups"][0]
            return rfc3339_ms(rules["lastEvaluation"]) - active_at >= 3000
        wait_for(pending_for_3s, "3 s of pending")
        restarted_ms = []
        a.kill9_and_restart(before_restart=lambda: restarted_ms.append(int(time.time() * 1000)))
        restarted_ms = restarted_ms[0]
        a.wait_ready()
        again = wait_for(lambda: a.alerts("CondPending"), "the pending alert after the restart")
        # The timer was kept: the restored ActiveAt lies >= 3 s (the time already spent pending)
        # before the first evaluation after the restart, so before the process even started; a
        # reset timer would start at that first evaluation, after `restarted_ms`.
        self.assertEqual(again[0]["state"], "pending")
        self.assertLess(rfc3339_ms(again[0]["activeAt"]), restarted_ms, again)
        fired = wait_for(lambda: a.handoffs("CondPending"), "the alert to fire")
        self.assertEqual(fired[0]["status"], "firing")
        self.assertGreaterEqual(rfc3339_ms(fired[0]["startsAt"]) - rfc3339_ms(again[0]["activeAt"]),
                                8000)
        self.assertTrue(all(h["status"] != "pending" for h in a.handoffs()))


class ReloadTest(unittest.TestCase):
    def test_broken_rule_file_keeps_old_rules_and_changed_file_keeps_state(self):
        a = AlertingAgent(FIRING_RULES)
        self.addCleanup(a.close)
        a.start()
        a.wait_ready()
        wait_for(lambda: a.handoffs("CondFiring"), "the first hand-off")
        before = a.alerts("CondFiring")[0]["activeAt"]

        a.write_rules("groups:\n  - name: restart\n    rules:\n      - alert: X\n        expr: up >\n")
        status, body = http("POST", a.url("/-/reload"))
        self.assertEqual(status, 500, body)
        self.assertIn("rules.yml", body)
        self.assertEqual(metric_value(a.scrape(), "tocsin_config_last_reload_successful"), 0)
        names = [r["name"] for g in a.api("/api/v1/rules")["data"]["groups"] for r in g["rules"]]
        self.assertEqual(names, ["CondFiring"])

        # Same identity (group, name, labels), new expression and annotation: state kept.
        a.write_rules(FIRING_RULES.replace("test_condition > 0", "test_condition >= 1")
                      .replace("condition is", "cond ="))
        status, body = http("POST", a.url("/-/reload"))
        self.assertEqual(status, 200, body)
        self.assertEqual(metric_value(a.scrape(), "tocsin_config_last_reload_successful"), 1)
        rule = a.api("/api/v1/rules")["data"]["groups"][0]["rules"][0]
        self.assertEqual(rule["query"], "test_condition >= 1")
        self.assertEqual(a.alerts("CondFiring")[0]["activeAt"], before)
        self.assertEqual(len(a.handoffs("CondFiring")), 1, "no second page after the reload")


class ApiAndQueryTest(unittest.TestCase):
    def test_rules_api_metrics_and_query_command(self):
        a = AlertingAgent(FIRING_RULES + """      - record: cond:doubled
        expr: test_condition * 2
""")
        self.addCleanup(a.close)
        a.start()
        a.wait_ready()
        wait_for(lambda: a.handoffs("CondFiring"), "the first hand-off")
        d = a.api("/api/v1/rules")
        self.assertEqual(d["status"], "success")
        g = d["data"]["groups"][0]
        self.assertEqual(g["name"], "restart")
        self.assertEqual(g["interval"], 0.5)
        self.assertEqual([r["type"] for r in g["rules"]], ["alerting", "recording"])
        self.assertEqual(g["rules"][0]["alerts"][0]["value"], "1e+00")
        self.assertEqual(g["rules"][0]["alerts"][0]["annotations"]["summary"], "condition is 1")
        body = wait_for(lambda: (lambda b: "cond:doubled" in b and b)(a.scrape()),
                        "the recording rule on /metrics")
        self.assertIn('ALERTS{alertname="CondFiring",alertstate="firing",severity="page"} 1', body)
        self.assertIn("ALERTS_FOR_STATE{", body)
        self.assertIn("tocsin_rule_evaluations_total{", body)
        self.assertEqual(metric_value(body, "cond:doubled"), 2)
        out = subprocess.run([TOCSIN, "query", "cond:doubled", "--url",
                              f"http://127.0.0.1:{a.port}"], capture_output=True, text=True,
                             timeout=20)
        self.assertEqual(out.returncode, 0, out.stderr)
        # The recording rule keeps the source's target labels (global.target_labels).
        self.assertRegex(out.stdout,
                         r'^cond:doubled\{instance="[^"]+", job="node"\} => 2 @\[\d+(\.\d+)?\]\n$')
        bad = subprocess.run([TOCSIN, "query", "sum(", "--url", f"http://127.0.0.1:{a.port}"],
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("bad_data", bad.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1] + sys.argv[1:])
