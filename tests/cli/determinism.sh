#!/usr/bin/env bash
# Determinism (issue 9): `ruimte score` on the samples, twice with 1 thread and once each with
# 2 and 8 threads, gives a byte-identical CSV and identical GeoPackage content (every row of
# candidates_scored with its geometry blob, overlay_areas and geometry_issues, dumped with
# sqlite3). When `score` has --timestamp, the two 1-thread GeoPackages must be byte-identical
# too (every run writes to the same path and is moved away: the command line is recorded in
# the output, so runs with other --threads differ there by design).
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
args=(score --candidates "$src/data-samples/kandidaten.shp" --profile "$src/data-samples/woningbouw.toml" -q)
stamp=()
if "$ruimte" score --help | grep -q -- "--timestamp"; then stamp=(--timestamp 2026-01-01T00:00:00Z); fi

dump() {  # the content of the result tables, in a fixed order
    sqlite3 "$1" "SELECT * FROM candidates_scored ORDER BY fid;
                  SELECT * FROM overlay_areas ORDER BY 1, 2, 3;
                  SELECT * FROM geometry_issues ORDER BY 1, 2, 3;" | sha256sum
}
for run in 1a 1b 2 8; do
    mkdir -p "$tmp/run"
    (cd "$tmp/run" && "$ruimte" "${args[@]}" "${stamp[@]}" --threads "${run%[ab]}" -o score.gpkg --csv areas.csv > "$tmp/$run.out") ||
        { echo "FAIL: run $run failed"; exit 1; }
    mv "$tmp/run/score.gpkg" "$tmp/$run.gpkg"; mv "$tmp/run/areas.csv" "$tmp/$run.csv"
done
rows=$(($(wc -l < "$tmp/1a.csv") - 1))
[ "$rows" -gt 200 ] || { echo "FAIL: the CSV has only $rows rows"; fail=1; }
for run in 1b 2 8; do
    threads=${run%[ab]}
    if ! cmp -s "$tmp/1a.csv" "$tmp/$run.csv"; then echo "FAIL: CSV of run $run ($threads threads) differs"; fail=1; fi
    if [ "$(dump "$tmp/1a.gpkg")" != "$(dump "$tmp/$run.gpkg")" ]; then echo "FAIL: GeoPackage content of run $run differs"; fail=1; fi
    if ! diff -q <(grep -v "^Result:\|^Long table:" "$tmp/1a.out") <(grep -v "^Result:\|^Long table:" "$tmp/$run.out") > /dev/null; then
        echo "FAIL: the summary (ranks) of run $run differs"; fail=1
    fi
    if [ "$run" = 1b ] && [ ${#stamp[@]} -gt 0 ] && ! cmp -s "$tmp/1a.gpkg" "$tmp/1b.gpkg"; then
        echo "FAIL: the GeoPackage bytes of two identical runs with --timestamp differ:"
        diff <(sqlite3 "$tmp/1a.gpkg" .dump) <(sqlite3 "$tmp/1b.gpkg" .dump) | cut -c1-200 | head -6; fail=1
    fi
done
# The dump covers real content: 200 candidates, all with a geometry and a score.
n=$(sqlite3 "$tmp/1a.gpkg" "SELECT COUNT(*) FROM candidates_scored WHERE geom IS NOT NULL AND score IS NOT NULL")
[ "$n" = 200 ] || { echo "FAIL: $n of 200 candidates have a geometry and a score"; fail=1; }
if [ "$fail" = 0 ]; then
    what="CSV ($rows rows) and GeoPackage content"
    [ ${#stamp[@]} -gt 0 ] && what="CSV ($rows rows), GeoPackage content and, with --timestamp, bytes"
    echo "determinism: $what identical over two runs and 1, 2 and 8 threads"
fi
exit $fail
