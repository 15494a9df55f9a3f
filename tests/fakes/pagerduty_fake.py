#!/usr/bin/env python3
"""Local PagerDuty Events API v2 (`POST /v2/enqueue`) for tocsin's tests.

Validates like the real API (developer-docs events-API-v2, api-schema openapiv3.json):
routing_key exactly 32 characters; event_action in trigger|acknowledge|resolve; dedup_key at most
255 characters and required unless triggering; for trigger a payload with summary (1..1024
chars), source and severity (critical|error|warning|info); optional fields with the right types;
the whole request at most 512 KB. Answers 202 {"status":"success","message":"Event processed",
"dedup_key":...} or 400 {"status":"invalid event","message":"Event object is invalid",
"errors":[...]}. Faults (429 + Retry-After, 5xx, slow) via the control endpoints of
http_fake_base.py.
"""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import serve  # noqa: E402

MAX_BYTES = 512 * 1024
TOP_LEVEL = {"routing_key", "event_action", "dedup_key", "payload", "client", "client_url",
             "images", "links"}
PAYLOAD = {"summary", "source", "severity", "timestamp", "component", "group", "class",
           "custom_details"}


def errors_for(raw):
    if len(raw) > MAX_BYTES:
        return ["Event object is too large (max 512 KB)"]
    try:
        ev = json.loads(raw)
    except ValueError:
        return ["JSON parse error"]
    if not isinstance(ev, dict):
        return ["Event object must be a JSON object"]
    errs = []
    for k in ev:
        if k not in TOP_LEVEL:
            errs.append("Unrecognized field '%s'" % k)
    rk = ev.get("routing_key")
    if not isinstance(rk, str) or len(rk) != 32:
        errs.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    action = ev.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        errs.append("'event_action' is invalid (must be one of the following: 'trigger', "
                    "'acknowledge' or 'resolve')")
    dk = ev.get("dedup_key")
    if dk is not None and (not isinstance(dk, str) or len(dk) > 255 or dk == ""):
        errs.append("'dedup_key' must be a string of at most 255 characters")
    if action in ("acknowledge", "resolve") and dk is None:
        errs.append("'dedup_key' is required for %s events" % action)
    for k in ("client", "client_url"):
        if k in ev and not isinstance(ev[k], str):
            errs.append("'%s' must be a string" % k)
    p = ev.get("payload")
    if action == "trigger" or p is not None:
        if not isinstance(p, dict):
            errs.append("'payload' is missing or not an object")
        else:
            for k in p:
                if k not in PAYLOAD:
                    errs.append("Unrecognized field 'payload.%s'" % k)
            s = p.get("summary")
            if not isinstance(s, str) or not s:
                errs.append("'payload.summary' is missing or blank")
            elif len(s) > 1024:
                errs.append("'payload.summary' is too long (max 1024 characters)")
            if not isinstance(p.get("source"), str) or not p.get("source"):
                errs.append("'payload.source' is missing or blank")
            if p.get("severity") not in ("critical", "error", "warning", "info"):
                errs.append("'payload.severity' is invalid (must be one of the following: "
                            "'critical', 'warning', 'error' or 'info')")
            for k in ("timestamp", "component", "group", "class"):
                if k in p and not isinstance(p[k], str):
                    errs.append("'payload.%s' must be a string" % k)
            if "custom_details" in p and not isinstance(p["custom_details"], (dict, str)):
                errs.append("'payload.custom_details' must be an object")
    return errs


def validate(path, headers, raw):
    if path != "/v2/enqueue":
        return 404, "application/json", b'{"status":"not found"}', {}
    if not (headers.get("Content-Type") or "").startswith("application/json"):
        return 400, "application/json", json.dumps(
            {"status": "invalid event", "message": "Event object is invalid",
             "errors": ["Content-Type must be application/json"]}).encode(), {}
    errs = errors_for(raw)
    if errs:
        return 400, "application/json", json.dumps(
            {"status": "invalid event", "message": "Event object is invalid",
             "errors": errs}).encode(), {}
    ev = json.loads(raw)
    key = ev.get("dedup_key") or uuid.uuid4().hex
    return 202, "application/json", json.dumps(
        {"status": "success", "message": "Event processed", "dedup_key": key}).encode(), {}


if __name__ == "__main__":
    serve(validate, ["/v2/"])
