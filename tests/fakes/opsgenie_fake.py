#!/usr/bin/env python3
"""Local Opsgenie Alert API v2 for tocsin's tests (what Alertmanager's opsgenie_configs call).

Validates like the real API (docs.opsgenie.com "Alert API"): `Authorization: GenieKey <key>`
(else 401 "Could not authenticate"); JSON bodies; create `POST /v2/alerts` with a message of 1..130
characters, alias <= 512, description <= 15000, responders of type team|user|escalation|schedule
each with id, name or username, tags (<= 20, each <= 50), details (string values), entity <= 512,
source <= 100, priority P1..P5, note <= 25000, actions (<= 10, each <= 50); close
`POST /v2/alerts/{id}/close`, `PUT /v2/alerts/{id}/message` and `PUT /v2/alerts/{id}/description`
with identifierType id|alias|tiny. Answers 202 {"result": "Request will be processed", ...} or
422 {"message": "Request body is not processable...", "errors": {...}}. Faults via the control
endpoints of http_fake_base.py.
"""

import json
import os
import re
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_fake_base import serve  # noqa: E402

CREATE_FIELDS = {"message", "alias", "description", "responders", "visibleTo", "actions", "tags",
                 "details", "entity", "source", "priority", "user", "note"}
ACTION = re.compile(r"^/v2/alerts/([^/]+)/(close|message|description)$")


def answer(status, payload):
    payload = dict(payload, took=0.01, requestId=str(uuid.uuid4()))
    return status, "application/json", json.dumps(payload).encode(), {}


def create_errors(m):
    errs = {}
    for k in m:
        if k not in CREATE_FIELDS:
            errs[k] = "Unrecognized field"
    msg = m.get("message")
    if not isinstance(msg, str) or not msg.strip():
        errs["message"] = "Message can not be empty."
    elif len(msg) > 130:
        errs["message"] = "Message can not be longer than 130 characters."
    for k, limit in (("alias", 512), ("description", 15000), ("entity", 512), ("source", 100),
                     ("note", 25000)):
        if k in m and (not isinstance(m[k], str) or len(m[k]) > limit):
            errs[k] = "must be a string of at most %d characters" % limit
    if "priority" in m and m["priority"] not in ("P1", "P2", "P3", "P4", "P5"):
        errs["priority"] = "Priority should be one of [P1, P2, P3, P4, P5]"
    for r in m.get("responders") or []:
        if not isinstance(r, dict) or r.get("type") not in ("team", "user", "escalation",
                                                             "schedule"):
            errs["responders"] = "Responder type should be one of [team, user, escalation, schedule]"
        elif not (r.get("id") or r.get("name") or r.get("username")):
            errs["responders"] = "Responder should have id, name or username"
    for k, n, each in (("tags", 20, 50), ("actions", 10, 50)):
        v = m.get(k)
        if v is not None and (not isinstance(v, list) or len(v) > n or
                              any(not isinstance(x, str) or len(x) > each for x in v)):
            errs[k] = "at most %d strings of at most %d characters" % (n, each)
    d = m.get("details")
    if d is not None and (not isinstance(d, dict) or
                          any(not isinstance(x, str) for x in d.values())):
        errs["details"] = "details must be a map of strings"
    return errs


def validate(path, headers, raw, method):
    auth = headers.get("Authorization") or ""
    if not auth.startswith("GenieKey ") or not auth[len("GenieKey "):].strip():
        return answer(401, {"message": "Could not authenticate"})
    if not (headers.get("Content-Type") or "").startswith("application/json"):
        return answer(415, {"message": "Content-Type must be application/json"})
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        return answer(400, {"message": "Could not parse the request body"})
    if not isinstance(body, dict):
        return answer(400, {"message": "Request body must be a JSON object"})
    url = urlsplit(path)
    id_type = parse_qs(url.query).get("identifierType", ["id"])[0]
    if url.path == "/v2/alerts":
        if method != "POST":
            return answer(405, {"message": "Method not allowed"})
        errs = create_errors(body)
    else:
        m = ACTION.match(url.path)
        if not m:
            return answer(404, {"message": "Not found"})
        if id_type not in ("id", "alias", "tiny"):
            return answer(422, {"message": "identifierType must be one of id, alias, tiny"})
        action = m.group(2)
        if (action == "close") != (method == "POST"):
            return answer(405, {"message": "Method not allowed"})
        errs = {}
        if action in ("message", "description"):
            v = body.get(action)
            if not isinstance(v, str) or (action == "message" and not v.strip()):
                errs[action] = "%s can not be empty." % action.capitalize()
    if errs:
        return answer(422, {"message": "Request body is not processable. Please check the errors.",
                            "errors": errs})
    return answer(202, {"result": "Request will be processed"})


if __name__ == "__main__":
    serve(validate, ["/v2/alerts"])
