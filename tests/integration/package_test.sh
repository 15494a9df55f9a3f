#!/usr/bin/env bash
# integration.package: the Debian package, installed into a scratch root.
#
#   tests/integration/package_test.sh SOURCE_DIR
#
# Takes $TOCSIN_DEB, else SOURCE_DIR/build/package/tocsin_<version>_<arch>.deb when it is newer
# than every tracked source file, else builds it with scripts/package.sh (a release build of
# the daemon: minutes on a cold ccache). Then checks the package's metadata (Depends from
# dpkg-shlibdeps, conffiles), unpacks it with dpkg -x, runs the installed binary's
# `check config` and `check rules` on the installed files, verifies the installed units, and runs
# the maintainer scripts with dpkg --root (chrootless, DPKG_ROOT-aware snippets) to see that
# installation creates the tocsin user and state directory and enables, but does not start,
# tocsin.service. Exit 77 (skipped) when dpkg-buildpackage is not installed and no .deb exists.
set -euo pipefail
src=$(cd "${1:?usage: package_test.sh SOURCE_DIR}" && pwd)
cd "$src"
fail() { echo "FAIL: $*" >&2; exit 1; }

version=$(sed -n 's/^project(tocsin VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
deb=${TOCSIN_DEB:-$src/build/package/tocsin_${version}_${arch}.deb}
if [[ -z "${TOCSIN_DEB:-}" ]]; then
  stale=""
  if [[ -f "$deb" ]]; then
    # `|| true`: head closing the pipe early makes xargs exit 125 (pipefail).
    stale=$(git ls-files -z | xargs -0 -I{} find {} -maxdepth 0 -newer "$deb" 2>/dev/null |
      head -1 || true)
  fi
  if [[ ! -f "$deb" || -n "$stale" ]]; then
    command -v dpkg-buildpackage >/dev/null || { echo "dpkg-dev not installed" >&2; exit 77; }
    echo "building $deb (${stale:+$stale changed since the last build})"
    TOCSIN_PACKAGE_NO_LINT=1 scripts/package.sh >/dev/null
  else
    echo "using $deb (newer than the sources)"
  fi
fi
[[ -f "$deb" ]] || fail "no package at $deb"

# --- metadata
field() { dpkg-deb -f "$deb" "$1"; }
[[ "$(field Package)" == tocsin && "$(field Version)" == "$version" ]] || fail "name/version"
depends=$(field Depends)
for lib in libcurl4 libpq5 libhiredis0.14 libsystemd0 libcivetweb1; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps): $depends"
done
ctrl=$(mktemp -d); root=$(mktemp -d)
trap 'rm -rf "$ctrl" "$root"' EXIT
dpkg-deb -e "$deb" "$ctrl"
for f in /etc/tocsin/tocsin.yml /etc/tocsin/rules/node.yml; do
  grep -qx "$f" "$ctrl/conffiles" || fail "$f is not a conffile"
done
grep -q 'deb-systemd-helper' "$ctrl/postinst" || fail "postinst does not enable the unit"
if grep -Eq 'deb-systemd-invoke (\$_dh_action|start)|_dh_action=(start|restart)' "$ctrl/postinst"; then
  fail "postinst starts the service on installation"
fi

# --- the files, unpacked
dpkg -x "$deb" "$root"
for f in usr/bin/tocsin lib/systemd/system/tocsin.service lib/systemd/system/tocsin.socket \
         usr/lib/sysusers.d/tocsin.conf usr/lib/tmpfiles.d/tocsin.conf etc/tocsin/tocsin.yml \
         usr/share/man/man1/tocsin.1.gz usr/share/doc/tocsin/copyright \
         usr/share/doc/tocsin/operations.md usr/share/tocsin/dashboards/node.json; do
  [[ -e "$root/$f" ]] || fail "missing /$f"
done
cmp -s systemd/tocsin.yml "$root/etc/tocsin/tocsin.yml" || fail "/etc/tocsin/tocsin.yml differs"
for p in rules/packs/*.yml; do
  [[ -f "$root/etc/tocsin/rules/$(basename "$p")" ]] || fail "pack $(basename "$p") missing"
done
"$root/usr/bin/tocsin" version | grep -q "$version" || fail "tocsin version"
"$root/usr/bin/tocsin" check config "$root/etc/tocsin/tocsin.yml"
"$root/usr/bin/tocsin" check rules "$root"/etc/tocsin/rules/*.yml
if command -v systemd-analyze >/dev/null; then
  unitdir=$(mktemp -d)
  sed "s|/usr/bin/tocsin|$root/usr/bin/tocsin|" "$root/lib/systemd/system/tocsin.service" \
    >"$unitdir/tocsin.service"
  cp "$root/lib/systemd/system/tocsin.socket" "$unitdir/"
  MANPATH="$root/usr/share/man" systemd-analyze verify "$unitdir/tocsin.service" \
    "$unitdir/tocsin.socket" || fail "systemd-analyze verify on the installed units"
  rm -rf "$unitdir"
fi

# --- the maintainer scripts, run by dpkg into an empty root (no chroot: the snippets honour
# DPKG_ROOT). Dependencies are not in that root, hence --force-depends.
inst=$(mktemp -d)
trap 'rm -rf "$ctrl" "$root" "$inst"' EXIT
mkdir -p "$inst/var/lib/dpkg/info" "$inst/var/lib/dpkg/updates" "$inst/etc"
touch "$inst/var/lib/dpkg/status" "$inst/var/lib/dpkg/available"
dpkg --root="$inst" --force-script-chrootless --force-depends --force-not-root \
  --log=/dev/null -i "$deb" >"$inst.log" 2>&1 || { cat "$inst.log" >&2; fail "dpkg --root -i"; }
grep -q '^tocsin:' "$inst/etc/passwd" || { cat "$inst.log" >&2; fail "postinst: no tocsin user"; }
[[ -L "$inst/etc/systemd/system/multi-user.target.wants/tocsin.service" ]] ||
  fail "postinst did not enable tocsin.service"
[[ ! -e "$inst/etc/systemd/system/sockets.target.wants/tocsin.socket" ]] ||
  fail "tocsin.socket must stay opt-in"
[[ -d "$inst/var/lib/tocsin" ]] || fail "tmpfiles: no /var/lib/tocsin"
dpkg --root="$inst" --force-script-chrootless --force-not-root --log=/dev/null -r tocsin \
  >"$inst.log" 2>&1 || { cat "$inst.log" >&2; fail "dpkg --root -r"; }
rm -f "$inst.log"
echo "ok: $deb"
