"""Naming what explains a differing innermost node: a known 2.42/3.0 difference, a math ulp
difference, or a named tocsin finding."""

import collections
import math

from .formats import float_bits, go_f, parse_go_float, ulp_distance
from .data import FAMILIES
from .results import describe, points, same
from .grammar import Agg, Binary, Call, DATE_FUNCS, GO_MATH, MatrixSel, Selector, Subquery
from .reference import (
    agg_242, agg_30, agg_expectation, bucket_quantile, drop_name, expect_all, extrapolated,
    go_heap_select, group_key, kahan_242, kahan_30, linear_regression, over_time, per_step,
    range_windows, reachable, scalar_value,
)


def verify(ev, node, ctx, kids, prom, toc, t, mode=None):
    """Names what explains a differing innermost node (its operands agree), or None."""
    if any(not same(a, b) for _, _, a, b in kids):
        return None
    # A function over a subquery nested in another one: when the nested subquery's own points
    # differ, the difference is in there (classify() looks at it as a query of its own).
    if isinstance(node, Call) and ctx is not None and any(isinstance(a, Subquery)
                                                          for a in node.args):
        rw = range_windows(ev, node, ctx, kids, prom, toc, t)
        if rw is not None and rw[0] == "descend":
            return rw
    # Prometheus hands an aggregation its series in Go map order in range evaluation (range
    # queries, inside subqueries) and after histogram_quantile (it groups buckets in a map).
    deterministic = ctx is None and mode is None and not any(
        c.features() & {"subquery", "histogram_quantile"} for c, _, _, _ in kids)
    if isinstance(node, Agg) and node.op in ("sum", "avg", "stddev", "stdvar") and kids and \
            kids[-1][2][0] not in ("error", "bad"):
        ok = {"2.42": expect_all(prom, agg_expectation(node, kids[-1][2], agg_242)),
              "3.0": expect_all(toc, agg_expectation(node, kids[-1][2], agg_30)) or
              expect_all(toc, agg_expectation(node, kids[-1][3], agg_30))}
        if ok["2.42"] and ok["3.0"]:
            return {"sum": "kahan-sum", "avg": "avg-kahan-mean"}.get(node.op, "stddev-nan-first")
        if node.op in ("stddev", "stdvar") and ok["2.42"] and expect_all(
                toc, agg_expectation(node, kids[-1][2], agg_30), zero_sign=False):
            return "stddev-signed-zero"  # what is left once 3.0's NaN rule is applied
        if not deterministic and reachable(node, kids[-1][2], prom, agg_242) and \
                reachable(node, kids[-1][2], toc, agg_30):
            return "reference-order"
    if isinstance(node, Agg) and node.op in ("topk", "bottomk") and kids and \
            kids[-1][2][0] == "vector" and prom[0] == toc[0] == "vector":
        k = scalar_value(node.param)
        sel = {"2.42": None, "3.0": None}
        if deterministic and k is not None and not math.isnan(k):
            sel = {}
            for version in ("2.42", "3.0"):
                chosen = set()
                groups = collections.OrderedDict()
                for key, (ts, v) in kids[-1][2][1].items():
                    groups.setdefault(group_key(key, node.grouping), []).append(
                        (key, parse_go_float(v)))
                for items in groups.values():
                    chosen |= go_heap_select(items, int(k), node.op, version)
                sel[version] = chosen
            if set(prom[1]) == sel["2.42"] and set(toc[1]) == sel["3.0"]:
                return "topk-nan-ties"

        def vals(r):
            c = collections.Counter()
            for key, (ts, v) in r[1].items():
                c[(group_key(key, node.grouping), float_bits(v))] += 1
            return c
        if vals(prom) == vals(toc):  # ties: the same values per group, other series
            if not deterministic:
                return "reference-order"
            if sel["2.42"] is not None and set(prom[1]) == sel["2.42"] == sel["3.0"]:
                return "topk-tie-order"
    if isinstance(node, Call) and node.fn in ("sum_over_time", "avg_over_time",
                                              "stddev_over_time", "stdvar_over_time",
                                              "rate", "increase", "delta"):
        rw = range_windows(ev, node, ctx, kids, prom, toc, t)
        if rw is not None and rw[0] == "descend":
            return rw
        if rw is not None:
            windows, rv, anchor = rw
            ok = {}
            for version, kahan, target in (("2.42", kahan_242, prom), ("3.0", kahan_30, toc)):
                exp = {}
                for st, st_ms, w in windows:
                    for k, smp in w.items():
                        if node.fn in ("rate", "increase", "delta"):
                            hi = (anchor if anchor is not None else st_ms) - rv.offset_ms
                            r = extrapolated(smp, hi - rv.range_ms, hi, rv.range_ms / 1000,
                                             node.fn != "delta", node.fn == "rate", version)
                        else:
                            r = over_time(node.fn, [v for _, v in smp], kahan, version) \
                                if smp else None
                        if r is not None:
                            exp.setdefault(drop_name(k), {})[st] = r
                ok[version] = expect_all(target, exp)
            if ok["2.42"] and ok["3.0"]:
                return {"avg_over_time": "avg-over-time-kahan", "rate": "rate-zero-point",
                        "increase": "rate-zero-point", "delta": "rate-zero-point"}.get(
                            node.fn, "kahan-inf")
    if isinstance(node, Call) and node.fn == "predict_linear" and \
            isinstance(node.args[0], MatrixSel) and node.args[0].sel.at and \
            (ctx is not None or mode is not None) and scalar_value(node.args[1]) is not None:
        rw = range_windows(ev, node, ctx, kids, prom, toc, t)
        if rw is not None and rw[0] != "descend":
            dur = scalar_value(node.args[1])
            exp = {}
            for st, st_ms, w in rw[0]:
                for k, smp in w.items():
                    if len(smp) >= 2:
                        slope, intercept = linear_regression(smp, st_ms)
                        exp.setdefault(drop_name(k), {})[st] = slope * dur + intercept
            if expect_all(toc, exp) and not expect_all(prom, exp):
                return "predict-linear-at-range"
    if isinstance(node, Call) and node.fn == "histogram_quantile" and kids:
        q = scalar_value(node.args[0])
        if q is not None:
            ok = {}
            for version, res, target in (("2.42", kids[-1][2], prom), ("3.0", kids[-1][3], toc)):
                exp = {}
                for ts, items in per_step(res).items():
                    groups = {}
                    for k, v in items:
                        d = dict(k)
                        try:
                            ub = parse_go_float(d.get("le", "x"))
                        except ValueError:
                            continue
                        gk = tuple(x for x in k if x[0] not in ("le", "__name__"))
                        groups.setdefault(gk, []).append((ub, v))
                    for gk, bs in groups.items():
                        exp.setdefault(gk, {})[ts] = bucket_quantile(q, bs, version)
                ok[version] = expect_all(target, exp)
            if ok["2.42"] and ok["3.0"]:
                return "bucket-quantile-small-deltas"
    if isinstance(node, Binary) and node.op == "atan2" and prom[0] == toc[0] and \
            prom[0] in ("vector", "matrix") and any(x[0] == "__name__" for k in prom[1] for x in k):
        p = {drop_name(k): m for k, m in points(prom).items()}
        q = points(toc)
        if p.keys() == q.keys() and all(p[k].keys() == q[k].keys() for k in p):
            us = [ulp_distance(p[k][ts], q[k][ts]) for k in p for ts in p[k]
                  if float_bits(p[k][ts]) != float_bits(q[k][ts])]
            if not us:
                return "atan2-keeps-name"
            if all(u is not None and u <= 64 for u in us):
                return "math-ulp"  # and the name; the ulps are what is left once 3.0 is matched
    # tocsin keeps __name__ until the end of the query (3.0's promql-delayed-name-removal).
    label_diff = describe(prom, toc)[0] in ("labels", "error")
    if isinstance(node, Call) and node.fn in ("label_replace", "label_join") and label_diff:
        srcs = [a.text for a in node.args[3:]] if node.fn == "label_join" else [node.args[3].text]
        if "__name__" in srcs:
            return "delayed-name-removal"
    if isinstance(node, Binary) and node.match and "__name__" in node.match[1] and label_diff:
        return "delayed-name-removal"
    if prom[0] == "error" and "same labelset" in prom[2] and toc[0] != "error":
        return "delayed-name-removal"
    if prom[0] == "error" and toc[0] != "error" and "multi-name" in node.features() and \
            ("multiple matches" in prom[2] or "duplicate series" in prom[2]):
        return "delayed-name-removal"  # series of two names that only the name told apart
    if prom[0] == toc[0] and prom[0] in ("vector", "matrix") and label_diff:
        def name_values(r):
            return {v for k in r[1] for n, v in k if n != "__name__" and
                    any(f in v for f in FAMILIES)}
        if name_values(toc) - name_values(prom):
            return "delayed-name-removal"  # a metric name in a label value (label_join/replace)
    if ctx is not None and prom[0] == toc[0] == "matrix":
        named = {k for k in prom[1] if any(x[0] == "__name__" for x in k)}
        if any(drop_name(k) in prom[1] and k not in toc[1] for k in named):
            return "subquery-name-merge"
    if prom[0] == "error" and "duration must be greater than 0" in prom[2] and toc[0] != "error":
        return "zero-duration"
    if isinstance(node, Agg) and node.op == "count_values" and prom[0] == toc[0] == "vector":
        lab = node.param.text

        def by_float(r):
            return {tuple((n, float_bits(v) if n == lab else v) for n, v in k): x[1]
                    for k, x in r[1].items()}
        if prom[1].keys() != toc[1].keys() and by_float(prom) == by_float(toc):
            return "count-values-digits"
    if isinstance(node, Call) and node.fn == "timestamp" and isinstance(node.args[0], Selector) \
            and node.args[0].at and node.args[0].offset:
        return "timestamp-at-offset"
    pa, pb = points(prom), points(toc)
    same_shape = prom[0] == toc[0] and pa.keys() == pb.keys() and \
        all(pa[k].keys() == pb[k].keys() for k in pa)
    diffs = [(pa[k][ts], pb[k][ts]) for k in pa for ts in pa[k]
             if same_shape and float_bits(pa[k][ts]) != float_bits(pb[k][ts])]
    if isinstance(node, Agg) and node.op in ("stddev", "stdvar") and diffs and \
            all(x == "0" and y == "-0" for x, y in diffs):
        return "stddev-signed-zero"
    if isinstance(node, Call) and node.fn in DATE_FUNCS and same_shape and diffs and \
            all(y == "NaN" for _, y in diffs):
        return "date-of-nan-inf"
    if isinstance(node, (Call, Agg)) and (getattr(node, "fn", "") == "quantile_over_time" or
                                          getattr(node, "op", "") == "quantile") and diffs and \
            all(parse_go_float(x) == 0 and parse_go_float(y) == 0 for x, y in diffs):
        return "quantile-signed-zero"
    # Go's math package against glibc: same series, values a few ulps apart (Go's Pow more).
    fn = node.fn if isinstance(node, Call) else node.op if isinstance(node, Binary) else ""
    if fn in GO_MATH and same_shape and diffs:
        def close(x, y):
            u = ulp_distance(x, y)
            if u is None or u == 0:
                return False
            fx, fy = parse_go_float(x), parse_go_float(y)
            return u <= 64 or (fn == "^" and abs(fx - fy) <= 1e-12 * max(abs(fx), abs(fy)))
        if all(close(x, y) for x, y in diffs):
            return "math-ulp" if libm_agrees(node, kids, toc) else "math-ulp-not-libm"
    return None


LIBM = {"exp": math.exp, "ln": math.log, "log2": math.log2, "log10": math.log10,
        "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
        "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
        "asinh": math.asinh, "acosh": math.acosh, "atanh": math.atanh}


def libm_agrees(node, kids, toc):
    """True unless a unary math function's value differs from glibc's (Python's math module)
    on the operand's value: then the ulps are not (only) libm's."""
    if not (isinstance(node, Call) and node.fn in LIBM and kids and kids[0][1] == "instant"):
        return True
    arg = {drop_name(k): m for k, m in points(kids[0][3]).items()}
    for k, m in points(toc).items():
        for ts, v in m.items():
            x = arg.get(k, {}).get(ts)
            if x is None:
                return True
            try:
                want = LIBM[node.fn](parse_go_float(x))
            except (ValueError, OverflowError):
                continue
            if float_bits(go_f(want)) != float_bits(v):
                return False
    return True


# Differences that are (or were) tocsin's, named so that the report groups them (they still fail
# the run); fixed ones stay, so that a regression is recognised.
TOCSIN_FINDINGS = {
    "count-values-digits": "count_values() writes the value label with all the digits of the "
                           "double (11545674521997289193472) where Go's FormatFloat(v, 'f', -1) "
                           "writes the shortest round-trip digits padded with zeros "
                           "(11545674521997290000000); the JSON writer has the same bug",
    "zero-duration": "tocsin accepts zero durations (`x offset 0s`, `x[5m:0s]`); Prometheus "
                     "(2.42 and 3.0, parseDuration) rejects them: 'duration must be greater than "
                     "0'",
    "subquery-name-merge": "inside a subquery, a series that keeps __name__ (a selector) and a "
                           "name-dropped series with the same other labels (e.g. from the two "
                           "sides of `or`, at different steps) come out merged into one series "
                           "without __name__; Prometheus (2.42, and 3.0 with or without delayed "
                           "name removal) keeps them apart (fixed with immediate name removal)",
    "topk-tie-order": "topk()/bottomk() among equal values keep other series than Prometheus "
                      "(2.42 and 3.0 agree here): tocsin's std::push_heap heap is not Go's "
                      "container/heap, so ties are broken differently (fixed: go_sort.h)",
    "stddev-signed-zero": "stddev()/stdvar() of a group whose first value is negative give -0 "
                          "where Prometheus gives 0 (eval_aggregate.cc seeds the variance with "
                          "v * (v - v), which is -0 for v < 0; Prometheus starts at 0, or NaN "
                          "when v is NaN/Inf)",
    "date-of-nan-inf": "hour()/minute()/month()/year()/day_of_*()/days_in_month() of NaN or "
                       "+-Inf: Prometheus converts with int64(v) (math.MinInt64 on amd64: year "
                       "292277026596, month 12, hour 15...), tocsin returns NaN",
    "quantile-signed-zero": "quantile()/quantile_over_time() over values holding both 0 and -0: "
                            "which zero sorts first differs from Go's sort (unstable for ties; "
                            "fixed: go_sort.h)",
    "delayed-name-removal": "tocsin keeps __name__ until the end of the query: label_replace/"
                            "label_join/on(__name__) see it and equal label sets after a "
                            "name-dropping function are not an error; that is Prometheus 3.0's "
                            "experimental --enable-feature=promql-delayed-name-removal, off by "
                            "default in 3.0 (and absent in 2.42) (fixed: immediate removal)",
    "timestamp-at-offset": "timestamp(x offset O @ T): Prometheus (2.42, 3.0 and main) ignores O "
                           "when @ is given (engine.go sets vs.Offset = ts - @); tocsin applied "
                           "it (fixed: Evaluator::EvalTimestampAt)",
}
