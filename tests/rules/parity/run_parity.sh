#!/bin/bash
# Parity harness: every promtool-format test file here runs through `promtool test rules`
# (Prometheus 2.42, Debian package `prometheus`) and `<tocsin> test rules`; they must agree.
# *.test.yml must pass in both; *.fail.test.yml must fail in both with identical stderr.
# tocsin prints Prometheus 3's output, which dropped 2.x's "Unit Testing:  <file>" header line
# (prometheus#14506), so that line is removed from promtool's stdout before comparing.
# Usage: run_parity.sh TOCSIN_BINARY [DIR]
set -u
tocsin=${1:?usage: run_parity.sh TOCSIN_BINARY [DIR]}
dir=${2:-$(dirname "$0")}
promtool=${PROMTOOL:-/usr/bin/promtool}
if [ ! -x "$promtool" ]; then
  echo "promtool not found at $promtool (install the Debian package prometheus)" >&2
  exit 1
fi
cd "$dir" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
count=0

# Prometheus loads a test's input series from a Go map, so the creation order of series, and
# with it which of two duplicates a "found duplicate series" error names first, varies from run
# to run of promtool itself. The pair is put in a fixed order on both sides before comparing.
normalize_duplicates() {
  python3 -c '
import re, sys
pair = re.compile(r"hand-side of the operation: \[(\{[^}]*\}), (\{[^}]*\})\]")
for line in sys.stdin:
    sys.stdout.write(pair.sub(lambda m: "hand-side of the operation: [%s, %s]" % tuple(sorted(m.groups())), line))
' <"$1" >"$1.norm" && mv "$1.norm" "$1"
}
for f in *.test.yml; do
  count=$((count + 1))
  "$promtool" test rules "$f" >"$tmp/p.raw" 2>"$tmp/p.err"; prc=$?
  grep -v '^Unit Testing:  ' "$tmp/p.raw" >"$tmp/p.out"
  "$tocsin" test rules "$f" >"$tmp/t.out" 2>"$tmp/t.err"; trc=$?
  case "$f" in
    *.fail.test.yml) want=1 ;;
    *) want=0 ;;
  esac
  if [ "$prc" != "$want" ] || [ "$trc" != "$want" ]; then
    echo "MISMATCH $f: promtool exit $prc, tocsin exit $trc, want $want"
    echo "--- promtool stderr"; cat "$tmp/p.err"
    echo "--- tocsin stderr"; cat "$tmp/t.err"
    fail=1
    continue
  fi
  if ! diff -u "$tmp/p.out" "$tmp/t.out" >"$tmp/d.out"; then
    echo "STDOUT DIFFERS $f"; cat "$tmp/d.out"; fail=1
  fi
  normalize_duplicates "$tmp/p.err"
  normalize_duplicates "$tmp/t.err"
  if ! diff -u "$tmp/p.err" "$tmp/t.err" >"$tmp/d.err"; then
    echo "STDERR DIFFERS $f"; cat "$tmp/d.err"; fail=1
  fi
  [ "$fail" = 0 ] && echo "agree: $f (exit $want)"
done
if [ "$count" = 0 ]; then
  echo "no test files in $dir" >&2
  exit 1
fi
exit $fail
