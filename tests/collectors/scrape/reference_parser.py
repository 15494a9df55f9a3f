"""An independent, deliberately simple reference parser for the Prometheus text format 0.0.4.

Written from the format's documentation (not from tocsin's code), character by character, for
the cross-check in cross_check_test.py. It returns the same canonical sample lines that
scrape_parse_dump prints: `name{a="x",b="y"} value [ts]` with labels sorted by name, empty
label values dropped, and values in Go's shortest float format.
"""
import math
import re

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def go_float(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if math.copysign(1, v) < 0 else "0"
    r = repr(v)  # shortest round-trip digits, like Go's -1 precision
    mant, _, exp = r.partition("e")
    if exp:
        e = int(exp)
    else:
        e = None
    digits = mant.replace("-", "").replace(".", "").lstrip("0") or "0"
    # Decimal exponent of the first significant digit.
    if e is None:
        m = mant.lstrip("-")
        if "." in m:
            ip, fp = m.split(".")
        else:
            ip, fp = m, ""
        if ip.strip("0"):
            e = len(ip.lstrip("0")) - 1
        else:
            e = -(len(fp) - len(fp.lstrip("0")) + 1)
    else:
        m = mant.lstrip("-")
        ip = m.split(".")[0]
        e = e + len(ip.lstrip("0")) - 1
    digits = digits.rstrip("0") or "0"
    neg = "-" if v < 0 else ""
    if e < -4 or e >= 6:
        s = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{neg}{s}e{'-' if e < 0 else '+'}{abs(e):02d}"
    if e < 0:
        return f"{neg}0.{'0' * (-e - 1)}{digits}"
    if len(digits) <= e + 1:
        return f"{neg}{digits}{'0' * (e + 1 - len(digits))}"
    return f"{neg}{digits[:e + 1]}.{digits[e + 1:]}"


def parse_value(s):
    low = s.lower()
    if low in ("nan",):
        return float("nan")
    if low in ("+inf", "inf", "+infinity", "infinity"):
        return float("inf")
    if low in ("-inf", "-infinity"):
        return float("-inf")
    return float(s)


def parse(text):
    """Returns (sorted sample lines, list of error strings)."""
    out, errors = [], []
    for lineno, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t")
        if not line or line.startswith("#"):
            continue
        try:
            m = NAME.match(line)
            if not m:
                raise ValueError("bad metric name")
            name, i = m.group(0), m.end()
            labels = {}
            if i < len(line) and line[i] == "{":
                i += 1
                while True:
                    while line[i] in " \t":
                        i += 1
                    if line[i] == "}":
                        i += 1
                        break
                    lm = LABEL.match(line, i)
                    if not lm:
                        raise ValueError("bad label name")
                    lname, i = lm.group(0), lm.end()
                    while line[i] in " \t":
                        i += 1
                    if line[i] != "=":
                        raise ValueError("expected =")
                    i += 1
                    while line[i] in " \t":
                        i += 1
                    if line[i] != '"':
                        raise ValueError("expected quote")
                    i += 1
                    val = []
                    while line[i] != '"':
                        c = line[i]
                        if c == "\\":
                            i += 1
                            n = line[i]
                            val.append({"n": "\n", "\\": "\\", '"': '"'}.get(n, "\\" + n))
                        else:
                            val.append(c)
                        i += 1
                    i += 1
                    if lname in labels:
                        raise ValueError("duplicate label")
                    labels[lname] = "".join(val)
                    while line[i] in " \t":
                        i += 1
                    if line[i] == ",":
                        i += 1
                    elif line[i] != "}":
                        raise ValueError("expected , or }")
            rest = line[i:].split()
            if len(rest) not in (1, 2) or line[i] not in " \t":
                raise ValueError("bad value/timestamp")
            value = parse_value(rest[0])
            ts = " " + str(int(rest[1])) if len(rest) == 2 else ""
            lbl = ",".join(
                f'{k}="' + v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'
                for k, v in sorted(labels.items()) if v != "")
            out.append(f"{name}{{{lbl}}} {go_float(value)}{ts}")
        except (ValueError, IndexError) as e:
            errors.append(f"line {lineno}: {e}")
    return sorted(out), errors
