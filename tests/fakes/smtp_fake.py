#!/usr/bin/env python3
"""Local SMTP server for tocsin's tests of the email notifier (libcurl) and of Alertmanager parity.

SMTP on 127.0.0.1, as strict as RFC 5321/3207/4954 servers (replies worded like Postfix's):
- `220 <host> ESMTP tocsin-smtp-fake`. EHLO lists SIZE 10485760, 8BITMIME, ENHANCEDSTATUSCODES,
  STARTTLS (TLS configured, not yet active), AUTH <mechanisms> (--auth; with --require-tls only
  under TLS). No PIPELINING: a command sent before the previous reply (or the greeting) -> 503.
- Verbs case-insensitive; command lines end in CRLF and are <= 512 octets, else 500; unknown 500,
  EXPN/TURN/ETRN/BDAT 502; RSET/NOOP 250, VRFY 252, HELP 214, QUIT 221 + close; 20 errors or
  --idle-timeout -> 421 + close.
- MAIL needs HELO/EHLO, RCPT needs MAIL, DATA needs RCPT (503; only refused RCPTs -> 554), nested
  MAIL 503. `MAIL FROM:<path>`/`RCPT TO:<path>`: brackets, no space after the colon, <> only as
  reverse path, <postmaster> allowed, else 501; MAIL params SIZE=n (> limit 552), BODY=7BIT|
  8BITMIME, only after EHLO, others 555; <= 100 recipients (452).
- DATA: 354, up to the line "."; dot-unstuffed; after the dot 552 if > 10 MiB, 554 for a bare LF
  (also ".\n") or a line > 1000 octets incl CRLF, else 250 2.0.0 Ok: queued as <id>.
- STARTTLS (--tls-cert/--tls-key, which also start an implicit-TLS SMTPS listener): 220 and the
  handshake; plaintext sent after the command is discarded; then HELO/EHLO, AUTH and transaction
  are forgotten. Again -> 503, with an argument 501, without TLS configured 502.
- AUTH (--auth USER:PASSWORD; --auth-mechanisms, default "PLAIN LOGIN CRAM-MD5", is the advertised
  list and order, others 504) needs EHLO; MAIL without it -> 530 5.7.0 Authentication required;
  --require-tls: AUTH/MAIL before STARTTLS -> 530 5.7.0 Must issue a STARTTLS command first.
  PLAIN (initial response or `334 `), LOGIN (334 VXNlcm5hbWU6 / UGFzc3dvcmQ6, or the username as
  initial response), CRAM-MD5 (334 base64 "<pid.ns@host>", answer "user hex-HMAC-MD5"). `*` 501,
  bad base64 501, wrong credentials 535 5.7.8, success 235 2.7.0, again 503; no --auth -> 503.

Control server: HTTP on --port, written atomically to --port-file once every listener is up (so
tests/notifiers/test_util.h FakeServer works unchanged):
  GET  /_control/info      -> {"smtp_port": N, "smtps_port": M|null, "hostname": "..."}
  GET  /_control/received  -> {"requests": [message...], "sessions": [session...]}
  POST /_control/faults    {"faults": [{"kind": K, "count": n (1), "delay": seconds}]}, consumed
                           one SMTP *connection* at a time, in order; K: refuse (close at once),
                           greet_421, timeout (no greeting, hold `delay` s, default 30), auth_fail
                           (535 for right credentials too), mail_451, rcpt_550, data_451 and
                           data_554 (after the dot), slow_data (sleep `delay` before the reply
                           after the dot); an unknown kind -> 400
  POST /_control/reset     forget messages, sessions and faults

Each transaction that reached the end of DATA or was refused (at MAIL, RCPT or DATA) is a message
entry, recorded before the client sees the reply that ends it: {"t", "conn", "peer_tls" (TLS at
MAIL), "implicit_tls", "tls_version", "helo", "auth": {"mechanism", "username"}|null,
"mail_from", "mail_params", "rcpt_to" (accepted), "rcpt_refused": [{"rcpt", "status"}],
"status" (reply after the dot, else the last refusal), "reply", "outcome": delivered (250) |
rejected, "queue_id", "size", "data" (the unstuffed message as UTF-8 with replacement; null
without DATA), "headers": [[name, value]] (unfolded, RFC 2047 decoded), "parts":
[{"content_type", "charset", "transfer_encoding", "filename", "headers", "body" (decoded
text)}] (leaf parts), "problems": [what a strict receiver objects to], "events": [...]}. A
connection without such an entry, or that gave up a transaction nobody refused (RSET, QUIT, a
close mid-DATA), is in "sessions": {"t", "conn", "implicit_tls", "tls", "helo", "auth",
"fault", "events": ["EHLO x -> 250", "AUTH PLAIN [initial response] -> 535", ...]}; AUTH
payloads are never recorded.

`smtp_fake.py --port 0 --port-file FILE [--smtp-port N] [--smtps-port N] [--tls-cert PEM
--tls-key PEM] [--require-tls] [--auth USER:PASSWORD] [--auth-mechanisms "LOGIN PLAIN"]
[--hostname localhost] [--idle-timeout 30]`. Stdlib only; daemon threads, so SIGTERM/SIGKILL
simply end it.
"""

import argparse
import base64
import binascii
import hashlib
import hmac
import itertools
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
NOT_IMPLEMENTED = ("EXPN", "TURN", "ETRN", "BDAT")
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


def first(*rules):
    """(code, text) of the first (condition, code, text) rule whose condition holds, or None."""
    for cond, code, text in rules:
        if cond:
            return code, text
    return None


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


# -- message analysis -------------------------------------------------------------------------


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
        if not line.isascii():
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
    if not raw.isascii() and mail_params.get("BODY", "").upper() != "8BITMIME":
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


# -- SMTP -------------------------------------------------------------------------------------


class Session:
    """One SMTP connection, served in its own thread."""

    ids = itertools.count(1)

    def __init__(self, cfg, state, sock, implicit):
        self.cfg, self.state, self.sock, self.implicit = cfg, state, sock, implicit
        self.id = next(Session.ids)
        self.buf = bytearray()
        self.tls = self.early = False  # early: input was waiting when the last reply was sent
        self.in_requests = self.in_sessions = self.abandoned = False
        self.errors = self.last = self.delay = 0
        self.events, self.fault, self.current, self.tx = [], None, None, None
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
        self.last = code
        self.errors += code >= 500 or code in (421, 452)
        if code in (221, 421):
            self.record_session()  # before the client can see the end
        self.early = self._waiting()
        self.sock.sendall("".join("%d%s%s\r\n" % (code, " " if i == len(lines) - 1 else "-", ln)
                                  for i, ln in enumerate(lines)).encode())
        if code == 421:
            raise Closed
        if self.errors >= MAX_ERRORS:
            self.reply(421, "4.7.0 %s Error: too many errors" % self.cfg.hostname)
        return code

    def start_tls(self, how):
        try:
            self.sock = self.cfg.ssl_ctx.wrap_socket(self.sock, server_side=True)
        except OSError as e:  # ssl.SSLError, a timeout, a reset
            self.event("%s handshake failed: %s" % (how, e))
            raise Closed
        self.tls, self.early = True, False
        self.event("%s established (%s)" % (how, self.sock.version()))

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
        except OSError as e:
            self.event("%s: %s" % (type(e).__name__, e))
        finally:
            self.current = None
            self.finish()
            self.record_session()
            try:
                self.sock.close()
            except OSError:
                pass

    def serve(self):
        fault = self.state.next_fault()
        if fault:
            self.fault = fault.get("kind")
            self.delay = float(fault.get("delay", 30 if self.fault == "timeout" else 0) or 0)
            self.event("fault %s" % self.fault)
        if self.fault == "refuse":
            return
        if self.fault == "timeout":
            self.record_session()
            return time.sleep(self.delay)
        if self.implicit:
            self.start_tls("implicit TLS")
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
            handler = getattr(self, "cmd_" + verb, None) if verb.isalpha() else None
            self.current = text[:200]
            if verb == "AUTH":  # never record credentials
                self.current = "AUTH %s%s" % (arg.split(" ")[0], " [initial response]" *
                                              (" " in arg))
            at = len(self.events)
            err = first((too_long, 500, "5.5.2 Error: line too long"),
                        (not line.endswith(b"\r\n"), 500, "5.5.2 Error: command line must end "
                         "with CRLF"),
                        (early, 503, "5.5.0 Error: improper use of SMTP command pipelining"),
                        (not text, 500, "5.5.2 Error: bad syntax"),
                        (verb in NOT_IMPLEMENTED, 502, "5.5.1 Error: command not implemented"),
                        (handler is None, 500, "5.5.2 Error: command not recognized"))
            try:
                self.reply(*err) if err else handler(arg)
            finally:
                if len(self.events) < 500:
                    self.events.insert(at, "%s -> %d" % (self.current, self.last))
                self.current = None

    # -- commands -----------------------------------------------------------------------------

    def cmd_EHLO(self, arg, esmtp=True):
        if not arg.strip() or " " in arg.strip():
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
        err = first((not self.cfg.ssl_ctx, 502, "5.5.1 Error: command not implemented"),
                    (arg, 501, "5.5.4 Syntax: STARTTLS"),
                    (self.tls, 503, "5.5.1 Error: TLS already active"),
                    (not self.helo, 503, "5.5.1 Error: send HELO/EHLO first"),
                    (self.tx, 503, "5.5.1 Error: MAIL transaction in progress"))
        if err:
            return self.reply(*err)
        self.reply(220, "2.0.0 Ready to start TLS")
        if self.buf:  # a client must wait for the 220 (the CVE-2011-0411 injection)
            self.event("discarded %d octets sent in plaintext after STARTTLS" % len(self.buf))
            self.buf.clear()
        self.start_tls("STARTTLS")
        self.reset_session()

    def cmd_AUTH(self, arg):
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        err = first((not self.cfg.auth, 503, "5.5.1 Error: authentication not enabled"),
                    (self.cfg.require_tls and not self.tls, 530,
                     "5.7.0 Must issue a STARTTLS command first"),
                    (not self.esmtp, 503, "5.5.1 Error: send EHLO first"),
                    (self.auth, 503, "5.5.1 Error: already authenticated"),
                    (self.tx, 503, "5.5.1 Error: MAIL transaction in progress"),
                    (not mech or " " in initial, 501,
                     "5.5.4 Syntax: AUTH mechanism [initial-response]"),
                    (mech not in self.cfg.mechanisms, 504,
                     "5.5.4 Unrecognized authentication type"))
        if err:
            return self.reply(*err)
        try:
            user, ok = getattr(self, "auth_" + mech.replace("-", "_"))(initial)
        except AuthError as e:
            return self.reply(e.code, e.text)
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
        user = b64decode(initial) if initial else self.challenge("VXNlcm5hbWU6")  # Username:
        user = user.decode("utf-8", "replace")
        password = self.challenge("UGFzc3dvcmQ6").decode("utf-8", "replace")  # Password:
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
        """`FROM:<path> params` / `TO:<path>` -> (address, params, None) or (..., (code, text))."""
        m = PATH_ARG.match(arg)
        if not m or m.group(1).upper() != keyword:
            return arg, None, (501, "5.5.4 Syntax: " + ("MAIL FROM:<address>" if keyword == "FROM"
                                                        else "RCPT TO:<address>"))
        addr = SOURCE_ROUTE.sub("", m.group(2))
        if not (MAILBOX.match(addr) or (keyword == "FROM" and addr == "") or
                (keyword == "TO" and addr.lower() == "postmaster")):
            return addr, None, (501, "5.1.%s <%s>: Bad %s address syntax" % (
                ("7", addr, "sender") if keyword == "FROM" else ("3", addr, "recipient")))
        params = {}
        for p in m.group(3).split():
            pm = PARAM.match(p)
            key, value = (pm.group(1).upper(), pm.group(2) or "") if pm else (p, "")
            err = first((not pm, 501, "5.5.4 Bad parameter syntax: %s" % p),
                        (not self.esmtp, 555, "5.5.4 Parameters need EHLO"),
                        (keyword != "FROM" or key not in ("SIZE", "BODY"), 555,
                         "5.5.4 Unsupported option: %s" % key),
                        (not (value.isdigit() if key == "SIZE" else
                              value.upper() in ("7BIT", "8BITMIME")), 501,
                         "5.5.4 Bad %s parameter value" % key))
            if err:
                return addr, None, err
            params[key] = value
        return addr, params, None

    def cmd_MAIL(self, arg):
        if self.tx:
            return self.reply(503, "5.5.1 Error: nested MAIL command")
        addr, params, err = self.parse_path(arg, "FROM")
        err = first((not self.helo, 503, "5.5.1 Error: send HELO/EHLO first"),
                    (self.cfg.require_tls and not self.tls, 530,
                     "5.7.0 Must issue a STARTTLS command first"),
                    (self.cfg.auth and not self.auth, 530, "5.7.0 Authentication required")) \
            or err or first((int(params.get("SIZE") or 0) > MAX_MSG, 552,
                             "5.3.4 Message size exceeds fixed limit"),
                            (self.fault == "mail_451", 451, "4.3.0 Error: queue file write error"))
        self.tx = {"mail_from": addr, "mail_params": params or {}, "rcpt_to": [],
                   "rcpt_refused": [], "tls": self.tls, "last_error": 0, "reply": None}
        if err:
            self.finish(*err)  # recorded before the client sees the reply
            return self.reply(*err)
        return self.reply(250, "2.1.0 Ok")

    def cmd_RCPT(self, arg):
        if not self.tx:
            return self.reply(503, "5.5.1 Error: need MAIL command")
        addr, _, err = self.parse_path(arg, "TO")
        err = err or first((len(self.tx["rcpt_to"]) >= MAX_RCPT, 452,
                            "4.5.3 Error: too many recipients"),
                           (self.fault == "rcpt_550", 550,
                            "5.1.1 <%s>: Recipient address rejected: User unknown" % addr))
        if err:
            self.tx["last_error"], self.tx["reply"] = err[0], "%d %s" % err
            self.tx["rcpt_refused"].append({"rcpt": addr, "status": err[0]})
            return self.reply(*err)
        self.tx["rcpt_to"].append(addr)
        return self.reply(250, "2.1.5 Ok")

    def read_data(self):
        """Reads up to the "." line; -> (unstuffed message, size, first bare-LF line, first long
        line) (line numbers, 0 = none). Only MAX_MSG octets are kept."""
        data, size, bare_lf, long_line = bytearray(), 0, 0, 0
        for n in itertools.count(1):
            line, _ = self.readline(MAX_MSG + 2)
            if line in (b".\r\n", b".\n"):
                return bytes(data), size, bare_lf or (n if line == b".\n" else 0), long_line
            long_line = long_line or (n if len(line) > MAX_TEXT_LINE else 0)
            bare_lf = bare_lf or (0 if line.endswith(b"\r\n") else n)
            line = line[1:] if line.startswith(b".") else line
            size += len(line)
            if size <= MAX_MSG:
                data += line

    def cmd_DATA(self, arg):
        err = first((arg, 501, "5.5.4 Syntax: DATA"),
                    (not self.tx or not (self.tx["rcpt_to"] or self.tx["rcpt_refused"]), 503,
                     "5.5.1 Error: need RCPT command"))
        if err:
            return self.reply(*err)
        if not self.tx["rcpt_to"]:
            self.finish(554, "5.5.1 Error: no valid recipients")
            return self.reply(554, "5.5.1 Error: no valid recipients")
        self.reply(354, "End data with <CR><LF>.<CR><LF>")
        data, size, bare_lf, long_line = self.read_data()
        qid = secrets.token_hex(5).upper()
        code, text = first(
            (size > MAX_MSG, 552, "5.3.4 Error: message file too big"),
            (bare_lf, 554, "5.6.0 Error: bare <LF> received (line %d)" % bare_lf),
            (long_line, 554, "5.6.0 Error: line longer than 1000 octets (line %d)" % long_line),
            (self.fault == "data_451", 451, "4.3.0 Error: queue file write error"),
            (self.fault == "data_554", 554, "5.6.0 Error: message content rejected"),
            (True, 250, "2.0.0 Ok: queued as " + qid))
        self.finish(code, text, data, size, qid if code == 250 else None)
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
        return self.reply(*first((not arg, 501, "5.5.4 Syntax: VRFY address"),
                                 (True, 252, "2.0.0 Cannot VRFY user, but will accept message")))

    def cmd_HELP(self, arg):
        return self.reply(214, "2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY QUIT HELP"
                          + " STARTTLS" * bool(self.cfg.ssl_ctx) + " AUTH" * bool(self.cfg.auth))

    def cmd_QUIT(self, arg):
        if arg:
            return self.reply(501, "5.5.4 Syntax: QUIT")
        self.finish()
        self.reply(221, "2.0.0 Bye")
        raise Closed

    # -- recording ----------------------------------------------------------------------------

    def finish(self, status=None, text=None, data=None, size=0, queue_id=None):
        """Ends the transaction, if any, and records it; status None: the client ended it."""
        tx, self.tx = self.tx, None
        if tx is None:
            return
        events = list(self.events)
        if status is None and not tx["last_error"]:
            self.abandoned = True  # neither delivered nor refused: the connection is a session
            return
        if status is None:
            status, reply = tx["last_error"], tx["reply"]
        else:
            reply = "%d %s" % (status, text)
            events.append("%s -> %d" % (self.current, status))
        rec = {"t": time.time(), "conn": self.id, "peer_tls": tx["tls"],
               "implicit_tls": self.implicit,
               "tls_version": self.sock.version() if self.tls else None,
               "helo": self.helo, "auth": self.auth, "mail_from": tx["mail_from"],
               "mail_params": tx["mail_params"], "rcpt_to": tx["rcpt_to"],
               "rcpt_refused": tx["rcpt_refused"], "status": status, "reply": reply,
               "outcome": "delivered" if status == 250 else "rejected",
               "queue_id": queue_id, "size": size, "data": None, "headers": [], "parts": [],
               "problems": [], "events": events}
        if data is not None:
            rec["data"] = data.decode("utf-8", "replace")
            try:
                rec.update(analyze(data, tx["mail_params"]))
            except Exception as e:  # noqa: BLE001 - record the message even so
                rec["problems"] = ["message could not be parsed: %r" % e]
        self.in_requests = True
        with self.state.lock:
            self.state.requests.append(rec)

    def record_session(self):
        """A connection without an entry in "requests", or that gave up a transaction."""
        if self.in_sessions or (self.in_requests and not self.abandoned):
            return
        self.in_sessions = True
        with self.state.lock:
            self.state.sessions.append(
                {"t": time.time(), "conn": self.id, "implicit_tls": self.implicit,
                 "tls": self.tls, "helo": self.helo, "auth": self.auth, "fault": self.fault,
                 "events": self.events})


# -- listeners and control server -------------------------------------------------------------


def accept_loop(lsock, cfg, state, implicit):
    while True:
        try:
            sock, _ = lsock.accept()
        except OSError:
            time.sleep(0.01)
            continue
        sock.settimeout(cfg.idle_timeout)
        threading.Thread(target=Session(cfg, state, sock, implicit).run, daemon=True).start()


def make_control_handler(state, info):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30

        def log_message(self, *args):  # keep test output quiet
            pass

        def _send(self, status, obj):
            body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
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
            if self.path != "/_control/received":
                return self._send(404, {"error": "not found"})
            with state.lock:
                body = json.dumps({"requests": state.requests, "sessions": state.sessions})
            self._send(200, body.encode())

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
                faults = json.loads(raw)["faults"]
                bad = [f for f in faults if f.get("kind") not in FAULT_KINDS]
            except (ValueError, KeyError, TypeError, AttributeError):
                return self._send(400, {"error": 'expected {"faults": [{"kind": ...}]}'})
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
    if args.auth is not None and ":" not in args.auth:
        ap.error("--auth USER:PASSWORD")
    args.auth = tuple(args.auth.split(":", 1)) if args.auth else None
    args.ssl_ctx = None
    if args.tls_cert:
        args.ssl_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        args.ssl_ctx.load_cert_chain(args.tls_cert, args.tls_key)
    return args


def main():
    cfg = parse_args()
    state = FakeState()
    state.sessions = []
    smtp = socket.create_server(("127.0.0.1", cfg.smtp_port), backlog=64)
    smtps = socket.create_server(("127.0.0.1", cfg.smtps_port), backlog=64) if cfg.ssl_ctx \
        else None
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
