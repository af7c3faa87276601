#!/usr/bin/env bash
# Reference answer from an engine independent of ruimte.
#
#   scripts/reference-areas.sh ENGINE WORKLOAD.gpkg OUT.csv [CONNINFO]
#
# For every candidate (layer `candidates`, id field `id`) and each of the layers wbs and
# netcongestie (class field `klasse`), novex and nplv (class field `naam`): the area in m2
# of the candidate in each class value,
#   SUM(ST_Area(ST_Intersection(c.geom, l.geom))) GROUP BY candidate id, class
# keeping rows with area > 0. OUT.csv: header `candidate_id,layer,class,area_m2`, sorted by
# candidate_id, layer (wbs, netcongestie, novex, nplv), class (byte order), area with 6
# decimals; identical format for all engines.
#
# ENGINE
#   spatialite  SpatiaLite functions in GDAL's SQLite dialect, straight on the GeoPackage;
#               candidate pairs come from the GeoPackage's own R*-tree tables.
#   postgis     ogr2ogr -f PostgreSQL (GiST indexes) into CONNINFO, e.g. from
#               `scripts/pg-temp.sh start DIR`, then psql with && and ST_Intersects.
#               Load and query times go to stderr separately. The tables candidates, wbs,
#               netcongestie, novex and nplv in schema public are replaced.
#               REFERENCE_PG_PHASE=load|query|all (default all) runs one phase only, so a
#               benchmark can time the query on data loaded beforehand.
#   geopandas   scripts/reference_areas_geopandas.py (Debian's /usr/bin/python3).
#
# Exit status: 0 ok, 1 failure, 2 usage.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
die() { echo "reference-areas: $*" >&2; exit 1; }

[ $# -ge 3 ] && [ $# -le 4 ] || usage
engine=$1 src=$2 out=$3 conninfo=${4:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ -f "$src" ] || die "no workload file $src"

# now: seconds since the epoch with nanoseconds, for phase times printed to stderr.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# layer_sql ORDER LAYER FIELD FROM WHERE: one UNION ALL branch, in SQL that SQLite and
# PostgreSQL both accept; the engine-specific candidate-pair search comes in as FROM, WHERE.
layer_sql() {
  cat <<EOF
SELECT c.id AS candidate_id, $1 AS lo, '$2' AS layer, l.$3 AS class,
       SUM(ST_Area(ST_Intersection(c.geom, l.geom))) AS area
FROM $4
WHERE $5
GROUP BY c.id, l.$3
HAVING SUM(ST_Area(ST_Intersection(c.geom, l.geom))) > 0
EOF
}

LAYERS=("1 wbs klasse" "2 netcongestie klasse" "3 novex naam" "4 nplv naam")

run_spatialite() {
  local sql="" sep="" spec lo layer field
  for spec in "${LAYERS[@]}"; do
    read -r lo layer field <<<"$spec"
    # GeoPackage R*-tree tables rtree_<table>_geom (id = fid, minx, maxx, miny, maxy):
    # the bbox join is answered by the R*-tree, ST_Intersects then drops bbox-only pairs
    # before the (more expensive) ST_Intersection.
    sql+="$sep$(layer_sql "$lo" "$layer" "$field" \
      "candidates c
     JOIN rtree_candidates_geom rc ON rc.id = c.fid
     JOIN rtree_${layer}_geom rl ON rl.minx <= rc.maxx AND rl.maxx >= rc.minx
                               AND rl.miny <= rc.maxy AND rl.maxy >= rc.miny
     JOIN $layer l ON l.fid = rl.id" \
      "ST_Intersects(c.geom, l.geom)")"
    sep=$'\nUNION ALL\n'
  done
  sql="SELECT candidate_id, layer, class, printf('%.6f', area) AS area_m2
FROM ($sql)
ORDER BY candidate_id, lo, class"
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  printf '%s\n' "$sql" >"$tmp/query.sql"
  # GDAL's SQLite dialect on a GeoPackage runs the SQL in SQLite itself, with SpatiaLite's
  # functions reading GeoPackage geometry blobs directly (GDAL built with SpatiaLite).
  ogr2ogr -f CSV -lco STRING_QUOTING=IF_NEEDED "$tmp/out.csv" "$src" \
    -dialect sqlite -sql "@$tmp/query.sql" -nln out \
    || die "ogr2ogr -dialect sqlite failed on $src"
  mv "$tmp/out.csv" "$out"
}

run_postgis() {
  [ -n "$conninfo" ] || die "postgis needs CONNINFO (e.g. from scripts/pg-temp.sh start DIR)"
  local phase=${REFERENCE_PG_PHASE:-all} t0
  case $phase in load | query | all) ;; *) die "REFERENCE_PG_PHASE must be load, query or all" ;; esac
  local psql=(psql -X -q -v ON_ERROR_STOP=1 "$conninfo")
  # Which workload the tables hold, stored as a table comment by the load phase, so that a
  # query-only run on another workload fails instead of answering for the wrong data.
  local stamp
  stamp="reference-areas: $(readlink -f "$src") $(stat -c '%s bytes, mtime %Y' "$src")"

  if [ "$phase" != query ]; then
    t0=$(now)
    # PROMOTE_TO_MULTI: a dissolved layer may mix Polygon and MultiPolygon in one table.
    # Default layer creation options give a GiST index on geom and COPY for the load.
    # VACUUM ANALYZE afterwards: planner statistics, and hint bits and the visibility map set
    # now rather than during the first (timed) query.
    ogr2ogr -f PostgreSQL "PG:$conninfo" "$src" candidates wbs netcongestie novex nplv \
      -overwrite -nlt PROMOTE_TO_MULTI -lco GEOMETRY_NAME=geom -lco FID=fid \
      -lco SPATIAL_INDEX=GIST -lco SCHEMA=public \
      || die "ogr2ogr -f PostgreSQL failed (is the server in CONNINFO running?)"
    "${psql[@]}" -v stamp="$stamp" -f - <<'EOF' || die "VACUUM ANALYZE failed"
VACUUM (ANALYZE) candidates, wbs, netcongestie, novex, nplv;
COMMENT ON TABLE candidates IS :'stamp';
EOF
    echo "postgis: load $(elapsed "$t0") s" >&2
  fi

  if [ "$phase" != load ]; then
    local loaded
    loaded=$("${psql[@]}" -At -c "SELECT coalesce(obj_description('public.candidates'::regclass, 'pg_class'), '')") \
      || die "no table candidates in CONNINFO: load it first (REFERENCE_PG_PHASE=load or all)"
    if [ "$loaded" != "$stamp" ]; then
      if [[ $loaded == "reference-areas: "* ]]; then
        die "the database holds ${loaded#reference-areas: }, not $src; load it first (REFERENCE_PG_PHASE=load or all)"
      fi
      echo "reference-areas: warning: cannot tell which workload the tables in CONNINFO hold" >&2
    fi
    local sql="" sep="" spec lo layer field
    for spec in "${LAYERS[@]}"; do
      read -r lo layer field <<<"$spec"
      # && is the GiST-indexed bbox test (ST_Intersects would add it itself; spelled out so
      # the plan does not depend on PostGIS's inlining).
      sql+="$sep$(layer_sql "$lo" "$layer" "$field" \
        "candidates c JOIN $layer l ON c.geom && l.geom" \
        "ST_Intersects(c.geom, l.geom)")"
      sep=$'\nUNION ALL\n'
    done
    # round(numeric, 6) prints exactly 6 decimals; COLLATE "C" gives byte order whatever
    # the database's locale.
    sql="COPY (
SELECT candidate_id, layer, class, round(area::numeric, 6) AS area_m2
FROM ($sql) r
ORDER BY candidate_id, lo, class COLLATE \"C\"
) TO STDOUT WITH (FORMAT csv, HEADER)"
    # One session: the result goes to OUT via \o, then the backend reports its own peak RSS
    # (VmHWM, which counts the shared buffers it touched; parallel workers not included)
    # for scripts/bench-score.sh. Reading /proc/self needs superuser or pg_read_server_files
    # (pg-temp.sh connects as superuser); otherwise the RSS is reported as '?'.
    local tmpout="$out.tmp" rss
    [[ $tmpout != *"'"* ]] || die "OUT.csv path must not contain a single quote"
    t0=$(now)
    rss=$(printf '%s\n' "\\o '$tmpout'" "$sql;" "\\o" \
      "SELECT pg_has_role('pg_read_server_files', 'member') AS can_read \\gset" \
      "\\if :can_read" \
      "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+)');" \
      "\\endif" |
      "${psql[@]}" -At -f -) || { rm -f "$tmpout"; die "PostGIS query failed"; }
    echo "postgis: query $(elapsed "$t0") s" >&2
    mv "$tmpout" "$out"
    echo "postgis: backend peak RSS ${rss:-?} kB" >&2
  fi
}

run_geopandas() {
  /usr/bin/python3 "$here/reference_areas_geopandas.py" "$src" "$out" \
    || die "reference_areas_geopandas.py failed"
}

case $engine in
  spatialite) run_spatialite ;;
  postgis) run_postgis ;;
  geopandas) run_geopandas ;;
  *) usage ;;
esac
