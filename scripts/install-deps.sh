#!/usr/bin/env bash
# Installs what tocsin needs on Debian 12. Idempotent: does nothing when all packages are present.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --package  plus what scripts/package.sh needs (debhelper, lintian)
#   scripts/install-deps.sh --test   plus what the test suite starts (promtool, PostgreSQL, ...)
#                                    and the packaging tools (the package test builds the .deb)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libyaml-cpp-dev libspdlog-dev nlohmann-json3-dev prometheus-cpp-dev libcurl4-openssl-dev
  libcivetweb-dev libssl-dev libcrypt-dev libre2-dev zlib1g-dev libpq-dev libhiredis-dev
  libsystemd-dev libsnappy-dev libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
)
packaging=(debhelper dpkg-dev fakeroot lintian)
if [[ "${1:-}" == "--package" ]]; then
  packages+=("${packaging[@]}")
fi
if [[ "${1:-}" == "--test" ]]; then
  packages+=("${packaging[@]}")
  packages+=(
    prometheus prometheus-node-exporter prometheus-alertmanager prometheus-postgres-exporter
    postgresql redis-server ceph-prometheus-alerts
    systemd curl openssl python3 python3-prometheus-client python3-yaml clang libclang-rt-14-dev
    python3-protobuf python3-snappy
  )
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian's packages must not start their services (prometheus, node-exporter) on install.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
