#!/usr/bin/env bash
# The README's set-up commands hold on a fresh clone that has no ../shared beside it:
#   - README "Set up" names exactly scripts/run.sh and scripts/test.sh, and .ci/run runs the latter;
#   - scripts/install-deps.sh (both forms) is idempotent: with everything installed it exits 0
#     without touching apt;
#   - the clone configures with the dev preset (every file CMake names is tracked) and passes the
#     layering check;
#   - no tracked file but the PromQL suite test reaches for ../shared, and that test skips with a
#     reason (rather than failing) when the suite is absent, as on a bare clone.
# Building the clone in full is what CI's own run of scripts/test.sh on a clean clone does; this
# test keeps to the parts that run in seconds.
# Usage: fresh_clone_test.sh SOURCE_DIR PROMQL_TEST_BINARY
set -u
src=${1:?usage: fresh_clone_test.sh SOURCE_DIR PROMQL_TEST_BINARY}
promql_test=${2:?}
fail=0
check() { if "$@"; then echo "ok: $desc"; else echo "FAILED: $desc"; fail=1; fi; }

if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  echo "not a git checkout: $src" >&2
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
clone="$tmp/clone"
git clone --quiet --no-hardlinks "$src" "$clone" || { echo "clone failed"; exit 1; }
[ ! -e "$tmp/shared" ] || { echo "unexpected $tmp/shared"; exit 1; }

# README's two set-up commands, in the order the README gives them.
setup=$(awk '/^## Set up/{on=1; next} /^## /{on=0} on && /^```sh/{code=1; next} on && /^```/{code=0; next} on && code' "$clone/README.md")
desc="README set-up commands are scripts/run.sh then scripts/test.sh (got: $(echo $setup))"
check test "$setup" = $'scripts/run.sh\nscripts/test.sh'
desc=".ci/run execs scripts/test.sh and nothing else"
check test "$(grep -v '^#\|^set \|^cd \|^$' "$clone/.ci/run")" = "exec scripts/test.sh"
for f in scripts/run.sh scripts/test.sh scripts/install-deps.sh .ci/run; do
  desc="$f is executable in the clone"
  check test -x "$clone/$f"
done

# An apt-get that fails loudly: install-deps.sh must not reach it when nothing is missing.
mkdir -p "$tmp/noapt"
printf '#!/bin/sh\necho "apt-get called: $*" >&2\nexit 1\n' >"$tmp/noapt/apt-get"
chmod +x "$tmp/noapt/apt-get"
for args in "" "--test"; do
  desc="install-deps.sh $args is a no-op when everything is installed"
  out=$(cd "$clone" && PATH="$tmp/noapt:$PATH" scripts/install-deps.sh $args 2>&1); rc=$?
  check test "$rc" = 0 -a -z "$out"
done

desc="the clone configures with the dev preset"
check bash -c "cd '$clone' && cmake --preset dev >'$tmp/configure.log' 2>&1 || { tail -20 '$tmp/configure.log'; false; }"
desc="the layering check passes on the clone"
check python3 "$clone/scripts/check_layering.py" "$clone"

desc="only the PromQL suite test refers to ../shared"
refs=$(cd "$clone" && git grep -l -e '\.\./shared' -- ':!tests/integration/fresh_clone_test.sh' ':!README.md' ':!docs' || true)
check test "$refs" = "tests/promql/promqltest_suite_test.cc"

desc="the PromQL suite test skips, with its reason, when the suite is absent"
out=$(TOCSIN_PROMQLTEST_DIR="$tmp/shared/promqltest" "$promql_test" \
      --gtest_filter=PromqlTestSuiteTest.PrometheusSuitePasses 2>&1); rc=$?
check test "$rc" = 0
check grep -qF "Prometheus's PromQL test suite is not at \"$tmp/shared/promqltest\"" <<<"$out"
check grep -q "\[  SKIPPED \] 1 test" <<<"$out"
exit $fail
