"""Shared machinery of tocsin's local fakes of outside HTTP services (PagerDuty, Slack).

A fake validates each request by the real API's documented rules, answers like the real service,
records everything it received, and can be told to fail. Control endpoints (JSON):

  GET  /_control/received  -> {"requests": [{"method", "path", "body", "status", "json", "t",
                              "auth"}...]} (auth = the Authorization header)
                              (t = arrival, Unix seconds)
  POST /_control/faults    {"faults": [{"status": 500|429|400|..., "count": n,
                              "retry_after": "1", "delay": seconds, "body": "..."}]}
                           queued faults, consumed one request at a time (status 0 = only delay)
  POST /_control/reset     forget requests and faults

Started as `python3 <fake>.py --port 0 --port-file FILE`; the chosen port is written to FILE
(atomically) once listening. Stdlib only.
"""

import argparse
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeState:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.faults = []

    def next_fault(self):
        with self.lock:
            while self.faults:
                f = self.faults[0]
                if f.get("count", 1) <= 0:
                    self.faults.pop(0)
                    continue
                f["count"] = f.get("count", 1) - 1
                return dict(f)
            return None


def make_handler(state, validate, api_paths):
    """validate(path, headers, raw_body) -> (status, content_type, body_bytes, extra_headers)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            pass

        def _send(self, status, ctype, body, headers=None):
            try:
                self._write(status, ctype, body, headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); the request is recorded anyway

        def _write(self, status, ctype, body, headers):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def do_GET(self):
            if self.path == "/_control/received":
                with state.lock:
                    data = json.dumps({"requests": state.requests}).encode()
                return self._send(200, "application/json", data)
            self._send(404, "text/plain", b"not found")

        def do_PUT(self):
            self._handle("PUT")

        def do_POST(self):
            self._handle("POST")

        def _handle(self, method):
            raw = self._body()
            if self.path == "/_control/faults":
                spec = json.loads(raw)
                with state.lock:
                    state.faults.extend(spec.get("faults", []))
                return self._send(200, "application/json", b"{}")
            if self.path == "/_control/reset":
                with state.lock:
                    state.requests.clear()
                    state.faults.clear()
                return self._send(200, "application/json", b"{}")
            if not any(self.path.startswith(p) for p in api_paths):
                return self._send(404, "text/plain", b"no_service")
            if validate.__code__.co_argcount == 4:  # fakes whose API has several methods
                status, ctype, body, headers = validate(self.path, self.headers, raw, method)
            elif method != "POST":
                return self._send(405, "text/plain", b"method not allowed")
            else:
                status, ctype, body, headers = validate(self.path, self.headers, raw)
            fault = state.next_fault() if 200 <= status < 300 else None
            if fault:
                if fault.get("delay"):
                    time.sleep(float(fault["delay"]))
                if fault.get("status"):
                    status = int(fault["status"])
                    body = fault.get("body", "").encode()
                    ctype = "text/plain"
                    headers = {}
                    if fault.get("retry_after") is not None:
                        headers["Retry-After"] = str(fault["retry_after"])
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            with state.lock:
                state.requests.append({"method": method, "path": self.path, "status": status,
                                       "t": time.time(), "auth": self.headers.get("Authorization"),
                                       "json": parsed, "body": raw.decode("utf-8", "replace")})
            self._send(status, ctype, body, headers)

    return Handler


def serve(validate, api_paths):
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    state = FakeState()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state, validate, api_paths))
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
