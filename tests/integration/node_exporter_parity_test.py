"""Side-by-side parity of tocsin's system collector with the real node_exporter on this host.

Debian's `prometheus-node-exporter` (1.5.0, its defaults) and tocsin (`collectors: {system: {}}`,
`global.interval: 1s`) run on free loopback ports and their /metrics are compared
(node_exporter gets tocsin's two filter defaults that Debian changes: NODE_EXPORTER_FLAGS):

- MetadataParityTest: every family node_exporter exports here (minus EXCLUDED, below) is
  exported by tocsin with the same HELP and TYPE, once.
- SeriesParityTest: the same label sets per family (empty label values dropped on both sides,
  as Prometheus does on ingestion), and the same `node_scrape_collector_success` for every
  collector both implement.
- ValueParityTest: values read in a bracket ne1 <= tocsin <= ne2 (see `bracketed_reads`):
  counters ne1 <= t <= ne2; gauges/untyped t == ne1 when ne1 == ne2, else within
  [min, max] widened by |ne2 - ne1|; node_time_seconds within [ne1, ne2]; VOLATILE families
  only need to be present; node_scrape_collector_duration_seconds is not compared.

Both daemons run for the module; the bracket is read once and shared by the classes (value
checks read up to two more brackets for series out of the first, see ValueParityTest), so a
class takes a few seconds. Every wait is a bounded poll.

Usage:
  TOCSIN_BINARY=build/dev/agent/tocsin python3 tests/integration/node_exporter_parity_test.py \
      [MetadataParityTest|SeriesParityTest|ValueParityTest]
"""
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from tocsin_harness import Agent, free_port, http, metric_value, wait_for  # noqa: E402

NODE_EXPORTER = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
SHOW = 40  # differences listed in a failure message

# Debian patches two of node_exporter 1.5.0's filter defaults (its startup log shows them:
# `--collector.netdev.device-exclude` `^lo$`, `--collector.filesystem.mount-points-exclude`
# `^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`);
# tocsin's defaults (docs/configuration.md, collectors.system: `netdev_exclude` `^$`,
# `mount_points_exclude` below) differ. The collectors are compared under the same filters, so
# node_exporter gets tocsin's documented defaults; tocsin runs with `system: {}`.
NODE_EXPORTER_FLAGS = [
    "--collector.netdev.device-exclude=^$",
    "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|"
    "var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
]

# node_exporter 1.5 collectors (enabled by default; `systemd` is on by default in Debian's
# build) that tocsin does not implement — docs/metrics.md, "Not exported": "all node_exporter
# collectors not listed above". Their families (by name prefix) and their
# node_scrape_collector_{success,duration_seconds}{collector=...} series are not compared.
UNIMPLEMENTED_COLLECTORS = {
    "bcache": ("node_bcache_",),
    "btrfs": ("node_btrfs_",),
    "fibrechannel": ("node_fibrechannel_",),
    "infiniband": ("node_infiniband_",),
    "nvme": ("node_nvme_",),
    "rapl": ("node_rapl_",),
    "systemd": ("node_systemd_",),
    "tapestats": ("node_tape_",),
    # Also whatever *.prom files in Debian's textfile directory define (none on a plain host).
    "textfile": ("node_textfile_",),
    "zfs": ("node_zfs_",),
}

# Families not compared, each with its reason.
EXCLUDED_PREFIXES = {
    "go_": "node_exporter's Go runtime metrics (tocsin is C++)",
    "process_": "the exporter process's own metrics: a different process on each side",
    "promhttp_": "node_exporter's HTTP handler metrics",
}
EXCLUDED_FAMILIES = {
    "node_exporter_build_info": "node_exporter's own build; tocsin has tocsin_build_info",
    # docs/metrics.md "Not exported": node_disk_info and the udev-derived disk labels.
    "node_disk_info": "udev-derived (docs/metrics.md: not exported)",
    "node_disk_device_mapper_info": "udev-derived (docs/metrics.md: not exported)",
    "node_disk_ata_rotation_rate_rpm": "udev-derived (docs/metrics.md: not exported)",
    "node_disk_ata_write_cache": "udev-derived (docs/metrics.md: not exported)",
    "node_disk_ata_write_cache_enabled": "udev-derived (docs/metrics.md: not exported)",
    # docs/metrics.md "Not exported": --collector.cpu.info, off by default (listed in case a
    # packaged default turns it on).
    "node_cpu_info": "--collector.cpu.info (docs/metrics.md: not exported)",
    "node_cpu_flag_info": "--collector.cpu.info (docs/metrics.md: not exported)",
    "node_cpu_bug_info": "--collector.cpu.info (docs/metrics.md: not exported)",
}

# Gauges that count what the reads themselves hold, so they differ between any node_exporter
# read and tocsin's collection by design: ne1 and ne2 are taken while this test's HTTP
# connection to node_exporter is open and node_exporter's handler goroutines run; tocsin's
# collection runs on its timer with no connection to node_exporter open. (Observed here: ne1 ==
# ne2 == 6 TCP sockets in use, tocsin 4 — the two ends of the scrape connection.) Only presence
# (and HELP/TYPE/labels) is checked for these. Other live gauges (memory, free bytes, load) are
# compared, with the retry of ValueParityTest.
VOLATILE = {
    "node_sockstat_sockets_used": "includes both ends of the scrape connection to node_exporter",
    "node_sockstat_TCP_inuse": "as above: TCP sockets in use",
    "node_sockstat_TCP_alloc": "as above: TCP sockets allocated",
    "node_netstat_Tcp_CurrEstab": "as above: established connections",
    "node_filefd_allocated": "as above: the two socket file handles of the scrape connection",
    "node_procs_running": "runnable tasks at the instant of the read, the reader's own threads "
                          "included (node_exporter's several vs tocsin's one)",
}


def excluded_reason(family):
    for prefix, why in EXCLUDED_PREFIXES.items():
        if family.startswith(prefix):
            return why
    if family in EXCLUDED_FAMILIES:
        return EXCLUDED_FAMILIES[family]
    for collector, prefixes in UNIMPLEMENTED_COLLECTORS.items():
        if family.startswith(prefixes):
            return f"node_exporter collector {collector!r} is not implemented by tocsin"
    return None


def scrape_series_excluded(family, labels):
    """node_scrape_collector_* series of collectors tocsin does not implement."""
    return (family.startswith("node_scrape_collector_")
            and dict(labels).get("collector") in UNIMPLEMENTED_COLLECTORS)


# --- text exposition format 0.0.4 --------------------------------------------------------------

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def _unescape(s, quotes):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "n":
                out.append("\n")
            elif n == "\\" or (quotes and n == '"'):
                out.append(n)
            else:
                out.append(c + n)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _parse_labels(line, i):
    """Labels from line[i] == '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        while line[i] in " ,":
            i += 1
        if line[i] == "}":
            return labels, i + 1
        m = _LABEL_NAME.match(line, i)
        if not m or line[m.end()] != "=" or line[m.end() + 1] != '"':
            raise ValueError(f"bad labels at {i}: {line!r}")
        name, i = m.group(0), m.end() + 2
        start = i
        while line[i] != '"':
            i += 2 if line[i] == "\\" else 1
        if name in labels:
            raise ValueError(f"duplicate label {name}: {line!r}")
        labels[name] = _unescape(line[start:i], quotes=True)
        i += 1


def _value(text):
    return {"+Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}.get(text) or float(text)


class Exposition:
    """A parsed /metrics body: per family its HELP, TYPE and series.

    series[family] maps (sample name, labels without empty values) to the value; problems
    lists what a Prometheus ingestion would reject or silently merge (duplicate series, a
    family's metadata given twice, a family split by other families).
    """

    SUFFIXES = {"summary": ("_sum", "_count"), "histogram": ("_sum", "_count", "_bucket")}

    def __init__(self, text, who):
        self.who = who
        self.help, self.type, self.series, self.problems = {}, {}, {}, []
        seen_families, current = [], None
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            if line.startswith("#"):
                parts = line.split(None, 3)
                if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                    family = parts[2]
                    rest = parts[3] if len(parts) > 3 else ""
                    target = self.help if parts[1] == "HELP" else self.type
                    if family in target:
                        self.problems.append(f"{who}: # {parts[1]} {family} given twice "
                                             f"(line {n})")
                    target[family] = _unescape(rest, quotes=False) if parts[1] == "HELP" else rest
                    if family != current:
                        if family in seen_families:
                            self.problems.append(f"{who}: family {family} split (line {n})")
                        seen_families.append(family)
                        current = family
                continue
            m = _NAME.match(line)
            if not m:
                raise ValueError(f"{who} line {n}: {line!r}")
            name, i = m.group(0), m.end()
            labels = {}
            if i < len(line) and line[i] == "{":
                labels, i = _parse_labels(line, i)
            fields = line[i:].split()
            if len(fields) not in (1, 2):
                raise ValueError(f"{who} line {n}: {line!r}")
            family = self.family_of(name, current)
            if family != current:  # a sample without metadata
                if family in seen_families:
                    self.problems.append(f"{who}: family {family} split (line {n})")
                seen_families.append(family)
                current = family
            key = (name, tuple(sorted((k, v) for k, v in labels.items() if v != "")))
            fam = self.series.setdefault(family, {})
            if key in fam:
                self.problems.append(f"{who}: duplicate series {fmt(key)} (line {n})")
            fam[key] = _value(fields[0])

    def family_of(self, name, current):
        if current is None or name == current:
            return name
        if name.startswith(current) and name[len(current):] in self.SUFFIXES.get(
                self.type.get(current), ()):
            return current
        return name

    def families(self):
        return set(self.type) | set(self.series)


def fmt(key):
    name, labels = key
    return name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels) + "}" if labels else "")


def report(what, problems):
    head = "\n  ".join(problems[:SHOW])
    more = f"\n  ... and {len(problems) - SHOW} more" if len(problems) > SHOW else ""
    return f"{len(problems)} {what}:\n  {head}{more}"


# --- the two daemons and the bracketed reads ---------------------------------------------------

class NodeExporter:
    def __init__(self):
        if not NODE_EXPORTER:
            raise AssertionError("prometheus-node-exporter is not installed")
        self.dir = tempfile.TemporaryDirectory(prefix="tocsin-ne-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir.name, "node_exporter.log"), "wb")
        self.proc = subprocess.Popen(
            [NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{self.port}"] + NODE_EXPORTER_FLAGS,
            stdout=self.log, stderr=subprocess.STDOUT)

    def scrape(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"node_exporter exited with {self.proc.returncode}")
        status, body = http("GET", f"http://127.0.0.1:{self.port}/metrics", timeout=10)
        assert status == 200, f"node_exporter /metrics answered {status}: {body[:500]}"
        return body

    def close(self):
        try:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        finally:
            self.log.close()
            self.dir.cleanup()


RUNS = 'tocsin_collector_collections_total{collector="system"}'
_daemons = {}


def setUpModule():
    agent = Agent()
    _daemons["agent"] = agent
    agent.start()
    agent.wait_ready()
    wait_for(lambda: agent.alive_or_fail() and (metric_value(agent.scrape(), RUNS) or 0) >= 1,
             "tocsin's first system collection")
    ne = _daemons["ne"] = NodeExporter()
    wait_for(ne.scrape, "node_exporter serving /metrics")
    _daemons["brackets"] = []


def tearDownModule():
    try:
        if "ne" in _daemons:
            _daemons.pop("ne").close()
    finally:
        if "agent" in _daemons:
            _daemons.pop("agent").close()


def bracket(i=0):
    """The i-th (ne1, t, ne2) as Expositions, tocsin's collection read between ne1 and ne2.

    The scheduler increments collections_total after the collection's commit. The value v read
    right after ne1 may belong to a collection that was already running during ne1; collection
    v+1 finishes after that read, so collection v+2 starts (and reads /proc) after ne1 ended.
    Its samples are in the store once the counter shows v+2; that body is taken before ne2.
    Brackets are read on demand and kept: every class compares the first one.
    """
    brackets = _daemons["brackets"]
    while len(brackets) <= i:
        agent, ne = _daemons["agent"], _daemons["ne"]
        ne1 = ne.scrape()
        v = metric_value(agent.scrape(), RUNS)

        def collected_after_ne1():
            agent.alive_or_fail()
            body = agent.scrape()
            return body if metric_value(body, RUNS) >= v + 2 else None
        t = wait_for(collected_after_ne1, f"{RUNS} to reach {v + 2}", timeout=15, interval=0.02)
        ne2 = ne.scrape()
        brackets.append((Exposition(ne1, "ne1"), Exposition(t, "tocsin"),
                         Exposition(ne2, "ne2")))
    return brackets[i]


class ParityBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ne1, cls.t, cls.ne2 = bracket(0)
        cls.compared = sorted(f for f in cls.ne1.families() | cls.ne2.families()
                              if excluded_reason(f) is None)

    def test_node_exporter_exports_something_to_compare(self):
        # Guards against a vacuous pass (e.g. an exclusion that swallows everything).
        for family in ("node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1",
                       "node_scrape_collector_success"):
            self.assertIn(family, self.compared)


class MetadataParityTest(ParityBase):
    def test_families_help_and_type(self):
        problems = []
        for family in self.compared:
            ref = self.ne1 if family in self.ne1.families() else self.ne2
            if family not in self.t.families():
                problems.append(f"{family}: missing in tocsin (node_exporter: TYPE "
                                f"{ref.type.get(family)}, HELP {ref.help.get(family)!r})")
                continue
            for what, mine, theirs in (("TYPE", self.t.type, ref.type),
                                       ("HELP", self.t.help, ref.help)):
                if mine.get(family) != theirs.get(family):
                    problems.append(f"{family}: {what} node_exporter {theirs.get(family)!r}, "
                                    f"tocsin {mine.get(family)!r}")
        self.assertEqual(problems, [], report("families differ in name/HELP/TYPE", problems))

    def test_tocsin_exposition_is_well_formed(self):
        node = [p for p in self.t.problems if " node_" in p or "series node_" in p]
        self.assertEqual(node, [], report("exposition problems in tocsin's node_* families",
                                          node))


class SeriesParityTest(ParityBase):
    def test_label_sets(self):
        problems = []
        for family in self.compared:
            # A family missing entirely is reported by MetadataParityTest; one with HELP/TYPE
            # but no samples is reported here, series by series.
            keys = {k for k in self.t.series.get(family, {})
                    if not scrape_series_excluded(family, k[1])}
            if family.startswith("node_scrape_collector_"):
                # Only collectors both implement; tocsin's own (cgroup) is tocsin's business.
                ne_collectors = {dict(k[1]).get("collector")
                                 for e in (self.ne1, self.ne2) for k in e.series.get(family, {})}
                keys = {k for k in keys if dict(k[1]).get("collector") in ne_collectors}
            a = {k for k in self.ne1.series.get(family, {})
                 if not scrape_series_excluded(family, k[1])}
            b = {k for k in self.ne2.series.get(family, {})
                 if not scrape_series_excluded(family, k[1])}
            # Series that come and go between ne1 and ne2 may be either way in tocsin.
            for k in sorted(a & b - keys):
                problems.append(f"{family}: tocsin lacks {fmt(k)}")
            for k in sorted(keys - (a | b)):
                problems.append(f"{family}: tocsin has {fmt(k)}, node_exporter does not")
        self.assertEqual(problems, [], report("series differ", problems))

    def test_scrape_collector_success(self):
        family = "node_scrape_collector_success"
        ne = {dict(k[1])["collector"]: v for k, v in self.ne1.series[family].items()}
        ne2 = {dict(k[1])["collector"]: v for k, v in self.ne2.series[family].items()}
        mine = {dict(k[1])["collector"]: v for k, v in self.t.series.get(family, {}).items()}
        both = sorted(c for c in ne if c not in UNIMPLEMENTED_COLLECTORS)
        problems = [f"{family}{{collector=\"{c}\"}}: node_exporter {ne[c]:g}, tocsin "
                    f"{mine.get(c, 'absent')}" for c in both
                    if ne.get(c) == ne2.get(c) and mine.get(c) != ne[c]]
        self.assertEqual(problems, [], report("collectors succeed differently", problems))
        self.assertGreater(len(both), 20, both)


def _same(x, y):
    return x == y or (math.isnan(x) and math.isnan(y))


def value_problem(family, key, kind, reads):
    """None when the value tocsin read lies in node_exporter's bracket, else the rule broken."""
    first, mine, last = (r.series.get(family, {}).get(key) for r in reads)
    if first is None or mine is None or last is None:
        return None  # the series came or went between the reads: SeriesParityTest's business
    lo, t, hi = first, mine, last
    if family == "node_time_seconds":
        ok, rule = lo <= t <= hi, "ne1 <= t <= ne2"
    elif kind == "counter":
        tol = 1e-9 * max(1.0, abs(hi))
        ok, rule = lo - tol <= t <= hi + tol, "ne1 <= t <= ne2"
    elif _same(lo, hi):
        ok, rule = _same(t, lo), "t == ne1 == ne2"
    else:
        d = abs(hi - lo)
        ok, rule = min(lo, hi) - d <= t <= max(lo, hi) + d, "t in [min, max] +/- |ne2 - ne1|"
    return None if ok else f"ne1 {lo!r}, tocsin {t!r}, ne2 {hi!r} breaks {rule}"


class ValueParityTest(ParityBase):
    # A gauge such as MemFree or the free bytes of / can move out of any bracket when another
    # process allocates or writes in between (builds run beside this test). A series only
    # counts as different when it is out of the bracket in ATTEMPTS independent brackets; a
    # wrong field, unit or scale is out of every one of them.
    ATTEMPTS = 3

    def test_values_bracketed(self):
        failing = {}
        checked = 0
        for family in self.compared:
            if family in VOLATILE or family == "node_scrape_collector_duration_seconds":
                continue
            kind = self.ne1.type.get(family, "untyped")
            for key in sorted(self.ne1.series.get(family, {}).keys()
                              & self.ne2.series.get(family, {}).keys()
                              & self.t.series.get(family, {}).keys()):
                if scrape_series_excluded(family, key[1]):
                    continue
                checked += 1
                why = value_problem(family, key, kind, (self.ne1, self.t, self.ne2))
                if why:
                    failing[(family, key)] = [why]
        for attempt in range(1, self.ATTEMPTS):
            if not failing:
                break
            reads = bracket(attempt)
            for (family, key), whys in list(failing.items()):
                why = value_problem(family, key, self.ne1.type.get(family, "untyped"), reads)
                if why is None:
                    del failing[(family, key)]
                else:
                    whys.append(why)
        problems = [f"{fmt(key)} ({self.ne1.type.get(family, 'untyped')}): " + "; ".join(whys)
                    for (family, key), whys in sorted(failing.items())]
        self.assertEqual(problems, [], report(
            f"values out of node_exporter's bracket in {self.ATTEMPTS} brackets", problems))
        self.assertGreater(checked, 200, "too few series compared")

    def test_volatile_families_present(self):
        missing = [f for f in sorted(VOLATILE) if f in self.compared and f not in self.t.series]
        self.assertEqual(missing, [], report("volatile families missing in tocsin", missing))


if __name__ == "__main__":
    unittest.main()
