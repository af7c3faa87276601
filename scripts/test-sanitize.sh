#!/usr/bin/env bash
# The test suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (-DRUIMTE_SANITIZE=ON) in its own build folder; called by scripts/test.sh after the normal
# run. Any sanitizer report fails the test that triggered it (halt_on_error, no recovery).
#
# Usage: scripts/test-sanitize.sh
#   RUIMTE_ASAN_BUILD_DIR  build folder (default build-asan)
#   RUIMTE_SANITIZE_TESTS  ctest -R regex of the tests to run (default: all)
#   RUIMTE_SANITIZE_SKIP   ctest -E regex of tests to leave out (default: the tests of timing and of
#                          external renderers, below; "" runs them all)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${RUIMTE_ASAN_BUILD_DIR:-$top/build-asan}"
mkdir -p "$build"
start=$(date +%s)
# -O1 -g1: line tables are enough for the sanitizers' stack traces, and the build takes
# about half as long as -O2 -g (CI runs both builds on 2 cores).
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DRUIMTE_SANITIZE=ON -DRUIMTE_WERROR=ON > "$build.cmake.log" 2>&1 || {
  cat "$build.cmake.log" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)"
built=$(date +%s)
# Leak checking is off: GDAL, PROJ and GEOS keep process-lifetime caches that LeakSanitizer
# reports at exit. Everything else (use-after-free, overflows, UB) stops the test.
# verify_asan_link_order=0: cli.outputs_integrity preloads an fsync shim (LD_PRELOAD), which
# then comes before ASan's runtime. RUIMTE_SANITIZED tells tests/cli/limits.sh not to cap the
# address space (ASan's shadow memory needs terabytes of it).
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:verify_asan_link_order=0"
export RUIMTE_SANITIZED=1
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
filter=()
[ -n "${RUIMTE_SANITIZE_TESTS:-}" ] && filter+=(-R "$RUIMTE_SANITIZE_TESTS")
# Left out by default (CI time: the whole CI run must stay well under 30 minutes on 2 cores),
# each run in the normal build before this: cli.select_limits (whether CBC keeps a 15 s time
# limit within 10 %; CBC is not instrumented and the time is CBC's), the QGIS tests (QGIS
# opening, drawing and running what ruimte wrote; the writing itself runs here in the score,
# check, claims and select tests).
skip=${RUIMTE_SANITIZE_SKIP-'^cli\.(select_limits|qgis_.*)$'}
[ -n "$skip" ] && filter+=(-E "$skip")
log=$(mktemp); trap 'rm -f "$log"' EXIT
ctest --output-on-failure -j "$(nproc)" "${filter[@]}" 2>&1 | tee "$log"
if grep -q '(Skipped)' "$log"; then
  echo "test-sanitize.sh: FAIL: tests were skipped:" >&2; grep '(Skipped)' "$log" >&2; exit 1
fi
echo "sanitized build $((built - start)) s, tests $(($(date +%s) - built)) s"
