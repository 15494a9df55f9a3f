#!/usr/bin/env python3
"""Local Slack incoming webhook (`POST /services/T.../B.../X...`) for tocsin's tests.

Validates like Slack (api.slack.com incoming-webhooks, changelog 2016-05-17 error strings,
Block Kit limits): application/json UTF-8 object, else 400 `invalid_payload`; some text, else
400 `no_text`; at most 100 attachments (`too_many_attachments`); text at most 40000 chars; colour
good|warning|danger|#RRGGBB; fields {title, value, short}; mrkdwn text must be escaped (`&` only
in &amp; &lt; &gt;, `<` only opening a link/mention); unknown paths answer 404 `no_service`.
Answers 200 `ok` (text/plain). With --rate-limit it answers 429 + Retry-After: 1 to a message that
arrives less than 0.9 s after the previous accepted one (Slack's 1 message/second, minus
jitter).
Faults via the control endpoints of http_fake_base.py.
"""

import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import serve  # noqa: E402

RATE_LIMIT = "--rate-limit" in sys.argv
if RATE_LIMIT:
    sys.argv.remove("--rate-limit")
_last_accepted = [0.0]
_rate_lock = threading.Lock()

COLOR = re.compile(r"^(good|warning|danger|#[0-9a-fA-F]{6})$")
ENTITY = re.compile(r"&(amp|lt|gt);")
ANGLE = re.compile(r"<(https?://|mailto:|@|#|!)[^<>]*>")
PATH = re.compile(r"^/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+$")


def escaped_ok(text):
    rest = ANGLE.sub("", ENTITY.sub("", text))
    return "&" not in rest and "<" not in rest and ">" not in rest


def text_error(payload):
    atts = payload.get("attachments")
    blocks = payload.get("blocks")
    if not payload.get("text") and not atts and not blocks:
        return "no_text"
    if atts is not None:
        if not isinstance(atts, list):
            return "invalid_attachments"
        if len(atts) > 100:
            return "too_many_attachments"
        for a in atts:
            if not isinstance(a, dict):
                return "invalid_attachments"
            if "color" in a and not COLOR.match(str(a["color"])):
                return "invalid_attachments"
            for k in ("title", "text", "fallback", "pretext", "footer"):
                if k in a and not isinstance(a[k], str):
                    return "invalid_attachments"
                if k in ("text", "title", "fallback") and k in a and not escaped_ok(a[k]):
                    return "invalid_attachments: unescaped mrkdwn in %s" % k
            if len(a.get("text", "")) > 8000:
                return "invalid_attachments: text too long"
            actions = a.get("actions", [])
            if not isinstance(actions, list) or len(actions) > 5:
                return "invalid_attachments: at most 5 actions"
            for act in actions:
                if (not isinstance(act, dict) or act.get("type") not in ("button", "select")
                        or not isinstance(act.get("text"), str)
                        or not (act.get("url") or act.get("name"))):
                    return "invalid_attachments: an action needs type, text and url or name"
            fields = a.get("fields", [])
            if not isinstance(fields, list):
                return "invalid_attachments"
            for f in fields:
                if not isinstance(f, dict) or set(f) - {"title", "value", "short"}:
                    return "invalid_attachments"
    if blocks is not None and (not isinstance(blocks, list) or len(blocks) > 50):
        return "invalid_blocks"
    if len(payload.get("text", "")) > 40000:
        return "msg_too_long"
    return None


def validate(path, headers, raw):
    if not PATH.match(path):
        return 404, "text/plain", b"no_service", {}
    if not (headers.get("Content-Type") or "").startswith("application/json"):
        return 400, "text/plain", b"invalid_payload", {}
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return 400, "text/plain", b"invalid_payload", {}
    if not isinstance(payload, dict):
        return 400, "text/plain", b"invalid_payload", {}
    err = text_error(payload)
    if err:
        return 400, "text/plain", err.encode(), {}
    if RATE_LIMIT:
        with _rate_lock:
            now = time.monotonic()
            # One message per second; 100 ms of slack for network jitter between the sender's
            # clock and our arrival times (Slack itself tolerates short bursts).
            if now - _last_accepted[0] < 0.9:
                body = json.dumps({"ok": False, "error": "rate_limited"}).encode()
                return 429, "application/json", body, {"Retry-After": "1"}
            _last_accepted[0] = now
    return 200, "text/plain", b"ok", {}


if __name__ == "__main__":
    serve(validate, ["/services/"])
