"""Evaluating on both sides and localising a difference to its innermost differing node."""

import threading

from .formats import parse_go_float, ts_ms
from .results import canon, same
from .grammar import Subquery


class Evaluator:
    """Evaluates a query on both sides, instant at t, or (mode = (start, end, step)) as a range
    query whose step t is returned as an instant vector."""

    def __init__(self, P, T, now):
        self.P, self.T, self.now = P, T, now
        self.cache = {}
        self.lock = threading.Lock()

    def both(self, q, t, mode=None):
        key = (q, t if mode is None else mode)
        with self.lock:
            hit = self.cache.get(key)
        if hit is None:
            if mode is None:
                hit = (canon(*self.P.query(q, t)), canon(*self.T.query(q, t)))
            else:
                hit = (canon(*self.P.query_range(q, *mode)), canon(*self.T.query_range(q, *mode)))
            with self.lock:
                self.cache[key] = hit
        if mode is None:
            return hit
        return tuple(step_slice(r, t) for r in hit)

    def raw(self, sel):
        """{labelkey: [(ms, float)]}: every stored sample of a selector (without @/offset)."""
        a, _ = self.both(f"{sel.render_base()}[4h]", self.now)
        if a[0] != "matrix":
            return None
        return {k: [(ts_ms(ts), parse_go_float(v)) for ts, v in pts] for k, pts in a[1].items()}


def step_slice(res, t):
    """One step of a range query result, as an instant vector (scalars: the series {})."""
    if res[0] != "matrix":
        return res
    m = {}
    for k, pts in res[1].items():
        for ts, v in pts:
            if ts == t:
                m[k] = (ts, v)
    return ("vector", m, [k for k in res[2] if k in m])


def in_context(node, ctx):
    """The query that evaluates `node` inside subquery `ctx` (or alone)."""
    if ctx is None:
        return node.render()
    inner = node.render() if node.type == "vector" else f"vector({node.render()})"
    return f"({inner}){ctx.suffix()}"


def localise(ev, node, t, ctx=None, mode=None, depth=0):
    """Descends from a differing node into its first differing operand while there is one.
    Returns (root node, ctx, mode, [(child, how, prometheus, tocsin)]); a range-vector operand
    inside a subquery cannot be queried and is left out of the operand list."""
    kids = []
    for child, how in node.children():
        if how == "sub":
            if ctx is not None or child.type != "vector":
                return node, ctx, mode, kids
            a, b = ev.both(in_context(child, node), t)
            kids.append((child, how, a, b))
            if not same(a, b) and depth < 12:
                return localise(ev, child, t, node, None, depth + 1)
            continue
        if how == "range":
            if ctx is not None:
                continue
            a, b = ev.both(child.render(), t)
            kids.append((child, how, a, b))
            if not same(a, b) and depth < 12:
                if isinstance(child, Subquery):
                    return localise(ev, child, t, None, None, depth + 1)
                return child, ctx, None, []  # raw samples differ
            continue
        a, b = ev.both(in_context(child, ctx), t, mode if ctx is None else None)
        kids.append((child, how, a, b))
        if not same(a, b) and depth < 12:
            return localise(ev, child, t, ctx, mode, depth + 1)
    return node, ctx, mode, kids
