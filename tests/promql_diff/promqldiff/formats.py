"""Go's number formats as Prometheus's JSON API writes floats and timestamps; float bits and ulp
distances."""

import decimal
import math
import struct


def go_f(x):
    """A sample value as Prometheus's JSON writes it (jsonutil.MarshalValue): Go's
    strconv.FormatFloat(x, 'f', -1, 64), or 'e' when 0 < |x| < 1e-6 or |x| >= 1e21."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    d = decimal.Decimal(repr(x)).normalize()
    if x != 0 and (abs(x) < 1e-6 or abs(x) >= 1e21):
        sign, digits, exp = d.as_tuple()
        e = exp + len(digits) - 1
        mant = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
        return ("-" if sign else "") + f"{mant}e{'+' if e >= 0 else '-'}{abs(e):02d}"
    return format(d, "f")


def parse_go_float(s):
    if s in ("NaN",):
        return math.nan
    if s in ("+Inf", "Inf"):
        return math.inf
    if s == "-Inf":
        return -math.inf
    return float(s)


def fdiv(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        if math.isnan(a) or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def ordered_bits(x):
    (i,) = struct.unpack("<q", struct.pack("<d", x))
    return i if i >= 0 else -(i & 0x7FFFFFFFFFFFFFFF)


def ulp_distance(a, b):
    """ulps between two value strings; None when not both finite numbers."""
    try:
        fa, fb = parse_go_float(a), parse_go_float(b)
    except ValueError:
        return None
    if math.isnan(fa) or math.isnan(fb) or math.isinf(fa) or math.isinf(fb):
        return None
    return abs(ordered_bits(fa) - ordered_bits(fb))


def float_bits(v):
    x = parse_go_float(v)
    return "NaN" if math.isnan(x) else struct.pack("<d", x)


def eval_ts(t):
    """The timestamp the APIs print for evaluation time `t` (a query parameter)."""
    return api_ts(ts_ms(t))


def api_ts(ms):
    """Prometheus's jsonutil.MarshalTimestamp: seconds, then three ms digits unless zero."""
    return str(ms // 1000) + (f".{ms % 1000:03d}" if ms % 1000 else "")


def ts_ms(ts):
    return int(round(float(ts) * 1000))
