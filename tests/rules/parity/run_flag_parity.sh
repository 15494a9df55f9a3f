#!/bin/bash
# Flag parity: promtool's `check rules` / `test rules` flags give the same exit code, stdout and
# stderr in promtool (Debian's 2.42) and in the shipped tocsin binary. The "Unit Testing:  <file>"
# header of promtool 2.x is dropped before comparing (Prometheus 3 no longer prints it).
# promtool 2.42 lacks two newer features, so their oracle is promtool on an equivalent input:
#   test rules --run R (3.x):  promtool on a copy of the file holding only the groups R matches;
#   check rules on stdin (2.44+):  promtool on the file, "Checking <file>" read as standard input.
# Usage: run_flag_parity.sh TOCSIN_BINARY PARITY_DIR CHECK_TESTDATA_DIR
set -u
tocsin=${1:?usage: run_flag_parity.sh TOCSIN_BINARY PARITY_DIR CHECK_TESTDATA_DIR}
parity=${2:?}
check=${3:?}
promtool=${PROMTOOL:-/usr/bin/promtool}
[ -x "$promtool" ] || { echo "promtool not found at $promtool" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# verdict LABEL: compares the outputs left in $tmp/{p,t}.{out,err} and exit codes $prc/$trc.
verdict() {
  local label=$1
  if [ "$prc" != "$trc" ]; then
    echo "EXIT DIFFERS ($label): promtool $prc, tocsin $trc"; cat "$tmp/t.err"; fail=1; return
  fi
  if ! diff -u "$tmp/p.out" "$tmp/t.out"; then echo "STDOUT DIFFERS ($label)"; fail=1; return; fi
  if ! diff -u "$tmp/p.err" "$tmp/t.err"; then echo "STDERR DIFFERS ($label)"; fail=1; return; fi
  echo "agree (exit $prc): $label"
}

# compare ARGS...: both tools with the same ARGS.
compare() {
  "$promtool" "$@" </dev/null >"$tmp/p.raw" 2>"$tmp/p.err"; prc=$?
  grep -v '^Unit Testing:  ' "$tmp/p.raw" >"$tmp/p.out"
  "$tocsin" "$@" </dev/null >"$tmp/t.out" 2>"$tmp/t.err"; trc=$?
  verdict "$*"
}

# compare_stdin FILE: tocsin reads FILE on stdin, promtool reads it by name.
compare_stdin() {
  "$promtool" check rules "$1" >"$tmp/p.raw" 2>"$tmp/p.err"; prc=$?
  sed "s|^Checking $1\$|Checking standard input|" "$tmp/p.raw" >"$tmp/p.out"
  # Prometheus 3 on stdin: errors without the "<file>: " prefix, no blank line after them.
  sed -i "s|^$1: ||" "$tmp/p.err"
  if [ "$prc" = 1 ]; then sed -i '$ { /^$/d }' "$tmp/p.out"; fi
  "$tocsin" check rules <"$1" >"$tmp/t.out" 2>"$tmp/t.err"; trc=$?
  verdict "check rules < $1"
}

# compare_run TEST_FILE REGEX...: tocsin test rules --run REGEX... against promtool on a copy
# keeping only the test groups that one of the REGEXes matches (Go's unanchored search).
compare_run() {
  local file=$1; shift
  local args=()
  for r in "$@"; do args+=(--run "$r"); done
  python3 - "$file" "$tmp/filtered.yml" "$@" <<'PY' || { echo "cannot filter $file"; fail=1; return; }
import os, re, sys, yaml
src, dst, *regexes = sys.argv[1:]
doc = yaml.safe_load(open(src))
run = re.compile("|".join(regexes))
doc["tests"] = [t for t in doc["tests"] if run.search(t.get("name", ""))]
base = os.path.dirname(os.path.abspath(src))
doc["rule_files"] = [os.path.join(base, f) for f in doc.get("rule_files", [])]
yaml.safe_dump(doc, open(dst, "w"), sort_keys=False)
PY
  "$promtool" test rules "$tmp/filtered.yml" >"$tmp/p.raw" 2>"$tmp/p.err"; prc=$?
  grep -v '^Unit Testing:  ' "$tmp/p.raw" >"$tmp/p.out"
  "$tocsin" test rules "${args[@]}" "$file" >"$tmp/t.out" 2>"$tmp/t.err"; trc=$?
  verdict "test rules ${args[*]} $file"
}

cd "$parity" || exit 1
compare check rules --lint-fatal "$check/duplicates.lint.yml"
compare check rules --lint=none "$check/duplicates.lint.yml"
compare check rules --lint=duplicate-rules "$check/duplicates.lint.yml" "$check/empty.good.yml"
compare check rules --lint-fatal "$check/duplicates.lint.yml" "$check/types.bad.yml"
compare_stdin "$check/all_fields.good.yml"
compare_stdin "$check/types.bad.yml"
compare_run wrong_expectations.fail.test.yml '^wro'
compare_run wrong_expectations.fail.test.yml 'no such group'
compare_run wrong_expectations.fail.test.yml nothing '^wrong$'
compare_run alerts.test.yml '.*'
exit $fail
