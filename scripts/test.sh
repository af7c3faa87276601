#!/usr/bin/env bash
# Set up, build, and run every test (Catch2 unit tests and CLI tests under ctest), then the
# same suite under ASan + UBSan. This installs every dependency first (scripts/setup.sh), so
# a test that reports a skip (a missing PostgreSQL, QGIS, ...) fails the run: here a skip is
# a defect, not a pass. Run one label with e.g. `ctest --test-dir build -L unit`.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$top/scripts/setup.sh"
bash "$top/scripts/check-format.sh"  # formatting first: it takes a second
python3 "$top/scripts/function-lengths.py" --check  # no new function over 120 lines (docs/DEVELOPING.md)
# -g1 (line tables) instead of RelWithDebInfo's -g: the same -O2 code, stack traces with lines,
# and about a fifth less compile time on the CI's 2 cores.
bash "$top/scripts/build.sh" -DRUIMTE_WERROR=ON -DBUILD_TESTING=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cd "${RUIMTE_BUILD_DIR:-$top/build}"
log=$(mktemp); trap 'rm -f "$log"' EXIT
ctest --output-on-failure -j "$(nproc)" 2>&1 | tee "$log"
if grep -q '(Skipped)' "$log"; then
  echo "test.sh: FAIL: tests were skipped although scripts/setup.sh installed every dependency:" >&2
  grep '(Skipped)' "$log" >&2
  exit 1
fi
bash "$top/scripts/test-sanitize.sh"  # the same suite under ASan + UBSan (build-asan/)
