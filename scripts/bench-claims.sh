#!/usr/bin/env bash
# `ruimte claims` against PostGIS's classic planar partition, on the shared workload's five
# layers (candidates, wbs, netcongestie, novex, nplv) taken as five claims, in one run.
#
#   scripts/bench-claims.sh [--candidates N --seeds N --seed S] [--runs R] [--out FILE]
#
# PostGIS (data loaded and GiST-indexed beforehand, not timed): all polygon rings noded with
# ST_Union, faces built with ST_Polygonize, each face labelled by ST_PointOnSurface against
# every layer (GiST), faces with no claim dropped. ruimte: `ruimte claims --claim ...` writing
# its GeoPackage. Both answers are checked against each other: face count, total area, and
# the area per claim.
set -euo pipefail
orig_args=("$@")
. "$(dirname "${BASH_SOURCE[0]}")/bench-lib.sh"
runs=1
bench_args "$@"
bench_workload
work=$(mktemp -d)
pgdir=$(mktemp -d)
chmod 755 "$pgdir" "$work"
trap '"$top/scripts/pg-temp.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
conn=$("$top/scripts/pg-temp.sh" start "$pgdir")
layers=(candidates wbs netcongestie novex nplv)
for l in "${layers[@]}"; do
  ogr2ogr -f PostgreSQL "PG:$conn" "$wl" "$l" -nln "$l" -lco GEOMETRY_NAME=geom -lco FID=fid \
    -nlt PROMOTE_TO_MULTI -overwrite >/dev/null
done
psql -X -q "$conn" -c "VACUUM ANALYZE" >/dev/null

union_all=$(printf "SELECT geom FROM %s UNION ALL " "${layers[@]}" | sed 's/ UNION ALL $//')
label_cols=$(for l in "${layers[@]}"; do printf ", EXISTS (SELECT 1 FROM %s x WHERE ST_Intersects(x.geom, f.pt)) AS %s" "$l" "$l"; done)
claimed=$(printf "%s OR " "${layers[@]}" | sed 's/ OR $//')
cat > "$work/partition.sql" <<SQL
\\timing on
DROP TABLE IF EXISTS faces;
CREATE TABLE faces AS
WITH edges AS (SELECT ST_Union(ST_Boundary(geom)) AS geom FROM ($union_all) s),
     polys AS (SELECT (ST_Dump(ST_Polygonize(geom))).geom AS geom FROM edges),
     pts AS (SELECT geom, ST_PointOnSurface(geom) AS pt FROM polys)
SELECT f.geom $label_cols FROM pts f;
DELETE FROM faces WHERE NOT ($claimed);
SQL
psql_time() {
  local t0 t1; t0=$(date +%s.%N)
  psql -X -q -v ON_ERROR_STOP=1 "$conn" -f "$work/partition.sql" > "$work/psql.log"
  t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
ruimte_time() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$ruimte" claims --compat "$top/scripts/bench/claims_compat.toml" \
    $(for l in "${layers[@]}"; do printf -- "--claim %s=%s:%s " "$l" "$wl" "$l"; done) \
    -o "$work/claims.gpkg" --overwrite -q --timings > "$work/ruimte.txt"
  cut -d' ' -f1 "$work/time"
}
pg_s=() r_s=()
for _ in $(seq "$runs"); do pg_s+=("$(psql_time)"); r_s+=("$(ruimte_time)"); done
median() { printf '%s\n' "$@" | sort -g | awk -v n=$# 'NR == int((n + 1) / 2)'; }
pg=$(median "${pg_s[@]}"); rt=$(median "${r_s[@]}")
rss=$(( $(cut -d' ' -f2 "$work/time") / 1024 ))
ratio=$(awk -v a="$pg" -v b="$rt" 'BEGIN { printf "%.2f", a / b }')

# The same partition? Face count, total area and area per claim.
pg_faces=$(psql -X -At "$conn" -c "SELECT count(*) FROM faces")
pg_area=$(psql -X -At "$conn" -c "SELECT round(sum(ST_Area(geom))::numeric, 1) FROM faces")
r_faces=$(ogrinfo -ro -q -sql "SELECT count(*) AS n FROM claim_faces" "$work/claims.gpkg" | sed -n 's/.*n (Integer.*) = //p')
r_area=$(ogrinfo -ro -q -dialect sqlite -sql "SELECT round(sum(ST_Area(geom)), 1) AS a FROM claim_faces" "$work/claims.gpkg" | sed -n 's/.*a (Real) = //p')
per_claim=""
for l in "${layers[@]}"; do
  a=$(psql -X -At "$conn" -c "SELECT round(sum(ST_Area(geom))::numeric, 0) FROM faces WHERE $l")
  per_claim+="$l $a m2; "
done
section=$work/section.md
{
  echo "<!-- bench-claims:$key begin -->"
  echo "## Claims partition: five layers as claims, $candidates candidates (--seeds $seeds --seed $seed)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`scripts/bench-claims.sh${orig_args[*]:+ ${orig_args[*]}}\` ($runs round(s), median)"
  echo
  echo "| engine | seconds | faces | total face area m2 |"
  echo "|---|---:|---:|---:|"
  echo "| PostGIS: ST_Union of boundaries, ST_Polygonize, label by ST_PointOnSurface (data loaded beforehand) | $pg | $pg_faces | $pg_area |"
  echo "| ruimte claims (reads the GeoPackage, writes claim_faces and the tables; peak RSS $rss MB) | $rt | $r_faces | $r_area |"
  echo
  echo "PostGIS / ruimte: **$ratio x**. PostGIS's area per claim: $per_claim"
  echo "Face counts can differ where ruimte joins faces split only by its work tiles or drops faces"
  echo "under 1e-6 m2; the areas are the check."
  echo "<!-- bench-claims:$key end -->"
} > "$section"
bench_write_section "$section"
cat "$section"
echo "ruimte area per claim (claim_totals):"; ogrinfo -ro -q -sql "SELECT * FROM claim_totals" "$work/claims.gpkg" | grep -E "claim \(|total_m2" | paste - - | head
