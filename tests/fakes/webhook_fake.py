#!/usr/bin/env python3
"""Local receiver of Alertmanager's webhook (`webhook_configs`, payload version 4) for tocsin's
tests: `POST /hook/<anything>` with Content-Type application/json.

Validates the payload as Alertmanager documents it (docs/configuration.md, `<webhook_config>`):
a JSON object with `version` "4", `groupKey`, `truncatedAlerts` (integer), `status`
firing|resolved, `receiver`, `groupLabels`/`commonLabels`/`commonAnnotations` (string maps),
`externalURL` and `alerts`: a non-empty list of objects with `status`, `labels`,
`annotations`, `startsAt`, `endsAt` (RFC 3339), `generatorURL`, `fingerprint` (16 hex digits).
A bad payload is 400 with the reason. Records and faults via http_fake_base.py (each record's
`t` is its arrival time, for the schedule comparison in am_timing_parity_test.cc).
"""

import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import serve  # noqa: E402

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")


def string_map(v):
    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())


def problem(msg):
    body = json.loads(msg)
    if not isinstance(body, dict):
        return "not an object"
    if body.get("version") != "4":
        return "version must be \"4\""
    for k in ("groupKey", "receiver", "externalURL"):
        if not isinstance(body.get(k), str):
            return k + " must be a string"
    if not isinstance(body.get("truncatedAlerts"), int):
        return "truncatedAlerts must be an integer"
    if body.get("status") not in ("firing", "resolved"):
        return "status must be firing or resolved"
    for k in ("groupLabels", "commonLabels", "commonAnnotations"):
        if not string_map(body.get(k)):
            return k + " must be a map of strings"
    alerts = body.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        return "alerts must be a non-empty list"
    for a in alerts:
        if not isinstance(a, dict) or a.get("status") not in ("firing", "resolved"):
            return "alert status must be firing or resolved"
        if not string_map(a.get("labels")) or not string_map(a.get("annotations")):
            return "alert labels and annotations must be maps of strings"
        for k in ("startsAt", "endsAt"):
            if not isinstance(a.get(k), str) or not RFC3339.match(a[k]):
                return "alert " + k + " must be RFC 3339"
        if not isinstance(a.get("generatorURL"), str):
            return "alert generatorURL must be a string"
        if not isinstance(a.get("fingerprint"), str) or not FINGERPRINT.match(a["fingerprint"]):
            return "alert fingerprint must be 16 hex digits"
    return None


def validate(path, headers, raw):
    if not path.startswith("/hook/"):
        return 404, "text/plain", b"not found", {}
    if "application/json" not in headers.get("Content-Type", ""):
        return 415, "text/plain", b"Content-Type must be application/json", {}
    try:
        why = problem(raw)
    except ValueError:
        why = "not JSON"
    if why:
        return 400, "text/plain", why.encode(), {}
    return 200, "text/plain", b"ok", {}


if __name__ == "__main__":
    serve(validate, ["/hook/"])
