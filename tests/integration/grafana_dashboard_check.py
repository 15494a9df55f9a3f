#!/usr/bin/env python3
"""How much of Grafana's "Node Exporter Full" dashboard (grafana.com 1860) works against tocsin,
next to node_exporter scraped by a real Prometheus. A measurement script, not a suite test: it
prints figures and always exits 0 once the measurement ran (2 on a setup failure).

What it does:
1. Reads the dashboard JSON (from a file, or by default from the bare git mirror of
   rfmoz/grafana-dashboards; it is third-party content and is never copied into this repository),
   collects every panel target's `expr` (rows' nested panels included) and the templating
   queries, and extracts the metric names they use: identifiers outside strings, label matchers
   and `by/without/on/ignoring/group_*` label lists that start with `node_` or are known
   exporter names (`process_*`, `go_*`, `up`, `scrape_*`), not followed by `(` (a function).
2. Starts tocsin (`collectors: {system: {}}`, interval 1s, free loopback port, temp state_dir),
   node_exporter (Debian's prometheus-node-exporter 1.5.0, free port) and Prometheus 2.42 (temp
   dir, free port, scrape_interval 1s) scraping node_exporter as job="node": the reference.
   Waits (bounded polls) until Prometheus holds >= 3 successful scrapes and tocsin >= 3
   collections of node_load1, so that rate() has at least two samples in either.
3. Resolves the template variables the way Grafana's Prometheus data source does, through each
   API separately: job <- /api/v1/label/job/values?match[]=node_uname_info, then nodename, then
   node (= instance), each with the earlier values substituted, sorted (sort: 1) and the first
   taken. A variable with no values is substituted as "" (what Grafana does for an empty option
   list; the dropdown shows "None"). Grafana's built-ins: $__rate_interval=1m, $__interval=15s,
   $__range = the dashboard's default time range (now-24h -> 86400s), and their _ms/_s forms.
   Every panel query then runs as an instant query (same evaluation time) against tocsin's own
   API and against Prometheus.
4. Records per metric name: exported by node_exporter here (its /metrics), data through
   Prometheus (`name{job,instance}` with Prometheus's variables), data through tocsin (with
   tocsin's variables), and for diagnosis: the bare name in tocsin, the name on tocsin's /metrics,
   the name with Prometheus's job/instance values in tocsin. Per query: data in both / only
   Prometheus / only tocsin / neither / error in tocsin (with the text) / error in Prometheus.

Usage (no build is run; the binary is a snapshot of a build):
  python3 tests/integration/grafana_dashboard_check.py [--dashboard FILE] [--tocsin BINARY]
      [--json OUT.json] [--verbose]
  env: DASHBOARD (a JSON file), TOCSIN_BINARY (default /tmp/tocsin_snapshot),
       DASHBOARD_MIRROR (default /work/.mirror/rfmoz+grafana-dashboards/repo).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tocsin_harness  # noqa: E402
from tocsin_harness import Agent, free_port, http, wait_for  # noqa: E402

DEFAULT_MIRROR = "/work/.mirror/rfmoz+grafana-dashboards/repo"
MIRROR_PATH = "prometheus/node-exporter-full.json"
DEFAULT_BINARY = "/tmp/tocsin_snapshot"
NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
PROMETHEUS = shutil.which("prometheus")

# Grafana's built-in interval variables (the brief fixes $__rate_interval at 1m).
RATE_INTERVAL = "1m"
INTERVAL_S = 15

KNOWN_NAME = re.compile(r"^(node_|process_|go_|promhttp_|scrape_)|^up$")
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and",
                "or", "unless", "offset", "atan2", "inf", "nan"}


# ---------------------------------------------------------------- dashboard parsing

def load_dashboard(path):
    if path:
        with open(path) as f:
            return json.load(f), path
    mirror = os.environ.get("DASHBOARD_MIRROR", DEFAULT_MIRROR)
    text = subprocess.run(["git", "-C", mirror, "show", f"HEAD:{MIRROR_PATH}"], check=True,
                          capture_output=True, text=True).stdout
    rev = subprocess.run(["git", "-C", mirror, "rev-parse", "HEAD"], check=True,
                         capture_output=True, text=True).stdout.strip()
    return json.loads(text), f"{mirror} @ {rev[:12]}:{MIRROR_PATH}"


def panel_targets(panels, row=None):
    """(row title, panel title, panel id, target) for every target, rows' nested panels too."""
    for p in panels:
        if p.get("type") == "row":
            row = p.get("title")
        for t in p.get("targets") or []:
            if t.get("expr"):
                yield row, p.get("title"), p.get("id"), t
        if p.get("panels"):
            yield from panel_targets(p["panels"], row)


def strip_promql(expr):
    """The expression without strings, label matchers, label lists and comments."""
    s = re.sub(r"#[^\n]*", " ", expr)
    s = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', " ", s)
    s = re.sub(r"\{[^}]*\}", " {} ", s)
    s = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r" \1 ", s,
               flags=re.I)
    return s


def metric_names(expr):
    names = set()
    s = strip_promql(expr)
    for m in re.finditer(r"(?<![\w:$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\s*(.|$))", s, re.S):
        ident, nxt = m.group(1), m.group(2)
        if nxt == "(" or ident.lower() in PROMQL_WORDS:
            continue  # a function or keyword
        if KNOWN_NAME.search(ident):
            names.add(ident)
    return names


def variable_refs(text):
    return set(re.findall(r"\$\{?(\w+)", text))


def template_variables(dash):
    out = []
    for v in (dash.get("templating") or {}).get("list") or []:
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        out.append({"name": v.get("name"), "type": v.get("type"), "query": q,
                    "sort": v.get("sort", 0), "regex": v.get("regex") or ""})
    return out


def range_seconds(dash):
    frm = (dash.get("time") or {}).get("from", "now-6h")
    m = re.fullmatch(r"now-(\d+)([smhdw])", frm)
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return int(m.group(1)) * mult[m.group(2)] if m else 6 * 3600


# ---------------------------------------------------------------- HTTP helpers

def get_json(base, path, params):
    query = urllib.parse.urlencode(params, doseq=True)
    status, body = http("GET", f"{base}{path}?{query}", timeout=30)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"status": "error", "error": f"HTTP {status}: {body[:200]}"}


def instant(base, expr, at):
    """('data'|'empty'|'error', detail) for an instant query."""
    status, body = get_json(base, "/api/v1/query", {"query": expr, "time": f"{at:.3f}"})
    if body.get("status") != "success":
        return "error", f"{body.get('errorType', status)}: {body.get('error')}"
    data = body["data"]
    kind, result = data.get("resultType"), data.get("result")
    if kind in ("scalar", "string"):
        has = result is not None and str(result[1]).lower() != "nan"
        return ("data" if has else "empty"), f"{kind} {result[1] if result else None}"
    return ("data" if result else "empty"), f"{kind} x{len(result)}"


def exposition_names(text):
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.match(r"[^{\s]+", line).group(0))
    return names


# ---------------------------------------------------------------- variables

def grafana_builtins(dash):
    rng = range_seconds(dash)
    return {"__rate_interval": RATE_INTERVAL, "__interval": f"{INTERVAL_S}s",
            "__interval_ms": str(INTERVAL_S * 1000), "__range": f"{rng}s", "__range_s": str(rng),
            "__range_ms": str(rng * 1000), "__auto_interval": f"{INTERVAL_S}s"}


def substitute(text, values):
    def repl(m):
        name = m.group(1) or m.group(2)
        return values[name] if name in values else m.group(0)
    # Longest names first is implicit: \w+ is greedy, so $__range_ms is not read as $__range.
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", repl, text)


def resolve_variables(base, variables, builtins, start, end):
    """Grafana's resolution of the query variables through one API: values, chosen, requests."""
    values = dict(builtins)
    trace = []
    for v in variables:
        if v["type"] != "query" or not v["query"]:
            continue
        q = substitute(v["query"], values)
        m = re.fullmatch(r"\s*label_values\(\s*(?:(.*?)\s*,\s*)?(\w+)\s*\)\s*", q, re.S)
        if not m:
            trace.append({"name": v["name"], "query": q, "error": "unsupported variable query"})
            values[v["name"]] = ""
            continue
        selector, label = m.group(1), m.group(2)
        params = {"start": f"{start:.3f}", "end": f"{end:.3f}"}
        if selector:
            params["match[]"] = selector
        status, body = get_json(base, f"/api/v1/label/{label}/values", params)
        opts = body.get("data") or [] if body.get("status") == "success" else []
        if v["regex"]:
            opts = [o for o in opts if re.search(v["regex"].strip("/"), o)]
        if v["sort"] in (1, 3, 5, 7):
            opts = sorted(opts)
        elif v["sort"] in (2, 4, 6, 8):
            opts = sorted(opts, reverse=True)
        chosen = opts[0] if opts else ""
        values[v["name"]] = chosen
        trace.append({"name": v["name"], "query": q, "request": f"/api/v1/label/{label}/values",
                      "match": selector, "status": status, "options": opts, "chosen": chosen,
                      "error": None if body.get("status") == "success" else body.get("error")})
    return values, trace


# ---------------------------------------------------------------- processes

class Proc:
    def __init__(self, name, argv, workdir):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)

    def alive_or_fail(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.logs()}")
        return True

    def logs(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_all(binary, workdir):
    """tocsin, node_exporter and Prometheus; returns (agent, node_exporter, prometheus, ports)."""
    tocsin_harness.TOCSIN = binary  # Agent.start reads the module global
    agent = Agent()
    agent.start()
    ne_port, prom_port = free_port(), free_port()
    ne = Proc("node_exporter", [NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{ne_port}"],
              workdir)
    cfg = os.path.join(workdir, "prometheus.yml")
    with open(cfg, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "scrape_configs:\n  - job_name: node\n"
                f"    static_configs: [{{targets: ['127.0.0.1:{ne_port}']}}]\n")
    prom = Proc("prometheus", [PROMETHEUS, f"--config.file={cfg}",
                               f"--storage.tsdb.path={os.path.join(workdir, 'data')}",
                               f"--web.listen-address=127.0.0.1:{prom_port}"], workdir)
    return agent, ne, prom, ne_port, prom_port


def wait_until_ready(agent, ne, ne_port, prom, prom_base, tocsin_base):
    agent.wait_ready()
    wait_for(lambda: ne.alive_or_fail() and
             http("GET", f"http://127.0.0.1:{ne_port}/metrics")[0] == 200,
             "node_exporter to serve /metrics", timeout=30, interval=0.1)

    def prom_scraped():
        prom.alive_or_fail()
        _, body = get_json(prom_base, "/api/v1/query",
                           {"query": 'sum_over_time(up{job="node"}[1m]) >= 3'})
        return body.get("status") == "success" and body["data"]["result"]
    wait_for(prom_scraped, "prometheus to hold 3 successful scrapes of node_exporter",
             timeout=90, interval=0.25)

    def tocsin_collected():
        agent.alive_or_fail()
        _, body = get_json(tocsin_base, "/api/v1/query",
                           {"query": "count_over_time(node_load1[1m]) >= 3"})
        return body.get("status") == "success" and body["data"]["result"]
    wait_for(tocsin_collected, "tocsin to hold 3 collections of node_load1", timeout=60,
             interval=0.25)


# ---------------------------------------------------------------- measurement

def classify(t, p):
    if t[0] == "error":
        return "tocsin_error"
    if p[0] == "error":
        return "prometheus_error"
    return {("data", "data"): "both", ("empty", "data"): "only_prometheus",
            ("data", "empty"): "only_tocsin", ("empty", "empty"): "neither"}[(t[0], p[0])]


def name_reason(row):
    if not row["node_exporter"]:
        return "not exported by node_exporter on this host"
    if row["tocsin"]:
        return ""
    if row["tocsin_bare"]:
        if row["tocsin_with_prom_vars"]:
            return "?"
        return ("tocsin has the series but not with the dashboard's job/instance values "
                f"(tocsin labels: {row['tocsin_labels']})")
    if row["tocsin_metrics_page"]:
        return "on tocsin's /metrics but not in its query store (self-metric?)"
    return "tocsin does not export this name"


def measure(args):
    dash, source = load_dashboard(args.dashboard)
    targets = list(panel_targets(dash.get("panels") or []))
    variables = template_variables(dash)
    builtins = grafana_builtins(dash)
    names_by_query = {}
    all_names = set()
    for _, _, _, t in targets:
        names_by_query[t["expr"]] = metric_names(t["expr"])
        all_names |= names_by_query[t["expr"]]
    var_names = set()
    for v in variables:
        if v["query"]:
            var_names |= metric_names(re.sub(r"label_values\(|,\s*\w+\s*\)$", " ", v["query"]))
    all_names |= var_names
    used_vars = set()
    for _, _, _, t in targets:
        used_vars |= variable_refs(t["expr"])

    workdir = tempfile.TemporaryDirectory(prefix="tocsin-grafana-")
    agent = ne = prom = None
    try:
        agent, ne, prom, ne_port, prom_port = start_all(args.tocsin, workdir.name)
        prom_base = f"http://127.0.0.1:{prom_port}"
        tocsin_base = agent.url("")
        wait_until_ready(agent, ne, ne_port, prom, prom_base, tocsin_base)

        ne_names = exposition_names(http("GET", f"http://127.0.0.1:{ne_port}/metrics")[1])
        tocsin_page = exposition_names(agent.scrape())
        end = time.time()
        start = end - range_seconds(dash)
        pvals, ptrace = resolve_variables(prom_base, variables, builtins, start, end)
        tvals, ttrace = resolve_variables(tocsin_base, variables, builtins, start, end)
        at = time.time()

        queries = []
        for row, title, pid, t in targets:
            expr = t["expr"]
            pq, tq = substitute(expr, pvals), substitute(expr, tvals)
            p, r = instant(prom_base, pq, at), instant(tocsin_base, tq, at)
            # The same query with Prometheus's variable values (job="node", instance=...):
            # what a dashboard pointed at both would show for tocsin.
            rx = instant(tocsin_base, pq, at) if pq != tq else r
            queries.append({"row": row, "panel": title, "panel_id": pid, "ref": t.get("refId"),
                            "hidden": bool(t.get("hide")), "expr": expr, "prometheus_query": pq,
                            "tocsin_query": tq, "prometheus": p, "tocsin": r,
                            "tocsin_with_prom_vars": rx, "class": classify(r, p),
                            "names": sorted(names_by_query[expr])})

        names = []
        sel_p = f'{{job="{pvals.get("job", "")}",instance="{pvals.get("node", "")}"}}'
        sel_t = f'{{job="{tvals.get("job", "")}",instance="{tvals.get("node", "")}"}}'
        for n in sorted(all_names):
            bare = instant(tocsin_base, f"{{__name__={json.dumps(n)}}}", at)
            labels = ""
            if bare[0] == "data":
                _, body = get_json(tocsin_base, "/api/v1/series",
                                   {"match[]": n, "start": f"{at - 60:.3f}", "end": f"{at:.3f}"})
                keys = sorted({k for s in body.get("data") or [] for k in s} - {"__name__"})
                labels = ",".join(keys) or "(none)"
            row_ = {"name": n, "node_exporter": n in ne_names,
                    "prometheus": instant(prom_base, n + sel_p, at)[0] == "data",
                    "tocsin": instant(tocsin_base, n + sel_t, at)[0] == "data",
                    "tocsin_bare": bare[0] == "data",
                    "tocsin_with_prom_vars": instant(tocsin_base, n + sel_p, at)[0] == "data",
                    "tocsin_metrics_page": n in tocsin_page, "tocsin_labels": labels,
                    "in_variable_queries": n in var_names}
            row_["reason"] = name_reason(row_)
            names.append(row_)
        return {"dashboard": source, "title": dash.get("title"), "version": dash.get("version"),
                "tocsin_binary": args.tocsin, "node_exporter": NODE_EXPORTER,
                "prometheus": PROMETHEUS, "evaluated_at": at, "builtins": builtins,
                "used_variables": sorted(used_vars), "variables": [v["name"] for v in variables],
                "prometheus_variables": ptrace, "tocsin_variables": ttrace,
                "queries": queries, "names": names}
    finally:
        for p in (prom, ne):
            if p:
                p.stop()
        if agent:
            try:
                agent.stop()
            finally:
                agent.close()
        workdir.cleanup()


# ---------------------------------------------------------------- report

def short(s, n=110):
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 3] + "..."


def report(r, verbose):
    out = []
    w = out.append
    w(f"dashboard: {r['title']} (version {r['version']}) from {r['dashboard']}")
    w(f"tocsin: {r['tocsin_binary']}   node_exporter: {r['node_exporter']}   "
      f"prometheus: {r['prometheus']}")
    w(f"variables in the dashboard: {', '.join(r['variables'])}; referenced by panel queries: "
      f"{', '.join('$' + v for v in r['used_variables'])}")
    w("built-ins: " + ", ".join(f"${k}={v}" for k, v in r["builtins"].items()))
    for who in ("prometheus", "tocsin"):
        w(f"variables resolved through {who}'s API:")
        for v in r[f"{who}_variables"]:
            w(f"  ${v['name']}: {v.get('request')}?match[]={v.get('match')} -> "
              f"options {v.get('options')} -> {v.get('chosen')!r}"
              + (f"  error: {v['error']}" if v.get("error") else ""))

    names = r["names"]
    ne = [n for n in names if n["node_exporter"]]
    w("")
    w(f"metric names used by the dashboard:           {len(names)}")
    w(f"  exported by node_exporter on this host:     {len(ne)}")
    w(f"  with data through Prometheus:               {sum(n['prometheus'] for n in names)}")
    w(f"  with data through tocsin (its variables):   {sum(n['tocsin'] for n in names)}")
    w(f"  held by tocsin at all (bare name):          {sum(n['tocsin_bare'] for n in names)}")
    w(f"  tocsin, with Prometheus's job/instance:     "
      f"{sum(n['tocsin_with_prom_vars'] for n in names)}")
    miss = [n for n in ne if not n["tocsin"]]
    w(f"  exported by node_exporter, no data via tocsin: {len(miss)}")
    for n in miss:
        w(f"    {n['name']:55s} {n['reason']}")
    extra = [n for n in names if n["tocsin"] and not n["node_exporter"]]
    if extra:
        w(f"  data via tocsin, not exported by node_exporter here: {len(extra)}")
        for n in extra:
            w(f"    {n['name']}")
    odd = [n for n in ne if n["tocsin"] and not n["prometheus"]]
    if odd:
        w("  exported by node_exporter but no data through Prometheus: "
          + ", ".join(n["name"] for n in odd))

    qs = r["queries"]
    visible = [q for q in qs if not q["hidden"]]
    w("")
    w(f"panel queries: {len(qs)} targets ({len(set(q['expr'] for q in qs))} distinct), "
      f"{len(qs) - len(visible)} hidden (Grafana does not run those; counted below too)")
    order = ["both", "only_prometheus", "only_tocsin", "neither", "tocsin_error",
             "prometheus_error"]
    for c in order:
        n_all = sum(q["class"] == c for q in qs)
        n_vis = sum(q["class"] == c for q in visible)
        w(f"  {c:17s} {n_all:4d}   (visible targets: {n_vis})")
    same = sum(q["tocsin_with_prom_vars"][0] == "data" for q in qs)
    w(f"  tocsin with Prometheus's variable values (job=\"node\", instance=...): {same} with data")
    errs = {}
    for q in qs:
        if q["class"] == "tocsin_error":
            errs.setdefault(q["tocsin"][1], []).append(q)
    if errs:
        w("errors in tocsin:")
        for e, lst in errs.items():
            w(f"  [{len(lst)}x] {e}")
            for q in lst[:3]:
                w(f"      {q['panel']}: {short(q['tocsin_query'])}")
    for c in ("only_prometheus", "only_tocsin", "prometheus_error") + (
            ("neither",) if verbose else ()):
        lst = [q for q in qs if q["class"] == c]
        if lst:
            w(f"{c} ({len(lst)}):")
            for q in lst:
                w(f"  [{q['row']} / {q['panel']}]{' (hidden)' if q['hidden'] else ''} "
                  f"{short(q['tocsin_query'])}  | tocsin {q['tocsin'][1]}, prometheus "
                  f"{q['prometheus'][1]}")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dashboard", default=os.environ.get("DASHBOARD"),
                    help="dashboard JSON file (default: the git mirror)")
    ap.add_argument("--tocsin", default=os.environ.get("TOCSIN_BINARY") or DEFAULT_BINARY)
    ap.add_argument("--json", help="also write the full record here")
    ap.add_argument("--verbose", action="store_true", help="list the 'neither' queries too")
    args = ap.parse_args()
    for what, path in (("tocsin", args.tocsin), ("node_exporter", NODE_EXPORTER),
                       ("prometheus", PROMETHEUS)):
        if not path or not os.access(path, os.X_OK):
            print(f"{what} binary not found: {path}", file=sys.stderr)
            return 2
    try:
        r = measure(args)
    except AssertionError as e:
        print(f"setup failed: {e}", file=sys.stderr)
        return 2
    print(report(r, args.verbose))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
