#!/usr/bin/env bash
# PostgreSQL, attacked (issue 25, Security and the schema-name bullet of Data loss), on a
# throw-away PostgreSQL 15 + PostGIS (pg-temp.sh, trust authentication: a password in the
# connection is sent and ignored, so it can be looked for everywhere):
# - a password in a source URI, a PG:"..." source and the output URI appears nowhere: stdout,
#   stderr, the GeoPackage's bytes, `ruimte info`, the result tables' COMMENT, and the error of
#   a bad connection string or of a server that is not there;
# - --engine postgis with a table name holding '"' and a second statement: refused, the
#   victim table stays; a real table named we"ird is read;
# - query sources run read-only: WITH ... DELETE, a second statement, and a function that
#   deletes are refused (embedded engine and --engine postgis; with --engine postgis the
#   function's delete may run inside the work transaction, which is rolled back), the victim
#   keeps its rows;
# - a schema name of 64 bytes is refused (exit 2), none is created; 63 bytes is written.
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d) pgdir=$(mktemp -d)
trap 'bash "$src/scripts/pg-temp.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
if ! ci=$(bash "$src/scripts/pg-temp.sh" start "$pgdir" 2>"$tmp/pg.log"); then
  echo "postgis_security: SKIPPED: scripts/pg-temp.sh could not start PostgreSQL 15 + PostGIS (run scripts/setup.sh): $(tail -n 3 "$tmp/pg.log")"
  exit 0
fi
port=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$ci")
pw=S3cr3tPw0rd
db="postgresql://postgres:$pw@127.0.0.1:$port/ruimte"
psql=(psql -X -q -At -v ON_ERROR_STOP=1 "$ci")
fail() { echo "postgis_security: $*" >&2; exit 1; }
s=$src/data-samples
# run NAME EXPECTED-EXIT ARGS...: stdout and stderr in $tmp/NAME.out and .err
run() {
  local name=$1 want=$2; shift 2
  local rc=0
  "$ruimte" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  [ "$rc" = "$want" ] || fail "$name: exit $rc, expected $want: $(cat "$tmp/$name.err")"
  ! grep -qF "$pw" "$tmp/$name.out" "$tmp/$name.err" || fail "$name: the password is printed: $(cat "$tmp/$name.out" "$tmp/$name.err")"
}

"${psql[@]}" -c "CREATE SCHEMA lagen"
for f in wbs netcongestie novex nplv; do
  ogr2ogr -f PostgreSQL "PG:$ci" "$s/$f.gpkg" -lco GEOMETRY_NAME=geom -lco SCHEMA=lagen -nlt PROMOTE_TO_MULTI
done
ogr2ogr -f PostgreSQL "PG:$ci" "$s/kandidaten.shp" -nln kandidaten -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
reset_victim() { "${psql[@]}" -c "SET client_min_messages = warning; DROP TABLE IF EXISTS victim; CREATE TABLE victim AS SELECT generate_series(1, 10) AS n"; }
reset_victim
"${psql[@]}" -c "CREATE FUNCTION wipe() RETURNS integer LANGUAGE sql VOLATILE AS 'DELETE FROM victim RETURNING 1'"
"${psql[@]}" -c "CREATE TABLE lagen.\"we\"\"ird\" AS SELECT * FROM lagen.wbs"
victim() { [ "$("${psql[@]}" -c "SELECT count(*) FROM victim")" = 10 ] || fail "$1: the victim table lost rows or was dropped"; }

# 1. Passwords: sources, result, GeoPackage, info, comment, errors.
layers=(--layer "wbs=$db?schema=lagen:wbs" --layer "net_afname=PG:\"$ci password=$pw\":lagen.netcongestie"
        --layer "novex=$db?schema=lagen:novex_locaties" --layer "nplv=$db:lagen.nplv")
run src 0 score --candidates "$db:SELECT * FROM kandidaten ORDER BY id" --profile "$s/woningbouw.toml" "${layers[@]}" -o "$tmp/out.gpkg"
grep -q "Scored 200 candidate areas" "$tmp/src.out" || fail "src: $(cat "$tmp/src.out")"
! grep -qaF "$pw" "$tmp/out.gpkg" || fail "the GeoPackage holds the password"
grep -qaF "postgres:***@127.0.0.1" "$tmp/out.gpkg" || fail "the GeoPackage does not name the source (redacted)"
run info 0 info "$tmp/out.gpkg"
grep -qF "password=***" "$tmp/info.out" || fail "info does not show the PG:\"...\" source redacted"
run result 0 score --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" "${layers[@]}" -o "$db?schema=uitkomst"
grep -qF "Result: postgresql://postgres:***@127.0.0.1:$port/ruimte?schema=uitkomst" "$tmp/result.out" || fail "result line: $(cat "$tmp/result.out")"
comments=$("${psql[@]}" -c "SELECT string_agg(obj_description(c.oid, 'pg_class'), ' ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'uitkomst'")
grep -qF "COMMAND: " <<<"$comments" || fail "no manifest in the table comments"
! grep -qF "$pw" <<<"$comments" || fail "COMMENT ON TABLE holds the password"
run badsyntax 4 score --candidates "PG:\"dbname=ruimte password=$pw host\":kandidaten" --profile "$s/woningbouw.toml" -o "$tmp/x.gpkg"
grep -q "connection" "$tmp/badsyntax.err" || fail "badsyntax: $(cat "$tmp/badsyntax.err")"
run badsyntax2 4 score --candidates "PG:\"dbname=ruimte password=${pw:0:4} ${pw:4}\":kandidaten" --profile "$s/woningbouw.toml" -o "$tmp/x.gpkg"
! grep -qF "${pw:4}" "$tmp/badsyntax2.err" || fail "badsyntax2: a piece of the password is printed: $(cat "$tmp/badsyntax2.err")"
run badsyntax3 4 score --candidates "postgresql://postgres:$pw@127.0.0.1:$port/ruimte?bad%zzparam=1:kandidaten" --profile "$s/woningbouw.toml" -o "$tmp/x.gpkg"
run noserver 4 score --candidates "postgresql://postgres:$pw@127.0.0.1:1/ruimte:kandidaten" --profile "$s/woningbouw.toml" -o "$tmp/x.gpkg"
run noserver_out 5 score --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "postgresql://postgres:$pw@127.0.0.1:1/ruimte?schema=x"

# 2. --engine postgis: table names and statements spliced into SQL.
pg="PG:\"$ci\""
rest=(--layer "net_afname=$pg:lagen.netcongestie" --layer "novex=$pg:lagen.novex_locaties" --layer "nplv=$pg:lagen.nplv")
run inject_table 4 score --engine postgis --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/i1.gpkg" \
  --layer "wbs=$pg:\"lagen\".\"wbs\" AS s LIMIT 0; COMMIT; DROP TABLE victim; --" "${rest[@]}"
victim inject_table
reset_victim
run inject_query 4 score --engine postgis --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/i2.gpkg" \
  --layer "wbs=$pg:SELECT * FROM lagen.wbs) AS s LIMIT 0; COMMIT; DROP TABLE victim; SELECT * FROM (SELECT 1" "${rest[@]}"
victim inject_query
reset_victim
run weird 0 score -q --engine postgis --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/weird.gpkg" \
  --layer "wbs=$pg:\"lagen\".\"we\"\"ird\"" "${rest[@]}"

# 3. Query sources are read-only (embedded engine through GDAL, and --engine postgis).
for engine in embedded postgis; do
  n=0
  for q in "WITH d AS (DELETE FROM victim RETURNING n) SELECT w.* FROM lagen.wbs w, (SELECT count(*) FROM d) c" \
           "SELECT * FROM lagen.wbs; DELETE FROM victim" \
           "SELECT w.*, wipe() AS x FROM lagen.wbs w"; do
    n=$((n + 1))
    rc=0
    "$ruimte" score -q --engine $engine --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/ro-$engine-$n.gpkg" \
      --layer "wbs=$pg:$q" "${rest[@]}" >"$tmp/ro.out" 2>"$tmp/ro.err" || rc=$?
    # With --engine postgis a function's write happens inside the work transaction, which is
    # rolled back: the run may succeed, the victim must keep its rows.
    [ "$rc" = 4 ] || [ "$engine/$n/$rc" = postgis/3/0 ] || fail "read-only $engine $n: exit $rc: $(cat "$tmp/ro.err")"
    victim "read-only $engine $n"
    reset_victim
  done
done

# 4. Schema names: 64 bytes refused before anything is written, 63 bytes taken as they are.
long64=$(printf 'a%.0s' $(seq 64)) long63=$(printf 'b%.0s' $(seq 63))
run schema64 2 score --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$db?schema=$long64"
grep -q "63 bytes" "$tmp/schema64.err" || fail "schema64: $(cat "$tmp/schema64.err")"
[ "$("${psql[@]}" -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'aaaa%'")" = 0 ] || fail "a truncated schema was created"
run schema63 0 score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$db?schema=$long63"
[ "$("${psql[@]}" -c "SELECT count(*) FROM \"$long63\".candidates_scored")" = 255 ] || [ "$("${psql[@]}" -c "SELECT count(*) FROM \"$long63\".candidates_scored")" = 200 ] \
  || fail "schema63: no result"
echo "postgis_security: ok"
