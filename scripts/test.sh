#!/usr/bin/env bash
# Installs dependencies, builds tocsin with tests (dev preset, warnings as errors) and runs the
# whole test suite. Exits non-zero when anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev
