#!/usr/bin/env bash
# The parcels workload (issue 24, item 1): scripts/bench/make_parcels.py writes 2,000 parcels
# and the detailed layers twice with the same seed: the two files are byte-identical (sha256),
# a third with another seed is not; scripts/bench/check_parcels.py finds a tessellation (union
# area = sum of areas, neighbours share edges and vertices), rings of 10-60 coordinates,
# 0.05-5 ha, a wbs layer of at least 1,000,000 vertices; and `ruimte score` with
# scripts/bench/workload.toml scores it (exit 0, "Scored 2000 candidate areas", 2,000 rows, each
# scored or excluded, none partly outside wbs or capaciteitskaart).
# Skipped (exit 77, with a note) when /usr/bin/python3 lacks numpy or shapely.
set -uo pipefail
ruimte=$1 src=$2
py=/usr/bin/python3
if ! $py -c "import numpy, shapely" 2> /dev/null; then
    echo "workload_parcels: SKIPPED (/usr/bin/python3 without numpy or shapely)"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
n=2000
for run in a b; do
    $py "$src/scripts/bench/make_parcels.py" "$tmp/$run.gpkg" --parcels $n > "$tmp/$run.out" 2>&1 ||
        { echo "FAIL: make_parcels.py run $run failed:"; cat "$tmp/$run.out"; exit 1; }
done
$py "$src/scripts/bench/make_parcels.py" "$tmp/c.gpkg" --parcels $n --seed 7 > /dev/null ||
    { echo "FAIL: make_parcels.py --seed 7 failed"; exit 1; }
a=$(sha256sum < "$tmp/a.gpkg") b=$(sha256sum < "$tmp/b.gpkg") c=$(sha256sum < "$tmp/c.gpkg")
[ "$a" = "$b" ] || { echo "FAIL: two runs with the same seed differ (${a%% *} vs ${b%% *})"; fail=1; }
[ "$a" != "$c" ] || { echo "FAIL: another seed gives the same bytes"; fail=1; }
[ "$(sqlite3 "$tmp/a.gpkg" 'PRAGMA integrity_check')" = ok ] || { echo "FAIL: integrity_check"; fail=1; }

$py "$src/scripts/bench/check_parcels.py" "$tmp/a.gpkg" --parcels $n > "$tmp/check.out" 2>&1 ||
    { echo "FAIL: check_parcels.py:"; cat "$tmp/check.out"; fail=1; }

w=$tmp/a.gpkg
"$ruimte" score --candidates "$w:candidates" --profile "$src/scripts/bench/workload.toml" \
    --layer "wbs=$w:wbs" --layer "netcongestie=$w:capaciteitskaart" --layer "novex=$w:novex" \
    --layer "nplv=$w:nplv" --output "$tmp/scored.gpkg" > "$tmp/score.out" 2>&1
rc=$?
[ $rc = 0 ] || { echo "FAIL: ruimte score exited $rc:"; cat "$tmp/score.out"; exit 1; }
grep -q "^Scored $n candidate areas" "$tmp/score.out" || { echo "FAIL: not all $n scored:"; cat "$tmp/score.out"; fail=1; }
scored=$(sqlite3 "$tmp/scored.gpkg" "SELECT COUNT(*) FROM candidates_scored WHERE score IS NOT NULL OR excluded = 1" 2>&1)
rows=$(sqlite3 "$tmp/scored.gpkg" "SELECT COUNT(*) FROM candidates_scored")
[ "$rows" = $n ] || { echo "FAIL: candidates_scored has $rows rows, not $n"; fail=1; }
[ "$scored" = $n ] || { echo "FAIL: $scored of $n candidates have a score or are excluded"; fail=1; }
# wbs and capaciteitskaart cover the parcels' extent (with a margin): nothing is uncovered
gaps=$(sqlite3 "$tmp/scored.gpkg" "SELECT COUNT(*) FROM candidates_scored
                                    WHERE wbs_uncovered_share > 1e-9 OR netcongestie_uncovered_share > 1e-9")
[ "$gaps" = 0 ] || { echo "FAIL: $gaps parcels partly outside wbs or capaciteitskaart"; fail=1; }
if [ "$fail" = 0 ]; then
    echo "workload_parcels: $n parcels, same sha256 twice (${a:0:12}), $(grep -c . "$tmp/check.out") checks passed, all $n scored or excluded by ruimte"
    cat "$tmp/check.out"
fi
exit $fail
