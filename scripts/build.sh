#!/usr/bin/env bash
# Installs the Debian packages (scripts/setup.sh), configures and builds ruimte in build/.
# Usage: scripts/build.sh [extra cmake arguments]
#   RUIMTE_SETUP=--run  install only what building and running needs (no tests)
#   RUIMTE_TARGETS="ruimte ruimte_cbc"  build only these targets (default: all)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$top/scripts/setup.sh" ${RUIMTE_SETUP:+"$RUIMTE_SETUP"}
build="${RUIMTE_BUILD_DIR:-$top/build}"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > "$build.cmake.log" 2>&1 || {
  cat "$build.cmake.log" >&2; exit 1; }
targets=()
for t in ${RUIMTE_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j "$(nproc)" "${targets[@]}"
