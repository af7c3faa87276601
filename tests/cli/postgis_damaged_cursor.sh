#!/usr/bin/env bash
# A PostgreSQL source whose cursor fails part way (issue 27, section 1): GDAL's PostgreSQL
# driver reads a layer in pages of a cursor (OGR_PG_CURSOR_PAGE rows a FETCH); when a later
# FETCH fails it ends the layer as if it had no more rows. Here the candidates are a query that
# divides by zero at the 150th row, read in pages of 50: ruimte must refuse it with exit 4
# naming the error, not score the 100 rows before it. On a throw-away PostgreSQL + PostGIS
# (scripts/pg-temp.sh); says SKIPPED when that cannot start.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d) pgdir=$(mktemp -d)
trap 'bash "$src/scripts/pg-temp.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
if ! ci=$(bash "$src/scripts/pg-temp.sh" start "$pgdir" 2>"$tmp/pg.log"); then
  echo "postgis_damaged_cursor: SKIPPED: scripts/pg-temp.sh could not start PostgreSQL 15 + PostGIS (run scripts/setup.sh): $(tail -n 3 "$tmp/pg.log")"
  exit 0
fi
s=$src/data-samples
ogr2ogr -f PostgreSQL "PG:$ci" "$s/kandidaten.shp" -nln kandidaten -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI ||
  { echo "postgis_damaged_cursor: ogr2ogr failed" >&2; exit 1; }
query="SELECT k.*, 1 / (CASE WHEN row_number() OVER (ORDER BY id) = 150 THEN 0 ELSE 1 END) AS boom FROM kandidaten k ORDER BY id"
fail=0
# The whole query first: a cursor that does not fail scores all 200.
OGR_PG_CURSOR_PAGE=50 "$ruimte" score -q --candidates "PG:\"$ci\":SELECT * FROM kandidaten ORDER BY id" \
  --profile "$s/woningbouw.toml" -o "$tmp/good.gpkg" > "$tmp/good.txt" 2>&1
grep -q "Scored 200 candidate areas" "$tmp/good.txt" && echo "ok: a whole cursor scores 200" ||
  { echo "FAIL: the undamaged query: $(cat "$tmp/good.txt")"; fail=1; }
OGR_PG_CURSOR_PAGE=50 "$ruimte" score -q --candidates "PG:\"$ci\":$query" --profile "$s/woningbouw.toml" \
  -o "$tmp/bad.gpkg" > "$tmp/bad.out" 2> "$tmp/bad.err"; got=$?
if [ "$got" = 4 ] && grep -q "reading stopped with an error after 100 of the 200 features it declares" "$tmp/bad.err" &&
   grep -q "division by zero" "$tmp/bad.err" && grep -q "Fix: PostgreSQL stopped the query part way" "$tmp/bad.err" && [ ! -e "$tmp/bad.gpkg" ] &&
   ! grep -q "Scored" "$tmp/bad.out"; then
  echo "ok: a cursor failing at row 150: exit 4: $(cat "$tmp/bad.err")"
else
  echo "FAIL: a cursor failing at row 150: exit $got"; cat "$tmp/bad.out" "$tmp/bad.err"; fail=1
fi
exit $fail
