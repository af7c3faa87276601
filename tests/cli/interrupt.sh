#!/usr/bin/env bash
# Ctrl-C within a second for every command that works on data (issue 25): score, claims, check,
# sensitivity, compare, explain, map (PDF, PNG, SVG) and web each run on a workload large enough to take
# seconds (scripts/bench/make_parcels.py, 20,000 parcels on layers of 1.3 million vertices). Each command
# runs once whole (its time measured), then is started again and sent SIGINT at 20 %, 50 % and
# 80 % of that time. Every interrupted run must exit 130 within RUIMTE_INTERRUPT_LIMIT seconds
# (default 1) of the signal, print nothing on stdout, and leave no output and no temporary file
# in its folder (a previous output, where one was in place, stays byte for byte). `select` has
# its own test of every phase (tests/cli/select_limits.sh).
set -uo pipefail
ruimte=$1 src=$(cd "$2" && pwd)
py=/usr/bin/python3
$py -c "import numpy, shapely" 2> /dev/null || { echo "interrupt: SKIPPED (/usr/bin/python3 without numpy or shapely)"; exit 77; }
command -v sqlite3 > /dev/null && command -v ogrinfo > /dev/null || { echo "interrupt: SKIPPED (no sqlite3 or ogrinfo)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
limit=${RUIMTE_INTERRUPT_LIMIT:-1}
fail=0
W="$tmp/w.gpkg"
$py "$src/scripts/bench/make_parcels.py" "$W" --parcels 20000 > "$tmp/make.log" 2>&1 || { echo "FAIL: make_parcels.py:"; cat "$tmp/make.log"; exit 1; }
profile="$src/scripts/bench/workload.toml"
layers=(--layer "wbs=$W:wbs" --layer "netcongestie=$W:capaciteitskaart" --layer "novex=$W:novex" --layer "nplv=$W:nplv")
now() { date +%s.%N; }

# measure NAME OUTDIR ARGS...: one whole run (exit 0 wanted); sets $took (seconds).
measure() {
  local name=$1 dir=$2; shift 2
  mkdir -p "$dir"
  local t0; t0=$(now)
  "$ruimte" "$@" > "$tmp/$name.full.out" 2> "$tmp/$name.full.err" || { echo "FAIL: $name: the whole run failed:"; tail -5 "$tmp/$name.full.err"; fail=1; took=0; return 1; }
  took=$(echo "$(now) - $t0" | bc -l)
  echo "$name: a whole run takes $(printf '%.2f' "$took") s"
}

# interrupt NAME OUTDIR FRACTION ARGS...: start, SIGINT at FRACTION of $took, check. A run that
# ended before the signal (the machine was faster than when measured: kill finds no process, or
# exit 0 within the limit) is tried again at 0.6 x the moment, up to 4 times.
interrupt() {
  local name=$1 dir=$2 frac=$3; shift 3
  local before; before=$(cd "$dir" && ls -A | sort | xargs -r sha256sum 2> /dev/null)
  local try code dt at=$frac
  for try in 1 2 3 4; do
    "$ruimte" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
    local pid=$!
    sleep "$(echo "$took * $at" | bc -l)"
    local t0; t0=$(now)
    local landed=1; kill -INT "$pid" 2> /dev/null || landed=0
    wait "$pid"; code=$?
    dt=$(echo "$(now) - $t0" | bc -l)
    if [ "$landed" = 1 ] && { [ "$code" != 0 ] || [ "$(echo "$dt > $limit" | bc -l)" = 1 ]; }; then break; fi
    echo "  ($name: the run ended before the signal at $(printf '%.2f' "$at") of the measured time; again earlier)"
    # put back what the finished run wrote, so the folder is as it was
    if [ "$dir" = "$tmp/$name.empty" ]; then rm -rf "${dir:?}"/* "$dir"/.[!.]* 2> /dev/null; fi
    if [ "$dir" = "$tmp/$name" ]; then rm -rf "$dir"; cp -a "$tmp/$name.whole" "$dir"; fi
    at=$(echo "$at * 0.6" | bc -l)
  done
  local after; after=$(cd "$dir" && ls -A | sort | xargs -r sha256sum 2> /dev/null)
  local why=""
  if [ "$code" != 130 ]; then why="exit $code, want 130"
  elif [ "$(echo "$dt > $limit" | bc -l)" = 1 ]; then why="exited $(printf '%.2f' "$dt") s after SIGINT (limit $limit s)"
  elif [ -s "$tmp/$name.out" ]; then why="printed on stdout: $(head -c 200 "$tmp/$name.out")"
  elif [ "$before" != "$after" ]; then why="the output folder changed: $(cd "$dir" && ls -A)"
  elif ! grep -q "interrupted; no output was written" "$tmp/$name.err"; then why="no 'interrupted' message: $(tail -2 "$tmp/$name.err")"
  fi
  if [ -n "$why" ]; then echo "FAIL: $name, SIGINT at $frac of the run: $why"; fail=1
  else echo "ok: $name, SIGINT at $(printf '%.2f' "$at") of the run: exit 130 after $(printf '%.2f' "$dt") s, no output"; fi
}

# Each command: a whole run first (also making the inputs of the next), then three interrupted
# runs into a folder of their own (empty, or holding the whole run's output with --overwrite).
run_all() {  # run_all NAME OUTFLAGS... -- ARGS...
  local name=$1; shift
  local outs=() args=()
  while [ "$1" != -- ]; do outs+=("$1"); shift; done; shift; args=("$@")
  measure "$name" "$tmp/$name" "${args[@]}" "${outs[@]//@/$tmp/$name}" || return
  cp -a "$tmp/$name" "$tmp/$name.whole"
  mkdir -p "$tmp/$name.empty"
  interrupt "$name" "$tmp/$name.empty" 0.2 "${args[@]}" "${outs[@]//@/$tmp/$name.empty}"
  # Under the sanitizers (RUIMTE_SANITIZED, scripts/test-sanitize.sh) 20 % and 80 % only: the
  # run is several times slower there and CI's time is short; the normal build does all three.
  [ -z "${RUIMTE_SANITIZED:-}" ] && interrupt "$name" "$tmp/$name.empty" 0.5 "${args[@]}" "${outs[@]//@/$tmp/$name.empty}"
  local again=(); [ "${#outs[@]}" -gt 0 ] && again=(--overwrite)
  interrupt "$name" "$tmp/$name" 0.8 "${args[@]}" "${outs[@]//@/$tmp/$name}" "${again[@]}"
}

run_all score -o @/s.gpkg --csv @/s.csv -- score -q --candidates "$W:candidates" --profile "$profile" "${layers[@]}"
run_all claims -o @/c.gpkg --csv @/cc -- claims -q --claim "candidates=$W:candidates" \
  --claim "netcongestie=$W:capaciteitskaart" --claim "novex=$W:novex" --compat "$src/scripts/bench/claims_compat.toml"
run_all check -o @/k.gpkg --report @/k.html -- check -q --locations "$W:candidates" --wbs "$W:wbs"
run_all sensitivity -o @/se.gpkg --chart @/se.svg -- sensitivity -q --candidates "$W:candidates" --profile "$profile" \
  "${layers[@]}" --draws 300 --sweep-steps 20
run_all map -o @/m.pdf -- map -q "$tmp/score/s.gpkg"
run_all map_png -o @/m.png -- map -q "$tmp/score/s.gpkg" --dpi 400 --paper a3
# SVG: cairo replays the whole page at its end (1.5-3 s here before it ran in a child process)
run_all map_svg -o @/m.svg -- map -q "$tmp/score/s.gpkg"
# web explains every candidate for its page: that once took time quadratic in the candidates
# (603 s for 160,000) without a look at Ctrl-C (190 s to stop).
run_all web -o @/w.html -- web "$tmp/score/s.gpkg"

# compare and explain read a scored file whole: 20,000 rows take under a second, so the scored
# file is grown to 160,000 rows (copies with their own candidate ids) first.
big="$tmp/big.gpkg"; cp "$tmp/score/s.gpkg" "$big"
cols=$(sqlite3 "$big" "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('candidates_scored') WHERE name != 'fid'")
for _ in 1 2 3; do ogrinfo -q "$big" -sql "INSERT INTO candidates_scored ($cols) SELECT $cols FROM candidates_scored" > /dev/null; done
ogrinfo -q "$big" -sql "UPDATE candidates_scored SET candidate_id = fid" > /dev/null
cp "$big" "$tmp/big_b.gpkg"
n=$(sqlite3 "$big" "SELECT count(*) FROM candidates_scored")
[ "$n" = 160000 ] || { echo "FAIL: the grown scored file has $n rows, want 160000"; fail=1; }
run_all compare -o @/cmp.gpkg -- compare "$big" "$tmp/big_b.gpkg" --top 1000
run_all explain -- explain "$big" --id 150000 --vs 7

[ "$fail" = 0 ] && echo "interrupt: every command stopped within $limit s, exit 130, no output"
exit $fail
