#!/bin/bash
# The shipped rule packs: every rules/packs/*.yml must pass `promtool check rules` (Prometheus
# 2.42, Debian package `prometheus`) and `tocsin check rules`, and every
# rules/packs/tests/*.test.yml must pass `promtool test rules` and `tocsin test rules`. Then
# packs_lint.py checks the packs' conventions (severity, annotations, runbook anchors in
# docs/operations.md, a firing and a quiet test case for every alert).
# Files are globbed at run time, so packs added later are picked up without editing this.
# Usage: packs_test.sh TOCSIN_BINARY [REPO_ROOT]
set -u
tocsin=${1:?usage: packs_test.sh TOCSIN_BINARY [REPO_ROOT]}
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
promtool=${PROMTOOL:-/usr/bin/promtool}
if [ ! -x "$promtool" ]; then
  echo "promtool not found at $promtool (install the Debian package prometheus)" >&2
  exit 1
fi
tocsin=$(cd "$(dirname "$tocsin")" && pwd)/$(basename "$tocsin")
packs=$root/rules/packs
cd "$packs" || exit 1
shopt -s nullglob
rule_files=(*.yml)
test_files=(tests/*.test.yml)
if [ ${#rule_files[@]} = 0 ] || [ ${#test_files[@]} = 0 ]; then
  echo "no rule packs or no tests under $packs" >&2
  exit 1
fi
fail=0
run() {  # run LABEL COMMAND...: prints the output only when the command fails
  local out
  if out=$("${@:2}" 2>&1); then
    echo "ok: $1"
  else
    echo "FAILED: $1"
    echo "$out" | sed 's/^/    /'
    fail=1
  fi
}
for f in "${rule_files[@]}"; do
  run "promtool check rules $f" "$promtool" check rules "$f"
  run "tocsin check rules $f" "$tocsin" check rules "$f"
done
# promtool resolves a test file's rule_files against the test file's directory, as tocsin does.
for f in "${test_files[@]}"; do
  run "promtool test rules $f" "$promtool" test rules "$f"
  run "tocsin test rules $f" "$tocsin" test rules "$f"
done
run "packs_lint.py" python3 "$root/tests/rules/packs_lint.py" "$root"
exit $fail
