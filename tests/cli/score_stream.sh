#!/usr/bin/env bash
# `ruimte score` streams its candidates (issue 24): read, overlaid, scored and written in chunks
# (RUIMTE_SCORE_CHUNK candidates each; 50,000 by default), ranked at the end.
# 1. The samples in chunks of 7 (29 chunks of 200) give every table of the one-chunk run (rows compared
#    with sqlite3, ordered by fid) and the same CSV and messages.
# 2. An id repeated in two chunks is refused as in one chunk: the same message, exit 4, no output.
# 3. 200,000 generated parcels (scripts/bench/make_parcels.py) in chunks of 10,000 against one
#    chunk of all of them: the same tables and CSV, and the chunked run's peak RSS (/usr/bin/time)
#    at most 70 % of the one-chunk run's: holding every candidate costs memory that chunks
#    do not. The output passes PRAGMA integrity_check and its R-tree has one box per row.
# Skipped (exit 77) when /usr/bin/python3 lacks numpy, or /usr/bin/time or sqlite3 is missing.
set -uo pipefail
ruimte=$1 src=$2
py=/usr/bin/python3
if ! $py -c "import numpy" 2> /dev/null || [ ! -x /usr/bin/time ] || ! command -v sqlite3 > /dev/null; then
    echo "score_stream: SKIPPED (needs /usr/bin/python3 with numpy, /usr/bin/time and sqlite3)"; exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ts=2026-01-01T00:00:00Z

# Every table's rows, by fid (the tables a run writes; metadata names the output path).
dump() {
    local t
    for t in candidates_scored overlay_areas geometry_issues rtree_candidates_scored_geom layer_styles; do
        echo "== $t"
        sqlite3 "$1" "SELECT * FROM \"$t\" ORDER BY 1" | sed "s|$tmp/[a-z0-9]*\.gpkg|OUT|g"
    done
}
same_outputs() {  # A B what
    dump "$tmp/$1.gpkg" > "$tmp/$1.dump"
    dump "$tmp/$2.gpkg" > "$tmp/$2.dump"
    [ -s "$tmp/$1.dump" ] && [ "$(grep -c . "$tmp/$1.dump")" -gt 10 ] || { echo "FAIL: $3: empty dump"; fail=1; }
    cmp -s "$tmp/$1.dump" "$tmp/$2.dump" || { echo "FAIL: $3: tables differ:"; diff "$tmp/$1.dump" "$tmp/$2.dump" | head; fail=1; }
    cmp -s "$tmp/$1.csv" "$tmp/$2.csv" || { echo "FAIL: $3: CSV differs"; fail=1; }
}

# 1. The samples in chunks of 7 and in one.
samples=(--candidates "$src/data-samples/kandidaten.shp" --profile "$src/data-samples/woningbouw.toml" --timestamp $ts)
for chunk in 7 1000; do
    RUIMTE_SCORE_CHUNK=$chunk "$ruimte" score "${samples[@]}" -o "$tmp/s$chunk.gpkg" --csv "$tmp/s$chunk.csv" \
        > "$tmp/s$chunk.out" 2>&1 || { echo "FAIL: samples, chunks of $chunk:"; cat "$tmp/s$chunk.out"; exit 1; }
    sed -i "s|$tmp/s$chunk|OUT|g" "$tmp/s$chunk.out"
done
same_outputs s7 s1000 "samples in chunks of 7"
cmp -s "$tmp/s7.out" "$tmp/s1000.out" || { echo "FAIL: messages differ:"; diff "$tmp/s7.out" "$tmp/s1000.out"; fail=1; }
ranks=$(sqlite3 "$tmp/s7.gpkg" "SELECT COUNT(*), MIN(rank), MAX(rank), COUNT(DISTINCT rank) FROM candidates_scored WHERE rank IS NOT NULL")
notexcluded=$(sqlite3 "$tmp/s7.gpkg" "SELECT COUNT(*) FROM candidates_scored WHERE excluded = 0")
[ "$ranks" = "$notexcluded|1|$notexcluded|$notexcluded" ] ||
    { echo "FAIL: ranks over chunks are not 1..$notexcluded once each: $ranks"; fail=1; }

# 2. A repeated id: feature 150 gets feature 3's id (chunks 1 and 22 of 7).
ogr2ogr -f GPKG "$tmp/dup.gpkg" "$src/data-samples/kandidaten.shp" -nln kandidaten -lco SPATIAL_INDEX=NO
sqlite3 "$tmp/dup.gpkg" "UPDATE kandidaten SET id = (SELECT id FROM kandidaten WHERE fid = 3) WHERE fid = 150"
for chunk in 7 1000; do
    RUIMTE_SCORE_CHUNK=$chunk "$ruimte" score --candidates "$tmp/dup.gpkg" --profile "$src/data-samples/woningbouw.toml" \
        -o "$tmp/d$chunk.gpkg" > "$tmp/d$chunk.out" 2>&1
    rc=$?
    [ $rc = 4 ] || { echo "FAIL: repeated id, chunks of $chunk: exit $rc, not 4"; cat "$tmp/d$chunk.out"; fail=1; }
    [ ! -e "$tmp/d$chunk.gpkg" ] || { echo "FAIL: repeated id, chunks of $chunk: an output was left"; fail=1; }
done
grep -q "duplicate candidate id" "$tmp/d7.out" || { echo "FAIL: no 'duplicate candidate id':"; cat "$tmp/d7.out"; fail=1; }
cmp -s "$tmp/d7.out" "$tmp/d1000.out" || { echo "FAIL: repeated id told differently:"; diff "$tmp/d7.out" "$tmp/d1000.out"; fail=1; }

# 3. 200,000 parcels: bounded memory, same results. Under the sanitizers (RUIMTE_SANITIZED, set by
#    scripts/test-sanitize.sh) 20,000 parcels in chunks of 1,000, the same results but no memory
#    check: ASan's allocator and shadow memory make peak RSS say nothing about ruimte's own.
n=200000 c=10000
[ -n "${RUIMTE_SANITIZED:-}" ] && n=20000 c=1000
$py "$src/scripts/bench/make_parcels.py" "$tmp/p.gpkg" --parcels $n > "$tmp/make.out" 2>&1 ||
    { echo "FAIL: make_parcels.py:"; cat "$tmp/make.out"; exit 1; }
w=$tmp/p.gpkg
for chunk in $c $n; do
    RUIMTE_SCORE_CHUNK=$chunk /usr/bin/time -f %M -o "$tmp/rss$chunk" "$ruimte" score --candidates "$w:candidates" \
        --profile "$src/scripts/bench/workload.toml" --layer "wbs=$w:wbs" --layer "netcongestie=$w:capaciteitskaart" \
        --layer "novex=$w:novex" --layer "nplv=$w:nplv" -o "$tmp/p$chunk.gpkg" --csv "$tmp/p$chunk.csv" --timestamp $ts \
        > "$tmp/p$chunk.out" 2>&1 || { echo "FAIL: parcels, chunks of $chunk:"; cat "$tmp/p$chunk.out"; exit 1; }
    grep -q "^Scored $n candidate areas" "$tmp/p$chunk.out" || { echo "FAIL: not $n scored:"; cat "$tmp/p$chunk.out"; fail=1; }
done
same_outputs p$c p$n "parcels in chunks of $c"
small=$(tail -n 1 "$tmp/rss$c") whole=$(tail -n 1 "$tmp/rss$n")
echo "peak RSS: chunks of $c: $((small / 1024)) MB; one chunk of $n: $((whole / 1024)) MB"
if [ -z "${RUIMTE_SANITIZED:-}" ]; then
    [ $((small * 10)) -le $((whole * 7)) ] ||
        { echo "FAIL: chunks of $c peaked at $small kB, more than 70 % of one chunk's $whole kB"; fail=1; }
fi
[ "$(sqlite3 "$tmp/p$c.gpkg" 'PRAGMA integrity_check')" = ok ] || { echo "FAIL: integrity_check"; fail=1; }
rows=$(sqlite3 "$tmp/p$c.gpkg" 'SELECT COUNT(*) FROM candidates_scored')
boxes=$(sqlite3 "$tmp/p$c.gpkg" 'SELECT COUNT(*) FROM rtree_candidates_scored_geom')
[ "$rows" = $n ] && [ "$boxes" = $n ] || { echo "FAIL: $rows rows, $boxes R-tree boxes, not $n"; fail=1; }

[ $fail = 0 ] && echo "score_stream: OK"
exit $fail
