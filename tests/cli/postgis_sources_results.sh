#!/usr/bin/env bash
# PostgreSQL as source and as result, on a throw-away PostgreSQL 15 + PostGIS (pg-temp.sh):
# - layers read from tables (postgresql:// URI with ?schema=) and candidates from a query give
#   the same scores, shares and geometry as the files they were loaded from;
# - -o postgresql://...?schema=NAME writes candidates_scored, overlay_areas and
#   geometry_issues that read back exactly equal to the GeoPackage output (values and
#   geometry), with primary keys, a GiST index, the run manifest as table comment and a
#   default style in layer_styles; an existing result needs --overwrite (exit 5).
set -euo pipefail
ruimte=$1 src=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d) pgdir=$(mktemp -d)
trap 'bash "$src/scripts/pg-temp.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
if ! ci=$(bash "$src/scripts/pg-temp.sh" start "$pgdir" 2>"$tmp/pg.log"); then
  echo "postgis_sources_results: SKIPPED: scripts/pg-temp.sh could not start PostgreSQL 15 + PostGIS (run scripts/setup.sh): $(tail -n 3 "$tmp/pg.log")"
  exit 77
fi
port=$(sed 's/.*port=\([0-9]*\).*/\1/' <<<"$ci")
db="postgresql://postgres@127.0.0.1:$port/ruimte"
psql=(psql -X -q -At -v ON_ERROR_STOP=1 "$ci")
fail() { echo "postgis_sources_results: $*" >&2; exit 1; }
s=$src/data-samples

# Layers into schema `lagen`, candidates into public.
"${psql[@]}" -c "CREATE SCHEMA lagen"
for f in wbs netcongestie novex nplv; do
  ogr2ogr -f PostgreSQL "PG:$ci" "$s/$f.gpkg" -lco GEOMETRY_NAME=geom -lco SCHEMA=lagen -nlt PROMOTE_TO_MULTI
done
ogr2ogr -f PostgreSQL "PG:$ci" "$s/kandidaten.shp" -nln kandidaten -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI

# 1. Sources: tables through a URI with ?schema=, candidates through a query.
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/file.gpkg" >/dev/null
"$ruimte" score -q --candidates "PG:\"$ci\":SELECT * FROM kandidaten ORDER BY id" --profile "$s/woningbouw.toml" \
  --layer "wbs=$db?schema=lagen:wbs" --layer "net_afname=$db?schema=lagen:netcongestie" \
  --layer "novex=$db?schema=lagen:novex_locaties" --layer "nplv=PG:\"$ci\":lagen.nplv" \
  -o "$tmp/from_pg.gpkg" >"$tmp/from_pg.txt"
grep -q "Scored 200 candidate areas (55 excluded)" "$tmp/from_pg.txt" || fail "unexpected summary: $(cat "$tmp/from_pg.txt")"
/usr/bin/python3 "$here/postgis_compare.py" "$tmp/file.gpkg" "$tmp/from_pg.gpkg" --exact \
  || fail "scores from PostgreSQL sources differ from the files they were loaded from"

# 2. Results: into schema uitkomst, read back with GDAL, exactly equal to the GeoPackage.
out="$db?schema=uitkomst"
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$out" >"$tmp/out.txt"
grep -q "Result: $out" "$tmp/out.txt" || fail "no result line: $(cat "$tmp/out.txt")"
ogr2ogr -f GPKG "$tmp/back.gpkg" "PG:$ci active_schema=uitkomst" candidates_scored overlay_areas geometry_issues
/usr/bin/python3 "$here/postgis_compare.py" "$tmp/file.gpkg" "$tmp/back.gpkg" --exact \
  || fail "the PostGIS result read back differs from the GeoPackage output"
[ "$("${psql[@]}" -c "SELECT count(*) FROM uitkomst.candidates_scored")" = 200 ] || fail "candidates_scored has not 200 rows"
[ "$("${psql[@]}" -c "SELECT count(*) FROM uitkomst.candidates_scored WHERE excluded")" = 55 ] || fail "not 55 excluded"
pks=$("${psql[@]}" -c "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'uitkomst' AND i.indisprimary")
[ "$pks" = 3 ] || fail "expected a primary key on each of the 3 tables, found $pks"
[ "$("${psql[@]}" -c "SELECT count(*) FROM pg_indexes WHERE schemaname = 'uitkomst' AND indexdef LIKE '%USING gist (geom)%'")" = 1 ] \
  || fail "no GiST index on candidates_scored.geom"
comment=$("${psql[@]}" -c "SELECT obj_description('uitkomst.candidates_scored'::regclass, 'pg_class')")
for want in "Candidate areas scored by ruimte" "COMMAND: " "VERSION: " "PROFILE:" 'name = "woningbouw"' "INPUT_wbs: "; do
  grep -qF "$want" <<<"$comment" || fail "table comment lacks '$want'"
done
style=$("${psql[@]}" -c "SELECT f_table_catalog || '|' || f_table_schema || '|' || f_table_name || '|' || f_geometry_column || '|' ||
                                useasdefault || '|' || (xpath('count(//rules/rule)', styleqml))[1]::text || '|' ||
                                (xpath('//renderer-v2/@type', styleqml))[1]::text
                         FROM public.layer_styles WHERE f_table_schema = 'uitkomst'")
[ "$style" = "ruimte|uitkomst|candidates_scored|geom|true|7|RuleRenderer" ] || fail "unexpected layer_styles row: $style"

# 3. An existing result needs --overwrite; with it the result is replaced, not doubled.
set +e
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$out" >/dev/null 2>"$tmp/err.txt"
rc=$?
set -e
[ "$rc" = 5 ] || fail "existing result: exit $rc, expected 5"
grep -q "the result exists" "$tmp/err.txt" && grep -q -- "--overwrite" "$tmp/err.txt" || fail "unclear message: $(cat "$tmp/err.txt")"
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$out" --overwrite >/dev/null
[ "$("${psql[@]}" -c "SELECT count(*) FROM uitkomst.candidates_scored")" = 200 ] || fail "not 200 rows after --overwrite"
[ "$("${psql[@]}" -c "SELECT count(*) FROM public.layer_styles WHERE f_table_schema = 'uitkomst'")" = 1 ] || fail "styles doubled"

# 4. An output without a schema is a usage error (exit 2).
set +e
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$db" >/dev/null 2>"$tmp/err.txt"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "schema=NAME" "$tmp/err.txt" || fail "output without schema: exit $rc, $(cat "$tmp/err.txt")"
echo "postgis_sources_results: sources from tables and a query, result in PostGIS equal to the GeoPackage, --overwrite, styles: ok"
