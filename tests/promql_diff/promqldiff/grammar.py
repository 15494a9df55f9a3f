"""The seeded expression grammar: AST node classes that render PromQL, and the generator."""

import json
import re

from .data import FAMILIES, LABEL_VALUES
from .results import eval_time_text


MATH_FUNCS = ["abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "sgn", "sin", "cos",
              "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
              "deg", "rad"]
# Functions whose results come from Go's math package (ulp differences against glibc).
GO_MATH = {"exp", "ln", "log2", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
           "cosh", "tanh", "asinh", "acosh", "atanh", "^", "atan2", "holt_winters"}
DATE_FUNCS = ["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute",
              "month", "year"]
RANGE_FUNCS = ["rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
               "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
               "count_over_time", "last_over_time", "stddev_over_time", "stdvar_over_time",
               "present_over_time", "absent_over_time"]
COUNTER_FUNCS = {"rate", "irate", "increase", "resets"}
AGGS = ["sum", "avg", "min", "max", "count", "stddev", "stdvar", "group"]
RANGES = ["1m", "2m", "3m", "5m", "10m", "15m", "30m", "1h"]
SUB_RANGES = ["5m", "10m", "15m", "30m"]
SUB_STEPS = ["15s", "30s", "1m", "2m", "45s", ""]
OFFSETS = ["30s", "1m", "5m", "10m", "-2m"]
ZERO_DURATION_P = 0.02  # how often an offset or subquery step is the invalid "0s"


def dur_ms(d):
    if d == "":
        return 60000
    sign = -1 if d.startswith("-") else 1
    total = 0
    for n, u in re.findall(r"(\d+)(ms|s|m|h)", d):
        total += int(n) * {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}[u]
    return sign * total


class Node:
    type = "vector"
    kind = ""  # feature name for the summary

    def children(self):
        return []  # (node, how): how in "instant", "range", "sub"

    def features(self):
        out = {self.kind} if self.kind else set()
        for c, _ in self.children():
            out |= c.features()
        return out


class Num(Node):
    type = "scalar"

    def __init__(self, text):
        self.text = text

    def render(self):
        return self.text


class Str(Node):
    type = "string"

    def __init__(self, text):
        self.text = text

    def render(self):
        return json.dumps(self.text)


class Selector(Node):
    def __init__(self, name, matchers, offset="", at=""):
        self.name, self.matchers, self.offset, self.at = name, matchers, offset, at
        self.kind = "offset" if offset else ""

    def render_base(self):
        if self.name.startswith("{"):
            inner = self.name[1:-1]
            ms = [inner] + [f'{l}{op}"{v}"' for l, op, v in self.matchers]
            return "{" + ", ".join(ms) + "}"
        if not self.matchers:
            return self.name
        return self.name + "{" + ", ".join(f'{l}{op}"{v}"' for l, op, v in self.matchers) + "}"

    def modifiers(self):
        s = ""
        if self.offset:
            s += f" offset {self.offset}"
        if self.at:
            s += f" @ {self.at}"
        return s

    def render(self):
        return self.render_base() + self.modifiers()

    def features(self):
        f = {"offset"} if self.offset else set()
        if self.at:
            f.add("@")
        if self.name.startswith("{"):
            f.add("multi-name")
        return f


class MatrixSel(Node):
    type = "matrix"

    def __init__(self, sel, rng):
        self.sel, self.range = sel, rng

    def render(self):
        return f"{self.sel.render_base()}[{self.range}]{self.sel.modifiers()}"

    def features(self):
        return self.sel.features()

    @property
    def range_ms(self):
        return dur_ms(self.range)

    @property
    def offset_ms(self):
        return dur_ms(self.sel.offset) if self.sel.offset else 0


class Subquery(Node):
    type = "matrix"
    kind = "subquery"

    def __init__(self, expr, rng, step, offset="", at=""):
        self.expr, self.range, self.step, self.offset, self.at = expr, rng, step, offset, at

    def suffix(self):
        s = f"[{self.range}:{self.step}]"
        if self.offset:
            s += f" offset {self.offset}"
        if self.at:
            s += f" @ {self.at}"
        return s

    def render(self):
        return f"({self.expr.render()}){self.suffix()}"

    def children(self):
        return [(self.expr, "sub")]

    def features(self):
        f = super().features()
        if self.offset:
            f.add("offset")
        if self.at:
            f.add("@")
        return f

    @property
    def range_ms(self):
        return dur_ms(self.range)

    @property
    def offset_ms(self):
        return dur_ms(self.offset) if self.offset else 0


SCALAR_FUNCS = {"scalar", "time", "pi"}


class Call(Node):
    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self.kind = fn
        self.type = "scalar" if fn in SCALAR_FUNCS else "vector"

    def render(self):
        return f"{self.fn}(" + ", ".join(a.render() for a in self.args) + ")"

    def children(self):
        return [(a, "range" if a.type == "matrix" else "instant") for a in self.args
                if not isinstance(a, (Num, Str))]


class Unary(Node):
    kind = "unary-"

    def __init__(self, expr):
        self.expr = expr
        self.type = expr.type

    def render(self):
        return f"-({self.expr.render()})"

    def children(self):
        return [(self.expr, "instant")]


class Binary(Node):
    def __init__(self, op, lhs, rhs, bool_=False, match=None, group=None):
        self.op, self.lhs, self.rhs, self.bool, self.match, self.group = \
            op, lhs, rhs, bool_, match, group
        self.type = "vector" if "vector" in (lhs.type, rhs.type) else "scalar"
        self.kind = op + (" bool" if bool_ else "")

    def render(self):
        mod = ""
        if self.bool:
            mod += " bool"
        if self.match:
            mod += f" {self.match[0]}({', '.join(self.match[1])})"
        if self.group:  # always with (): `group_left (x)` would take (x) as its label list
            mod += f" {self.group[0]}({', '.join(self.group[1])})"
        return f"({self.lhs.render()}) {self.op}{mod} ({self.rhs.render()})"

    def children(self):
        return [(c, "instant") for c in (self.lhs, self.rhs) if not isinstance(c, Num)]

    def features(self):
        f = super().features()
        if self.match:
            f.add(self.match[0])
        if self.group:
            f.add(self.group[0])
        return f


class Agg(Node):
    def __init__(self, op, expr, param=None, grouping=None):
        self.op, self.expr, self.param, self.grouping = op, expr, param, grouping
        self.kind = op

    def render(self):
        g = f" {self.grouping[0]} ({', '.join(self.grouping[1])})" if self.grouping else ""
        p = f"{self.param.render()}, " if self.param is not None else ""
        return f"{self.op}{g} ({p}{self.expr.render()})"

    def children(self):
        out = [(self.expr, "instant")]
        if self.param is not None and not isinstance(self.param, (Num, Str)):
            out.insert(0, (self.param, "instant"))
        return out

    def features(self):
        f = super().features()
        if self.grouping:
            f.add(self.grouping[0])
        return f


class Gen:
    """The seeded expression grammar."""

    def __init__(self, rng, eval_lo_ms, eval_hi_ms):
        self.r = rng
        self.lo, self.hi = eval_lo_ms, eval_hi_ms
        self.allow_at = True
        self.sub_depth = 0

    def pick(self, items, weights=None):
        return self.r.choices(items, weights=weights)[0] if weights else self.r.choice(items)

    def family(self, kinds=None):
        fams = [f for f, (k, _) in FAMILIES.items() if kinds is None or k in kinds]
        return self.pick(fams)

    def labels_of(self, fam):
        return ["job", "instance"] + FAMILIES[fam][1]

    def matchers(self, fam):
        out = []
        for _ in range(self.pick([0, 0, 1, 1, 2])):
            l = self.pick(self.labels_of(fam))
            vals = LABEL_VALUES[l]
            op = self.pick(["=", "!=", "=~", "!~"], [4, 2, 2, 1])
            if op in ("=~", "!~"):
                v = self.pick(["|".join(self.r.sample(vals, min(2, len(vals)))), vals[0][:2] + ".*",
                               ".*" + vals[-1][-1:], ".+"]).replace("+Inf", "[+]Inf")
            else:
                v = self.pick(vals)
            out.append((l, op, v))
        return out

    def selector(self, fam=None, kinds=None):
        fam = fam or self.family(kinds)
        offset = self.offset() if self.r.random() < 0.12 else ""
        at = self.at_time() if self.r.random() < 0.04 else ""
        if fam.startswith("{"):
            return Selector(fam, [], offset, at)
        return Selector(fam, self.matchers(fam), offset, at)

    def offset(self):
        return "0s" if self.r.random() < ZERO_DURATION_P else self.pick(OFFSETS)

    def at_time(self):
        if not self.allow_at:
            return ""
        if self.r.random() < 0.3:
            return self.pick(["start()", "end()"])
        return eval_time_text(self.r.randint(self.lo // 1000, self.hi // 1000) * 1000 + 500)

    def num(self, choices=None):
        return Num(self.pick(choices or ["0", "1", "2", "0.5", "3", "10", "100", "1e3", "0.25",
                                         "-1", "1.5", "0.001", "7", "0.1", "1e-9", "60", "-0.3",
                                         "NaN", "Inf", "-Inf", "2.5e6"]))

    def scalar(self, d, fam=None):
        c = self.pick(["num", "time", "pi", "scalar", "binop"], [8, 1, 0.3, 2 if d > 0 else 0,
                                                                  1 if d > 0 else 0])
        if c == "num":
            return self.num()
        if c in ("time", "pi"):
            return Call(c, [])
        if c == "scalar":
            return Call("scalar", [self.vector(d - 1, fam)])
        op = self.pick(["+", "-", "*", "/", "%", "^", "atan2", "==", ">", "<", "!="])
        return Binary(op, self.scalar(d - 1), self.scalar(d - 1),
                      bool_=op in ("==", ">", "<", "!="))  # scalar comparisons need bool

    def range_vec(self, d, fam=None, kinds=None):
        if d > 0 and self.r.random() < 0.2:
            nested = self.sub_depth > 0
            self.sub_depth += 1
            inner = self.vector(d - 1, fam)
            self.sub_depth -= 1
            # Subquery points sit on whole seconds (multiples of the step). Inside another
            # subquery, this subquery's window starts at (outer step - range - offset), also a
            # whole second, so its range gets half a second more: no point on a left edge.
            rng = self.pick(SUB_RANGES) + ("500ms" if nested else "")
            step = "0s" if self.r.random() < ZERO_DURATION_P else self.pick(SUB_STEPS)
            return Subquery(inner, rng, step, self.offset() if self.r.random() < 0.15 else "",
                            self.at_time() if self.r.random() < 0.04 and not nested else "")
        return MatrixSel(self.selector(fam, kinds), self.pick(RANGES))

    def vector(self, d, fam=None):
        if d <= 0:
            c = self.pick(["sel", "range"], [3, 2])
        else:
            c = self.pick(["sel", "math", "round", "clamp", "range", "range2", "hq", "label",
                           "ts", "absent", "date", "vecfn", "binvs", "binvv", "set", "agg",
                           "aggp", "count_values", "unary", "multi"],
                          [3, 4, 1, 1.5, 7, 2, 2.5, 1.5, 0.8, 0.8, 0.7, 0.5, 5, 5, 2, 6, 2, 0.8,
                           0.4, 0.6])
        if c == "sel":
            return self.selector(fam)
        if c == "range":
            fn = self.pick(RANGE_FUNCS)
            kinds = ("counter", "bucket") if fn in COUNTER_FUNCS and fam is None else None
            return Call(fn, [self.range_vec(d, fam, kinds)])
        if c == "range2":
            fn = self.pick(["quantile_over_time", "predict_linear", "holt_winters"])
            if fn == "quantile_over_time":
                return Call(fn, [self.num(["0", "0.1", "0.5", "0.9", "0.99", "1", "-0.5", "1.5"]),
                                 self.range_vec(d, fam)])
            if fn == "predict_linear":
                return Call(fn, [self.range_vec(d, fam, ("gauge",)),
                                 self.num(["60", "300", "3600", "-300", "0", "17.5"])])
            return Call(fn, [self.range_vec(d, fam, ("gauge",)),
                             self.num(["0.1", "0.3", "0.5", "0.8", "0.9"]),
                             self.num(["0.1", "0.3", "0.5", "0.8", "0.9"])])
        if c == "math":
            return Call(self.pick(MATH_FUNCS), [self.vector(d - 1, fam)])
        if c == "round":
            args = [self.vector(d - 1, fam)]
            if self.r.random() < 0.7:
                args.append(self.num(["0.1", "0.5", "1", "5", "0.01", "10", "0.3", "3"]))
            return Call("round", args)
        if c == "clamp":
            fn = self.pick(["clamp", "clamp_min", "clamp_max"])
            args = [self.vector(d - 1, fam)] + [self.num(["0", "1", "-1", "50", "0.5", "1e6",
                                                          "-10"])
                                                for _ in range(2 if fn == "clamp" else 1)]
            return Call(fn, args)
        if c == "hq":
            q = self.num(["0", "0.25", "0.5", "0.9", "0.99", "1", "-0.1", "1.5", "NaN"])
            rng = self.pick(["1m", "2m", "5m", "10m", "30m"])
            inner = self.pick(["raw", "rate", "sum", "sumby", "increase"])
            bsel = Selector("request_duration_seconds_bucket",
                            [m for m in self.matchers("request_duration_seconds_bucket")
                             if m[0] != "le"])
            if inner == "raw":
                v = bsel
            elif inner in ("rate", "increase"):
                v = Call(inner, [MatrixSel(bsel, rng)])
            else:
                g = ["le"] + (self.r.sample(["job", "instance"], self.r.randint(0, 2))
                              if inner == "sumby" else [])
                v = Agg("sum", Call("rate", [MatrixSel(bsel, rng)]), grouping=("by", g))
            return Call("histogram_quantile", [q, v])
        if c == "label":
            v = self.vector(d - 1, fam)
            if self.r.random() < 0.6:
                src = self.pick(["instance", "job", "code", "__name__", "le", "nope"])
                regex = self.pick(["(.*):(.*)", "(.+)", "([a-z]+)", "(.*)", "10.0.0.(.*):9100",
                                   "x(.*)"])
                repl = self.pick(["$1", "${1}-x", "$2", "", "static"])
                dst = self.pick(["host", "job", "code", "__name__", "instance"])
                if dst == "__name__" and repl in ("", "${1}-x"):
                    repl = "$1"
                return Call("label_replace", [v, Str(dst), Str(repl), Str(src), Str(regex)])
            srcs = self.r.sample(["job", "instance", "code", "mode", "__name__", "le"],
                                 self.r.randint(1, 3))
            return Call("label_join", [v, Str(self.pick(["joined", "job", "host"])),
                                       Str(self.pick(["-", ",", ""]))] + [Str(s) for s in srcs])
        if c == "ts":
            return Call("timestamp", [self.vector(d - 1, fam)])
        if c == "absent":
            if self.r.random() < 0.5:
                return Call("absent", [self.vector(d - 1, fam)])
            return Call("absent_over_time", [self.range_vec(d, fam)])
        if c == "date":
            fn = self.pick(DATE_FUNCS)
            if self.r.random() < 0.3:
                return Call(fn, [])
            return Call(fn, [self.pick([Call("timestamp", [self.selector(fam)]),
                                        self.vector(d - 1, fam)])])
        if c == "vecfn":
            return Call("vector", [self.scalar(d - 1)])
        if c == "binvs":
            op = self.pick(["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=",
                            "<="], [3, 3, 3, 3, 1.5, 1.5, 0.7, 1, 1, 2, 2, 1, 1])
            cmp = op in ("==", "!=", ">", "<", ">=", "<=")
            v, s = self.vector(d - 1, fam), self.scalar(d - 1, fam)
            lhs, rhs = (v, s) if self.r.random() < 0.7 else (s, v)
            return Binary(op, lhs, rhs, bool_=cmp and self.r.random() < 0.4)
        if c == "binvv":
            op = self.pick(["+", "-", "*", "/", "%", "^", "atan2", "==", "!=", ">", "<", ">=",
                            "<="], [3, 3, 3, 3, 1, 1, 0.5, 1, 1, 2, 2, 1, 1])
            cmp = op in ("==", "!=", ">", "<", ">=", "<=")
            f = fam or self.family()
            lhs = self.vector(d - 1, f)
            style = self.pick(["plain", "on", "ignoring", "group"], [4, 2, 2, 2])
            if style == "group":
                on = self.r.sample(["job", "instance"], self.r.randint(1, 2))
                rhs = Agg(self.pick(["sum", "max", "avg", "count"]), self.vector(d - 1, f),
                          grouping=("by", on))
                extra = self.r.sample(self.labels_of(f), self.r.randint(0, 1))
                extra = [e for e in extra if e not in on]
                if self.r.random() < 0.75:
                    return Binary(op, lhs, rhs, cmp and self.r.random() < 0.4, ("on", on),
                                  ("group_left", extra))
                return Binary(op, rhs, lhs, cmp and self.r.random() < 0.4, ("on", on),
                              ("group_right", extra))
            g = self.pick([f, self.family()], [4, 1])
            rhs = self.vector(d - 1, g)
            match = None
            if style in ("on", "ignoring"):
                labs = self.r.sample(self.labels_of(f) + ["__name__"],
                                     self.pick([0, 1, 1, 2, 2, 2]))
                match = (style, labs)
            return Binary(op, lhs, rhs, cmp and self.r.random() < 0.4, match)
        if c == "set":
            op = self.pick(["and", "or", "unless"])
            f = fam or self.family()
            match = None
            if self.r.random() < 0.5:
                match = (self.pick(["on", "ignoring"]),
                         self.r.sample(self.labels_of(f), self.r.randint(0, 2)))
            return Binary(op, self.vector(d - 1, f), self.vector(d - 1, self.pick([f, None])),
                          match=match)
        if c == "agg":
            op = self.pick(AGGS, [5, 4, 2, 2, 2, 2, 2, 1])
            v = self.vector(d - 1, fam)
            return Agg(op, v, grouping=self.grouping(fam))
        if c == "aggp":
            op = self.pick(["topk", "bottomk", "quantile"])
            p = self.num(["1", "2", "3", "5"] if op != "quantile" else
                         ["0", "0.1", "0.5", "0.9", "0.99", "1", "-1", "2"])
            return Agg(op, self.vector(d - 1, fam), p, self.grouping(fam))
        if c == "count_values":
            return Agg("count_values", self.vector(d - 1, fam), Str(self.pick(["value", "v"])),
                       self.grouping(fam))
        if c == "unary":
            return Unary(self.vector(d - 1, fam))
        if c == "multi":  # several metric names in one selector
            names = self.r.sample(list(FAMILIES), 2)
            sel = Selector('{__name__=~"' + "|".join(names) + '"}', [])
            if self.r.random() < 0.5:
                fn = self.pick(["rate", "abs", "delta"])
                return Agg(self.pick(["sum", "count", "max"]),
                           Call(fn, [sel] if fn == "abs" else [MatrixSel(sel, "5m")]),
                           grouping=("by", ["job"]))
            return Call(self.pick(["rate", "last_over_time"]), [MatrixSel(sel, "5m")])
        raise AssertionError(c)

    def grouping(self, fam):
        if self.r.random() < 0.3:
            return None
        labs = self.labels_of(fam) if fam and not fam.startswith("{") else \
            ["job", "instance", "code", "mode", "le", "sensor"]
        return (self.pick(["by", "without"], [3, 1]), self.r.sample(labs, self.r.randint(0, 2)))

    def top(self, for_range=False):
        self.allow_at = not for_range  # 2.42's @ in range queries has fixed bugs (#11708)
        d = self.pick([1, 2, 2, 3, 3, 4])
        c = self.pick(["vector", "scalar", "matrix", "sort"], [85, 5, 0 if for_range else 6, 4])
        if c == "scalar":
            return self.scalar(d)
        if c == "matrix":
            return self.range_vec(min(d, 2))
        if c == "sort":
            return Call(self.pick(["sort", "sort_desc"]), [self.vector(d - 1)])
        return self.vector(d)
