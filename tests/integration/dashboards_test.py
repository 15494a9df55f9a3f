"""The Grafana dashboards in dashboards/ against Grafana's dashboard JSON model and a running
tocsin whose collectors feed them.

DashboardStructureTest (no agent):
  * every dashboards/*.json against Grafana's classic dashboard JSON model (the grafana.com
    sharing format, schemaVersion 41). @grafana/schema (Node.js) is not available offline here,
    so this is an equivalent structural check written for it: required top-level keys and
    their types, stable uid/title, `__requires`, no `__inputs`, the `ds_prometheus` datasource
    variable and the `job`/`instance` label_values variables, unique panel ids (rows' nested
    panels included), gridPos inside the 24 columns and not overlapping, every target with a
    unique refId and an expr, every datasource reference `${ds_prometheus}`, every `$variable`
    used defined (or a Grafana built-in), units and thresholds present, the operators'
    thresholds (CPU 70/85 %, memory 80/90 %, p95 1/2 s, error ratio 1/5 %, queue 100/500,
    cache hit < 50 %) where the rule packs use them;
  * every metric name a query (or a variable query) uses is documented in docs/metrics.md,
    is a recording rule of rules/packs/*.yml, or (app.json only: the application's own series,
    not tocsin's) is one the example service documents (tests/example_service/service.py).

DashboardQueriesTest (one agent "A" with every collector, one agent "B" scraping A):
  * A runs the system collector, a real PostgreSQL primary (with a streaming replica and
    pg_stat_statements) and a real redis-server (Debian's packages; tests/collectors/postgres
    and redis harness code), tests/example_service scraped over /metrics and sending StatsD,
    a ScyllaDB node replayed from tests/collectors/scylla/testdata (there is no real Scylla
    here: the fixture's counters advance on every request so that rates and quantiles have
    values), a rule file with an always-firing alert, a webhook receiver and an Alertmanager
    (both a local sink). A background thread keeps the workload going (service operations
    with their 5 % errors, Redis hits and misses) so that every rate-based panel has data.
  * every panel query, with variables substituted, is accepted by A's /api/v1/format_query;
  * every query of node, app, postgres, redis and scylla returns data (a non-NaN value) from A
    with the variables resolved through A's label-values API the way Grafana's Prometheus data
    source does (job <- label_values(...), then instance with $job substituted; sorted, first
    option), for every option of `job` (app.json: "node" = StatsD, "store" = the scrape);
    range targets through /api/v1/query_range over the dashboard's default time range, instant
    ones through /api/v1/query; $__rate_interval = 1m as Grafana computes it for a 15 s
    data-source scrape interval.
  * tocsin.json: the agent's tocsin_* and process_* self-metrics are in A's own store (the
    `tocsin` and `process` collectors), so they are queried from A like the others.
No exemptions: every target of every dashboard must return data.

Usage: TOCSIN_BINARY=build/.../tocsin python3 tests/integration/dashboards_test.py [TestClass]
"""
import glob
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
DASH_DIR = os.path.join(SOURCE_DIR, "dashboards")
METRICS_MD = os.path.join(SOURCE_DIR, "docs", "metrics.md")
PACKS = os.path.join(SOURCE_DIR, "rules", "packs")
SERVICE_PY = os.path.join(SOURCE_DIR, "tests", "example_service", "service.py")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "collectors", "postgres"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "collectors", "redis"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "collectors", "scylla"))
import pg_cluster  # noqa: E402
from app_collectors_test import Service, free_udp_port  # noqa: E402
from grafana_dashboard_check import (range_seconds, strip_promql, substitute,  # noqa: E402
                                     template_variables)
from redis_real_test import Resp  # noqa: E402
from scylla_fake_test import FakeScylla  # noqa: E402
from tocsin_harness import Agent, free_port, http, wait_for  # noqa: E402

DASHBOARDS = {  # file -> (uid, title, variable info metric): stable, other links depend on them
    "node.json": ("tocsin-node", "tocsin / Node overview", "node_uname_info"),
    "app.json": ("tocsin-app", "tocsin / Application (ScyllaDB store)", "scylladb_requests_total"),
    "postgres.json": ("tocsin-postgres", "tocsin / PostgreSQL", "pg_up"),
    "redis.json": ("tocsin-redis", "tocsin / Redis", "redis_up"),
    "scylla.json": ("tocsin-scylla", "tocsin / ScyllaDB", "scylla_up"),
    "tocsin.json": ("tocsin-agent", "tocsin / Agent", "tocsin_build_info"),
}
SCHEMA_VERSION = 41  # Grafana 11.6, as Node Exporter Full
DS_REF = {"type": "prometheus", "uid": "${ds_prometheus}"}
PANEL_TYPES = {"row", "timeseries", "stat", "gauge", "bargauge", "table", "state-timeline",
               "text", "heatmap", "piechart", "status-history"}
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s",
                    "__range_ms", "__from", "__to", "__dashboard", "__org", "__user",
                    "__name", "__auto_interval", "timeFilter", "__timeFilter"}
# Grafana's built-ins as it substitutes them for a Prometheus data source with the default
# 15 s scrape interval: $__rate_interval = max(4 x 15 s, $__interval + 15 s) = 1m.
RATE_INTERVAL, INTERVAL_S = "1m", 15

# The operators' thresholds (seeds 002/000) as rules/packs/*.yml alert on them: (file, panel
# title) -> (unit, non-base threshold values). Every panel with that title must have them.
EXPECTED_THRESHOLDS = {
    ("node.json", "CPU busy"): ("percentunit", [0.7, 0.85]),
    ("node.json", "Memory used"): ("percentunit", [0.8, 0.9]),
    ("app.json", "Latency p95"): ("s", [1, 2]),
    ("app.json", "Latency percentiles"): ("s", [1, 2]),
    ("app.json", "p95 by operation"): ("s", [1, 2]),
    ("app.json", "Error ratio"): ("percentunit", [0.01, 0.05]),
    ("app.json", "Queue depth"): ("short", [100, 500]),
    ("app.json", "Cache hit ratio"): ("percentunit", [0.5]),
    ("postgres.json", "Connections used"): ("percentunit", [0.8, 0.9]),
    ("redis.json", "Memory used of maxmemory"): ("percentunit", [0.8, 0.9]),
    ("redis.json", "Keyspace hit ratio"): ("percentunit", [0.5]),
    ("node.json", "Fullest filesystem"): ("percentunit", [0.8, 0.9]),
    ("node.json", "Load 1m per CPU"): ("short", [1, 2]),
    ("postgres.json", "Replication lag (replay)"): ("s", [30, 300]),
    ("postgres.json", "Longest transaction"): ("s", [600]),
    ("scylla.json", "Read latency (coordinator)"): ("s", [0.1, 0.5]),
    ("scylla.json", "Write latency (coordinator)"): ("s", [0.1, 0.5]),
    ("scylla.json", "Pending compactions"): ("short", [100]),
}

# Names a dashboard uses that docs/metrics.md spells differently from the binary, with the reason.
# Remove an entry once the documentation (or the exporter) is fixed.
UNDOCUMENTED_EXEMPT = {}

PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                "or", "unless", "offset", "atan2", "inf", "nan", "start", "end",
                # aggregation operators (`sum without (x) (...)` has no "(" right after "sum")
                "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
                "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"}


def load_dashboards():
    out = {}
    for path in sorted(glob.glob(os.path.join(DASH_DIR, "*.json"))):
        with open(path) as f:
            out[os.path.basename(path)] = json.load(f)
    return out


def all_panels(panels):
    for p in panels:
        yield p
        yield from all_panels(p.get("panels") or [])


def targets(dash):
    """(panel title, panel, target) of every target, rows' nested panels too."""
    return [(title, p, t) for p in all_panels(dash.get("panels") or [])
            for title, t in [(p.get("title"), t) for t in p.get("targets") or []]]


# ------------------------------------------------------------------------ metric names
def expr_metric_names(expr):
    """Metric names an expression selects: identifiers outside strings, matchers, label lists
    and range brackets that are not functions or keywords."""
    s = strip_promql(expr)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    names = set()
    for m in re.finditer(r"(?<![\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", s):
        if m.group(2) or m.group(1).lower() in PROMQL_WORDS:
            continue
        names.add(m.group(1))
    return names


def variable_query_names(query):
    m = re.fullmatch(r"\s*label_values\(\s*(?:(.*?)\s*,\s*)?\w+\s*\)\s*", query or "", re.S)
    return expr_metric_names(m.group(1)) if m and m.group(1) else set()


def doc_token_regex(tok):
    """A documented name as it is written in metrics.md (`pg_settings_<name>[_seconds\\|_bytes]`,
    `node_network_receive_{bytes,packets}_total`, `scylla_cache_.*`) as a regex, or None."""
    tok = tok.replace("\\|", "|")
    if not re.match(r"[A-Za-z]", tok):
        return None  # `<name>_total` and the like describe a mapping, not names
    out, i = "", 0
    while i < len(tok):
        c = tok[i]
        if c == "{":
            j = tok.index("}", i)
            out += "(?:" + "|".join(re.escape(a.strip()) for a in tok[i + 1:j].split(",")) + ")"
            i = j + 1
        elif c == "<":
            j = tok.index(">", i)
            out += "[A-Za-z0-9_]+"
            i = j + 1
        elif c == "[":
            j = tok.index("]", i)
            out += "(?:" + tok[i + 1:j] + ")?"
            i = j + 1
        elif c == "…":
            out += "[A-Za-z0-9_]*"
            i += 1
        elif c in "()|":
            out += c
            i += 1
        elif tok.startswith(".*", i):
            out += ".*"
            i += 2
        elif re.match(r"[A-Za-z0-9_:]", c):
            out += c
            i += 1
        else:
            return None
    try:
        return re.compile(out)
    except re.error:
        return None


def documented_name_patterns():
    with open(METRICS_MD) as f:
        text = f.read()
    pats = []
    for span in re.findall(r"`([^`\n]+)`", text):
        for cand in {span.strip(), span.split("{", 1)[0].strip()}:
            if cand and not re.search(r"\s", cand):
                try:
                    r = doc_token_regex(cand)
                except ValueError:  # unbalanced brackets: prose, not a name
                    r = None
                if r:
                    pats.append(r)
    return pats


def recording_rule_names():
    names = set()
    for path in glob.glob(os.path.join(PACKS, "*.yml")) + glob.glob(os.path.join(PACKS, "*.yaml")):
        with open(path) as f:
            names |= set(re.findall(r"^\s*-?\s*record:\s*['\"]?([A-Za-z_:][\w:]*)", f.read(),
                                    re.M))
    return names


def example_service_names():
    """The application's own series as tests/example_service/service.py documents them: its
    /metrics names and its StatsD names under statsd_exporter's mapping (metrics.md)."""
    with open(SERVICE_PY) as f:
        doc = f.read().split('"""')[1]
    names = set(re.findall(r"\b(scylladb_[a-z_]+)", doc))
    for name, kind in re.findall(r"\b(scylladb\.[a-z_.]+):[\d.]+\|(\w+)", doc):
        n = name.replace(".", "_")
        names.add(n + "_total" if kind == "c" and not n.endswith("_total") else n)
    return names


def is_documented(name, patterns, extra):
    cands = {name, re.sub(r"_(bucket|sum|count)$", "", name)}
    return any(c in extra or any(p.fullmatch(c) for p in patterns) for c in cands)


# ------------------------------------------------------------------------ queries
def get_json(base, path, params, method="GET"):
    data = urllib.parse.urlencode(params, doseq=True)
    if method == "GET":
        status, body = http("GET", f"{base}{path}?{data}", timeout=30)
    else:
        status, body = http("POST", f"{base}{path}", body=data.encode(), timeout=30)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"status": "error", "error": f"HTTP {status}: {body[:200]}"}


def builtins(dash):
    rng = range_seconds(dash)
    return {"__rate_interval": RATE_INTERVAL, "__interval": f"{INTERVAL_S}s",
            "__interval_ms": str(INTERVAL_S * 1000), "__range": f"{rng}s",
            "__range_s": str(rng), "__range_ms": str(rng * 1000)}


def label_values(base, query, values, start, end):
    q = substitute(query, values)
    m = re.fullmatch(r"\s*label_values\(\s*(?:(.*?)\s*,\s*)?(\w+)\s*\)\s*", q, re.S)
    assert m, f"unsupported variable query {q!r}"
    params = {"start": f"{start:.3f}", "end": f"{end:.3f}"}
    if m.group(1):
        params["match[]"] = m.group(1)
    _, body = get_json(base, f"/api/v1/label/{m.group(2)}/values", params)
    assert body.get("status") == "success", (q, body)
    return sorted(body["data"])


def variable_sets(base, dash):
    """Grafana's resolution for each option of the first query variable (job): the later ones
    take their first sorted option with the earlier values substituted."""
    end = time.time()
    start = end - range_seconds(dash)
    qvars = [v for v in template_variables(dash) if v["type"] == "query"]
    first, rest = qvars[0], qvars[1:]
    sets = []
    for opt in label_values(base, first["query"], builtins(dash), start, end):
        values = dict(builtins(dash), **{first["name"]: opt})
        for v in rest:
            opts = label_values(base, v["query"], values, start, end)
            values[v["name"]] = opts[0] if opts else ""
        sets.append(values)
    return sets


def has_value(result_type, result):
    if result_type in ("scalar", "string"):
        return result is not None and str(result[1]).lower() != "nan"
    for s in result:
        for _, v in ([s["value"]] if "value" in s else s.get("values", [])):
            if not math.isnan(float(v)):
                return True
    return False


def run_target(base, dash, target, values):
    expr = substitute(target["expr"], values)
    now = time.time()
    if target.get("instant"):
        _, body = get_json(base, "/api/v1/query", {"query": expr, "time": f"{now:.3f}"},
                           "POST")
    else:
        step = INTERVAL_S
        end = math.floor(now / step) * step  # Grafana aligns the range to the step
        _, body = get_json(base, "/api/v1/query_range",
                           {"query": expr, "start": end - range_seconds(dash), "end": end,
                            "step": step}, "POST")
    if body.get("status") != "success":
        return expr, f"error: {body.get('errorType')}: {body.get('error')}"
    data = body["data"]
    return expr, None if has_value(data["resultType"], data["result"]) else "no data"


def dashboard_failures(base, dash):
    sets = variable_sets(base, dash)
    if not sets:
        return ["no value for the first variable (no series of the variable's metric)"]
    out = []
    for values in sets:
        for title, _, t in targets(dash):
            expr, err = run_target(base, dash, t, values)
            if err:
                out.append(f"job={values.get('job')!r} instance={values.get('instance')!r} "
                           f"[{title} / {t['refId']}] {expr} -> {err}")
    return out


# ------------------------------------------------------------------------ structure
class DashboardStructureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dashboards = load_dashboards()

    def test_the_six_dashboards_exist_with_stable_uid_and_title(self):
        self.assertEqual(sorted(self.dashboards), sorted(DASHBOARDS))
        for name, (uid, title, _) in DASHBOARDS.items():
            d = self.dashboards[name]
            self.assertEqual((d["uid"], d["title"]), (uid, title), name)
            self.assertRegex(d["uid"], r"^[A-Za-z0-9_-]{1,40}$")

    def test_top_level_model(self):
        types = {"uid": str, "title": str, "tags": list, "timezone": str, "editable": bool,
                 "graphTooltip": int, "time": dict, "timepicker": dict, "refresh": str,
                 "schemaVersion": int, "version": int, "links": list, "annotations": dict,
                 "templating": dict, "panels": list, "__requires": list,
                 "fiscalYearStartMonth": int, "description": str}
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                for key, typ in types.items():
                    self.assertIsInstance(d.get(key), typ, f"{name}: {key}")
                self.assertIsNone(d.get("id"), "exports carry id null")
                self.assertNotIn("__inputs", d, "datasource variable instead (integrations §6.2)")
                self.assertNotIn("DS_PROMETHEUS", json.dumps(d))
                self.assertEqual(d["schemaVersion"], SCHEMA_VERSION)
                self.assertIn(d["graphTooltip"], (0, 1, 2))
                self.assertRegex(d["time"]["from"], r"^now-\d+[smhdw]$")
                self.assertEqual(d["time"]["to"], "now")
                req = {(r["type"], r["id"]) for r in d["__requires"]}
                self.assertIn(("grafana", "grafana"), req)
                self.assertIn(("datasource", "prometheus"), req)
                used = {p["type"] for p in all_panels(d["panels"])} - {"row"}
                self.assertEqual({i for t, i in req if t == "panel"}, used,
                                 "__requires lists exactly the panel plugins used")
                ann = d["annotations"]["list"]
                self.assertTrue(any(a.get("builtIn") == 1 for a in ann))
        titles = [d["title"] for d in self.dashboards.values()]
        self.assertEqual(len(titles), len(set(titles)))

    def test_templating(self):
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                vs = {v["name"]: v for v in d["templating"]["list"]}
                self.assertEqual(list(vs)[:3], ["ds_prometheus", "job", "instance"])
                ds = vs["ds_prometheus"]
                self.assertEqual((ds["type"], ds["query"]), ("datasource", "prometheus"))
                info = DASHBOARDS[name][2]
                for v, q in (("job", f"label_values({info}, job)"),
                             ("instance", f'label_values({info}{{job="$job"}}, instance)')):
                    var = vs[v]
                    self.assertEqual(var["type"], "query")
                    self.assertEqual(var["datasource"], DS_REF)
                    self.assertEqual(var["query"]["query"], q)
                    self.assertEqual(var["definition"], q)
                    self.assertIn(var["refresh"], (1, 2))
                    self.assertIsInstance(var["sort"], int)
                for v in vs.values():
                    self.assertIsInstance(v.get("name"), str)
                    self.assertIn(v.get("type"), ("datasource", "query", "custom", "interval",
                                                  "constant", "textbox"))

    def test_panels(self):
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                ids, cells = set(), {}
                for p in all_panels(d["panels"]):
                    where = f"{name}: panel {p.get('id')} {p.get('title')!r}"
                    self.assertIsInstance(p.get("id"), int, where)
                    self.assertNotIn(p["id"], ids, f"{where}: duplicate id")
                    ids.add(p["id"])
                    self.assertIn(p.get("type"), PANEL_TYPES, where)
                    self.assertTrue(isinstance(p.get("title"), str) and p["title"], where)
                    g = p.get("gridPos")
                    self.assertEqual(set(g), {"h", "w", "x", "y"}, where)
                    self.assertTrue(all(isinstance(g[k], int) for k in g), where)
                    self.assertTrue(1 <= g["w"] <= 24 and 0 <= g["x"] <= 23 and
                                    g["x"] + g["w"] <= 24 and g["h"] >= 1 and g["y"] >= 0,
                                    f"{where}: gridPos {g} outside the 24 columns")
                    for x in range(g["x"], g["x"] + g["w"]):
                        for y in range(g["y"], g["y"] + g["h"]):
                            self.assertNotIn((x, y), cells, f"{where} overlaps "
                                             f"panel {cells.get((x, y))}")
                            cells[(x, y)] = p["id"]
                    if p["type"] == "row":
                        self.assertEqual((g["w"], g["h"], g["x"]), (24, 1, 0), where)
                        self.assertIsInstance(p.get("collapsed"), bool, where)
                        self.assertIsInstance(p.get("panels"), list, where)
                        continue
                    self.assertEqual(p.get("datasource"), DS_REF, where)
                    ts = p.get("targets")
                    self.assertTrue(isinstance(ts, list) and ts, f"{where}: no targets")
                    refs = [t.get("refId") for t in ts]
                    self.assertEqual(len(refs), len(set(refs)), f"{where}: refIds {refs}")
                    for t in ts:
                        self.assertTrue(isinstance(t.get("refId"), str) and t["refId"], where)
                        self.assertTrue(isinstance(t.get("expr"), str) and t["expr"].strip(),
                                        f"{where}: target {t.get('refId')} without expr")
                        self.assertEqual(t.get("datasource"), DS_REF, where)
                        self.assertIsInstance(t.get("legendFormat"), str, where)
                        self.assertIn(t.get("format", "time_series"),
                                      ("time_series", "table", "heatmap"), where)
                    fc = p.get("fieldConfig", {}).get("defaults")
                    self.assertIsInstance(fc, dict, where)
                    self.assertTrue(isinstance(fc.get("unit"), str) and fc["unit"], where)
                    self.assertIsInstance(p.get("fieldConfig", {}).get("overrides"), list)
                    thr = fc.get("thresholds")
                    self.assertIn(thr.get("mode"), ("absolute", "percentage"), where)
                    steps = thr.get("steps")
                    self.assertIsNone(steps[0]["value"], f"{where}: base step first")
                    vals = [s["value"] for s in steps[1:]]
                    self.assertEqual(vals, sorted(vals), f"{where}: thresholds ascending")
                    self.assertTrue(all(isinstance(s.get("color"), str) for s in steps))
                    for m in fc.get("mappings", []):
                        self.assertIn(m.get("type"), ("value", "range", "regex", "special"))
                        self.assertIsInstance(m.get("options"), dict)
                    self.assertIsInstance(p.get("options"), dict, where)

    def test_variables_used_are_defined(self):
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                defined = {v["name"] for v in d["templating"]["list"]} | GRAFANA_BUILTINS
                texts = [t["expr"] for _, _, t in targets(d)]
                texts += [v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
                          for v in d["templating"]["list"]]
                texts += [p.get("title", "") for p in all_panels(d["panels"])]
                texts += [json.dumps(p.get("datasource")) for p in all_panels(d["panels"])]
                used = set()
                for text in texts:
                    for groups in re.findall(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]",
                                             text):
                        used.add("".join(groups))
                self.assertFalse(used - defined, f"{name}: undefined variables")
                # Every query filters on the dashboard's job and instance.
                for title, _, t in targets(d):
                    self.assertIn('job="$job"', t["expr"], f"{name}: {title}")
                    self.assertIn('instance="$instance"', t["expr"], f"{name}: {title}")

    def test_operators_thresholds_and_units(self):
        for (name, title), (unit, values) in EXPECTED_THRESHOLDS.items():
            panels = [p for p in all_panels(self.dashboards[name]["panels"])
                      if p.get("title") == title]
            self.assertTrue(panels, f"{name}: no panel {title!r}")
            for p in panels:
                fc = p["fieldConfig"]["defaults"]
                got = [s["value"] for s in fc["thresholds"]["steps"][1:]]
                self.assertEqual((fc["unit"], got), (unit, values), f"{name}: {title}")
        # "cache hit < 50 %": red below, green from 0.5.
        steps = [p for p in all_panels(self.dashboards["app.json"]["panels"])
                 if p.get("title") == "Cache hit ratio"][0]["fieldConfig"]["defaults"][
                     "thresholds"]["steps"]
        self.assertEqual([s["color"] for s in steps], ["red", "green"])

    def test_metric_names_are_documented(self):
        patterns = documented_name_patterns()
        self.assertGreater(len(patterns), 300)
        rules = recording_rule_names()
        app_names = example_service_names()
        self.assertIn("scylladb_latency_seconds", app_names)
        self.assertIn("scylladb_latency", app_names)  # the StatsD timer
        # The check itself: known good and bad names.
        for good in ("node_load1", "pg_settings_max_connections", "node_network_receive_drop_total",
                     "redis_cpu_sys_children_seconds_total", "scylla_cache_row_hits",
                     "tocsin_notifications_latency_seconds_bucket", "ALERTS"):
            self.assertTrue(is_documented(good, patterns, set()), good)
        for bad in ("node_load2", "pg_uptime", "tocsin_foo_total", "scylladb_requests_total"):
            self.assertFalse(is_documented(bad, patterns, set()), bad)
        for name in UNDOCUMENTED_EXEMPT:  # fixed in the docs: drop the exemption
            self.assertFalse(is_documented(name, patterns, set()), name)
        for name, d in self.dashboards.items():
            with self.subTest(dashboard=name):
                extra = rules | set(UNDOCUMENTED_EXEMPT) | (
                    app_names if name == "app.json" else set())
                names = set()
                for _, _, t in targets(d):
                    names |= expr_metric_names(t["expr"])
                for v in template_variables(d):
                    names |= variable_query_names(v["query"])
                self.assertTrue(names)
                missing = sorted(n for n in names if not is_documented(n, patterns, extra))
                self.assertFalse(missing, f"{name}: names not in docs/metrics.md, "
                                          f"rules/packs or (app) the example service")


# ------------------------------------------------------------------------ against agents
class ReplayedScylla(FakeScylla):
    """FakeScylla whose counter, histogram and summary-count samples grow with every /metrics
    request (the same distribution scaled), so rates and histogram quantiles have values."""

    def __init__(self):
        self.scrapes = 0
        super().__init__()

    def respond(self, path):
        code, body, ctype = super().respond(path)
        if path != "/metrics" or code != 200:
            return code, body, ctype
        self.scrapes += 1
        factor = 1 + 0.05 * self.scrapes
        types, out = {}, []
        for line in body.splitlines():
            if line.startswith("# TYPE "):
                _, _, fam, typ = line.split()
                types[fam] = typ
            elif line and not line.startswith("#"):
                series, _, value = line.rpartition(" ")
                name = series.split("{")[0]
                fam = re.sub(r"_(bucket|sum|count)$", "", name)
                typ = types.get(name) or types.get(fam)
                if typ == "counter" or (typ in ("histogram", "summary") and name != fam):
                    line = f"{series} {float(value) * factor!r}"
            out.append(line)
        return code, "\n".join(out) + "\n", ctype


class Sink:
    """Accepts every POST (webhook receiver and Alertmanager API) with 200."""

    def __init__(self):
        self.posts = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                sink.posts.append((self.path, self.rfile.read(n)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


REDIS_PASSWORD = "dash-R3dis.pw"


class DashboardQueriesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dashboards = load_dashboards()
        cls.cleanups = []
        try:
            cls._start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def _start(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tocsin-dash-")
        cls.cleanups.append(lambda: shutil.rmtree(cls.tmp, ignore_errors=True))
        # PostgreSQL: primary with pg_stat_statements, a user table with dead rows, a replica.
        cls.pg = pg_cluster.Cluster()
        cls.cleanups.append(cls.pg.close)
        cls.pg.init_primary()
        cls.pg.start("primary")
        cls.pg.psql("primary", "CREATE EXTENSION pg_stat_statements")
        cls.pg.psql("primary", "CREATE TABLE items (id int PRIMARY KEY, v text)")
        cls.pg.psql("primary", "INSERT INTO items SELECT g, 'x' FROM generate_series(1, 500) g")
        cls.pg.psql("primary", "DELETE FROM items WHERE id <= 100")
        cls.pg.add_replica()
        # Redis with maxmemory (for the memory-of-maxmemory panels), keys and one error reply.
        cls.redis_port = free_port()
        cls.redis = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port",
             str(cls.redis_port), "--bind", "127.0.0.1", "--dir", cls.tmp, "--save", "",
             "--requirepass", REDIS_PASSWORD, "--maxmemory", "64mb"],
            stdout=subprocess.DEVNULL)
        cls.cleanups.append(lambda: (cls.redis.kill(), cls.redis.wait()))
        cls.resp = wait_for(lambda: Resp(cls.redis_port, REDIS_PASSWORD), "redis-server")
        cls.cleanups.append(cls.resp.close)
        for i in range(20):
            cls.resp.cmd("SET", f"key:{i}", "v")
        cls.resp.cmd("SET", "ttl:1", "v", "EX", "3600")
        try:
            cls.resp.cmd("NOSUCHCOMMAND")
        except RuntimeError:
            pass  # counted in INFO errorstats: errorstat_ERR
        for name, content in (("pg.dsn", cls.pg.dsn("primary")), ("redis.pw", REDIS_PASSWORD)):
            with open(os.path.join(cls.tmp, name), "w") as f:
                f.write(content + "\n")
        # Example service (scrape + StatsD), replayed Scylla, notification sink.
        cls.statsd_port = free_udp_port()
        cls.service = Service(cls.statsd_port)
        cls.cleanups.append(cls.service.stop)
        cls.service.post("/queue?depth=150")
        cls.service.post("/breaker?state=1")
        cls.scylla = ReplayedScylla()
        cls.cleanups.append(cls.scylla.close)
        cls.sink = Sink()
        cls.cleanups.append(cls.sink.close)
        rules = os.path.join(cls.tmp, "rules.yml")
        with open(rules, "w") as f:
            f.write("groups:\n  - name: dashboards-test\n    interval: 1s\n    rules:\n"
                    "      - alert: DashboardsTestAlways\n        expr: node_load1 >= 0\n"
                    "        labels: {severity: info}\n")
        cls.a = Agent()
        cls.cleanups.append(cls.a.close)
        scy = f"http://127.0.0.1:{cls.scylla.port}"
        t = cls.tmp
        cls.a.write_config(f"""global: {{interval: 1s}}
web: {{listen_address: '127.0.0.1:{cls.a.port}'}}
state_dir: {cls.a.state_dir}
rule_files: [{rules}]
collectors:
  system: {{}}
  statsd: {{listen_address: '127.0.0.1:{cls.statsd_port}', window: 1m}}
  postgres:
    - {{name: main, dsn_file: {t}/pg.dsn}}
  redis:
    - {{name: cache, address: '127.0.0.1:{cls.redis_port}', password_file: {t}/redis.pw}}
  scylla:
    - {{name: local, metrics_url: '{scy}/metrics', api_url: '{scy}/', timeout: 900ms}}
scrape_configs:
  - job_name: store
    scrape_interval: 1s
    static_configs: [{{targets: ['127.0.0.1:{cls.service.port}']}}]
alerting:
  route: {{receiver: hook, group_by: [alertname, instance], group_wait: 0s, group_interval: 1s,
          repeat_interval: 1s}}
  receivers:
    - name: hook
      webhook_configs: [{{url: 'http://127.0.0.1:{cls.sink.port}/hook'}}]
  alertmanagers:
    - static_configs: [{{targets: ['127.0.0.1:{cls.sink.port}']}}]
""")
        cls.a.start()
        cls.a.wait_ready()
        # The workload the rate panels need, for as long as the test runs.
        cls.stop = threading.Event()
        cls.load_errors = []
        cls.loader = threading.Thread(target=cls._load, daemon=True)
        cls.loader.start()
        cls.cleanups.append(lambda: (cls.stop.set(), cls.loader.join(timeout=10)))

    @classmethod
    def _load(cls):
        while not cls.stop.is_set():
            try:
                cls.service.post("/simulate?n=20")
                cls.resp.cmd("GET", "key:1")   # hit
                cls.resp.cmd("GET", "missing")  # miss
            except Exception as e:  # noqa: BLE001 - reported by the tests
                cls.load_errors.append(repr(e))
            cls.stop.wait(0.25)

    @classmethod
    def tearDownClass(cls):
        errors = []
        for fn in reversed(cls.cleanups):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - keep cleaning up
                errors.append(e)
        cls.cleanups = []
        if errors:
            raise errors[0]

    def base(self, name):
        return self.a.url("")

    def check_returns_data(self, name, timeout=60):
        dash = self.dashboards[name]
        last = []

        def ok():
            self.a.alive_or_fail()
            last[:] = dashboard_failures(self.base(name), dash)
            return not last
        try:
            wait_for(ok, f"every query of {name} to return data", timeout=timeout, interval=0.5)
        except AssertionError as e:
            self.fail(f"{e}\n{len(last)} target(s) without data:\n  " + "\n  ".join(last))
        self.assertFalse(self.load_errors)

    def test_every_query_parses(self):
        base = self.a.url("")
        for name, dash in self.dashboards.items():
            values = dict(builtins(dash), job="node", instance="host:9100")
            for title, _, t in targets(dash):
                expr = substitute(t["expr"], values)
                status, body = get_json(base, "/api/v1/format_query", {"query": expr}, "POST")
                self.assertEqual((status, body.get("status")), (200, "success"),
                                 f"{name} [{title} / {t['refId']}] {expr}: {body}")

    def test_variables_resolve_like_grafana(self):
        a = self.a.url("")
        sets = wait_for(lambda: variable_sets(a, self.dashboards["app.json"]) if len(
            variable_sets(a, self.dashboards["app.json"])) == 2 else None,
            "app.json's job options from StatsD and the scrape")
        self.assertEqual([s["job"] for s in sets], ["node", "store"])
        self.assertEqual(sets[1]["instance"], f"127.0.0.1:{self.service.port}")
        node = wait_for(lambda: variable_sets(a, self.dashboards["node.json"]), "node.json vars")
        self.assertEqual([s["job"] for s in node], ["node"])
        self.assertTrue(node[0]["instance"].endswith(f":{self.a.port}"), node)
        agent = wait_for(lambda: variable_sets(a, self.dashboards["tocsin.json"]),
                         "tocsin.json vars")
        self.assertEqual([s["job"] for s in agent], ["node"])
        self.assertEqual([s["instance"] for s in agent], [node[0]["instance"]])

    def test_node_dashboard_returns_data(self):
        self.check_returns_data("node.json")

    def test_app_dashboard_returns_data(self):
        self.check_returns_data("app.json")

    def test_postgres_dashboard_returns_data(self):
        self.check_returns_data("postgres.json")

    def test_redis_dashboard_returns_data(self):
        self.check_returns_data("redis.json")

    def test_scylla_dashboard_returns_data_from_a_replayed_node(self):
        self.check_returns_data("scylla.json")

    def test_tocsin_dashboard_returns_data_through_a_scraper(self):
        self.check_returns_data("tocsin.json")
        self.assertTrue(any(p == "/hook" for p, _ in self.sink.posts))
        self.assertTrue(any(p.endswith("/api/v2/alerts") for p, _ in self.sink.posts))


if __name__ == "__main__":
    unittest.main()
