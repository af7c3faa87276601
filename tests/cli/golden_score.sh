#!/usr/bin/env bash
# Golden test: `ruimte score` on the bundled samples gives a byte-stable long table, the same
# with 1, 2 and 8 threads, and the same manifest of its inputs.
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
# The manifest's inputs (paths, sizes, SHA-256) the same whether the hashing ran on a thread of
# its own (2, 8 threads) or on the main thread (1), and the candidates' hash sha256sum's.
files() { sqlite3 "$tmp/score-$1.gpkg" "SELECT json_extract(metadata, '\$.files') FROM gpkg_metadata WHERE md_standard_uri LIKE '%ruimte%'"; }
[ -n "$(files 1)" ] && [ "$(files 1)" = "$(files 2)" ] && [ "$(files 1)" = "$(files 8)" ] ||
  { echo "golden_score: the manifest's inputs differ between thread counts" >&2; files 1 >&2; files 2 >&2; exit 1; }
files 1 | grep -q "\"sha256\":\"$(sha256sum "$src/data-samples/kandidaten.shp" | cut -d' ' -f1)\"" ||
  { echo "golden_score: the manifest's SHA-256 of kandidaten.shp is not sha256sum's" >&2; exit 1; }
echo "golden_score: $(($(wc -l < "$tmp/areas-1.csv") - 1)) rows identical to the golden file and across 1, 2, 8 threads; the manifest's inputs too"
