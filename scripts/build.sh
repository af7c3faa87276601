#!/usr/bin/env bash
# Installs the Debian packages (scripts/setup.sh), configures and builds ruimte in build/.
# Usage: scripts/build.sh [extra cmake arguments]
#   RUIMTE_SETUP=--run  install only what building and running needs (no tests)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$top/scripts/setup.sh" ${RUIMTE_SETUP:+"$RUIMTE_SETUP"}
build="${RUIMTE_BUILD_DIR:-$top/build}"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > "$build.cmake.log" 2>&1 || {
  cat "$build.cmake.log" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)"
