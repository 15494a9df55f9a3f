#!/usr/bin/env python3
"""Fails when an #include crosses a seam between the pipeline's stages (design.md section 2).

Each stage (a folder) may include its own headers, the stages listed for it below, and a few
named leaf headers of other stages (config structs, status values, the collector interface).
agent/main.cc and the CLI (agent/*.cc directly under agent/) wire the stages together and may
include anything. A new cross-stage include fails the suite until the table below says why it
is allowed. Usage: check_layering.py [SOURCE_ROOT]
"""
import pathlib
import re
import sys

STAGES = [
    "agent/core", "agent/http_client", "agent/config", "agent/store", "agent/promql",
    "agent/runtime", "agent/http", "collectors", "rules", "notifiers",
]

# stage -> stages it may include, and single headers of other stages it may include.
ALLOWED = {
    "agent/core": ([], []),
    "agent/http_client": (["agent/core"], []),
    "agent/store": (["agent/core"], []),
    "agent/promql": (["agent/core", "agent/store"], []),
    # The loader fills each stage's leaf config structs; it includes no stage's code.
    # The loader checks notification templates (`templates:` files, templated fields) as
    # Alertmanager does at load, so a broken template fails the load, not the first page.
    "agent/config": (["agent/core"], ["notifiers/config.h",
                                      "notifiers/template/template_check.h"]),
    # The scheduler runs collectors through their interface; the daemon applies a Config.
    "agent/runtime": (["agent/core", "agent/store"],
                      ["collectors/collector.h", "agent/config/config.h"]),
    # The API and /metrics read the other stages through narrow status values only.
    "agent/http": (["agent/core", "agent/store", "agent/promql"],
                   ["agent/runtime/reload_status.h", "agent/runtime/scheduler.h",
                    "agent/config/web_security_config.h",
                    "rules/rules_snapshot.h", "notifiers/stats.h", "remote/stats.h"]),
    "collectors": (["agent/core", "agent/store", "agent/http_client"],
                   ["agent/config/app_collectors_config.h",
                    "agent/config/datastore_collectors_config.h",
                    "agent/config/system_collector_config.h"]),
    "rules": (["agent/core", "agent/store", "agent/promql"], ["agent/config/yaml.h"]),
    # Notification templates run on the Go template engine that alert templates use.
    "notifiers": (["agent/core", "agent/http_client"],
                  ["rules/template/ast.h", "rules/template/value.h", "rules/template/methods.h",
                   "rules/template/go_time.h", "rules/template/parser.h",
                   "rules/template/render.h"]),
    # remote_write reads committed samples through the store's SampleTap seam, sends with the
    # HTTP client, and reads its own leaf config struct.
    "remote": (["agent/core", "agent/store", "agent/http_client"],
               ["agent/config/remote_write_config.h"]),
}

# Files that assemble a stage from the whole configuration.
WHOLE_CONFIG_ALLOWED = {"collectors/registry.h", "collectors/registry.cc"}

# Leaf headers other stages may include: they must themselves include core only.
LEAVES = sorted({h for _, (_, headers) in ALLOWED.items() for h in headers} -
                {"agent/config/config.h", "agent/runtime/scheduler.h", "collectors/collector.h",
                 "rules/rules_snapshot.h"})

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# Each C library has one adapter folder (design.md: "every third-party library is used behind
# one adapter"): the system header's prefix -> the only folder that may include it.
ADAPTERS = {
    "systemd/": "agent/runtime/",
    "curl/": "agent/http_client/",
    "libpq-fe.h": "collectors/postgres/",
    "hiredis/": "collectors/redis/",
    "civetweb.h": "agent/http/",
    "yaml-cpp/": "agent/config/",
}
SYSTEM_INCLUDE = re.compile(r'^\s*#\s*include\s+<([^>]+)>', re.M)


def stage_of(path):
    for s in STAGES:
        if path.startswith(s + "/"):
            return s
    return None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = []
    for f in sorted(root.glob("**/*")):
        rel = f.relative_to(root).as_posix()
        if f.suffix not in (".h", ".cc") or rel.startswith(("build/", "tests/")):
            continue
        src = stage_of(rel)
        if src is None:
            continue  # agent/main.cc, agent/cli*.cc: the wiring
        stages, headers = ALLOWED[src]
        text = f.read_text(errors="replace")
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            dst = stage_of(inc)
            if dst is None or dst == src or dst in stages or inc in headers:
                continue
            if inc == "agent/config/config.h" and rel in WHOLE_CONFIG_ALLOWED:
                continue
            line = text.count("\n", 0, m.start()) + 1
            errors.append(f"{rel}:{line}: {src} may not include \"{inc}\" ({dst})")
        for m in SYSTEM_INCLUDE.finditer(text):
            for prefix, home in ADAPTERS.items():
                if m.group(1).startswith(prefix) and not rel.startswith(home):
                    line = text.count("\n", 0, m.start()) + 1
                    errors.append(f"{rel}:{line}: <{m.group(1)}> belongs to {home} only")
    for leaf in LEAVES:
        path = root / leaf
        if not path.exists():
            errors.append(f"{leaf}: listed as an allowed leaf header but missing")
            continue
        for m in INCLUDE.finditer(path.read_text()):
            if stage_of(m.group(1)) not in ("agent/core", stage_of(leaf)):
                errors.append(f"{leaf}: a leaf header may include only core, not \"{m.group(1)}\"")
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} include(s) cross a seam; see the table in {__file__}")
        return 1
    print("layering: every cross-stage include is allowed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
