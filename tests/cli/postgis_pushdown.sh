#!/usr/bin/env bash
# `score --engine postgis` (the overlay as SQL in PostGIS) equals the embedded engine within
# 1e-6 relative (scores, factor values, shares, distances, overlay_areas; ranks except between
# exact ties), on the bundled samples and on the shared workload's small variant
# (make_workload.py --candidates 500 --seeds 4000), and leaves no work schema behind.
set -euo pipefail
ruimte=$1 src=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d) pgdir=$(mktemp -d)
trap 'bash "$src/scripts/pg-temp.sh" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
if ! ci=$(bash "$src/scripts/pg-temp.sh" start "$pgdir" 2>"$tmp/pg.log"); then
  echo "postgis_pushdown: SKIPPED: scripts/pg-temp.sh could not start PostgreSQL 15 + PostGIS (run scripts/setup.sh): $(tail -n 3 "$tmp/pg.log")"
  exit 77
fi
psql=(psql -X -q -At -v ON_ERROR_STOP=1 "$ci")
fail() { echo "postgis_pushdown: $*" >&2; exit 1; }
pgs="PG:\"$ci\""
s=$src/data-samples

# 1. The samples: embedded on the files, push-down on the same layers loaded into PostGIS.
for f in wbs netcongestie novex nplv; do
  ogr2ogr -f PostgreSQL "PG:$ci" "$s/$f.gpkg" -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
done
"$ruimte" score -q --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/embedded.gpkg" >/dev/null
"$ruimte" score -q --engine postgis --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" \
  --layer "wbs=$pgs:wbs" --layer "net_afname=$pgs:netcongestie" --layer "novex=$pgs:novex_locaties" --layer "nplv=$pgs:nplv" \
  -o "$tmp/pushdown.gpkg" >"$tmp/pushdown.txt"
grep -q "Scored 200 candidate areas (55 excluded)" "$tmp/pushdown.txt" || fail "unexpected summary: $(cat "$tmp/pushdown.txt")"
/usr/bin/python3 "$here/postgis_compare.py" "$tmp/embedded.gpkg" "$tmp/pushdown.gpkg" || fail "samples: push-down differs from embedded"

# 2. The shared workload, small variant.
/usr/bin/python3 "$src/scripts/bench/make_workload.py" "$tmp/wl.gpkg" --candidates 500 --seeds 4000 >/dev/null
"${psql[@]}" -c "CREATE SCHEMA wl"
for l in wbs netcongestie novex nplv; do  # -nln SCHEMA.TABLE: public.wbs exists already and would be appended to
  ogr2ogr -f PostgreSQL "PG:$ci" "$tmp/wl.gpkg" "$l" -nln "wl.$l" -lco GEOMETRY_NAME=geom -nlt PROMOTE_TO_MULTI
done
cat >"$tmp/wl.toml" <<TOML
[profile]
name = "workload"
id_field = "id"

[layers.wbs]
source = "$tmp/wl.gpkg:wbs"
type = "classes"
class_field = "klasse"
classes = ["ja", "ja_mits_klein", "ja_mits_groot", "nee_tenzij", "nee"]

[layers.net]
source = "$tmp/wl.gpkg:netcongestie"
type = "classes"
class_field = "klasse"

[layers.novex]
source = "$tmp/wl.gpkg:novex"
type = "presence"
name_field = "naam"

[layers.nplv]
source = "$tmp/wl.gpkg:nplv"
type = "presence"
name_field = "naam"

[[exclusions]]
metric = "wbs.share.nee"
op = ">"
value = 0.25

[[factors]]
name = "wbs"
kind = "classes"
layer = "wbs"
weight = 0.4
values = { ja = 1.0, ja_mits_klein = 0.75, ja_mits_groot = 0.4, nee_tenzij = 0.1, nee = 0.0 }
uncovered = 0.5

[[factors]]
name = "net"
kind = "classes"
layer = "net"
weight = 0.2
values = { geen_congestie = 1.0, beperkt = 0.6, wachtrij_afname = 0.3, wachtrij_afname_invoeding = 0.0 }

[[factors]]
name = "novex"
kind = "linear"
metric = "novex.covered_share"
lower = 0.0
upper = 0.5
weight = 0.2

[[factors]]
name = "nplv"
kind = "distance_decay"
layer = "nplv"
distance_m = 5000
shape = "exponential"
weight = 0.2
TOML
"$ruimte" score -q --candidates "$tmp/wl.gpkg:candidates" --profile "$tmp/wl.toml" -o "$tmp/wl_embedded.gpkg" >/dev/null
"$ruimte" score -q --engine postgis --candidates "$tmp/wl.gpkg:candidates" --profile "$tmp/wl.toml" \
  --layer "wbs=$pgs:wl.wbs" --layer "net=$pgs:wl.netcongestie" --layer "novex=$pgs:wl.novex" --layer "nplv=$pgs:wl.nplv" \
  -o "$tmp/wl_pushdown.gpkg" >"$tmp/wl_pushdown.txt"
grep -q "Scored 500 candidate areas" "$tmp/wl_pushdown.txt" || fail "unexpected summary: $(cat "$tmp/wl_pushdown.txt")"
/usr/bin/python3 "$here/postgis_compare.py" "$tmp/wl_embedded.gpkg" "$tmp/wl_pushdown.gpkg" || fail "workload: push-down differs from embedded"

# 3. Nothing left behind: the work schema lived in a transaction that was rolled back.
[ "$("${psql[@]}" -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'ruimte_pushdown_%'")" = 0 ] || fail "a work schema was left"

# 4. A layer that is a file is a usage error that says how to load it.
set +e
"$ruimte" score -q --engine postgis --candidates "$s/kandidaten.shp" --profile "$s/woningbouw.toml" -o "$tmp/x.gpkg" 2>"$tmp/err.txt"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "ogr2ogr -f PostgreSQL" "$tmp/err.txt" || fail "file layer with --engine postgis: exit $rc, $(cat "$tmp/err.txt")"
echo "postgis_pushdown: push-down equals embedded on the samples and on the 500-candidate workload: ok"
