#!/usr/bin/env bash
# Installs dependencies, builds tocsin (release preset) and runs it on its built-in default
# config. Extra arguments go to `tocsin run` (e.g. --config /etc/tocsin/tocsin.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release -DTOCSIN_BUILD_TESTS=OFF -DTOCSIN_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset release --target tocsin
exec build/release/agent/tocsin run "$@"
