"""Prometheus's algorithms as 2.42 and 3.0 compute them (Kahan sums, aggregations, *_over_time,
rate extrapolation, histogram_quantile, topk's heap), to verify known 2.42/3.0 differences."""

import collections
import itertools
import math
import random
import sys

from .formats import eval_ts, fdiv, float_bits, go_f, parse_go_float, ts_ms
from .results import points, same
from .grammar import MatrixSel, Num, Subquery


def drop_name(k):
    return tuple(x for x in k if x[0] != "__name__")


def ordered_items(res):
    """[(labelkey, {ts: value})] in response order."""
    pts = points(res)
    order = res[2] if res[0] in ("vector", "matrix") else list(pts)
    return [(k, pts[k]) for k in order]


def kahan_242(inc, s, c):
    t = s + inc
    if abs(s) >= abs(inc):
        c += (s - t) + inc
    else:
        c += (inc - t) + s
    return t, c


def kahan_30(inc, s, c):
    t = s + inc
    if math.isinf(t):
        c = 0.0
    elif abs(s) >= abs(inc):
        c += (s - t) + inc
    else:
        c += (inc - t) + s
    return t, c


def agg_242(op, vals):
    if op == "sum":
        v = vals[0]
        for x in vals[1:]:
            v += x
        return v
    if op == "avg":
        mean, n = vals[0], 1
        for x in vals[1:]:
            n += 1
            if math.isinf(mean):
                if math.isinf(x) and (mean > 0) == (x > 0):
                    continue
                if not math.isinf(x) and not math.isnan(x):
                    continue
            mean += x / n - mean / n
        return mean
    if op in ("stddev", "stdvar"):
        value, mean, n = 0.0, vals[0], 1
        for x in vals[1:]:
            n += 1
            delta = x - mean
            mean += delta / n
            value += delta * (x - mean)
        return math.sqrt(value / n) if op == "stddev" else value / n
    return None


def agg_30(op, vals):
    if op == "sum":
        v, c = vals[0], 0.0
        for x in vals[1:]:
            v, c = kahan_30(x, v, c)
        return v + c
    if op == "avg":
        v, c, mean, n, incr = vals[0], 0.0, vals[0], 1.0, False
        for x in vals[1:]:
            n += 1
            if not incr:
                nv, nc = kahan_30(x, v, c)
                if not math.isinf(nv):
                    v, c = nv, nc
                    continue
                incr = True
                mean = v / (n - 1)
                c /= n - 1
            if math.isinf(mean):
                if math.isinf(x) and (mean > 0) == (x > 0):
                    continue
                if not math.isinf(x) and not math.isnan(x):
                    continue
            cur = mean + c
            mean, c = kahan_30(x / n - cur / n, mean, c)
        return mean + c if incr else (v + c) / n
    if op in ("stddev", "stdvar"):
        value = math.nan if (math.isnan(vals[0]) or math.isinf(vals[0])) else 0.0
        mean, n = vals[0], 1
        for x in vals[1:]:
            n += 1
            delta = x - mean
            mean += delta / n
            value += delta * (x - mean)
        return math.sqrt(value / n) if op == "stddev" else value / n
    return None


def over_time(fn, vals, kahan, version):
    if fn == "sum_over_time":
        s, c = 0.0, 0.0
        for x in vals:
            s, c = kahan(x, s, c)
        return s if math.isinf(s) else s + c
    if fn == "avg_over_time":
        if version == "2.42":
            mean, n, c = 0.0, 0.0, 0.0
            for x in vals:
                n += 1
                if math.isinf(mean):
                    if math.isinf(x) and (mean > 0) == (x > 0):
                        continue
                    if not math.isinf(x) and not math.isnan(x):
                        continue
                mean, c = kahan(x / n - mean / n, mean, c)
            return mean if math.isinf(mean) else mean + c
        s, mean, n, c, incr = 0.0, 0.0, 0.0, 0.0, False
        for x in vals:
            n += 1
            if not incr:
                ns, nc = kahan(x, s, c)
                if n == 1 or not math.isinf(ns):
                    s, c = ns, nc
                    continue
                incr = True
                mean = s / (n - 1)
                c /= n - 1
            if math.isinf(mean):
                if math.isinf(x) and (mean > 0) == (x > 0):
                    continue
                if not math.isinf(x) and not math.isnan(x):
                    continue
            cm = mean + c
            mean, c = kahan(x / n - cm / n, mean, c)
        return mean + c if incr else (s + c) / n
    if fn in ("stddev_over_time", "stdvar_over_time"):
        n, mean, cm, aux, ca = 0.0, 0.0, 0.0, 0.0, 0.0
        for x in vals:
            n += 1
            delta = x - (mean + cm)
            mean, cm = kahan(delta / n, mean, cm)
            aux, ca = kahan(delta * (x - (mean + cm)), aux, ca)
        v = fdiv(aux + ca, n)
        return math.sqrt(v) if fn == "stddev_over_time" else v
    return None


def extrapolated(samples, range_start, range_end, range_s, is_counter, is_rate, version):
    """Prometheus's extrapolatedRate over [(ts_ms, v)], 2.42's or 3.0's."""
    if len(samples) < 2:
        return None
    first_t, last_t = samples[0][0], samples[-1][0]
    result = samples[-1][1] - samples[0][1]
    if is_counter:
        prev = samples[0][1]
        for _, v in samples[1:]:
            if v < prev:
                result += prev
            prev = v
    to_start = (first_t - range_start) / 1000
    to_end = (range_end - last_t) / 1000
    sampled = (last_t - first_t) / 1000
    avg = sampled / (len(samples) - 1)
    threshold = avg * 1.1
    ext = sampled
    if version == "2.42":
        if is_counter and result > 0 and samples[0][1] >= 0:
            to_zero = sampled * (samples[0][1] / result)
            if to_zero < to_start:
                to_start = to_zero
        ext += to_start if to_start < threshold else avg / 2
        ext += to_end if to_end < threshold else avg / 2
    else:
        if to_start >= threshold:
            to_start = avg / 2
        if is_counter and result > 0 and samples[0][1] >= 0:
            to_zero = sampled * (samples[0][1] / result)
            if to_zero < to_start:
                to_start = to_zero
        ext += to_start
        if to_end >= threshold:
            to_end = avg / 2
        ext += to_end
    factor = ext / sampled
    if is_rate:
        factor /= range_s
    return result * factor


def linear_regression(samples, intercept_ms):
    """Prometheus 3.0's linearRegression over [(ms, v)]."""
    n = sx = cx = sy = cy = sxy = cxy = sx2 = cx2 = 0.0
    init_y, const_y = samples[0][1], True
    for i, (ts, v) in enumerate(samples):
        if const_y and i > 0 and v != init_y:
            const_y = False
        n += 1.0
        x = (ts - intercept_ms) / 1e3
        sx, cx = kahan_30(x, sx, cx)
        sy, cy = kahan_30(v, sy, cy)
        sxy, cxy = kahan_30(x * v, sxy, cxy)
        sx2, cx2 = kahan_30(x * x, sx2, cx2)
    if const_y:
        return (math.nan, math.nan) if math.isinf(init_y) else (0.0, init_y)
    sx += cx
    sy += cy
    sxy += cxy
    sx2 += cx2
    cov = sxy - sx * sy / n
    var = sx2 - sx * sx / n
    slope = fdiv(cov, var)
    return slope, sy / n - slope * sx / n


def almost_equal(a, b, eps):
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    min_normal = 2.2250738585072014e-308
    abs_sum = abs(a) + abs(b)
    diff = abs(a - b)
    if a == 0 or b == 0 or abs_sum < min_normal:
        return diff < eps * min_normal
    return diff / min(abs_sum, sys.float_info.max) < eps


def bucket_quantile(q, buckets, version):
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    buckets = sorted(buckets, key=lambda b: b[0])
    if not math.isinf(buckets[-1][0]):
        return math.nan
    co = []
    for ub, c in buckets:
        if co and co[-1][0] == ub:
            co[-1][1] += c
        else:
            co.append([ub, c])
    if version == "2.42":
        mx = co[0][1]
        for b in co[1:]:
            if b[1] > mx:
                mx = b[1]
            elif b[1] < mx:
                b[1] = mx
    else:
        prev = co[0][1]
        for b in co[1:]:
            cur = b[1]
            if cur == prev:
                continue
            if almost_equal(prev, cur, 1e-12):
                b[1] = prev
                continue
            if cur < prev:
                b[1] = prev
                continue
            prev = cur
    if len(co) < 2:
        return math.nan
    obs = co[-1][1]
    if obs == 0:
        return math.nan
    rank = q * obs
    b = next((i for i in range(len(co) - 1) if co[i][1] >= rank), len(co) - 1)
    if b == len(co) - 1:
        return co[-2][0]
    if b == 0 and co[0][0] <= 0:
        return co[0][0]
    start, end, count = 0.0, co[b][0], co[b][1]
    if b > 0:
        start = co[b - 1][0]
        count -= co[b - 1][1]
        rank -= co[b - 1][1]
    return start + (end - start) * fdiv(rank, count)


def group_key(k, grouping):
    d = dict(k)
    if grouping is None:
        return ()
    how, labs = grouping
    if how == "by":
        return tuple(sorted((n, v) for n, v in d.items() if n in labs))
    return tuple(sorted((n, v) for n, v in d.items() if n not in labs and n != "__name__"))


def scalar_value(node):
    if isinstance(node, Num):
        text = node.text.replace("Inf", "+Inf").replace("++", "+").replace("-+", "-")
        return parse_go_float(text)
    return None


def expect_all(node_res, expected, zero_sign=True):
    """True when `expected` ({key: {ts: float}}) gives node_res's points, bit for bit (but for
    the sign of zeros unless `zero_sign`)."""
    pts = points(node_res)
    if pts.keys() != expected.keys():
        return False
    for k, m in pts.items():
        if m.keys() != expected[k].keys():
            return False
        for ts, v in m.items():
            e = expected[k][ts]
            if not zero_sign and e == 0 and parse_go_float(v) == 0:
                continue
            if float_bits(v) != float_bits(go_f(e)):
                return False
    return True


def step_keys(prom, toc):
    return sorted({ts for r in (prom, toc) for m in points(r).values() for ts in m}, key=float)


def range_windows(ev, node, ctx, kids, prom, toc, t):
    """[(step key, step ms, {labelkey: [(ms, v)]})] of the range-vector argument of `node`
    at each of its evaluation steps, with the argument's range/offset; None if unknown."""
    rv = next((x for x in node.args if x.type == "matrix"), None)
    if rv is None:
        return None
    at = rv.sel.at if isinstance(rv, MatrixSel) else rv.at
    anchor = None if not at else ts_ms(t) if at in ("start()", "end()") else ts_ms(at)
    steps = [eval_ts(t)] if ctx is None else step_keys(prom, toc)
    out = []
    if isinstance(rv, MatrixSel):
        raw = ev.raw(rv.sel)
        if raw is None:
            return None
        for st in steps:
            hi = (anchor if anchor is not None else ts_ms(st)) - rv.offset_ms
            lo = hi - rv.range_ms
            out.append((st, ts_ms(st), {k: [p for p in smp if lo < p[0] <= hi]
                                         for k, smp in raw.items()}))
        return out, rv, anchor
    if isinstance(rv, Subquery) and ctx is not None and not ctx.at and not rv.at:
        # All the points the nested subquery produces for the outer steps, in one query:
        # they are evaluated at multiples of its step whatever the outer step is.
        w = ctx.range_ms + rv.range_ms
        off = ctx.offset_ms + rv.offset_ms
        q = f"({rv.expr.render()})[{w}ms:{rv.step}]" + (f" offset {off}ms" if off else "")
        res, res_t = ev.both(q, t)
        if res[0] != "matrix":
            return None
        if not same(res, res_t):  # the nested subquery's own points differ: look there
            return "descend", Subquery(rv.expr, f"{w}ms", rv.step, f"{off}ms" if off else "")
        allp = {k: [(ts_ms(ts), parse_go_float(v)) for ts, v in pts] for k, pts in res[1].items()}
        for st in steps:
            hi = ts_ms(st) - rv.offset_ms
            lo = hi - rv.range_ms
            out.append((st, ts_ms(st), {k: [p for p in smp if lo < p[0] <= hi]
                                         for k, smp in allp.items()}))
        return out, rv, anchor
    if isinstance(rv, Subquery) and ctx is None and kids:
        res = kids[0][2]
        if res[0] != "matrix":
            return None
        return [(steps[0], ts_ms(steps[0]),
                 {k: [(ts_ms(ts), parse_go_float(v)) for ts, v in pts]
                  for k, pts in res[1].items()})], rv, anchor
    return None


def per_step(res):
    """{ts: [(labelkey, float)]} in response order."""
    out = collections.OrderedDict()
    for k, m in ordered_items(res):
        for ts, v in m.items():
            out.setdefault(ts, []).append((k, parse_go_float(v)))
    return out


def agg_expectation(node, res, fn, order=None):
    """{group: {ts: value}} of aggregation `node` over operand result `res` with `fn`;
    `order(ts, gk, vals)` may permute each group's values."""
    exp = {}
    for ts, items in per_step(res).items():
        groups = collections.OrderedDict()
        for k, v in items:
            groups.setdefault(group_key(k, node.grouping), []).append(v)
        for gk, vals in groups.items():
            exp.setdefault(gk, {})[ts] = fn(node.op, vals)
    return exp


def reachable(node, res, target, fn):
    """True when every value of `target` is what `fn` gives for some order of its group's
    operand values (Prometheus's range evaluation hands series over in Go map order)."""
    pts = points(target)
    groups = {}
    for ts, items in per_step(res).items():
        for k, v in items:
            groups.setdefault((group_key(k, node.grouping), ts), []).append(v)
    if {(gk, ts) for gk, m in pts.items() for ts in m} != set(groups):
        return False
    rng = random.Random(0)
    for (gk, ts), vals in groups.items():
        want = float_bits(pts[gk][ts])
        if len(vals) <= 6:
            orders = itertools.permutations(vals)
        else:
            orders = (rng.sample(vals, len(vals)) for _ in range(3000))
        if not any(float_bits(go_f(fn(node.op, list(o)))) == want for o in orders):
            return False
    return True


def go_heap_select(items, k, op, version):
    """The series topk/bottomk keep (Prometheus's container/heap code, 2.42's or 3.0's)."""
    def less(a, b):
        va, vb = a[1], b[1]
        if math.isnan(va):
            return True
        return va < vb if op == "topk" else va > vb

    def up(h, j):
        while True:
            i = (j - 1) // 2 if j > 0 else 0
            if i == j or not less(h[j], h[i]):
                break
            h[i], h[j] = h[j], h[i]
            j = i

    def down(h, i0, n):
        i = i0
        while True:
            j1 = 2 * i + 1
            if j1 >= n:
                break
            j = j1
            if j1 + 1 < n and less(h[j1 + 1], h[j1]):
                j = j1 + 1
            if not less(h[j], h[i]):
                break
            h[i], h[j] = h[j], h[i]
            i = j
        return i > i0

    if k < 1 or not items:
        return set()
    h = [items[0]]
    better = (lambda a, b: a < b) if op == "topk" else (lambda a, b: a > b)
    for s in items[1:]:
        top = h[0][1]
        if version == "2.42":
            if len(h) < k or better(top, s[1]) or math.isnan(top):
                if len(h) == k:
                    if k == 1:
                        h[0] = s
                        continue
                    n = len(h) - 1
                    h[0], h[n] = h[n], h[0]
                    down(h, 0, n)
                    h.pop()
                h.append(s)
                up(h, len(h) - 1)
        else:
            if len(h) < k:
                h.append(s)
                up(h, len(h) - 1)
            elif better(top, s[1]) or (math.isnan(top) and not math.isnan(s[1])):
                h[0] = s
                if k > 1 and not down(h, 0, len(h)):
                    up(h, 0)
    return {x[0] for x in h}
