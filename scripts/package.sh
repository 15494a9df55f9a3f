#!/usr/bin/env bash
# Builds the Debian package build/package/tocsin_<version>_<arch>.deb from this tree (tracked and
# untracked-but-not-ignored files, so uncommitted work is packaged too) with debian/:
# dpkg-buildpackage -b -us -uc on a staged copy under build/package/src, a CMake release build
# of the daemon (debhelper compat 13, Debian's hardening flags), Depends from dpkg-shlibdeps.
# Then runs lintian on the result (its findings are printed; errors fail the script).
#
#   scripts/package.sh            install build dependencies if missing, build, lint
#   TOCSIN_PACKAGE_NO_LINT=1 ...  skip lintian (the package test does not need it)
#
# Idempotent: a rebuild replaces the .deb; ccache, when installed, keeps rebuilds short.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh --package

version=$(sed -n 's/^project(tocsin VERSION \([0-9.]*\) .*/\1/p' CMakeLists.txt)
changelog_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [[ "$version" != "$changelog_version" ]]; then
  echo "package.sh: CMakeLists.txt says version $version, debian/changelog $changelog_version;" \
       "add a debian/changelog entry for $version" >&2
  exit 1
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)

out=build/package
src=$out/src/tocsin-$version
rm -rf "$out/src"
mkdir -p "$src"
# Stage only what git knows (not build/ or other local clutter), so the package is built
# from the same inputs on every machine.
git ls-files -z --cached --others --exclude-standard | grep -zv '^build/' |
  tar --null --no-recursion -T - -cf - | tar -xf - -C "$src"

extra=()
if command -v ccache >/dev/null; then
  # A stable staging path plus Debian's -ffile-prefix-map lets ccache reuse earlier objects.
  export CCACHE_BASEDIR="$root/$src" CCACHE_NOHASHDIR=1
  extra+=("TOCSIN_CMAKE_EXTRA=-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache")
fi
jobs=${TOCSIN_PACKAGE_JOBS:-2}
(cd "$src" && env "${extra[@]}" DEB_BUILD_OPTIONS="parallel=$jobs nocheck" \
   dpkg-buildpackage -b -us -uc --no-sign) >"$out/build.log" 2>&1 || {
  tail -50 "$out/build.log" >&2
  echo "package.sh: dpkg-buildpackage failed; full log in $out/build.log" >&2
  exit 1
}
deb="$out/tocsin_${version}_${arch}.deb"
# dpkg-buildpackage writes next to the source directory.
mv -f "$out/src/tocsin_${version}_${arch}.deb" "$deb"
mv -f "$out/src/tocsin-dbgsym_${version}_${arch}.deb" "$out/" 2>/dev/null || true
mv -f "$out/src/tocsin_${version}_${arch}.buildinfo" "$out/src/tocsin_${version}_${arch}.changes" \
   "$out/" 2>/dev/null || true
rm -rf "$out/src"
echo "$deb"

if [[ -z "${TOCSIN_PACKAGE_NO_LINT:-}" ]]; then
  # --fail-on error: warnings are printed for the reader; debian/tocsin.lintian-overrides
  # lists the justified exceptions.
  lintian --fail-on error --info "$deb"
fi
