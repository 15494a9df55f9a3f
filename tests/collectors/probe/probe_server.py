#!/usr/bin/env python3
"""HTTP and HTTPS test server for the probe collector tests.

Usage: probe_server.py CERT KEY. Prints "<http_port> <https_port>" on one line once both
listen, then serves until killed. Paths: /ok (200 "status: healthy"), /status/<code>,
/slow (answers after 5 s), /big (1 MiB body).
"""
import http.server
import socketserver
import ssl
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ok":
            self.reply(200, b"status: healthy\n")
        elif self.path.startswith("/status/"):
            self.reply(int(self.path.split("/")[2]), b"as asked\n")
        elif self.path == "/slow":
            time.sleep(5)
            self.reply(200, b"late\n")
        elif self.path == "/big":
            self.reply(200, b"x" * (1 << 20))
        elif self.path == "/echo-method":
            self.reply(200, self.command.encode() + b" " + self.headers.get("X-Probe", "").encode())
        else:
            self.reply(404, b"not found\n")

    do_POST = do_GET
    do_HEAD = do_GET


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    plain = Server(("127.0.0.1", 0), Handler)
    tls = Server(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    for s in (plain, tls):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(plain.server_address[1], tls.server_address[1], flush=True)
    sys.stdin.read()  # until the test closes our stdin (or kills us)


if __name__ == "__main__":
    main()
