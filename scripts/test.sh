#!/usr/bin/env bash
# Set up, build, and run every test (Catch2 unit tests and CLI tests under ctest).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$top/scripts/build.sh"
cd "${RUIMTE_BUILD_DIR:-$top/build}"
ctest --output-on-failure -j "$(nproc)"
bash "$top/scripts/test-sanitize.sh"  # the same suite under ASan + UBSan (build-asan/)
