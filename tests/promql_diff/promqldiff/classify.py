"""Classifying a difference (known, math-ulp, nondeterministic, unexplained) and the counts."""

import collections
import math

from .formats import parse_go_float
from .results import canon, describe, loose, points
from .grammar import Agg, Binary, Call, MatrixSel, Selector, Subquery
from .localise import in_context, localise, step_slice
from .verify import TOCSIN_FINDINGS, verify


def root_signature(node, ctx, kind):
    if isinstance(node, Call):
        s = f"{node.fn}()"
        if node.args and node.args[0].type == "matrix" and isinstance(node.args[0], Subquery):
            s += " over subquery"
    elif isinstance(node, Agg):
        s = f"{node.op} {node.grouping[0] if node.grouping else ''}".strip()
    elif isinstance(node, Binary):
        s = f"{node.lhs.type} {node.op}{' bool' if node.bool else ''} {node.rhs.type}"
        if node.match:
            s += f" {node.match[0]}()"
        if node.group:
            s += f" {node.group[0]}"
    elif isinstance(node, Subquery):
        s = "subquery"
    elif isinstance(node, (Selector, MatrixSel)):
        s = "selector" + (" offset" if node.features() & {"offset"} else "")
    else:
        s = type(node).__name__
    if ctx is not None:
        s += " (inside a subquery)"
    return f"{s}: {kind}"




def load_known(path):
    known = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            k, _, reason = line.partition(":")
            known[k.strip()] = reason.strip()
    return known


class Stats:
    def __init__(self):
        self.by_feature = collections.defaultdict(lambda: collections.Counter())
        self.totals = collections.Counter()
        self.examples = collections.defaultdict(list)  # category -> [(expr, t, desc)]
        self.error_types = []


def prometheus_varies(ev, q, t, mode, toc, tries=8):
    """True when Prometheus answers `q` differently when asked again, with the same series,
    and tocsin's values lie within the spread of Prometheus's answers (widened by the spread)."""
    answers = []
    for _ in range(tries):
        if mode is None:
            r = canon(*ev.P.query(q, t))
        else:
            r = step_slice(canon(*ev.P.query_range(q, *mode)), t)
        if r[0] not in ("vector", "matrix", "scalar"):
            return False
        answers.append(r)
    distinct = {repr(loose(r)) for r in answers}
    if len(distinct) < 2:
        return False
    if repr(loose(toc)) in distinct:
        return True
    pts = [points(r) for r in answers]
    tp = points(toc)
    if any(p.keys() != tp.keys() for p in pts):
        return False
    for k, m in tp.items():
        for ts, v in m.items():
            vals = [parse_go_float(p[k][ts]) for p in pts if ts in p[k]]
            if not vals:
                return False
            x = parse_go_float(v)
            if any(math.isnan(y) for y in vals + [x]):
                if not all(math.isnan(y) for y in vals + [x]):
                    return False
                continue
            lo, hi = min(vals), max(vals)
            spread = hi - lo
            if not lo - spread <= x <= hi + spread:
                return False
    return True


def classify(ev, known, expr, t, a, b, mode, depth=0):
    """(category, description) of a difference between a and b (the results of expr at t)."""
    kind, desc = describe(a, b)
    root, ctx, rmode, kids = localise(ev, expr, t, None, mode)
    if root is expr:
        ra, rb = a, b
    else:
        ra, rb = ev.both(in_context(root, ctx), t, rmode if ctx is None else None)
    rkind, rdesc = describe(ra, rb)
    v = verify(ev, root, ctx, kids, ra, rb, t, rmode)
    if isinstance(v, tuple) and depth < 3:  # a nested subquery's points differ: classify them
        sub = v[1]
        sa, sb = ev.both(sub.render(), t)
        cat, sdesc = classify(ev, known, sub, t, sa, sb, None, depth + 1)
        return cat, desc + f"\n      in the nested subquery, as {sub.render()}:\n      {sdesc}"
    if isinstance(v, tuple):
        v = None
    if v == "math-ulp":
        cat = "math-ulp"
    elif v == "math-ulp-not-libm":
        cat = "math-ulp: tocsin's value is not glibc's either"
    elif v and v in known:
        cat = "known: " + v
    elif v == "reference-order":
        cat = ("nondeterministic: Prometheus hands series to an aggregation in Go map order in "
               "range evaluation (range queries, subqueries); verified reachable by some order")
    elif v in TOCSIN_FINDINGS:
        cat = "unexplained: " + v
    elif prometheus_varies(ev, in_context(root, ctx), t, rmode if ctx is None else None, rb) or \
            prometheus_varies(ev, expr.render(), t, mode, b):
        cat = ("nondeterministic: Prometheus's own answer changes from one evaluation to the "
               "next (Go map order of series) and tocsin's lies within its spread")
    else:
        cat = "unexplained: " + root_signature(root, ctx, rkind)
    if root is not expr:
        desc += f"\n      innermost differing: {in_context(root, ctx)}\n        {rdesc}"
    return cat, desc
