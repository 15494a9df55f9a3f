"""Remote-Write 2.0 for tests/fakes/remote_write_receiver.py: content negotiation and the checks
of an io.prometheus.write.v2.Request against the sender's MUSTs of the 2.0 specification
(prometheus.io/docs/specs/prw/remote_write_spec_2_0, 2.0-rc.4).

negotiate(Content-Type) tells which Protobuf Message a request claims to carry. check() decodes
and checks a 2.0 request: snappy's block format; X-Prometheus-Remote-Write-Version 2.x and a
User-Agent; a symbols table whose first element is "" and holds no string twice; every
reference (labels_refs, help_ref, unit_ref, exemplar labels_refs) inside it; labels_refs
non-empty and of even length; the resolved label set with unique, sorted, non-empty names and
non-empty values; at least one sample or histogram per TimeSeries but not both; samples and
histograms in timestamp order within the series and across accepted requests (keyed like the
1.0 path's, by the resolved label set); exemplars with a timestamp. The spec's SHOULDs it can
see (a __name__ label, the name regexes, a metadata type) become warnings, not violations.
"""

import collections
import re

import snappy

V1 = "1.0"
V2 = "2.0"
MEDIA_TYPE = "application/x-protobuf"
PROTO_V1 = "prometheus.WriteRequest"
PROTO_V2 = "io.prometheus.write.v2.Request"
CONTENT_TYPE_V2 = MEDIA_TYPE + ";proto=" + PROTO_V2
WRITTEN = ("X-Prometheus-Remote-Write-Samples-Written",
           "X-Prometheus-Remote-Write-Histograms-Written",
           "X-Prometheus-Remote-Write-Exemplars-Written")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
TYPE_NAMES = {0: "unspecified", 1: "counter", 2: "gauge", 3: "histogram",
              4: "gaugehistogram", 5: "summary", 6: "info", 7: "stateset"}


def _split_params(value):
    """Splits a header value on the ';' outside quoted strings (RFC 9110 section 5.6.6)."""
    parts, cur, quoted, escaped = [], [], False, False
    for c in value:
        if escaped:
            escaped = False
        elif quoted and c == "\\":
            escaped = True
        elif c == '"':
            quoted = not quoted
        elif c == ";" and not quoted:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(c)
    parts.append("".join(cur))
    return parts


def negotiate(content_type):
    """Returns (V1 | V2 | None, notes): the Protobuf Message a Content-Type names, None when it is
    not one this receiver knows. Tolerant as RFC 9110 is: case of the media type and of
    parameter names, spaces around ';' and '=', a quoted value. notes lists what is tolerated
    but not one of the spec's three values (other parameters)."""
    if content_type is None:
        return None, []
    parts = _split_params(content_type)
    if parts[0].strip().lower() != MEDIA_TYPE:
        return None, []
    proto, notes = [], []
    for p in parts[1:]:
        if not p.strip():
            continue
        if "=" not in p:
            return None, []  # not a parameter: malformed
        name, val = (x.strip() for x in p.split("=", 1))
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = re.sub(r"\\(.)", r"\1", val[1:-1])
        if name.lower() == "proto":
            proto.append(val)
        else:
            notes.append("Content-Type %r: parameter %r is none of the spec's"
                         % (content_type, p.strip()))
    if len(proto) > 1:
        return None, []
    if not proto or proto[0] == PROTO_V1:
        return V1, notes
    if proto[0] == PROTO_V2:
        return V2, notes
    return None, []


def check_headers(headers):
    """The 2.0 sender's header MUSTs but Content-Type. Returns (errors, unsupported encoding)."""
    errs = []
    enc = headers.get("Content-Encoding")
    bad_encoding = (enc or "").strip().lower() != "snappy"
    if bad_encoding:
        errs.append("Content-Encoding must be snappy, got %r" % enc)
    if not headers.get("User-Agent"):
        errs.append("User-Agent is required")
    version = headers.get("X-Prometheus-Remote-Write-Version")
    if version is None:
        errs.append("X-Prometheus-Remote-Write-Version is required")
    elif not version.strip().startswith("2."):
        errs.append("X-Prometheus-Remote-Write-Version must be 2.x for %s, got %r"
                    % (PROTO_V2, version))
    return errs, bad_encoding


def uncompress(raw):
    """snappy block format -> (body, None) | (None, error)."""
    if raw[:10] == b"\xff\x06\x00\x00sNaPpY":
        return None, "body uses snappy's framed format; the block format is required"
    try:
        return snappy.uncompress(raw), None
    except Exception as e:  # noqa: BLE001 - any decoder failure is the sender's fault
        return None, "body is not snappy block-compressed: %s" % e


def _reserved_fields(msg):
    """Numbers of the fields 1-3 (reserved: prometheus.WriteRequest's) present in msg."""
    try:
        return sorted({f.field_number for f in msg.UnknownFields() if f.field_number <= 3})
    except (AttributeError, NotImplementedError):  # protobuf builds without UnknownFields()
        return []


class _Refs:
    """Resolves references into the symbols table, collecting the errors."""

    def __init__(self, symbols, errs):
        self.symbols, self.errs = symbols, errs

    def get(self, ref, what):
        if ref < len(self.symbols):
            return self.symbols[ref]
        self.errs.append("%s: ref %d outside the symbols table (%d symbols)"
                         % (what, ref, len(self.symbols)))
        return None

    def pairs(self, refs, what):
        """labels_refs -> [(name, value)] (unresolvable pairs left out)."""
        if len(refs) % 2:
            self.errs.append("%s: labels_refs has odd length %d" % (what, len(refs)))
        out = []
        for i in range(0, len(refs) - 1, 2):
            name, val = self.get(refs[i], what), self.get(refs[i + 1], what)
            if name is not None and val is not None:
                out.append((name, val))
        return out


def _histogram(h, value_repr):
    count = getattr(h, h.WhichOneof("count")) if h.WhichOneof("count") else 0
    return [h.timestamp, {"count": value_repr(count) if isinstance(count, float) else count,
                          "sum": value_repr(h.sum), "schema": h.schema,
                          "start_timestamp": h.start_timestamp}]


def _check_series(i, ts, refs, errs, warns, value_repr):
    """One TimeSeries -> its recorded entry (errors and warnings appended)."""
    where = "timeseries[%d]" % i
    if not ts.labels_refs:
        errs.append("%s: labels_refs is empty" % where)
    pairs = refs.pairs(ts.labels_refs, where)
    names = [n for n, _ in pairs]
    labels = dict(pairs)
    key = ",".join("%s=%s" % p for p in pairs)
    if pairs:
        where = "{%s}" % key
    for n, v in pairs:
        if n == "":
            errs.append("empty label name in %s" % where)
        elif not LABEL_NAME.match(n):
            warns.append("label name %r in %s does not match [a-zA-Z_][a-zA-Z0-9_]*" % (n, where))
        if v == "":
            errs.append("empty label value for %r in %s" % (n, where))
    if len(set(names)) != len(names):
        errs.append("repeated label names in %s" % where)
    if names != sorted(names):
        errs.append("labels not sorted by name: %s" % where)
    if "__name__" not in labels:
        warns.append("series without __name__: %s" % where)
    elif labels["__name__"] and not METRIC_NAME.match(labels["__name__"]):
        warns.append("metric name %r does not match [a-zA-Z_:][a-zA-Z0-9_:]*" % labels["__name__"])
    if not ts.samples and not ts.histograms:
        errs.append("series with neither samples nor histograms: %s" % where)
    if ts.samples and ts.histograms:
        errs.append("series with both samples and histograms: %s" % where)
    md = ts.metadata
    help_ = refs.get(md.help_ref, where + " metadata.help_ref")
    unit = refs.get(md.unit_ref, where + " metadata.unit_ref")
    mtype = TYPE_NAMES.get(md.type, "unknown(%d)" % md.type)
    if md.type == 0:
        warns.append("series without a metadata type: %s" % where)
    exemplars = []
    for j, e in enumerate(ts.exemplars):
        ewhere = "%s exemplars[%d]" % (where, j)
        if e.timestamp == 0:
            errs.append("%s has no timestamp" % ewhere)
        exemplars.append({"labels": dict(refs.pairs(e.labels_refs, ewhere)),
                          "value": value_repr(e.value), "timestamp": e.timestamp})
    return {"labels": labels, "key": key,
            "samples": [[s.timestamp, value_repr(s.value)] for s in ts.samples],
            "start_timestamps": [s.start_timestamp for s in ts.samples],
            "histograms": [_histogram(h, value_repr) for h in ts.histograms],
            "exemplars": exemplars,
            "metadata": {"type": mtype, "help": help_ or "", "unit": unit or ""}}


def times(series):
    """The timestamps of a recorded series entry, samples or histograms."""
    return [s[0] for s in series["samples"]] + [h[0] for h in series["histograms"]]


def check(pb2, headers, raw, state, value_repr):
    """Returns (errors, warnings, decoded series) of a 2.0 request; state.last_ts as 1.0's."""
    errs, _ = check_headers(headers)
    body, err = uncompress(raw)
    if err:
        return errs + [err], [], []
    req = pb2.Request()
    try:
        req.ParseFromString(body)
    except Exception as e:  # noqa: BLE001 - also invalid UTF-8 in a string
        return errs + ["body is not a %s: %s" % (PROTO_V2, e)], [], []
    reserved = _reserved_fields(req)
    if reserved:
        errs.append("body has the reserved fields %s (%s's): a 1.0 body sent as 2.0?"
                    % (reserved, PROTO_V1))
    symbols = list(req.symbols)
    if not symbols:
        errs.append("symbols table missing or empty")
    elif symbols[0] != "":
        errs.append("symbols[0] must be the empty string, got %r" % symbols[0])
    dups = sorted(s for s, n in collections.Counter(symbols).items() if n > 1)
    if dups:
        errs.append("symbols not deduplicated: %r repeated" % dups)
    refs = _Refs(symbols, errs)
    warns, series, last_in_request = [], [], {}
    for i, ts in enumerate(req.timeseries):
        s = _check_series(i, ts, refs, errs, warns, value_repr)
        series.append(s)
        if ts.samples and ts.histograms:
            continue  # an error already; their order is moot
        prev = last_in_request.get(s["key"])
        for t in times(s):
            if prev is not None and t <= prev:
                errs.append("samples out of timestamp order in {%s}: %d after %d"
                            % (s["key"], t, prev))
            prev = t
        last_in_request[s["key"]] = prev
    with state.lock:
        for s in series:
            last, ts_ = state.last_ts.get(s["key"]), times(s)
            if last is not None and ts_ and ts_[0] <= last:
                errs.append("series {%s} went back in time across requests: %d after %d"
                            % (s["key"], ts_[0], last))
    return errs, warns, series
