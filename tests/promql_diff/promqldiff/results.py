"""Query results: canonical form, exact and loose comparison, and descriptions of differences."""

import json

from .formats import api_ts, float_bits, ts_ms, ulp_distance
from .data import timestamp_text


def eval_time_text(ms):
    return timestamp_text(ms).rstrip("0").rstrip(".")


def labelkey(metric):
    return tuple(sorted(metric.items()))


def canon(status, text):
    """('error', type, msg) | ('scalar'|'string', (ts, v)) | ('vector', {key: (ts, v)}, order)
    | ('matrix', {key: ((ts, v), ...)}, order) | ('bad', text)."""
    try:
        j = json.loads(text, parse_float=str, parse_int=str)
    except ValueError:
        return ("bad", f"HTTP {status}: {text[:300]}")
    if j.get("status") != "success":
        return ("error", j.get("errorType", ""), j.get("error", ""))
    d = j["data"]
    rt, r = d["resultType"], d["result"]
    if rt in ("scalar", "string"):
        return (rt, tuple(r))
    if rt == "vector":
        m = {}
        for e in r:
            m[labelkey(e["metric"])] = tuple(e["value"])
        return ("vector", m, [labelkey(e["metric"]) for e in r])
    if rt == "matrix":
        m = {}
        for e in r:
            m[labelkey(e["metric"])] = tuple(tuple(p) for p in e["values"])
        return ("matrix", m, [labelkey(e["metric"]) for e in r])
    return ("bad", text[:300])


def loose(res):
    """`res` with every value as its float's bits and every timestamp as a number: equal when
    the two sides hold the same floats, however they are written."""
    def p(pt):
        return (float(pt[0]), float_bits(pt[1]))
    if res[0] in ("scalar",):
        return (res[0], p(res[1]))
    if res[0] == "vector":
        return (res[0], {k: p(v) for k, v in res[1].items()}, res[2])
    if res[0] == "matrix":
        return (res[0], {k: tuple(p(x) for x in v) for k, v in res[1].items()}, res[2])
    return res


def same(a, b, ordered=False, strict=False):
    """Same result: both errors, or the same type, series and values (as text when `strict`,
    else as float bits); `ordered` also compares the order of the values (sort, sort_desc)."""
    if a[0] == "error" and b[0] == "error":
        return True
    if a[0] != b[0]:
        return False
    if not strict:
        a, b = loose(a), loose(b)
    if a[0] in ("vector", "matrix"):
        if a[1] != b[1]:
            return False
        if ordered and a[0] == "vector":
            return [a[1][k][1] for k in a[2]] == [b[1][k][1] for k in b[2]]
        return True
    return a[1] == b[1]


def points(res):
    """{labelkey: {ts: value}} of a vector/matrix/scalar result."""
    if res[0] == "vector":
        return {k: {v[0]: v[1]} for k, v in res[1].items()}
    if res[0] == "matrix":
        return {k: dict(v) for k, v in res[1].items()}
    if res[0] == "scalar":  # scalar timestamps are written as JSON numbers (1.5, not 1.500)
        return {(): {api_ts(ts_ms(res[1][0])): res[1][1]}}
    return {}


def describe(a, b):
    if a[0] == "error" or b[0] == "error":
        return ("error", f"prometheus: {short(a)} | tocsin: {short(b)}")
    if a[0] != b[0]:
        return ("type", f"prometheus: {short(a)} | tocsin: {short(b)}")
    if a[0] in ("scalar", "string"):
        u = ulp_distance(a[1][1], b[1][1])
        kind = "values" if a[1][1] != b[1][1] else "timestamps"
        if u == 0 and a[1][1] != b[1][1]:
            kind = "signed zero"
        return (kind, f"prometheus {a[1]} | tocsin {b[1]}" + (f" ({u} ulp)" if u else ""))
    only_p = [k for k in a[1] if k not in b[1]]
    only_t = [k for k in b[1] if k not in a[1]]
    if only_p or only_t:
        return ("labels", f"only prometheus: {fmt_keys(only_p, a)} | only tocsin: "
                          f"{fmt_keys(only_t, b)} ({len(a[1])} vs {len(b[1])} series)")
    pa, pb = points(a), points(b)
    diffs = []
    maxu = 0
    for k in pa:
        if pa[k].keys() != pb[k].keys():
            return ("timestamps", f"{fmt_labels(k)}: prometheus ts {sorted(pa[k])[:5]} | tocsin "
                                  f"ts {sorted(pb[k])[:5]}")
        for ts in pa[k]:
            if float_bits(pa[k][ts]) != float_bits(pb[k][ts]):
                u = ulp_distance(pa[k][ts], pb[k][ts])
                maxu = max(maxu, u if u is not None else 1 << 62)
                diffs.append(f"{fmt_labels(k)}@{ts}: prometheus {pa[k][ts]} tocsin {pb[k][ts]}"
                             + (f" ({u} ulp)" if u is not None else ""))
    if not diffs:
        return ("order", "same series and values, different order")
    if maxu == 0:
        return ("signed zero", f"{len(diffs)} value(s) differ in the sign of zero; "
                               f"{'; '.join(diffs[:3])}")
    return ("values", f"{len(diffs)} value(s) differ, max {maxu if maxu < 1 << 62 else 'inf'} ulp;"
                      f" {'; '.join(diffs[:3])}")


def formatting_pairs(a, b):
    """[(where, prometheus text, tocsin text)] of the points written differently."""
    out = []
    if a[0] == "scalar":
        if a[1][0] != b[1][0]:
            out.append(("scalar timestamp", a[1][0], b[1][0]))
        if a[1][1] != b[1][1]:
            out.append(("scalar value", a[1][1], b[1][1]))
        return out
    for k in a[1]:
        pa = a[1][k] if a[0] == "matrix" else (a[1][k],)
        pb = b[1][k] if b[0] == "matrix" else (b[1][k],)
        for x, y in zip(pa, pb):
            if x[0] != y[0]:
                out.append(("timestamp", x[0], y[0]))
            if x[1] != y[1]:
                out.append(("value", x[1], y[1]))
    return out


def formatting_kind(a, b):
    kinds = set()
    for where, x, y in formatting_pairs(a, b):
        if "timestamp" in where:
            kinds.add(where)
        elif "e" in x or "e" in y:
            kinds.add(f"{where} in exponent form (|x| < 1e-6 or >= 1e21)")
        else:
            kinds.add(f"{where} digits (shortest round-trip)")
    return ", ".join(sorted(kinds))


def formatting_desc(a, b):
    pairs = formatting_pairs(a, b)
    return f"{len(pairs)} point(s) written differently, same floats: " + "; ".join(
        f"{w}: prometheus {x} tocsin {y}" for w, x, y in pairs[:3])


def short(r):
    if r[0] == "error":
        return f"error {r[1]}: {r[2][:160]}"
    if r[0] in ("vector", "matrix"):
        return f"{r[0]} of {len(r[1])}: " + ", ".join(
            f"{fmt_labels(k)}={v if r[0] == 'vector' else len(v)}"
            for k, v in list(r[1].items())[:2])
    return f"{r[0]} {r[1]}"


def fmt_labels(k):
    return "{" + ",".join(f'{n}="{v}"' for n, v in k) + "}"


def fmt_keys(keys, r):
    return ", ".join(f"{fmt_labels(k)}={r[1][k][1] if r[0] == 'vector' else '...'}"
                     for k in keys[:2]) + (f" (+{len(keys) - 2})" if len(keys) > 2 else "")
