#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, -DRUIMTE_FUZZ=ON, clang++ with ASan and UBSan) in
# build-fuzz and runs each for a while, starting from the committed seed corpus.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   default 60 seconds; targets: profile classes geometry (all by default)
#   RUIMTE_FUZZ_KEEP_GOING=1: go on after a crash (libFuzzer -fork=1 -ignore_crashes=1), to
#   look past a known finding
# New inputs found go to build-fuzz/corpus/<target>/ (merge the interesting ones into
# tests/fuzz/corpus/<target>/ by hand); crashes to build-fuzz/crashes/<target>/. Commit a
# crash reproducer under tests/fuzz/crashes/<target>/ once fixed: tests/cli/fuzz_replay.sh
# replays it through the normal `ruimte` binary in ctest.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(profile classes geometry)
build="${RUIMTE_FUZZ_BUILD_DIR:-$top/build-fuzz}"
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DRUIMTE_FUZZ=ON -DBUILD_TESTING=OFF > "$build.cmake.log" 2>&1 || { cat "$build.cmake.log" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/crashes/$t"
  dict=(); [ -f "$top/tests/fuzz/$t.dict" ] && dict=(-dict="$top/tests/fuzz/$t.dict")
  [ "${RUIMTE_FUZZ_KEEP_GOING:-0}" = 1 ] && dict+=(-fork=1 -ignore_crashes=1)
  echo "== fuzz_$t for $seconds s"
  if ! "$build/tests/fuzz/fuzz_$t" "$build/corpus/$t" "$top/tests/fuzz/corpus/$t" "${dict[@]}" \
       -max_total_time="$seconds" -max_len=65536 -timeout=20 -rss_limit_mb=4096 \
       -artifact_prefix="$build/crashes/$t/" -print_final_stats=1 2> "$build/fuzz_$t.log"; then
    status=1
  fi
  grep -E "stat::number_of_executed_runs|stat::new_units_added|ERROR|SUMMARY" "$build/fuzz_$t.log" || true
  echo "crash files: $(ls "$build/crashes/$t" | wc -l)"
done
exit $status
