#!/usr/bin/env bash
# Golden test: `ruimte score` on the bundled samples gives a byte-stable long table, the same
# with 1, 2 and 8 threads.
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for t in 1 2 8; do
  "$ruimte" score --candidates "$src/data-samples/kandidaten.shp" --profile "$src/data-samples/woningbouw.toml" \
    -o "$tmp/score-$t.gpkg" --csv "$tmp/areas-$t.csv" --threads "$t" -q > "$tmp/stdout-$t.txt"
done
grep -q "Scored 200 candidate areas" "$tmp/stdout-1.txt"
grep -q "Result: $tmp/score-1.gpkg" "$tmp/stdout-1.txt"
cmp "$tmp/areas-1.csv" "$tmp/areas-2.csv"
cmp "$tmp/areas-1.csv" "$tmp/areas-8.csv"
if ! diff -u "$src/tests/cli/golden/score_samples.csv" "$tmp/areas-1.csv" > "$tmp/diff.txt"; then
  head -40 "$tmp/diff.txt"
  echo "golden_score: the long table differs from tests/cli/golden/score_samples.csv" >&2
  exit 1
fi
echo "golden_score: $(($(wc -l < "$tmp/areas-1.csv") - 1)) rows identical to the golden file and across 1, 2, 8 threads"
