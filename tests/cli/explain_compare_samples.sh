#!/usr/bin/env bash
# explain, sensitivity and compare through the real binary on the bundled samples:
# contributions add up, the two sample profiles swap 41 and 98 around the top 10 (hand-checked in
# tests/spatial/test_explain.cpp), sensitivity output and charts are byte-stable across 1 and 2
# threads, and --strict refuses an inconsistent AHP matrix (exit 3).
set -euo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cands="$src/data-samples/kandidaten.shp"
"$ruimte" score --candidates "$cands" --profile "$src/data-samples/woningbouw.toml" -o "$tmp/a.gpkg" -q > /dev/null
"$ruimte" score --candidates "$cands" --profile "$src/data-samples/profiles/water_zwaar.toml" -o "$tmp/b.gpkg" -q > /dev/null

# explain: candidate 17 = 0.40 x 1.0 (wbs ja) + 0.25 x 0.1 (red) = 0.4250
"$ruimte" explain "$tmp/a.gpkg" --id 17 --lang en > "$tmp/explain.txt"
grep -q "Candidate 17 Polder Amersfoort 4 (profile woningbouw): score 0.4250" "$tmp/explain.txt"
grep -q "sum of the contributions *0.4250" "$tmp/explain.txt"
grep -q "wbs: yes 100 %" "$tmp/explain.txt"
grep -q "net_afname: transport capacity shortage, queue 100 %" "$tmp/explain.txt"
# Dutch: the catalogue's labels, not the codes (red), and decimal commas.
"$ruimte" explain "$tmp/a.gpkg" --id 17 > "$tmp/explain_nl.txt"
grep -q "Kandidaat 17 Polder Amersfoort 4 (profiel woningbouw): score 0,4250" "$tmp/explain_nl.txt"
grep -q "net_afname: transportschaarste, wachtrij 100 %" "$tmp/explain_nl.txt"
! grep -Eq "[0-9]\.[0-9]|: red " "$tmp/explain_nl.txt"
"$ruimte" explain "$tmp/a.gpkg" --id 98 --vs 41 > "$tmp/vs.txt"
grep -q "In het voordeel van 41 Kanaalzone De Wolden 1: netcongestie (0,0750)" "$tmp/vs.txt"
grep -q "In het voordeel van 98 Bedrijventerrein Krimpen aan den IJssel 1: water_bodem (0,0494)" "$tmp/vs.txt"
set +e
"$ruimte" explain "$tmp/a.gpkg" --id 9999 > /dev/null 2> "$tmp/err.txt"; rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "explain of an unknown id: exit $rc, expected 2" >&2; exit 1; }
grep -q "no candidate with id '9999'" "$tmp/err.txt"

# compare: water weighing more brings 98 into the top 10 and pushes 41 out
"$ruimte" compare "$tmp/a.gpkg" "$tmp/b.gpkg" -o "$tmp/c.gpkg" --top 10 --lang en > "$tmp/compare.txt"
grep -Eq "^ +[0-9]+ +98 +12 +\+[0-9]+ +new in top 10" "$tmp/compare.txt"
grep -Eq "^ +41 +rank A 8 " "$tmp/compare.txt"
grep -q "2 entries into and 2 exits from the top 10" "$tmp/compare.txt"
grep -Eq "^ +[0-9]+ +98 +12 .*new in top 10 +Bedrijventerrein Krimpen aan den IJssel 1$" "$tmp/compare.txt"
"$ruimte" compare "$tmp/a.gpkg" "$tmp/b.gpkg" -o "$tmp/c_nl.gpkg" --top 10 > "$tmp/compare_nl.txt"
grep -Eq "Spearman rho 0,[0-9]{3}$" "$tmp/compare_nl.txt"
grep -Eq "^ +41 +rang A 8 +-> rang B [0-9]+ +Kanaalzone De Wolden 1$" "$tmp/compare_nl.txt"

# sensitivity: identical bytes of the tables for 1 and 2 threads; charts written
for t in 1 2; do
  "$ruimte" sensitivity --candidates "$cands" --profile "$src/data-samples/woningbouw.toml" -o "$tmp/s$t.gpkg" \
    --draws 500 --seed 7 --top 10 --threads "$t" --chart "$tmp/s$t.svg" -q > "$tmp/s$t.txt"
  ogr2ogr -f CSV "$tmp/s$t.csv" "$tmp/s$t.gpkg" rank_intervals > /dev/null
  ogr2ogr -f CSV "$tmp/sw$t.csv" "$tmp/s$t.gpkg" oat_sweep > /dev/null
done
cmp "$tmp/s1.csv" "$tmp/s2.csv"
cmp "$tmp/sw1.csv" "$tmp/sw2.csv"
diff <(grep -v "^Result\|^Chart" "$tmp/s1.txt") <(grep -v "^Result\|^Chart" "$tmp/s2.txt")
cmp "$tmp/s1.svg" "$tmp/s2.svg"
# The summary names the candidates beside their ids and writes Dutch decimals.
best=$(ogrinfo -ro -q "$tmp/a.gpkg" -sql "SELECT naam FROM candidates_scored WHERE rank = 1" | sed -n 's/.*naam (String) = //p')
grep -Eq "^  1 +[0-9]+ .* ${best}$" "$tmp/s1.txt" || { echo "sensitivity: no name beside rank 1 ($best)" >&2; exit 1; }
! grep -Eq "gewicht [0-9]+\.[0-9]" "$tmp/s1.txt"
head -c 5 "$tmp/s1.svg" | grep -q "<?xml"
[ "$(wc -l < "$tmp/s1.csv")" -eq 201 ]
"$ruimte" sensitivity --candidates "$cands" --profile "$src/data-samples/woningbouw.toml" -o "$tmp/z.gpkg" \
  --method uniform --spread 0 --draws 20 --chart "$tmp/z.png" -q > /dev/null
head -c 4 "$tmp/z.png" | grep -q "PNG"
# zero perturbation: every ranked candidate has rank_p05 = rank_p95 = rank
[ "$(ogrinfo -q -sql "SELECT COUNT(*) AS n FROM rank_intervals WHERE rank IS NOT NULL AND (rank_p05 <> rank OR rank_p95 <> rank)" "$tmp/z.gpkg" | grep -o 'n (Integer) = [0-9]*')" = "n (Integer) = 0" ]

# --strict: an inconsistent AHP matrix is an error (exit 3); without it a warning
/usr/bin/python3 - "$src/data-samples/profiles/water_zwaar.toml" "$tmp/inconsistent.toml" "$src/data-samples/" <<'PY'
import re, sys
s = open(sys.argv[1]).read()
s = re.sub(r'matrix = \[.*?\n\]\n', 'matrix = [\n  [1, 4, "1/4", 8],\n  ["1/4", 1, 4, 2],\n  [4, "1/4", 1, 2],\n  ["1/8", "1/2", "1/2", 1],\n]\n', s, flags=re.S)
open(sys.argv[2], 'w').write(s.replace('"../', '"' + sys.argv[3]))
PY
set +e
"$ruimte" score --candidates "$cands" --profile "$tmp/inconsistent.toml" -o "$tmp/i.gpkg" --strict > /dev/null 2> "$tmp/strict.txt"; rc=$?
set -e
[ "$rc" -eq 3 ] || { cat "$tmp/strict.txt" >&2; echo "--strict with CR > 0.1: exit $rc, expected 3" >&2; exit 1; }
grep -q "consistency ratio" "$tmp/strict.txt"
"$ruimte" score --candidates "$cands" --profile "$tmp/inconsistent.toml" -o "$tmp/i.gpkg" > /dev/null 2> "$tmp/warn.txt"
grep -q "warning: \[weights\]" "$tmp/warn.txt"
echo "explain_compare_samples: explain, compare, sensitivity (1 = 2 threads) and --strict as expected"
