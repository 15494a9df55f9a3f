"""The generated data: targets, metric families, series with resets, gaps and odd values, and
the OpenMetrics text both systems load."""

import math
import random


TARGETS = [  # job, instance
    ("api", "10.0.0.1:9100"),
    ("api", "10.0.0.2:9100"),
    ("db", "10.0.0.3:9100"),
    ("cache", "10.0.0.4:9100"),  # starts late and has a gap: churn, extrapolation edge cases
]
LE_BOUNDS = ["0.005", "0.025", "0.1", "0.25", "1", "2.5", "+Inf"]

# family -> (kind, label names besides job/instance)
FAMILIES = {
    "http_requests_total": ("counter", ["code"]),
    "proc_cpu_seconds_total": ("counter", ["mode"]),  # not process_*: the agent exports its own
    "node_temperature_celsius": ("gauge", ["sensor"]),
    "queue_length": ("gauge", []),
    "tiny_ratio": ("gauge", []),
    "load_ratio": ("gauge", []),
    "request_duration_seconds_bucket": ("bucket", ["le"]),
    "request_duration_seconds_sum": ("counter", []),
    "request_duration_seconds_count": ("counter", []),
}
COUNTERS = [f for f, (k, _) in FAMILIES.items() if k == "counter"]
GAUGES = [f for f, (k, _) in FAMILIES.items() if k == "gauge"]
LABEL_VALUES = {
    "job": ["api", "db", "cache"],
    "instance": [i for _, i in TARGETS],
    "code": ["200", "404", "500"],
    "mode": ["user", "system"],
    "sensor": ["cpu", "board", "ambient"],
    "le": LE_BOUNDS,
}


class Series:
    def __init__(self, name, labels):
        self.name = name
        self.labels = dict(labels)
        self.samples = []  # (ts_ms, float)

    def key(self):
        d = dict(self.labels)
        d["__name__"] = self.name
        return tuple(sorted(d.items()))


def timestamp_text(ms):
    return f"{ms // 1000}.{ms % 1000:03d}"


def exact_ts(ms):
    """True when int(float(text) * 1000) gives `ms` back (Prometheus's and tocsin's parse)."""
    return int(float(timestamp_text(ms)) * 1000) == ms


def target_timeline(rng, start_ms, end_ms):
    interval = rng.choice([15, 30, 60])
    t = start_ms // 1000 + rng.randint(0, interval - 1)
    out = []
    while t * 1000 < end_ms:
        while True:
            ms = rng.randint(1, 999)
            if ms != 500 and exact_ts(t * 1000 + ms):
                break
        out.append(t * 1000 + ms)
        t += interval + rng.choice([0, 0, 0, -1, 1, 2])  # mostly regular, some jitter
    return out


def rounded(rng, x):
    d = rng.choice([None, None, 0, 1, 2, 3, 6])
    return x if d is None else round(x, d)


def generate_data(seed, end_ms):
    rng = random.Random(seed)
    start_ms = end_ms - 70 * 60 * 1000
    series = []
    timelines = {}
    for job, inst in TARGETS:
        tl = target_timeline(rng, start_ms, end_ms)
        if job == "cache":  # starts 20 min late; a 9 min gap 15 min before the end
            gap0 = end_ms - 15 * 60000
            tl = [t for t in tl if t >= start_ms + 20 * 60000 and not gap0 <= t < gap0 + 9 * 60000]
        timelines[(job, inst)] = tl

    def counter(name, labels, tl, base, rate, resets):
        s = Series(name, labels)
        v = base
        reset_at = set(rng.sample(range(5, len(tl)), min(resets, max(0, len(tl) - 5))))
        for i, t in enumerate(tl):
            if i in reset_at:
                v = rounded(rng, rng.uniform(0, rate * 10))
            elif i > 0:
                v = rounded(rng, v + rng.uniform(0, rate * 30))
            s.samples.append((t, float(v)))
        return s

    for job, inst in TARGETS:
        tl = timelines[(job, inst)]
        lab = {"job": job, "instance": inst}
        codes = {"api": ["200", "404", "500"], "db": ["200"], "cache": ["200", "500"]}[job]
        for code in codes:
            base = rng.choice([0.0, rng.uniform(0, 5000), rng.uniform(1e6, 1e7)])
            if job == "cache" and code == "500":
                base = rng.uniform(0, 3)  # small first value: extrapolation capped at zero
            series.append(counter("http_requests_total", dict(lab, code=code), tl, base,
                                  rng.choice([0.05, 1.0, 37.5]), rng.choice([0, 1, 2])))
        for mode in ["user", "system"]:
            base = rng.uniform(1e12, 2e12) if job == "db" else rng.uniform(0, 100)
            series.append(counter("proc_cpu_seconds_total", dict(lab, mode=mode), tl, base,
                                  rng.choice([0.01, 0.3]), rng.choice([0, 0, 1])))
    # Gauges.
    def gauge(name, labels, tl, start, step, lo=None, hi=None, nan_p=0.0):
        s = Series(name, labels)
        v = start
        for t in tl:
            v += rng.gauss(0, step)
            if lo is not None:
                v = max(lo, min(hi, v))
            x = math.nan if rng.random() < nan_p else rounded(rng, v)
            s.samples.append((t, float(x)))
        return s

    api1, api2, db, cache = TARGETS
    L = lambda tgt, **kw: dict({"job": tgt[0], "instance": tgt[1]}, **kw)  # noqa: E731
    tl = timelines
    board = [t for t in tl[api1] if t < end_ms - 15 * 60000]  # ends early
    series += [
        gauge("node_temperature_celsius", L(api1, sensor="cpu"), tl[api1], 55, 1.5),
        gauge("node_temperature_celsius", L(api1, sensor="board"), board, 40, 0.7),
        gauge("node_temperature_celsius", L(db, sensor="ambient"), tl[db], -5, 2.0),
        gauge("node_temperature_celsius", L(cache, sensor="cpu"), tl[cache], 60, 1.0,
              nan_p=0.02),
    ]
    db_gap0 = end_ms - 40 * 60000
    db_gappy = [t for t in tl[db] if not db_gap0 <= t < db_gap0 + 7 * 60000]
    series += [
        gauge("queue_length", L(api1), tl[api1], 4e8, 3e6),
        gauge("queue_length", L(api2), tl[api2], 123456.5, 900.0),
        gauge("queue_length", L(db), db_gappy, 7e9, 5e7),
        gauge("tiny_ratio", L(api1), tl[api1], 3e-7, 1e-7),
        gauge("tiny_ratio", L(db), tl[db], -2e-9, 5e-9),
        gauge("load_ratio", L(api1), tl[api1], 0.2, 0.1, -1.0, 1.0),
        gauge("load_ratio", L(api2), tl[api2], -0.5, 0.15, -1.0, 1.0),
        gauge("load_ratio", L(db), db_gappy, 0.9, 0.05, -1.0, 1.0),
    ]
    # Classic histograms.
    for tgt in (api1, api2, db):
        bounds = [float(b) for b in LE_BOUNDS]
        counts = [0] * len(bounds)
        total = rng.uniform(0, 500)
        mu = rng.choice([-3.0, -1.5, -0.5])
        bucket_series = [Series("request_duration_seconds_bucket", L(tgt, le=b)) for b in LE_BOUNDS]
        ssum = Series("request_duration_seconds_sum", L(tgt))
        scount = Series("request_duration_seconds_count", L(tgt))
        reset_at = rng.randint(20, len(tl[tgt]) - 5) if tgt == api2 else -1
        for i, t in enumerate(tl[tgt]):
            if i == reset_at:
                counts = [0] * len(bounds)
                total = 0.0
            for _ in range(int(rng.expovariate(1 / 20.0))):
                x = rng.lognormvariate(mu, 1.2)
                total += x
                for j, b in enumerate(bounds):
                    if x <= b:
                        counts[j] += 1
            for j, bs in enumerate(bucket_series):
                bs.samples.append((t, float(counts[j])))
            ssum.samples.append((t, total))
            scount.samples.append((t, float(counts[-1])))
        series += bucket_series + [ssum, scount]
    return series, start_ms


def openmetrics_text(series):
    lines = []
    for s in sorted(series, key=lambda s: s.key()):
        lab = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        for t, v in s.samples:
            lines.append(f"{s.name}{{{lab}}} {repr_value(v)} {timestamp_text(t)}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def repr_value(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)
