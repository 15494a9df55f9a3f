#!/usr/bin/env python3
"""Flapping Alertmanager-webhook receiver for the soak test.

  receiver.py PORT RECORD_FILE [PHASES]

PHASES is a comma list of MODE:SECONDS cycled for ever (default
"up:30,error:20,up:30,down:30"):
  up     answer 200 and record every alert of the payload
  error  answer 500, 429 (Retry-After: 2) and 503 (Retry-After as an HTTP date, +3 s) in turn
  down   stop listening (the port refuses connections), then bind it again

SIGUSR1 switches to "up" for good (the drain phase at the end of the soak).
Every request and every phase change is one JSON line in RECORD_FILE:
  {"t": unix_s, "event": "phase", "mode": "down"}
  {"t": unix_s, "event": "request", "code": 200, "status": "firing", "groupKey": ...,
   "alerts": [{"alertname", "labels", "status", "fingerprint", "startsAt", "endsAt"}]}
Alerts are recorded only for requests answered 200 (the agent counts those as delivered).
"""
import email.utils
import http.server
import json
import signal
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
RECORD = open(sys.argv[2], "a", buffering=1)
PHASES = [(p.split(":")[0], float(p.split(":")[1]))
          for p in (sys.argv[3] if len(sys.argv) > 3 else "up:30,error:20,up:30,down:30").split(",")]
LOCK = threading.Lock()
STATE = {"mode": "up", "errors": 0, "forever_up": False}
WAKE = threading.Event()


def record(obj):
    obj["t"] = time.time()
    line = json.dumps(obj, separators=(",", ":"))
    with LOCK:
        RECORD.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        with LOCK:
            mode = STATE["mode"]
            STATE["errors"] += mode == "error"
            k = STATE["errors"]
        if mode == "error":
            code, headers = [(500, {}), (429, {"Retry-After": "2"}),
                             (503, {"Retry-After": email.utils.formatdate(time.time() + 3,
                                                                           usegmt=True)})][k % 3]
            record({"event": "request", "code": code})
            self.reply(code, headers)
            return
        try:
            payload = json.loads(raw)
        except ValueError:
            record({"event": "request", "code": 400, "error": "bad json"})
            self.reply(400, {})
            return
        alerts = [{"alertname": a.get("labels", {}).get("alertname"), "labels": a.get("labels"),
                   "status": a.get("status"), "fingerprint": a.get("fingerprint"),
                   "startsAt": a.get("startsAt"), "endsAt": a.get("endsAt")}
                  for a in payload.get("alerts", [])]
        record({"event": "request", "code": 200, "status": payload.get("status"),
                "groupKey": payload.get("groupKey"), "receiver": payload.get("receiver"),
                "alerts": alerts})
        self.reply(200, {})

    def reply(self, code, headers):
        body = b"ok\n" if code == 200 else b"soak receiver error\n"
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start():
    for _ in range(200):  # the port was ours a moment ago; retry briefly if it is busy
        try:
            srv = Server(("127.0.0.1", PORT), Handler)
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            return srv
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"receiver: cannot bind 127.0.0.1:{PORT} again")


def on_usr1(*_):
    STATE["forever_up"] = True
    WAKE.set()


def main():
    signal.signal(signal.SIGUSR1, on_usr1)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    srv = start()
    print(f"receiver: listening on 127.0.0.1:{PORT}, phases {PHASES}", flush=True)
    i = 0
    while True:
        mode, secs = ("up", 3600.0) if STATE["forever_up"] else PHASES[i % len(PHASES)]
        i += 1
        if mode == "down" and srv is not None:
            srv.shutdown()
            srv.server_close()
            srv = None
        elif mode != "down" and srv is None:
            srv = start()
        with LOCK:
            STATE["mode"] = mode
        record({"event": "phase", "mode": mode, "forever": STATE["forever_up"]})
        WAKE.wait(secs)  # SIGUSR1 cuts the phase short
        WAKE.clear()


if __name__ == "__main__":
    main()
