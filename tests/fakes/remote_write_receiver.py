#!/usr/bin/env python3
"""Local Prometheus Remote-Write 1.0 receiver for tocsin's tests, enforcing the spec's MUSTs.

Each POST to /api/v1/write is checked against the Remote-Write 1.0 specification (prometheus.io
/docs/concepts/remote_write_spec): HTTP POST; Content-Encoding: snappy; Content-Type:
application/x-protobuf; a User-Agent; X-Prometheus-Remote-Write-Version: 0.1.0; a body in
snappy's block format (not the framed format) holding a prometheus.WriteRequest; every series
with a __name__ label, label names matching [a-zA-Z_][a-zA-Z0-9_]*, unique, sorted, values
non-empty; samples of a series in timestamp order, within a request and across accepted
requests (the spec's "samples for any given series in timestamp order"). A violation is
answered 400 with the reason and recorded. Stale markers (NaN 0x7ff0000000000002) are recorded
as "stale".

Control endpoints (JSON), as tests/fakes/http_fake_base.py's:
  GET  /_control/received -> {"requests": [{"status", "t" (arrival), "headers", "samples": n,
                               "series": [{"labels": {...}, "samples": [[t, v], ...]}]}],
                              "violations": ["..."]}
  POST /_control/faults   {"faults": [{"status": 500|429|400|..., "count": n, "retry_after": "1",
                             "delay": seconds, "body": "..."}]}; a faulted request is not stored
  POST /_control/reset

The protobuf module is generated at start with protoc from remote/proto/remote.proto (needs the
Debian packages protobuf-compiler, python3-protobuf, python3-snappy). Started as
`remote_write_receiver.py --port 0 --port-file FILE`.
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
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import snappy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import FakeState  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "..", "remote", "proto")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
STALE_BITS = 0x7FF0000000000002


def load_proto():
    out = tempfile.mkdtemp(prefix="rw-proto-")
    subprocess.run(["protoc", f"--python_out={out}", f"-I{PROTO_DIR}", "remote.proto"],
                   check=True)
    sys.path.insert(0, out)
    import remote_pb2  # noqa: E402
    return remote_pb2


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
        self.last_ts = {}  # series key -> newest accepted timestamp


def check(pb, headers, raw, state):
    """Returns (errors, decoded series)."""
    errs = []
    if headers.get("Content-Encoding") != "snappy":
        errs.append("Content-Encoding must be snappy, got %r" % headers.get("Content-Encoding"))
    if headers.get("Content-Type") != "application/x-protobuf":
        errs.append("Content-Type must be application/x-protobuf, got %r"
                    % headers.get("Content-Type"))
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


def make_handler(state, pb):
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
                                       "violations": state.violations}).encode()
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
                    state.faults.clear()
                    state.last_ts.clear()
                return self._send(200, b"{}")
            if self.path != "/api/v1/write":
                return self._send(404, b"not found")
            errs, series = check(pb, self.headers, raw, state)
            headers = {k: v for k, v in self.headers.items()}
            if errs:
                with state.lock:
                    state.violations.extend(errs)
                    state.requests.append({"status": 400, "t": arrived, "headers": headers,
                                           "samples": 0, "series": []})
                return self._send(400, "\n".join(errs).encode())
            fault = state.next_fault()
            if fault:
                if fault.get("delay"):
                    time.sleep(float(fault["delay"]))
                status = int(fault.get("status") or 200)
                if status != 200:
                    extra = {}
                    if fault.get("retry_after") is not None:
                        extra["Retry-After"] = str(fault["retry_after"])
                    with state.lock:
                        state.requests.append({"status": status, "t": arrived,
                                               "headers": headers, "body_hash": hash(raw),
                                               "samples": sum(len(s["samples"]) for s in series),
                                               "series": []})
                    return self._send(status, fault.get("body", "").encode(), extra)
            with state.lock:
                for s in series:
                    if s["samples"]:
                        state.last_ts[s["key"]] = s["samples"][-1][0]
                state.requests.append({"status": 204, "t": arrived, "headers": headers,
                                       "body_hash": hash(raw),
                                       "samples": sum(len(s["samples"]) for s in series),
                                       "series": series})
            self._send(204, b"")

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    pb = load_proto()
    state = State()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state, pb))
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
