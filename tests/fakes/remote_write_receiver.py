#!/usr/bin/env python3
"""Local Prometheus Remote-Write receiver (1.0 and 2.0) for tocsin's tests, enforcing the MUSTs.

POST /api/v1/write picks the Protobuf Message by Content-Type, as the 2.0 specification's
content negotiation says (tolerantly: case, spaces, quotes; remote_write_v2.negotiate):
application/x-protobuf or application/x-protobuf;proto=prometheus.WriteRequest -> 1.0, ;proto=
io.prometheus.write.v2.Request -> 2.0, anything else -> 415 (and a violation: a sender MUST
send one of those three).

A 1.0 request is checked against the Remote-Write 1.0 specification (prometheus.io/docs/
concepts/remote_write_spec): HTTP POST; Content-Encoding: snappy; a User-Agent;
X-Prometheus-Remote-Write-Version: 0.1.0; a body in snappy's block format (not the framed
format) holding a prometheus.WriteRequest; every series with a __name__ label, label names
matching [a-zA-Z_][a-zA-Z0-9_]*, unique, sorted, values non-empty; samples of a series in
timestamp order, within a request and across accepted requests (the spec's "samples for any
given series in timestamp order"). A 2.0 request is checked as tests/fakes/remote_write_v2.py
says and answered with the X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written
headers (0s on a 4xx or a fault); a Content-Encoding other than snappy is a 415 there. A
violation is answered 400 with the reason and recorded; the spec's SHOULDs the checks see are
recorded (once each) as warnings. Stale markers (NaN 0x7ff0000000000002) are recorded as
"stale". Both protocols share the timestamp order per label set.

Modes, for a sender's fallback from 2.0 to 1.0:
  --v1-only    a 1.x receiver that checks Content-Type: the 2.0 one is a 415 (no violation)
  --v1-broken  the 2.0 spec's broken 1.0 receiver: decodes every body as a
               prometheus.WriteRequest whatever the Content-Type, 204 without Written headers
               (a 2.0 body decodes empty: recorded as decoded, "undecoded_bytes" the bytes it
               skipped; a body that does not decode is a 400)

Control endpoints (JSON), as tests/fakes/http_fake_base.py's:
  GET  /_control/received -> {"requests": [{"status", "t" (arrival), "headers", "samples": n,
                               "series": [{"labels": {...}, "samples": [[t, v], ...]}],
                               "protocol": "1.0"|"2.0"|"unknown" (what it was decoded as;
                               "unknown" = refused with 415), "content_type"}],
                              "violations": ["..."], "warnings": ["..."]}
                           2.0 requests add "histograms": n, "exemplars": n, and to each series
                           "metadata": {"type": "counter"|"gauge"|...|"unspecified", "help",
                           "unit"}, "start_timestamps": [ms, 0 = unset], "histograms":
                           [[t, {"count", "sum", "schema", "start_timestamp"}]], "exemplars":
                           [{"labels", "value", "timestamp"}]
  POST /_control/faults   {"faults": [{"status": 500|429|400|..., "count": n, "retry_after": "1",
                             "delay": seconds, "body": "..."}]}; a faulted request is not stored
  POST /_control/reset

The protobuf modules are generated at start with protoc from remote/proto/remote.proto and
write_v2.proto (needs the Debian packages protobuf-compiler, python3-protobuf, python3-snappy).
Started as `remote_write_receiver.py --port 0 --port-file FILE [--v1-only | --v1-broken]`.
"""

import argparse
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import snappy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import FakeState  # noqa: E402
import remote_write_v2 as v2  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "remote", "proto")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
STALE_BITS = 0x7FF0000000000002


def load_proto():
    """-> (the prometheus.WriteRequest module, the io.prometheus.write.v2.Request module)."""
    out = tempfile.mkdtemp(prefix="rw-proto-")
    subprocess.run(["protoc", f"--python_out={out}", f"-I{PROTO_DIR}", "remote.proto",
                    "write_v2.proto"], check=True)
    sys.path.insert(0, out)
    import remote_pb2  # noqa: E402
    import write_v2_pb2  # noqa: E402
    return remote_pb2, write_v2_pb2


def value_repr(v):
    if math.isnan(v):
        bits = struct.unpack("<Q", struct.pack("<d", v))[0]
        return "stale" if bits == STALE_BITS else "NaN"
    return v


class State(FakeState):
    """The fakes' shared request log and fault queue, plus the spec checks' own state."""

    def __init__(self):
        super().__init__()
        self.violations = []
        self.warnings = []  # each once, in order of first sight
        self.last_ts = {}  # series key -> newest accepted timestamp

    def warn(self, warnings):
        with self.lock:
            seen = set(self.warnings)
            self.warnings.extend(w for w in dict.fromkeys(warnings) if w not in seen)


def check(pb, headers, raw, state):
    """Returns (errors, decoded series)."""
    errs = []  # Content-Type: negotiate() chose this path
    if headers.get("Content-Encoding") != "snappy":
        errs.append("Content-Encoding must be snappy, got %r" % headers.get("Content-Encoding"))
    if not headers.get("User-Agent"):
        errs.append("User-Agent is required")
    if headers.get("X-Prometheus-Remote-Write-Version") != "0.1.0":
        errs.append("X-Prometheus-Remote-Write-Version must be 0.1.0, got %r"
                    % headers.get("X-Prometheus-Remote-Write-Version"))
    if raw[:10] == b"\xff\x06\x00\x00sNaPpY":
        errs.append("body uses snappy's framed format; the block format is required")
        return errs, []
    try:
        body = snappy.uncompress(raw)
    except Exception as e:  # noqa: BLE001 - any decoder failure is the sender's fault
        errs.append("body is not snappy block-compressed: %s" % e)
        return errs, []
    req = pb.WriteRequest()
    try:
        req.ParseFromString(body)
    except Exception as e:  # noqa: BLE001
        errs.append("body is not a prometheus.WriteRequest: %s" % e)
        return errs, []
    series = []
    keys_in_request = {}
    for ts in req.timeseries:
        names = [l.name for l in ts.labels]
        labels = {l.name: l.value for l in ts.labels}
        key = ",".join("%s=%s" % (l.name, l.value) for l in ts.labels)
        if "__name__" not in labels:
            errs.append("series without __name__: {%s}" % key)
        for l in ts.labels:
            if not LABEL_NAME.match(l.name):
                errs.append("invalid label name %r in {%s}" % (l.name, key))
            if l.value == "":
                errs.append("empty label value for %r in {%s}" % (l.name, key))
        if len(set(names)) != len(names):
            errs.append("repeated label names in {%s}" % key)
        if names != sorted(names):
            errs.append("labels not sorted by name: {%s}" % key)
        if not ts.samples:
            errs.append("series without samples: {%s}" % key)
        prev = keys_in_request.get(key)
        for s in ts.samples:
            if prev is not None and s.timestamp <= prev:
                errs.append("samples out of timestamp order in {%s}: %d after %d"
                            % (key, s.timestamp, prev))
            prev = s.timestamp
        keys_in_request[key] = prev
        series.append({"labels": labels, "key": key,
                       "samples": [[s.timestamp, value_repr(s.value)] for s in ts.samples]})
    with state.lock:
        for s in series:
            last = state.last_ts.get(s["key"])
            if last is not None and s["samples"] and s["samples"][0][0] <= last:
                errs.append("series {%s} went back in time across requests: %d after %d"
                            % (s["key"], s["samples"][0][0], last))
    return errs, series


def decode_v1_lax(pb, headers, raw):
    """The broken 1.0 receiver on a body sent as 2.0: decodes it as a prometheus.WriteRequest
    and checks only the 2.0 sender's headers. Returns (errors, decoded series, bytes skipped)."""
    errs, _ = v2.check_headers(headers)
    body, err = v2.uncompress(raw)
    if err:
        return errs + [err], [], 0
    req = pb.WriteRequest()
    try:
        req.ParseFromString(body)
    except Exception as e:  # noqa: BLE001
        return errs + ["body does not decode as a prometheus.WriteRequest either: %s" % e], [], 0
    series = [{"labels": {l.name: l.value for l in ts.labels},
               "key": ",".join("%s=%s" % (l.name, l.value) for l in ts.labels),
               "samples": [[s.timestamp, value_repr(s.value)] for s in ts.samples]}
              for ts in req.timeseries]
    req.DiscardUnknownFields()
    return errs, series, len(body) - req.ByteSize()


CT_MUST = ("Content-Type must be application/x-protobuf, application/x-protobuf;proto=%s or "
           "%s, got %%r" % (v2.PROTO_V1, v2.CONTENT_TYPE_V2))


def make_handler(state, pb, pb2, mode):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _send(self, status, body, headers=None):
            try:
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self):
            if self.path == "/_control/received":
                with state.lock:
                    data = json.dumps({"requests": sorted(state.requests, key=lambda r: r["t"]),
                                       "violations": state.violations,
                                       "warnings": state.warnings}).encode()
                return self._send(200, data)
            self._send(404, b"not found")

        def do_PUT(self):
            self._send(405, b"method not allowed")

        def do_POST(self):
            arrived = time.time()
            n = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(n) if n else b""
            if self.path == "/_control/faults":
                with state.lock:
                    state.faults.extend(json.loads(raw).get("faults", []))
                return self._send(200, b"{}")
            if self.path == "/_control/reset":
                with state.lock:
                    state.requests.clear()
                    state.violations.clear()
                    state.warnings.clear()
                    state.faults.clear()
                    state.last_ts.clear()
                return self._send(200, b"{}")
            if self.path != "/api/v1/write":
                return self._send(404, b"not found")
            ctype = self.headers.get("Content-Type")
            proto, notes = v2.negotiate(ctype)
            state.warn(notes)
            entry = {"status": None, "t": arrived,
                     "headers": {k: v for k, v in self.headers.items()}}
            tail = {"protocol": v2.V1, "content_type": ctype}
            if mode == "v1-broken":
                if proto == v2.V2:
                    errs, series, skipped = decode_v1_lax(pb, self.headers, raw)
                    tail["undecoded_bytes"] = skipped
                    return self._write_request(errs, series, raw, entry, tail, False)
                errs, series = check(pb, self.headers, raw, state)
                if proto is None:  # decoded as 1.0 all the same, as the 1.0 spec's receivers do
                    errs.insert(0, CT_MUST % ctype)
                return self._write_request(errs, series, raw, entry, tail, False)
            if proto is None:
                with state.lock:
                    state.violations.append(CT_MUST % ctype)
                return self._refuse(entry, dict(tail, protocol="unknown"), CT_MUST % ctype)
            if proto == v2.V2 and mode == "v1-only":  # a fallback probe, not a violation
                return self._refuse(entry, dict(tail, protocol="unknown"),
                                    "unsupported Content-Type %r: this receiver reads %s only"
                                    % (ctype, v2.PROTO_V1))
            if proto == v2.V1:
                errs, series = check(pb, self.headers, raw, state)
                return self._write_request(errs, series, raw, entry, tail, False)
            tail["protocol"] = v2.V2
            errs, bad_encoding = v2.check_headers(self.headers)
            if bad_encoding:  # the 2.0 spec: an unsupported encoding is a 415
                with state.lock:
                    state.violations.extend(errs)
                return self._refuse(entry, tail, "\n".join(errs))
            errs, warnings, series = v2.check(pb2, self.headers, raw, state, value_repr)
            state.warn(warnings)
            return self._write_request(errs, series, raw, entry, tail, True)

        def _refuse(self, entry, tail, reason):
            with state.lock:
                state.requests.append(dict(entry, status=415, samples=0, series=[], **tail))
            self._send(415, reason.encode())

        def _write_request(self, errs, series, raw, entry, tail, is_v2):
            """Answers a decoded request (400 on errs, else a queued fault, else 204) and
            records it; is_v2: with the counts 2.0 adds and the Written response headers."""
            counts = {"samples": sum(len(s["samples"]) for s in series)}
            if is_v2:
                counts["histograms"] = sum(len(s["histograms"]) for s in series)
                counts["exemplars"] = sum(len(s["exemplars"]) for s in series)
            none = dict.fromkeys(counts, 0)

            def written(c):
                return {h: str(c[k]) for h, k in zip(v2.WRITTEN, ("samples", "histograms",
                                                                  "exemplars"))} if is_v2 else {}

            if errs:
                with state.lock:
                    state.violations.extend(errs)
                    state.requests.append(dict(entry, status=400, **none, series=[], **tail))
                return self._send(400, "\n".join(errs).encode(), written(none))
            fault = state.next_fault()
            if fault:
                if fault.get("delay"):
                    time.sleep(float(fault["delay"]))
                status = int(fault.get("status") or 200)
                if status != 200:
                    extra = written(none)
                    if fault.get("retry_after") is not None:
                        extra["Retry-After"] = str(fault["retry_after"])
                    with state.lock:
                        state.requests.append(dict(entry, status=status, body_hash=hash(raw),
                                                   **counts, series=[], **tail))
                    return self._send(status, fault.get("body", "").encode(), extra)
            with state.lock:
                for s in series:
                    t = v2.times(s) if is_v2 else [x[0] for x in s["samples"]]
                    if t:
                        state.last_ts[s["key"]] = t[-1]
                state.requests.append(dict(entry, status=204, body_hash=hash(raw), **counts,
                                           series=series, **tail))
            self._send(204, b"", written(counts))

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    modes = ap.add_mutually_exclusive_group()
    modes.add_argument("--v1-only", dest="mode", action="store_const", const="v1-only",
                       help="a 1.x receiver: the 2.0 Content-Type is a 415")
    modes.add_argument("--v1-broken", dest="mode", action="store_const", const="v1-broken",
                       help="a 1.0 receiver that ignores Content-Type (no Written headers)")
    args = ap.parse_args()
    pb, pb2 = load_proto()
    state = State()
    server = ThreadingHTTPServer(("127.0.0.1", args.port),
                                 make_handler(state, pb, pb2, args.mode or "v2"))
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
