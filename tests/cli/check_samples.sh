#!/usr/bin/env bash
# Golden test: `ruimte check` on the bundled samples (the 17 NOVEX housing locations against the
# SYNTHETIC WBS map, grouped per SYNTHETIC water board) gives a byte-stable Dutch report, the
# same with 1 and 4 threads; plus `ruimte layers`, `ruimte info` and the exit codes of check.
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
args=(--locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs
      --by data-samples/waterschappen.gpkg:waterschappen:naam --timestamp 2026-01-02T09:00:00Z -q)
for t in 1 4; do
  "$ruimte" check "${args[@]}" -o "$tmp/check-$t.gpkg" --report "$tmp/check-$t.md" --threads "$t" > "$tmp/stdout-$t.txt"
done
grep -q "Checked 17 locations in 10 groups (21 parts)." "$tmp/stdout-1.txt"
sed 's/check-4_kaart_/check-1_kaart_/' "$tmp/check-4.md" | cmp "$tmp/check-1.md" -
# One overview map per water board beside the Markdown report, the same bytes with 4 threads.
for i in $(seq 1 10); do
  cmp "$tmp/check-1_kaart_$i.png" "$tmp/check-4_kaart_$i.png"
  grep -qF "](check-1_kaart_$i.png)" "$tmp/check-1.md"
done
[ ! -e "$tmp/check-1_kaart_11.png" ]
if ! diff -u tests/cli/golden/check_novex.md "$tmp/check-1.md" > "$tmp/diff.txt"; then
  head -60 "$tmp/diff.txt"
  echo "check_samples: the report differs from tests/cli/golden/check_novex.md" >&2
  exit 1
fi

# English HTML report for the 200 candidate areas (a shapefile with homes).
"$ruimte" check --locations data-samples/kandidaten.shp --wbs data-samples/wbs.gpkg:wbs --lang en \
  --by data-samples/waterschappen.gpkg:waterschappen:naam -o "$tmp/k.gpkg" --report "$tmp/k.html" -q > "$tmp/k.txt"
grep -q "Checked 200 locations" "$tmp/k.txt"
grep -q '<html lang="en">' "$tmp/k.html"
grep -q "What must be addressed" "$tmp/k.html"
n=$(ogrinfo -ro -q "$tmp/k.gpkg" -sql "SELECT COUNT(*) AS n FROM check_locations" | sed -n 's/.*n (Integer[0-9]*) = //p')
[ "$n" = 200 ] || { echo "check_samples: expected 200 rows in check_locations, got '$n'" >&2; exit 1; }

# Exit codes: existing output (5), unknown alias class (2), unmapped value (4), bad --by (2).
set +e
"$ruimte" check "${args[@]}" -o "$tmp/check-1.gpkg"; [ $? -eq 5 ] || { echo "expected exit 5 for an existing output" >&2; exit 1; }
"$ruimte" check "${args[@]}" -o "$tmp/x.gpkg" --alias "x=ja_mits"; [ $? -eq 2 ] || { echo "expected exit 2 for a bad alias" >&2; exit 1; }
"$ruimte" check "${args[@]}" -o "$tmp/y.gpkg" --class-field wateroverlast 2> "$tmp/err.txt"; code=$?
[ $code -eq 4 ] || { echo "expected exit 4 for unmapped class values, got $code" >&2; exit 1; }
grep -q "maps to no wbs class" "$tmp/err.txt"
"$ruimte" check --locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs --by data-samples/waterschappen.gpkg -o "$tmp/z.gpkg" 2>/dev/null
[ $? -eq 2 ] || { echo "expected exit 2 for --by without a field" >&2; exit 1; }
set -e
[ ! -e "$tmp/x.gpkg" ] && [ ! -e "$tmp/y.gpkg" ]

# The catalogue and info.
"$ruimte" layers | grep -q "ja_mits_groot  #fee08b"
"$ruimte" layers --kind novex_locaties | grep -q "Utrecht Groot Merwede .* 20000 woningen"
"$ruimte" info data-samples/wbs.gpkg | grep -q "'ja_mits_klein' .* -> ja_mits_klein"
echo "check_samples: report identical to the golden file and across 1 and 4 threads; 200 candidates checked; exit codes as documented"
