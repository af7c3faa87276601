#!/usr/bin/env bash
# Faults (issue 9): the output of `ruimte score` is atomic.
# 1. SIGKILL at 50 seeded random moments of a run over the samples: afterwards the output path
#    holds nothing (no previous output) or a complete output (ogrinfo opens it and finds all 200
#    candidates and the full overlay table, and its SHA-256 is the previous output's or a new
#    complete one's), never a partial file. Half the kills run with no previous output. The
#    temporary files killed runs leave are removed by the next run.
# 2. A full disk (ulimit -f): exit 5, a message naming the output, and no output or temp file.
# 3. Ctrl-C (SIGINT): exit 130, "interrupted", and no output or temp file.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
base=(score --candidates "$src/data-samples/kandidaten.shp" --profile "$src/data-samples/woningbouw.toml" -q)
args=("${base[@]}" --threads 2)
out="$tmp/o/score.gpkg"; mkdir -p "$tmp/o"

count() {  # count FILE TABLE: rows, or "unreadable"
    ogrinfo -ro -q "$1" -sql "SELECT COUNT(*) AS n FROM $2" 2>/dev/null | sed -n 's/.*n (Integer[0-9]*) = //p' | grep . || echo unreadable
}
complete() {  # complete FILE: all 200 candidates and the reference number of overlay rows
    [ "$(count "$1" candidates_scored)" = 200 ] && [ "$(count "$1" overlay_areas)" = "$overlay_rows" ]
}

# The reference: one complete run.
"$ruimte" "${args[@]}" -o "$tmp/ref.gpkg" > /dev/null || { echo "FAIL: the reference run failed"; exit 1; }
overlay_rows=$(count "$tmp/ref.gpkg" overlay_areas)
[ "$(count "$tmp/ref.gpkg" candidates_scored)" = 200 ] && [ "$overlay_rows" -gt 200 ] || {
    echo "FAIL: reference output incomplete ($overlay_rows overlay rows)"; exit 1; }
start=$(date +%s.%N); "$ruimte" "${args[@]}" -o "$tmp/timing.gpkg" > /dev/null; end=$(date +%s.%N)
run_ms=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%d", (b - a) * 1000 }')
echo "one run takes ${run_ms} ms; killing at random moments in 0..${run_ms} ms until 50 kills land during a run"

RANDOM=9  # seeded: the same kill moments on every run of the test
mid_run=0 after=0 none=0 i=0 leftovers=0
# Until 50 kills landed while ruimte ran (kills after it ended also check the output, but
# prove less); bounded, so a machine too loaded to tell fails instead of looping.
while [ "$mid_run" -lt 50 ] && [ "$i" -lt 200 ]; do
    i=$((i + 1))
    # Odd rounds: a previous complete output is there to be replaced; even rounds: none.
    if [ $((i % 2)) = 1 ]; then cp "$tmp/ref.gpkg" "$out"; else rm -f "$out"; fi
    before=$( [ -e "$out" ] && sha256sum < "$out" || echo none)
    delay_ms=$((RANDOM % (run_ms + 1)))
    "$ruimte" "${args[@]}" -o "$out" --overwrite > /dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v m="$delay_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null; code=$?
    [ "$code" = 137 ] && mid_run=$((mid_run + 1)) || after=$((after + 1))
    if [ ! -e "$out" ]; then
        none=$((none + 1))
        if [ "$before" != none ]; then echo "FAIL: kill $i at ${delay_ms} ms removed the previous output"; fail=1; fi
    else
        now=$(sha256sum < "$out")
        if [ "$now" != "$before" ] && ! complete "$out"; then
            echo "FAIL: kill $i at ${delay_ms} ms (exit $code) left a partial output: $(count "$out" candidates_scored) candidates"
            fail=1
        fi
    fi
    # What a killed run cannot clean up; the next run removes it (its process is gone).
    compgen -G "$tmp/o/.score.gpkg.tmp-*" > /dev/null && leftovers=$((leftovers + 1))
done
echo "$i kills: $mid_run during the run, $after after it ended; $none times no output at the path, $((i - none)) times a complete one"
if [ "$mid_run" -lt 50 ]; then echo "FAIL: only $mid_run of $i kills landed during the run"; fail=1; fi
if [ -e "$out" ] && ! complete "$out"; then echo "FAIL: final output incomplete"; fail=1; fi
# Besides what the kills left (how many depends on the machine's speed), one made-up leftover
# of a process that is gone and one of a process that runs (this shell): the next run removes
# the first and keeps the second.
sleep 0 & gone=$!; wait "$gone"
touch "$tmp/o/.score.gpkg.tmp-$gone" "$tmp/o/.score.gpkg.tmp-$gone-journal" "$tmp/o/.score.gpkg.tmp-$$"
"$ruimte" "${args[@]}" -o "$out" --overwrite > /dev/null 2>&1 || { echo "FAIL: the run after the kills failed"; fail=1; }
if [ -e "$tmp/o/.score.gpkg.tmp-$$" ] && ! compgen -G "$tmp/o/.score.gpkg.tmp-$gone*" > /dev/null &&
   [ "$(ls -A "$tmp/o" | grep -c '^\.score\.gpkg\.tmp-')" = 1 ]; then
    echo "ok: $leftovers killed runs left a temporary file, each removed by a later run; a gone process's removed, a live one's kept"
else
    echo "FAIL: temporary files after the next run: $(ls -A "$tmp/o")"; fail=1
fi
rm -f "$tmp/o/.score.gpkg.tmp-$$"

# Full disk: a file-size limit of 200 KiB (the output is larger).
mkdir -p "$tmp/full"
(ulimit -f 200; "$ruimte" "${args[@]}" -o "$tmp/full/score.gpkg" > /dev/null 2> "$tmp/full.err"); code=$?
if [ "$code" != 5 ]; then echo "FAIL: full disk exited $code, want 5"; cat "$tmp/full.err"; fail=1
elif ! grep -q "file '$tmp/full/score.gpkg'" "$tmp/full.err" || ! grep -q "Fix: " "$tmp/full.err"; then
    echo "FAIL: the full-disk message names no file or fix:"; cat "$tmp/full.err"; fail=1
elif [ -n "$(ls -A "$tmp/full")" ]; then echo "FAIL: full disk left files: $(ls -A "$tmp/full")"; fail=1
else echo "ok: full disk: exit 5, $(head -c 200 "$tmp/full.err")"; fi

# Ctrl-C: SIGINT early in the run (retried earlier when the run ends first).
got130=0
for delay in 0.30 0.20 0.10 0.05 0.02; do
    mkdir -p "$tmp/int"; rm -rf "$tmp/int/"* "$tmp/int/".[!.]*
    "$ruimte" "${base[@]}" --threads 1 -o "$tmp/int/score.gpkg" > /dev/null 2> "$tmp/int.err" &
    pid=$!
    # A background job of a non-interactive shell starts with SIGINT ignored until ruimte
    # installs its handler; on a loaded machine that can take longer than every delay here.
    # Wait until the handler is in place (SigCgt bit of SIGINT in /proc), then count the delay.
    for _ in $(seq 1000); do
        cgt=$(awk '/^SigCgt:/ {print $2}' "/proc/$pid/status" 2> /dev/null) || break
        [ -n "$cgt" ] && (( (16#$cgt >> 1) & 1 )) && break
        sleep 0.01
    done
    sleep "$delay"; kill -INT "$pid" 2> /dev/null; wait "$pid"; code=$?
    if [ "$code" = 0 ]; then continue; fi
    if [ "$code" != 130 ]; then echo "FAIL: SIGINT gave exit $code, want 130"; cat "$tmp/int.err"; fail=1; break; fi
    got130=1
    grep -q "interrupted" "$tmp/int.err" || { echo "FAIL: no 'interrupted' message"; cat "$tmp/int.err"; fail=1; }
    [ -z "$(ls -A "$tmp/int")" ] || { echo "FAIL: SIGINT left files: $(ls -A "$tmp/int")"; fail=1; }
    echo "ok: SIGINT after ${delay} s: exit 130, $(tr -d '\n' < "$tmp/int.err")"
    break
done
[ "$got130" = 1 ] || { echo "FAIL: every run ended before SIGINT arrived"; fail=1; }

[ "$fail" = 0 ] && echo "faults_atomic: no partial output after 50 kills, full disk and Ctrl-C"
exit $fail
