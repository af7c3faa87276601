#!/usr/bin/env bash
# Results in PostGIS under concurrency and kills, on a throw-away PostgreSQL 15 + PostGIS.
# RUIMTE_TEST_PG_PAUSE_BEFORE_COMMIT=SECONDS makes a run hold its (complete, uncommitted)
# write transaction open, so the test can kill it or start another run meanwhile.
# - a run killed with SIGKILL while writing leaves no schema, no table, no style row;
# - two runs writing the same result at once: the second fails at once with exit 5 and
#   "another run is writing this result right now"; the first completes, nothing is mixed;
# - two runs writing different results at once both complete, their transactions overlapping;
# - afterwards --overwrite replaces the result (one set of rows, one style row).
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d) pgdir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  bash "$src/scripts/pg-temp.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
if ! ci=$(bash "$src/scripts/pg-temp.sh" start "$pgdir" 2>"$tmp/pg.log"); then
  echo "postgis_concurrency: SKIPPED: scripts/pg-temp.sh could not start PostgreSQL 15 + PostGIS (run scripts/setup.sh): $(tail -n 3 "$tmp/pg.log")"
  exit 77
fi
port=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$ci")
db="postgresql://postgres@127.0.0.1:$port/ruimte"
psql=(psql -X -q -At -v ON_ERROR_STOP=1 "$ci")
fail() { echo "postgis_concurrency: $*" >&2; exit 1; }
s=$src/data-samples
args=(score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml")
score() { "$ruimte" "${args[@]}" -o "$db?schema=$1" "${@:2}"; }
# Runs in the background are simple commands (env ... ruimte ... &), so that $! is the
# ruimte process itself (through `env`, which execs it), not a subshell.
pause=RUIMTE_TEST_PG_PAUSE_BEFORE_COMMIT
# wait_sql SQL VALUE: poll until SQL returns VALUE (60 s at most)
wait_sql() {
  for _ in $(seq 1 300); do
    [ "$("${psql[@]}" -c "$1")" = "$2" ] && return 0
    sleep 0.2
  done
  fail "timed out waiting for '$1' to give $2"
}
writers="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ruimte' AND state = 'idle in transaction'"
rows() { "${psql[@]}" -c "SELECT count(*) FROM $1"; }

# 1. Killed while writing: nothing remains.
env $pause=60 "$ruimte" "${args[@]}" -o "$db?schema=gedood" >/dev/null 2>&1 &
pid=$!
pids+=("$pid")
wait_sql "$writers" 1
# the tables are written but not visible outside the transaction
[ "$("${psql[@]}" -c "SELECT to_regclass('gedood.candidates_scored') IS NULL")" = t ] || fail "uncommitted table visible"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
wait_sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ruimte'" 0
[ "$("${psql[@]}" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'gedood'")" = 0 ] || fail "killed run left its schema"
[ "$("${psql[@]}" -c "SELECT count(*) FROM pg_class WHERE relname = 'candidates_scored'")" = 0 ] || fail "killed run left a table"
[ "$("${psql[@]}" -c "SELECT count(*) FROM pg_class WHERE relname = 'layer_styles'")" = 0 ] || fail "killed run left layer_styles"

# 2. Same result at once: one wins, the other gets a clear error at once.
env $pause=8 "$ruimte" "${args[@]}" -o "$db?schema=zelfde" >"$tmp/a.txt" 2>&1 &
a=$!
pids+=("$a")
wait_sql "$writers" 1
set +e
score zelfde >/dev/null 2>"$tmp/b.txt"
rc_b=$?
wait "$a"
rc_a=$?
set -e
[ "$rc_a" = 0 ] || fail "first run: exit $rc_a: $(cat "$tmp/a.txt")"
[ "$rc_b" = 5 ] || fail "second run: exit $rc_b, expected 5: $(cat "$tmp/b.txt")"
grep -q "another run is writing this result right now" "$tmp/b.txt" || fail "unclear message: $(cat "$tmp/b.txt")"
[ "$(rows zelfde.candidates_scored)" = 200 ] || fail "zelfde.candidates_scored has not 200 rows"
[ "$(rows zelfde.overlay_areas)" = 524 ] || fail "zelfde.overlay_areas has not 524 rows"
[ "$("${psql[@]}" -c "SELECT count(*) FROM public.layer_styles WHERE f_table_schema = 'zelfde'")" = 1 ] || fail "style rows mixed"

# 3. Different results at once: both complete, their write transactions overlap in time.
env $pause=4 "$ruimte" "${args[@]}" -o "$db?schema=een" >"$tmp/een.txt" 2>&1 &
p1=$!
env $pause=4 "$ruimte" "${args[@]}" -o "$db?schema=twee" >"$tmp/twee.txt" 2>&1 &
p2=$!
pids+=("$p1" "$p2")
wait_sql "$writers" 2
set +e
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
set -e
[ "$rc1" = 0 ] && [ "$rc2" = 0 ] || fail "different results at once: exit $rc1 and $rc2: $(cat "$tmp/een.txt" "$tmp/twee.txt")"
[ "$(rows een.candidates_scored)" = 200 ] && [ "$(rows twee.candidates_scored)" = 200 ] || fail "different results: not 200 rows each"
[ "$("${psql[@]}" -c "SELECT count(*) FROM public.layer_styles")" = 3 ] || fail "expected 3 style rows (zelfde, een, twee)"

# 4. Once the first has finished, --overwrite replaces the result; without it, exit 5.
set +e
score zelfde >/dev/null 2>"$tmp/c.txt"
rc=$?
set -e
[ "$rc" = 5 ] && grep -q "the result exists" "$tmp/c.txt" || fail "existing result: exit $rc: $(cat "$tmp/c.txt")"
score zelfde --overwrite >/dev/null
[ "$(rows zelfde.candidates_scored)" = 200 ] || fail "after --overwrite: not 200 rows"
[ "$("${psql[@]}" -c "SELECT count(*) FROM public.layer_styles WHERE f_table_schema = 'zelfde'")" = 1 ] || fail "after --overwrite: style rows doubled"
echo "postgis_concurrency: killed run leaves nothing; same result: one wins, the other exit 5; different results in parallel: ok"
