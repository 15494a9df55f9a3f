#!/usr/bin/env python3
"""Local Microsoft Teams incoming webhook (Office 365 connector, `POST /webhookb2/...`) for
tocsin's tests.

Validates like the connector (learn.microsoft.com "Create an Incoming Webhook", "Message card
reference"): a JSON object; a MessageCard (`@type` or `type` "MessageCard", `@context`
http://schema.org/extensions) needs a non-empty `text` or `summary` (else 400 "Summary or Text is
required."); `title`/`text` strings; `themeColor` six hex digits; at most 28 KB. Answers 200
with the body "1" (text/plain), as Teams does. Faults (429 for the connector's rate limit, 5xx,
slow) via the control endpoints of http_fake_base.py.
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import serve  # noqa: E402

COLOR = re.compile(r"^[0-9A-Fa-f]{6}$")
MAX_BYTES = 28 * 1024


def validate(path, headers, raw):
    if not path.startswith("/webhookb2/"):
        return 404, "text/plain", b"Not Found", {}
    if len(raw) > MAX_BYTES:
        return 413, "text/plain", b"Payload too large", {}
    try:
        card = json.loads(raw)
    except ValueError:
        return 400, "text/plain", b"Bad payload received by generic incoming webhook.", {}
    if not isinstance(card, dict):
        return 400, "text/plain", b"Bad payload received by generic incoming webhook.", {}
    kind = card.get("@type", card.get("type"))
    if kind != "MessageCard" or card.get("@context") != "http://schema.org/extensions":
        return 400, "text/plain", b"Bad payload received by generic incoming webhook.", {}
    for k in ("title", "text", "summary"):
        if k in card and not isinstance(card[k], str):
            return 400, "text/plain", ("'%s' must be a string" % k).encode(), {}
    if not (card.get("text") or "").strip() and not (card.get("summary") or "").strip():
        return 400, "text/plain", b"Summary or Text is required.", {}
    if "themeColor" in card and not COLOR.match(str(card["themeColor"])):
        return 400, "text/plain", b"Invalid themeColor", {}
    return 200, "text/plain", b"1", {}


if __name__ == "__main__":
    serve(validate, ["/webhookb2/"])
