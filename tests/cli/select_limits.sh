#!/usr/bin/env bash
# `ruimte select` limits and control (issues 25 and 27), on an instance generated here: 10,000
# squares on a grid (every ninth one larger, overlapping its neighbours), with homes, costs,
# affordable homes and 300 groups drawn by awk from a fixed seed.
# 1. --time-limit 15 is honoured within 10 % end to end (when the run hits the limit).
# 2. Ctrl-C (SIGINT) ends the run with exit 130 within a second, with nothing on stdout and
#    no output or temporary file, in every phase: while reading, finding overlaps, building
#    the model (CBC's matrix), during CBC's search, and while writing. The program is stopped
#    in each phase with gdb (a breakpoint on a function of that phase) and the signal is
#    delivered there (the time is from the signal to the end, less the time gdb takes to start
#    a shell, measured just before); the search is also interrupted by a plain kill after a
#    delay.
# 3. Numbers beyond the solver's limit (1e15; CBC aborted on --target woningen=1e308) are
#    refused: exit 2 for options, exit 4 for a group limits file or a field value.
set -uo pipefail
ruimte=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

awk -v n=10000 'BEGIN {
  srand(20261207); print "WKT,candidate_id,score,excluded,woningen,kosten_meu,betaalbaar,gemeente"
  for (i = 1; i <= n; i++) {
    x = (i % 100) * 100; y = int(i / 100) * 100; s = (i % 9 == 0) ? 150 : 80; w = int(20 + rand() * 1980)
    printf "\"POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))\",%d,%.3f,%d,%d,%.3f,%d,G%03d\n", x, y, x + s, y, x + s, y + s, x, y + s, x, y,
      i, rand() * 100, (i % 50 == 0), w, w * (0.08 + rand() * 0.1), int(w * (0.1 + rand() * 0.8)), int(rand() * 300)
  }
}' > "$tmp/c.csv"
ogr2ogr -f GPKG "$tmp/c.gpkg" "$tmp/c.csv" -oo AUTODETECT_TYPE=YES -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO \
  -a_srs EPSG:28992 -nln candidates_scored -nlt MULTIPOLYGON || { echo "FAIL: cannot make the instance"; exit 1; }
rules=(--target woningen=1000000 --budget 'kosten_meu<=120000' --share 'betaalbaar/woningen>=0.6' --group gemeente --max-per-group 3)

# 1. The time limit, end to end.
t0=$(now)
"$ruimte" select --scored "$tmp/c.gpkg" "${rules[@]}" --time-limit 15 --timings -q -o "$tmp/limit.gpkg" > "$tmp/limit.txt" 2> "$tmp/limit.err"
rc=$?
took=$(seconds "$t0" "$(now)")
if [ $rc -ne 0 ]; then
  echo "FAIL: select with --time-limit 15 gave exit $rc"; cat "$tmp/limit.err"; fail=1
elif ! awk -v t="$took" 'BEGIN { exit !(t <= 16.5) }'; then
  echo "FAIL: --time-limit 15 took $took s end to end (more than 16.5 s)"; grep -v '^  overlap:' "$tmp/limit.txt"; fail=1
elif grep -q '^Status: optimal' "$tmp/limit.txt"; then
  echo "skip: the instance was solved to optimality in $took s, before the limit of 15 s (a faster machine): limit not reached"
else
  echo "ok: --time-limit 15 hit ($(grep '^Status' "$tmp/limit.txt")), the run took $took s (at most 16.5 s allowed)"
fi

# 2. Ctrl-C. A run whose stdout, exit code and time from the signal to the end are checked.
check_interrupted() {  # $1: phase, $2: exit code, $3: seconds from the signal to the end, $4: stdout file, $5: output folder
  if [ "$2" != 130 ]; then echo "FAIL: SIGINT while $1 gave exit $2, not 130"; fail=1; return; fi
  if [ -s "$4" ]; then echo "FAIL: SIGINT while $1: stdout not empty:"; head -3 "$4"; fail=1; return; fi
  if [ -n "$(ls -A "$5")" ]; then echo "FAIL: SIGINT while $1 left files: $(ls -A "$5")"; fail=1; return; fi
  if ! awk -v t="$3" 'BEGIN { exit !(t <= 1.0) }'; then echo "FAIL: SIGINT while $1: the run ended $3 s after the signal (more than 1 s)"; fail=1; return; fi
  echo "ok: SIGINT while $1: exit 130 after $3 s, no output"
}
if command -v gdb > /dev/null; then
  for phase in "reading=ruimte::read_polygon_layer" "finding overlaps=ruimte::area::intersection_area" \
    "building the model=OsiClpSolverInterface::loadProblem" "searching (CBC)=CbcModel::branchAndBound" \
    "writing=ruimte::create_gpkg"; do
    name=${phase%%=*} fn=${phase#*=}
    d="$tmp/gdb-${fn//:/_}"; mkdir -p "$d/out"
    args=(select --scored "$tmp/c.gpkg" "${rules[@]}" --time-limit 60 -q -o "$d/out/sel.gpkg")
    SHELL=/bin/bash gdb -q -batch -ex 'set breakpoint pending on' -ex "break $fn" \
      -ex "run $(printf '%q ' "${args[@]}") > $d/stdout 2> $d/stderr" \
      -ex delete -ex "shell date +%s.%N > $d/s0" -ex "shell date +%s.%N > $d/s1" \
      -ex "shell date +%s.%N > $d/t0" -ex 'signal SIGINT' -ex "shell date +%s.%N > $d/t1" "$ruimte" > "$d/gdb.txt" 2>&1
    code=$(sed -n 's/.*exited with code \([0-7]*\)\]$/\1/p' "$d/gdb.txt")
    if grep -q "exited normally" "$d/gdb.txt"; then code=0; elif [ -n "$code" ]; then code=$((8#$code)); else code="(none: $(grep -m1 -E 'Breakpoint [0-9]+,|signal' "$d/gdb.txt" | tail -n 1))"; fi
    if ! grep -q -E "(^|hit )Breakpoint 1(\.[0-9]+)?, " "$d/gdb.txt"; then echo "FAIL: the run never reached $fn"; sed -n 1,20p "$d/gdb.txt"; fail=1; continue; fi
    # From the signal to the end, less what gdb takes to start a shell (s0 to s1: the same
    # steps, without the program), which on a busy machine is a good part of a second.
    overhead=$(seconds "$(cat "$d/s0")" "$(cat "$d/s1")")
    took=$(awk -v a="$(cat "$d/t0")" -v b="$(cat "$d/t1")" -v o="$overhead" 'BEGIN { t = b - a - o; printf "%.2f", t < 0 ? 0 : t }')
    check_interrupted "$name" "$code" "$took" "$d/stdout" "$d/out"
    echo "  (signal to end $(seconds "$(cat "$d/t0")" "$(cat "$d/t1")") s, of which gdb starting a shell $overhead s)"
  done
else
  echo "skip: gdb is not installed: SIGINT in each phase not tested (only the delayed signal below)"
fi
# The search, interrupted from outside after 5 s (reading, overlaps and the model take about 1 s).
mkdir -p "$tmp/kill"
"$ruimte" select --scored "$tmp/c.gpkg" "${rules[@]}" --time-limit 60 -q -o "$tmp/kill/sel.gpkg" > "$tmp/kill.txt" 2> "$tmp/kill.err" &
pid=$!
sleep 5
kill -INT "$pid"; t0=$(now)
wait "$pid"; code=$?
t1=$(now)
check_interrupted "solving (signal after 5 s)" "$code" "$(seconds "$t0" "$t1")" "$tmp/kill.txt" "$tmp/kill"
grep -q "interrupted; no output was written" "$tmp/kill.err" || { echo "FAIL: no 'interrupted' message:"; cat "$tmp/kill.err"; fail=1; }

# 3. Numbers the solver cannot take: refused with the limit named, never an abort in CBC.
printf 'group,min,max\nG001,1e308,\n' > "$tmp/limits.csv"
ogr2ogr -f GPKG "$tmp/huge.gpkg" "$tmp/c.gpkg" -sql "SELECT geom, candidate_id, score, excluded, woningen, kosten_meu, betaalbaar, gemeente, woningen * 1e300 AS veel FROM candidates_scored WHERE candidate_id <= 300" -nln candidates_scored
while IFS='|' read -r want args; do
  eval "argv=($args)"
  "$ruimte" select --scored "$tmp/c.gpkg" "${argv[@]}" -q -o "$tmp/big.gpkg" > /dev/null 2> "$tmp/big.err"
  got=$?
  if [ "$got" != "$want" ] || ! grep -q "1e+15" "$tmp/big.err" || [ -e "$tmp/big.gpkg" ]; then
    echo "FAIL: select $args: exit $got (want $want), or no limit named, or an output:"; cat "$tmp/big.err"; fail=1
  else
    echo "ok: select $args: exit $got: $(head -c 160 "$tmp/big.err")"
  fi
done <<'EOF'
2|--target woningen=1e308
2|--target woningen=2e15
2|--budget 'kosten_meu<=1e308'
2|--target woningen=1000 --budget 'kosten_meu<=-1e308'
2|--target woningen=1000 --group gemeente --min-per-group 1e308
2|--target woningen=1000 --group gemeente --max-per-group 1e300
2|--target woningen=1000 --share 'betaalbaar/woningen>=1e308'
4|--target woningen=1000 --group gemeente --group-limits $tmp/limits.csv
EOF
"$ruimte" select --scored "$tmp/huge.gpkg" --target veel=1000 -q -o "$tmp/big.gpkg" > /dev/null 2> "$tmp/big.err"
got=$?
if [ "$got" != 4 ] || ! grep -q "1e+15" "$tmp/big.err"; then
  echo "FAIL: a field of 1e300 values: exit $got (want 4):"; cat "$tmp/big.err"; fail=1
else
  echo "ok: a field of 1e300 values: exit 4: $(head -c 160 "$tmp/big.err")"
fi
# At the limit itself: solved (infeasible, diagnosed), no abort.
"$ruimte" select --scored "$tmp/c.gpkg" --target woningen=1e15 -q -o "$tmp/edge.gpkg" > "$tmp/edge.txt" 2> "$tmp/edge.err"
got=$?
if [ "$got" != 0 ] || ! grep -q '^Status: infeasible' "$tmp/edge.txt"; then
  echo "FAIL: --target woningen=1e15 (at the limit): exit $got"; cat "$tmp/edge.err" "$tmp/edge.txt"; fail=1
else
  echo "ok: --target woningen=1e15: infeasible, explained"
fi
exit $fail
