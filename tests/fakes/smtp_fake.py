#!/usr/bin/env python3
"""Local SMTP server for tocsin's tests of the email notifier (libcurl) and of Alertmanager parity.

Listens on 127.0.0.1 and is as strict as RFC 5321/3207/4954 servers (Postfix's replies):
  greeting `220 <host> ESMTP tocsin-smtp-fake`; EHLO lists SIZE 10485760, 8BITMIME,
  ENHANCEDSTATUSCODES, STARTTLS (TLS configured and not active), AUTH <mechanisms> (--auth, and
  with --require-tls only once TLS is active); PIPELINING is not offered, so a command sent before
  the previous reply (or before the greeting) is answered 503 5.5.0. Command verbs are
  case-insensitive; a command line must end in CRLF and be <= 512 octets (else 500). Sequence:
  MAIL before EHLO/HELO, RCPT before MAIL, DATA before RCPT -> 503 (DATA after only refused RCPTs
  -> 554); nested MAIL -> 503. `MAIL FROM:<path>` / `RCPT TO:<path>`: brackets required, no space
  after the colon, <> only as reverse path, RCPT TO:<postmaster> allowed, else 501; MAIL params
  SIZE=n (> limit -> 552) and BODY=7BIT|8BITMIME only after EHLO, anything else -> 555; at most
  100 recipients (452). DATA: 354, read up to a line that is exactly ".", dot-unstuff; after the
  dot 552 if > 10 MiB, 554 on a bare LF (an LF not after CR, also ".\n") or a line > 1000 octets
  incl CRLF, else 250 2.0.0 Ok: queued as <id>. RSET/NOOP 250, VRFY 252, HELP 214, QUIT 221,
  EXPN/TURN/ETRN/BDAT 502, unknown 500; 20 errors -> 421 and close; idle -> 421 and close.
  STARTTLS (--tls-cert/--tls-key): 220 then the handshake; plaintext pipelined after it is
  discarded; afterwards HELO/EHLO, AUTH and transaction are forgotten; again -> 503; with an
  argument -> 501; without TLS configured -> 502. With TLS configured a second, implicit-TLS
  (SMTPS) listener is started too.
  AUTH (--auth USER:PASSWORD, --auth-mechanisms "PLAIN LOGIN CRAM-MD5" = the advertised list and
  order; others -> 504): MAIL without it -> 530 5.7.0 Authentication required; --require-tls:
  AUTH/MAIL before STARTTLS -> 530 5.7.0 Must issue a STARTTLS command first. PLAIN (initial
  response or `334 `), LOGIN (334 VXNlcm5hbWU6 / UGFzc3dvcmQ6, or the user as initial response),
  CRAM-MD5 (334 base64 <pid.ns@host>, answer "user hex-hmac-md5"); `*` -> 501, bad base64 -> 501,
  wrong credentials -> 535 5.7.8, success 235 2.7.0, again -> 503; AUTH needs EHLO (503); without
  --auth AUTH -> 503.

Control server (HTTP on --port; that port is written atomically to --port-file once all
listeners are up, so tests/notifiers/test_util.h FakeServer works unchanged):
  GET  /_control/info      -> {"smtp_port": N, "smtps_port": M|null, "hostname": "..."}
  GET  /_control/received  -> {"requests": [message...], "sessions": [session...]}
  POST /_control/faults    {"faults": [{"kind": K, "count": n (1), "delay": seconds}]}, consumed
                           one SMTP *connection* at a time, in order. K: refuse (close at once),
                           greet_421, timeout (no greeting, hold `delay` s, default 30), auth_fail
                           (535 for right credentials too), mail_451, rcpt_550, data_451,
                           data_554 (instead of 250 after the dot), slow_data (sleep `delay`
                           before the reply after the dot); unknown kind -> 400
  POST /_control/reset     forget messages, sessions and faults

Every MAIL command yields one entry in "requests" (when refused at once, else when the
transaction ends): {"t", "conn", "peer_tls" (TLS active at MAIL), "implicit_tls", "tls_version",
"helo", "auth": {"mechanism", "username"}|null, "mail_from", "mail_params": {"SIZE": "n"...},
"rcpt_to": [accepted], "rcpt_refused": [{"rcpt", "status"}], "status" (reply after the dot, or
the refusal that ended the transaction, 0 if none), "reply" (its text), "outcome":
delivered|rejected|abandoned, "queue_id", "size", "data" (unstuffed message, UTF-8 with
replacement, null without DATA), "headers": [[name, value (RFC 2047 decoded)]...], "parts":
[{"content_type", "charset", "transfer_encoding", "filename", "headers", "body" (decoded text)}],
"problems": [...what a strict receiver objects to]}. A connection that produced no entry goes
into "sessions": {"t", "conn", "implicit_tls", "tls", "helo", "auth", "fault", "events": ["EHLO x
-> 250", "AUTH PLAIN [initial response] -> 535", ...]} (AUTH payloads are never recorded).

Started as `smtp_fake.py --port 0 --port-file FILE [--smtp-port N] [--smtps-port N] [--tls-cert
PEM --tls-key PEM] [--require-tls] [--auth USER:PASSWORD] [--auth-mechanisms "LOGIN PLAIN"]
[--hostname localhost] [--idle-timeout 30]`. Stdlib only; threads are daemons, so SIGTERM and
SIGKILL just end it.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import secrets
import select
import signal
import socket
import ssl
import sys
import threading
import time
from email import errors, policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import FakeState  # noqa: E402

MAX_MSG = 10 * 1024 * 1024
MAX_CMD = 512            # RFC 5321 4.5.3.1.4, incl CRLF
MAX_TEXT_LINE = 1000     # RFC 5321 4.5.3.1.6, incl CRLF
MAX_AUTH_LINE = 12288    # RFC 4954 4
MAX_RCPT = 100
MAX_ERRORS = 20
MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")
FAULT_KINDS = {"refuse", "greet_421", "timeout", "auth_fail", "mail_451", "rcpt_550", "data_451",
               "data_554", "slow_data"}
SINGLE_HEADERS = ("Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID",
                  "In-Reply-To", "References", "Subject")   # RFC 5322 3.6: at most once
MIME_DEFECTS = (errors.StartBoundaryNotFoundDefect, errors.NoBoundaryInMultipartDefect,
                errors.MissingHeaderBodySeparatorDefect, errors.InvalidBase64PaddingDefect,
                errors.InvalidBase64CharactersDefect, errors.InvalidBase64LengthDefect)

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
MAILBOX = re.compile(r'^(?:%s(?:\.%s)*|"(?:[ !#-\[\]-~]|\\[ -~])*")@(?:%s(?:\.%s)*|\[[!-Z^-~]+\])$'
                     % (_ATOM, _ATOM, _LABEL, _LABEL))
SOURCE_ROUTE = re.compile(r"^@[^,:]+(?:,@[^,:]+)*:")   # obsolete "@a,@b:" prefix, ignored
PATH_ARG = re.compile(r"^(FROM|TO):<([^<>]*)>((?: [^ ]+)*)$", re.I)
PARAM = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([!-<>-~]+))?$")
QP_BAD_ESCAPE = re.compile(r"=(?![0-9A-F]{2}|[ \t]*$)")   # RFC 2045 6.7: uppercase hex only


class Closed(Exception):
    """The session is over (QUIT, 421, a fault)."""


class AuthError(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code, self.text = code, text


def clean(s):
    """Lone surrogates (from undecodable bytes) would break JSON parsers; replace them."""
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def b64decode(s):
    if s == "=":
        return b""
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise AuthError(501, "5.5.2 Cannot decode response")


# ---------------------------------------------------------------------------------------------
# Message analysis


def header_pairs(msg):
    """[[name, value]...] as sent: unfolded, RFC 2047 encoded-words decoded, not normalised."""
    out = []
    for name, raw in msg.raw_items():
        value = re.sub(r"\r?\n(?=[ \t])", "", str(raw))
        try:
            value = str(make_header(decode_header(value)))
        except Exception:  # noqa: BLE001 - a malformed encoded-word stays as it is
            pass
        out.append([clean(name), clean(value)])
    return out


def raw_header_problems(raw):
    problems = []
    end = re.search(rb"\r?\n\r?\n", raw)
    head = raw[:end.start()] if end else raw
    for n, line in enumerate(re.split(rb"\r?\n", head), 1):
        if len(line) > 998:
            problems.append("header line longer than 998 octets (line %d: %d octets)"
                            % (n, len(line)))
        if any(b > 127 for b in line):
            name = line.split(b":", 1)[0].decode("ascii", "replace") if b":" in line else "?"
            problems.append("raw non-ASCII byte in a header (line %d, %s)" % (n, name))
    return problems


def part_problems(part, n, raw):
    problems = []
    for d in part.defects:
        if isinstance(d, MIME_DEFECTS):
            problems.append("MIME defect in part %d: %s" % (n, type(d).__name__))
    if part.is_multipart():
        boundary = part.get_boundary()
        if not boundary:
            problems.append("multipart without a boundary parameter (part %d)" % n)
        elif not re.search(rb"(?:^|\n)--" + re.escape(boundary.encode("utf-8", "replace")) +
                           rb"--[ \t]*(?:\r?\n|$)", raw):
            problems.append("multipart without the boundary closing delimiter (boundary %r)"
                            % boundary)
        return problems
    if (part.get("Content-Transfer-Encoding") or "").strip().lower() == "quoted-printable":
        encoded = part.get_payload(decode=False)
        encoded = encoded if isinstance(encoded, str) else ""
        for ln, line in enumerate(re.split(r"\r?\n", encoded), 1):
            if len(line) > 76:
                problems.append("quoted-printable line longer than 76 characters (part %d, line"
                                " %d: %d)" % (n, ln, len(line)))
            m = QP_BAD_ESCAPE.search(line)
            if m:
                problems.append("quoted-printable invalid escape (part %d, line %d: %r)"
                                % (n, ln, line[m.start():m.start() + 3]))
    return problems


def analyze(raw, mail_params):
    """Parsed view of a message: headers, leaf parts and a strict receiver's objections."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    problems = raw_header_problems(raw)
    for name in ("Date", "From", "Message-ID"):
        if msg.get(name) is None:
            problems.append("no %s header" % name)
    for name in SINGLE_HEADERS:
        count = len(msg.get_all(name) or [])
        if count > 1:
            problems.append("more than one %s header (%d)" % (name, count))
    if msg.get("Content-Type") is not None and msg.get("MIME-Version") is None:
        problems.append("Content-Type without MIME-Version header")
    if any(b > 127 for b in raw) and mail_params.get("BODY", "").upper() != "8BITMIME":
        problems.append("8-bit data without MAIL BODY=8BITMIME")
    parts = []
    for n, part in enumerate(msg.walk()):
        problems += part_problems(part, n, raw)
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset()
        try:
            body = payload.decode(charset or "utf-8", "replace")
        except LookupError:
            body = payload.decode("utf-8", "replace")
        cte = part.get("Content-Transfer-Encoding")
        parts.append({"content_type": part.get_content_type(), "charset": charset,
                      "transfer_encoding": str(cte).strip().lower() if cte else None,
                      "filename": part.get_filename(), "headers": header_pairs(part),
                      "body": clean(body)})
    return {"headers": header_pairs(msg), "parts": parts, "problems": problems}


# ---------------------------------------------------------------------------------------------
# SMTP session


class Session:
    """One SMTP connection, served in its own thread."""

    ids = iter(range(1, 1 << 62))

    def __init__(self, cfg, state, sock, implicit):
        self.cfg, self.state, self.sock, self.implicit = cfg, state, sock, implicit
        self.id = next(Session.ids)
        self.buf = bytearray()
        self.tls = False
        self.early = False      # data was waiting when the last reply was sent (pipelining)
        self.errors = 0
        self.events = []
        self.recorded = False
        self.fault = None
        self.last = 0
        self.tx = None
        self.reset_session()

    def reset_session(self):
        self.helo, self.esmtp, self.auth = None, False, None
        self.finish()

    def event(self, text):
        if len(self.events) < 500:
            self.events.append(text)

    # -- I/O ----------------------------------------------------------------------------------

    def readline(self, limit):
        """-> (line incl. its LF, too_long). A longer line is consumed but not kept."""
        too_long = False
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line = bytes(self.buf[:i + 1])
                del self.buf[:i + 1]
                return (line[:limit], True) if too_long or len(line) > limit else (line, False)
            if len(self.buf) > limit:
                too_long = True
                del self.buf[limit:]
            data = self.sock.recv(65536)
            if not data:
                raise EOFError
            self.buf += data

    def _waiting(self):
        if self.buf:
            return True
        try:
            if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
                return True
            return bool(select.select([self.sock], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def reply(self, code, *lines):
        lines = lines or ("",)
        self.early = self._waiting()
        text = "".join("%d%s%s\r\n" % (code, " " if i == len(lines) - 1 else "-", line)
                       for i, line in enumerate(lines))
        self.last = code
        if code >= 500 or code in (421, 452, 454):
            self.errors += 1
        self.sock.sendall(text.encode("utf-8"))
        if code == 421:
            raise Closed
        if self.errors >= MAX_ERRORS:
            self.reply(421, "4.7.0 %s Error: too many errors" % self.cfg.hostname)
        return code

    # -- the connection -----------------------------------------------------------------------

    def run(self):
        try:
            self.serve()
        except Closed:
            pass
        except EOFError:
            self.event("client closed the connection")
        except socket.timeout:
            self.event("idle timeout")
            try:
                self.reply(421, "4.4.2 %s Error: timeout exceeded" % self.cfg.hostname)
            except (Closed, OSError):
                pass
        except ssl.SSLError as e:
            self.event("TLS error: %s" % e)
        except OSError as e:
            self.event("connection error: %s" % e)
        finally:
            self.finish()
            try:
                self.sock.close()
            except OSError:
                pass
            if not self.recorded:
                with self.state.lock:
                    self.state.sessions.append(
                        {"t": time.time(), "conn": self.id, "implicit_tls": self.implicit,
                         "tls": self.tls, "helo": self.helo, "auth": self.auth,
                         "fault": self.fault, "events": self.events})

    def serve(self):
        fault = self.state.next_fault()
        if fault:
            self.fault = fault.get("kind")
            self.delay = float(fault.get("delay", 30 if self.fault == "timeout" else 0) or 0)
            self.event("fault %s" % self.fault)
        if self.fault == "refuse":
            return
        if self.fault == "timeout":
            time.sleep(self.delay)
            return
        if self.implicit:
            self.sock = self.cfg.ssl_ctx.wrap_socket(self.sock, server_side=True)
            self.tls = True
            self.event("implicit TLS established (%s)" % self.sock.version())
        if self.fault == "greet_421":
            self.reply(421, "4.3.2 %s Service not available, closing transmission channel"
                       % self.cfg.hostname)
        self.reply(220, "%s ESMTP tocsin-smtp-fake" % self.cfg.hostname)
        while True:
            line, too_long = self.readline(MAX_CMD)
            early, self.early = self.early, False
            text = clean(line.rstrip(b"\r\n").decode("utf-8", "surrogateescape"))
            verb, _, arg = text.partition(" ")
            verb = verb.upper()
            shown = text[:200]
            if verb == "AUTH":  # never record credentials
                shown = "AUTH %s%s" % (arg.split(" ")[0], " [initial response]" * (" " in arg))
            if too_long:
                self.reply(500, "5.5.2 Error: line too long")
            elif not line.endswith(b"\r\n"):
                self.reply(500, "5.5.2 Error: command line must end with CRLF")
            elif early:
                self.reply(503, "5.5.0 Error: improper use of SMTP command pipelining")
            elif not text:
                self.reply(500, "5.5.2 Error: bad syntax")
            elif verb in ("EXPN", "TURN", "ETRN", "BDAT"):
                self.reply(502, "5.5.1 Error: command not implemented")
            elif hasattr(self, "cmd_" + verb) and verb.isalpha():
                try:
                    getattr(self, "cmd_" + verb)(arg)
                finally:
                    self.event("%s -> %d" % (shown, self.last))
                continue
            else:
                self.reply(500, "5.5.2 Error: command not recognized")
            self.event("%s -> %d" % (shown, self.last))

    # -- commands -----------------------------------------------------------------------------

    def cmd_EHLO(self, arg, esmtp=True):
        if not arg or " " in arg.strip():
            return self.reply(501, "5.5.4 Syntax: %s hostname" % ("EHLO" if esmtp else "HELO"))
        self.finish()
        self.helo, self.esmtp = arg.strip(), esmtp
        if not esmtp:
            return self.reply(250, self.cfg.hostname)
        ext = ["SIZE %d" % MAX_MSG, "8BITMIME", "ENHANCEDSTATUSCODES"]
        if self.cfg.ssl_ctx and not self.tls:
            ext.append("STARTTLS")
        if self.cfg.auth and (self.tls or not self.cfg.require_tls):
            ext.append("AUTH " + " ".join(self.cfg.mechanisms))
        return self.reply(250, self.cfg.hostname, *ext)

    def cmd_HELO(self, arg):
        return self.cmd_EHLO(arg, esmtp=False)

    def cmd_STARTTLS(self, arg):
        if not self.cfg.ssl_ctx:
            return self.reply(502, "5.5.1 Error: command not implemented")
        if arg:
            return self.reply(501, "5.5.4 Syntax: STARTTLS")
        if self.tls:
            return self.reply(503, "5.5.1 Error: TLS already active")
        if not self.helo:
            return self.reply(503, "5.5.1 Error: send HELO/EHLO first")
        if self.tx:
            return self.reply(503, "5.5.1 Error: MAIL transaction in progress")
        self.reply(220, "2.0.0 Ready to start TLS")
        if self.buf:
            self.event("discarded %d octets sent in plaintext after STARTTLS" % len(self.buf))
            self.buf.clear()
        try:
            self.sock = self.cfg.ssl_ctx.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.event("STARTTLS handshake failed: %s" % e)
            raise Closed
        self.tls, self.early = True, False
        self.event("STARTTLS established (%s)" % self.sock.version())
        self.reset_session()

    def cmd_AUTH(self, arg):
        if not self.cfg.auth:
            return self.reply(503, "5.5.1 Error: authentication not enabled")
        if self.cfg.require_tls and not self.tls:
            return self.reply(530, "5.7.0 Must issue a STARTTLS command first")
        if not self.esmtp:
            return self.reply(503, "5.5.1 Error: send EHLO first")
        if self.auth:
            return self.reply(503, "5.5.1 Error: already authenticated")
        if self.tx:
            return self.reply(503, "5.5.1 Error: MAIL transaction in progress")
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        if not mech or " " in initial:
            return self.reply(501, "5.5.4 Syntax: AUTH mechanism [initial-response]")
        if mech not in self.cfg.mechanisms:
            return self.reply(504, "5.5.4 Unrecognized authentication type")
        user = None
        try:
            user, ok = getattr(self, "auth_" + mech.replace("-", "_"))(initial)
        except AuthError as e:
            return self.reply(e.code, e.text)
        finally:
            if user is not None:
                self.event("AUTH %s username %r" % (mech, user))
        if ok and self.fault != "auth_fail":
            self.auth = {"mechanism": mech, "username": user}
            return self.reply(235, "2.7.0 Authentication successful")
        return self.reply(535, "5.7.8 Error: authentication failed")

    def challenge(self, text):
        self.reply(334, text)
        line, too_long = self.readline(MAX_AUTH_LINE)
        if too_long or not line.endswith(b"\r\n"):
            raise AuthError(500, "5.5.2 Error: bad authentication response line")
        resp = line[:-2].strip().decode("ascii", "replace")
        if resp == "*":
            raise AuthError(501, "5.7.0 Authentication aborted")
        return b64decode(resp)

    def auth_PLAIN(self, initial):
        fields = (b64decode(initial) if initial else self.challenge("")).split(b"\0")
        if len(fields) != 3:
            return "", False
        authz, user, password = (f.decode("utf-8", "replace") for f in fields)
        return user, (user, password) == self.cfg.auth and authz in ("", user)

    def auth_LOGIN(self, initial):
        user = b64decode(initial) if initial else self.challenge("VXNlcm5hbWU6")
        user = user.decode("utf-8", "replace")
        password = self.challenge("UGFzc3dvcmQ6").decode("utf-8", "replace")
        return user, (user, password) == self.cfg.auth

    def auth_CRAM_MD5(self, initial):
        if initial:
            raise AuthError(501, "5.5.4 Error: CRAM-MD5 takes no initial response")
        chal = "<%d.%d@%s>" % (os.getpid(), time.time_ns(), self.cfg.hostname)
        resp = self.challenge(base64.b64encode(chal.encode()).decode())
        user, _, digest = resp.decode("utf-8", "replace").rpartition(" ")
        want = hmac.new(self.cfg.auth[1].encode(), chal.encode(), hashlib.md5).hexdigest()
        return user, user == self.cfg.auth[0] and hmac.compare_digest(digest, want)

    def parse_path(self, arg, keyword):
        """-> (address, params, None) or (raw, None, (code, text))."""
        m = PATH_ARG.match(arg)
        if not m or m.group(1).upper() != keyword:
            syntax = "MAIL FROM:<address>" if keyword == "FROM" else "RCPT TO:<address>"
            return arg, None, (501, "5.5.4 Syntax: " + syntax)
        addr = SOURCE_ROUTE.sub("", m.group(2))
        if not (MAILBOX.match(addr) or (keyword == "FROM" and addr == "") or
                (keyword == "TO" and addr.lower() == "postmaster")):
            what = "sender" if keyword == "FROM" else "recipient"
            return addr, None, (501, "5.1.%d <%s>: Bad %s address syntax"
                                % (7 if keyword == "FROM" else 3, addr, what))
        params = {}
        for p in m.group(3).split():
            pm = PARAM.match(p)
            if not pm:
                return addr, None, (501, "5.5.4 Bad parameter syntax: %s" % p)
            params[pm.group(1).upper()] = pm.group(2)
        if params and not self.esmtp:
            return addr, None, (555, "5.5.4 Parameters need EHLO")
        return addr, params, None

    def cmd_MAIL(self, arg):
        err = None
        if not self.helo:
            err = (503, "5.5.1 Error: send HELO/EHLO first")
        elif self.cfg.require_tls and not self.tls:
            err = (530, "5.7.0 Must issue a STARTTLS command first")
        elif self.cfg.auth and not self.auth:
            err = (530, "5.7.0 Authentication required")
        elif self.tx:
            return self.reply(503, "5.5.1 Error: nested MAIL command")
        addr, params, perr = self.parse_path(arg, "FROM")
        err = err or perr
        for k, v in (params or {}).items():
            if err:
                break
            if k == "SIZE" and (v or "").isdigit():
                if int(v) > MAX_MSG:
                    err = (552, "5.3.4 Message size exceeds fixed limit")
            elif not (k == "BODY" and (v or "").upper() in ("7BIT", "8BITMIME")):
                err = (555, "5.5.4 Unsupported option: %s" % k)
        if not err and self.fault == "mail_451":
            err = (451, "4.3.0 Error: queue file write error")
        self.tx = {"mail_from": addr, "mail_params": params or {}, "rcpt_to": [],
                   "rcpt_refused": [], "tls": self.tls, "last_error": 0, "reply": ""}
        if err:
            self.reply(*err)
            return self.finish(*err)
        return self.reply(250, "2.1.0 Ok")

    def refuse(self, code, text, rcpt=None):
        self.tx["last_error"], self.tx["reply"] = code, "%d %s" % (code, text)
        if rcpt is not None:
            self.tx["rcpt_refused"].append({"rcpt": rcpt, "status": code})
        return self.reply(code, text)

    def cmd_RCPT(self, arg):
        if not self.tx:
            return self.reply(503, "5.5.1 Error: need MAIL command")
        addr, params, err = self.parse_path(arg, "TO")
        if not err and params:
            err = (555, "5.5.4 Unsupported option: %s" % next(iter(params)))
        if not err and len(self.tx["rcpt_to"]) >= MAX_RCPT:
            err = (452, "4.5.3 Error: too many recipients")
        if not err and self.fault == "rcpt_550":
            err = (550, "5.1.1 <%s>: Recipient address rejected: User unknown" % addr)
        if err:
            return self.refuse(err[0], err[1], addr)
        self.tx["rcpt_to"].append(addr)
        return self.reply(250, "2.1.5 Ok")

    def cmd_DATA(self, arg):
        if arg:
            return self.reply(501, "5.5.4 Syntax: DATA")
        if not self.tx or not (self.tx["rcpt_to"] or self.tx["rcpt_refused"]):
            if self.tx:
                return self.refuse(503, "5.5.1 Error: need RCPT command")
            return self.reply(503, "5.5.1 Error: need RCPT command")
        if not self.tx["rcpt_to"]:
            self.reply(554, "5.5.1 Error: no valid recipients")
            return self.finish(554, "5.5.1 Error: no valid recipients")
        self.reply(354, "End data with <CR><LF>.<CR><LF>")
        data, size, bare_lf, long_line, n = bytearray(), 0, 0, 0, 0
        while True:
            line, _ = self.readline(MAX_MSG + 2)
            n += 1
            if line in (b".\r\n", b".\n"):
                bare_lf = bare_lf or (n if line == b".\n" else 0)
                break
            if len(line) > MAX_TEXT_LINE:
                long_line = long_line or n
            if not line.endswith(b"\r\n"):
                bare_lf = bare_lf or n
            line = line[1:] if line.startswith(b".") else line
            size += len(line)
            if size <= MAX_MSG:
                data += line
        if size > MAX_MSG:
            code, text = 552, "5.3.4 Error: message file too big"
        elif bare_lf:
            code, text = 554, "5.6.0 Error: bare <LF> received (line %d)" % bare_lf
        elif long_line:
            code, text = 554, "5.6.0 Error: line longer than 1000 octets (line %d)" % long_line
        elif self.fault == "data_451":
            code, text = 451, "4.3.0 Error: queue file write error"
        elif self.fault == "data_554":
            code, text = 554, "5.6.0 Error: message content rejected"
        else:
            qid = secrets.token_hex(5).upper()
            code, text = 250, "2.0.0 Ok: queued as " + qid
        self.finish(code, text, bytes(data), size, text[20:] if code == 250 else None)
        if self.fault == "slow_data":
            time.sleep(self.delay)
        return self.reply(code, text)

    def cmd_RSET(self, arg):
        if arg:
            return self.reply(501, "5.5.4 Syntax: RSET")
        self.finish()
        return self.reply(250, "2.0.0 Ok")

    def cmd_NOOP(self, arg):
        return self.reply(250, "2.0.0 Ok")

    def cmd_VRFY(self, arg):
        if not arg:
            return self.reply(501, "5.5.4 Syntax: VRFY address")
        return self.reply(252, "2.0.0 Cannot VRFY user, but will accept message")

    def cmd_HELP(self, arg):
        return self.reply(214, "2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT HELP"
                          + (" STARTTLS" if self.cfg.ssl_ctx else "")
                          + (" AUTH" if self.cfg.auth else ""))

    def cmd_QUIT(self, arg):
        if arg:
            return self.reply(501, "5.5.4 Syntax: QUIT")
        self.finish()
        self.reply(221, "2.0.0 Bye")
        raise Closed

    # -- recording ----------------------------------------------------------------------------

    def finish(self, status=None, reply=None, data=None, size=0, queue_id=None):
        """Ends the transaction (if any) and records it; status None = the client ended it."""
        tx, self.tx = self.tx, None
        if tx is None:
            return
        if status is None:
            status, reply = tx["last_error"], tx["reply"]
            outcome = "rejected" if status else "abandoned"
        else:
            outcome = "delivered" if status == 250 else "rejected"
            reply = "%d %s" % (status, reply)
        rec = {"t": time.time(), "conn": self.id, "peer_tls": tx["tls"],
               "implicit_tls": self.implicit,
               "tls_version": self.sock.version() if self.tls else None,
               "helo": self.helo, "auth": self.auth, "mail_from": tx["mail_from"],
               "mail_params": tx["mail_params"], "rcpt_to": tx["rcpt_to"],
               "rcpt_refused": tx["rcpt_refused"], "status": status, "reply": reply,
               "outcome": outcome, "queue_id": queue_id, "size": size,
               "data": None, "headers": [], "parts": [], "problems": []}
        if data is not None:
            rec["data"] = data.decode("utf-8", "replace")
            try:
                rec.update(analyze(data, tx["mail_params"]))
            except Exception as e:  # noqa: BLE001 - record the message even so
                rec["problems"] = ["message could not be parsed: %r" % e]
        self.recorded = True
        with self.state.lock:
            self.state.requests.append(rec)


# ---------------------------------------------------------------------------------------------
# Listeners and control server


def listen(port):
    return socket.create_server(("127.0.0.1", port), backlog=64)


def accept_loop(lsock, cfg, state, implicit):
    while True:
        try:
            sock, _ = lsock.accept()
        except OSError:
            continue
        sock.settimeout(cfg.idle_timeout)
        threading.Thread(target=Session(cfg, state, sock, implicit).run, daemon=True).start()


def make_control_handler(state, info):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30

        def log_message(self, *args):
            pass

        def _send(self, status, obj):
            body = json.dumps(obj).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self):
            if self.path == "/_control/info":
                return self._send(200, info)
            if self.path == "/_control/received":
                with state.lock:
                    return self._send(200, {"requests": state.requests,
                                            "sessions": state.sessions})
            self._send(404, {"error": "not found"})

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/_control/reset":
                with state.lock:
                    state.requests.clear()
                    state.sessions.clear()
                    state.faults.clear()
                return self._send(200, {})
            if self.path != "/_control/faults":
                return self._send(404, {"error": "not found"})
            try:
                faults = json.loads(raw).get("faults", [])
                bad = [f for f in faults if f.get("kind") not in FAULT_KINDS]
            except (ValueError, AttributeError):
                return self._send(400, {"error": "expected {\"faults\": [{\"kind\": ...}]}"})
            if bad:
                return self._send(400, {"error": "unknown fault kind", "faults": bad,
                                        "kinds": sorted(FAULT_KINDS)})
            with state.lock:
                state.faults.extend(faults)
            self._send(200, {})

    return Handler


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0, help="HTTP control port")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--smtp-port", type=int, default=0)
    ap.add_argument("--smtps-port", type=int, default=0)
    ap.add_argument("--hostname", default="localhost")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--auth", metavar="USER:PASSWORD")
    ap.add_argument("--auth-mechanisms", default=" ".join(MECHANISMS))
    ap.add_argument("--idle-timeout", type=float, default=30)
    args = ap.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    if args.require_tls and not args.tls_cert:
        ap.error("--require-tls needs --tls-cert/--tls-key")
    args.mechanisms = args.auth_mechanisms.upper().split()
    if not args.mechanisms or any(m not in MECHANISMS for m in args.mechanisms):
        ap.error("--auth-mechanisms: a list of %s" % " ".join(MECHANISMS))
    if args.auth is not None:
        if ":" not in args.auth:
            ap.error("--auth USER:PASSWORD")
        args.auth = tuple(args.auth.split(":", 1))
    args.ssl_ctx = None
    if args.tls_cert:
        args.ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        args.ssl_ctx.load_cert_chain(args.tls_cert, args.tls_key)
    return args


def main():
    cfg = parse_args()
    state = FakeState()
    state.sessions = []
    smtp = listen(cfg.smtp_port)
    smtps = listen(cfg.smtps_port) if cfg.ssl_ctx else None
    info = {"smtp_port": smtp.getsockname()[1],
            "smtps_port": smtps.getsockname()[1] if smtps else None, "hostname": cfg.hostname}
    for lsock, implicit in ((smtp, False), (smtps, True)):
        if lsock:
            threading.Thread(target=accept_loop, args=(lsock, cfg, state, implicit),
                             daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", cfg.port), make_control_handler(state, info))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    tmp = cfg.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, cfg.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
