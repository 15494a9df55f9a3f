#!/usr/bin/env python3
"""Conventions of the shipped rule packs (rules/packs/*.yml), beyond what promtool checks:

- every alert has a `severity` label of `critical` or `warning`, and `summary`, `description`
  and `runbook_url` annotations;
- every runbook_url is BASE + '#' + anchor, and docs/operations.md has a heading with that anchor
  (GitHub's slug: lower case, punctuation dropped, spaces to '-');
- every alert has, in some rules/packs/tests/*.test.yml that loads its pack, an alert_rule_test
  where it fires (non-empty exp_alerts) and one where it stays quiet (empty exp_alerts); an
  always-firing alert (`expr: vector(1)`, the Watchdog) needs only the first.

Usage: packs_lint.py REPO_ROOT. Prints every finding; exit 1 if any.
"""
import glob
import os
import re
import sys

import yaml

BASE = "https://github.com/tocsin/tocsin/blob/main/docs/operations.md"


def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def main(root):
    packs_dir = os.path.join(root, "rules", "packs")
    findings = []
    anchors = set()
    ops = os.path.join(root, "docs", "operations.md")
    if os.path.exists(ops):
        with open(ops, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
                if m:
                    anchors.add(slug(m.group(1)))
    else:
        findings.append("docs/operations.md is missing")

    # Per pack file: alert names -> {"fires": bool, "quiet": bool}.
    coverage = {}
    for test in sorted(glob.glob(os.path.join(packs_dir, "tests", "*.test.yml"))):
        with open(test, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        loaded = {os.path.normpath(os.path.join(os.path.dirname(test), r))
                  for r in doc.get("rule_files") or []}
        for group in doc.get("tests") or []:
            for case in group.get("alert_rule_test") or []:
                name = case.get("alertname")
                kind = "fires" if case.get("exp_alerts") else "quiet"
                for pack in loaded:
                    coverage.setdefault(pack, {}).setdefault(name, set()).add(kind)

    for pack in sorted(glob.glob(os.path.join(packs_dir, "*.yml"))):
        rel = os.path.relpath(pack, root)
        with open(pack, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        tested = coverage.get(os.path.normpath(pack), {})
        for group in doc.get("groups") or []:
            for rule in group.get("rules") or []:
                name = rule.get("alert")
                if not name:
                    continue
                where = f"{rel}: group {group.get('name')!r}, alert {name}"
                labels = rule.get("labels") or {}
                ann = rule.get("annotations") or {}
                if labels.get("severity") not in ("critical", "warning"):
                    findings.append(f"{where}: severity must be critical or warning, "
                                    f"got {labels.get('severity')!r}")
                for key in ("summary", "description", "runbook_url"):
                    if not ann.get(key):
                        findings.append(f"{where}: annotation {key} missing")
                url = ann.get("runbook_url", "")
                if url:
                    if not url.startswith(BASE + "#"):
                        findings.append(f"{where}: runbook_url must start with {BASE}#")
                    elif url[len(BASE) + 1:] not in anchors:
                        findings.append(f"{where}: docs/operations.md has no heading with "
                                        f"anchor #{url[len(BASE) + 1:]}")
                kinds = tested.get(name, set())
                always = str(rule.get("expr", "")).strip() == "vector(1)"
                for kind, what in (("fires", "fires"), ("quiet", "stays quiet")):
                    if kind not in kinds and not (always and kind == "quiet"):
                        findings.append(f"{where}: no test case in rules/packs/tests where it "
                                        f"{what}")
    for line in findings:
        print(line)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
