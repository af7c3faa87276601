#!/usr/bin/env bash
# ruimte claims on the SYNTHETIC claim samples: the output's invariants checked in SQL on the
# GeoPackage, determinism across thread counts and tile sizes, and the documented errors.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
S="$src/data-samples/claims/claims.gpkg"
G="$src/data-samples/gemeenten.gpkg:gemeenten:naam"
CLAIMS=()
for k in wonen werken landbouw natuur water energie infrastructuur defensie; do CLAIMS+=(--claim "$k=$S:$k"); done

expect() {  # expect CODE FRAGMENT -- command...
  local code=$1 fragment=$2; shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?
  if [ "$got" != "$code" ] || ! grep -qF -- "$fragment" "$tmp/out" "$tmp/err"; then
    echo "FAIL: '$*' exited $got (want $code), looking for '$fragment' in:"; cat "$tmp/out" "$tmp/err"; fail=1
  else
    echo "ok: exit $code: ${*:1:3} ..."
  fi
}
check() {  # check DESCRIPTION SQL-that-returns-1 [gpkg]
  local got; got=$(sqlite3 "${3:-$tmp/a.gpkg}" "$2" 2>&1)
  if [ "$got" != "1" ]; then echo "FAIL: $1 (got '$got')"; fail=1; else echo "ok: $1"; fi
}

expect 0 "Example" -- "$ruimte" claims --help
expect 0 "Partitioned 8 claims into" -- "$ruimte" claims "${CLAIMS[@]}" --regions "$G" -o "$tmp/a.gpkg" --csv "$tmp/csv1" --threads 1 -q
expect 0 "Partitioned 8 claims into" -- "$ruimte" claims "${CLAIMS[@]}" --regions "$G" -o "$tmp/b.gpkg" --csv "$tmp/csv2" --threads 2 -q
expect 0 "Partitioned 8 claims into" -- "$ruimte" claims "${CLAIMS[@]}" -o "$tmp/t.gpkg" --tile-size 3000 -q

# All outputs registered in the GeoPackage.
check "layers and tables in gpkg_contents" \
  "select count(*) = 5 from gpkg_contents where (table_name in ('claim_faces','region_balance') and data_type = 'features')
     or (table_name in ('claim_totals','claim_combinations','claim_pairs') and data_type = 'attributes')"
check "claim_faces has faces, each with 1..8 claims and a positive area" \
  "select count(*) > 300 and min(claim_count) = 1 and max(claim_count) <= 8 and min(area_m2) > 0 from claim_faces"
# Invariants: faces add up to the union; per claim to its area; combinations and pairs agree.
check "sum of face areas = union of all claims (rel 1e-9)" \
  "select abs(f.a - t.area_ha * 1e4) <= 1e-9 * f.a from (select sum(area_m2) a from claim_faces) f, claim_totals t where t.claim = '(alle claims)'"
check "per claim: faces carrying it = its area in claim_totals (rel 1e-9)" \
  "select count(*) = 8 from claim_totals t where t.claim <> '(alle claims)' and abs(t.area_ha * 1e4 -
     (select sum(area_m2) from claim_faces f where instr('+' || f.claims || '+', '+' || t.claim || '+') > 0)) <= 1e-9 * t.area_ha * 1e4"
check "claim_count = number of names in claims; source_ids name the same claims" \
  "select count(*) = 0 from claim_faces where claim_count <> length(claims) - length(replace(claims, '+', '')) + 1
     or claim_count <> length(source_ids) - length(replace(source_ids, ';', '')) + 1"
check "area claimed more than once = sum over combinations of 2+ claims" \
  "select abs(t.shared_ha - (select sum(area_ha) from claim_combinations where claim_count >= 2)) < 1e-6 from claim_totals t where t.claim = '(alle claims)'"
check "conflict area = sum of faces whose worst status is conflict" \
  "select abs(t.conflict_ha * 1e4 - (select sum(area_m2) from claim_faces where worst_status = 'conflict')) < 1e-3 and t.conflict_ha > 0
     from claim_totals t where t.claim = '(alle claims)'"
check "single-claim faces have no status; conflicts listed only on conflict faces" \
  "select count(*) = 0 from claim_faces where (claim_count = 1 and worst_status is not null) or (claim_count > 1 and worst_status is null)
     or ((conflicts <> '') <> (worst_status = 'conflict'))"
check "a wonen face with two overlapping wonen features records both ids" \
  "select count(*) > 0 from claim_faces where source_ids glob '*wonen:[0-9]*,[0-9]*'"
check "natuur/water is combineerbaar, landbouw/wonen conflict in claim_pairs" \
  "select (select status from claim_pairs where claim_a = 'natuur' and claim_b = 'water') = 'combineerbaar'
      and (select status from claim_pairs where claim_a = 'landbouw' and claim_b = 'wonen') = 'conflict'
      and (select count(*) from claim_pairs) = 28"
# Regions: each region's claims add up to its claim sum; the regions add up to the totals
# (the sample municipalities overlap by about 1,000 m2 in all: relative 1e-6).
check "per region: claims add up to claim_sum_ha; pressure = claim_sum / region" \
  "select count(*) = 0 from region_balance where abs(claim_sum_ha - (defensie_ha + energie_ha + infrastructuur_ha + landbouw_ha + natuur_ha
     + water_ha + werken_ha + wonen_ha)) > 1e-6 or abs(claim_pressure - claim_sum_ha / region_ha) > 1e-9 or claimed_ha > region_ha * (1 + 1e-9)"
check "regions add up to the totals (rel 1e-6)" \
  "select abs(sum(r.claimed_ha) - t.area_ha) <= 1e-6 * t.area_ha and abs(sum(r.conflict_ha) - t.conflict_ha) <= 1e-6 * t.conflict_ha
     from region_balance r, claim_totals t where t.claim = '(alle claims)'"
check "36 municipalities carry claims (neighbours only slivers of the generalised borders), Utrecht among them" \
  "select count(*) = 36 and sum(region = 'Utrecht') = 1 from region_balance where claimed_ha > 0.01"

# Determinism: the same tables and faces with 1 or 2 threads; the same areas with other tiles.
for f in claim_totals claim_combinations claim_pairs region_balance; do
  if ! cmp -s "$tmp/csv1/$f.csv" "$tmp/csv2/$f.csv"; then echo "FAIL: $f.csv differs between 1 and 2 threads"; fail=1; fi
done
dump() { sqlite3 "$1" "select face_id, claims, source_ids, worst_status, conflicts, area_m2, hex(geom) from claim_faces order by face_id" | md5sum; }
if [ "$(dump "$tmp/a.gpkg")" != "$(dump "$tmp/b.gpkg")" ]; then echo "FAIL: claim_faces differ between 1 and 2 threads"; fail=1; else echo "ok: claim_faces identical with 1 and 2 threads"; fi
check "3 km tiles: same face count and area per combination (rel 1e-9)" \
  "attach '$tmp/t.gpkg' as t; select (select count(*) from claim_faces) = (select count(*) from t.claim_faces) and not exists (
     select 1 from claim_combinations a left join t.claim_combinations b using (combination) where b.area_ha is null or abs(a.area_ha - b.area_ha) > 1e-9 * a.area_ha)"
head -3 "$tmp/csv1/claim_combinations.csv" | grep -q '^combination,claim_count,faces,area_ha,share_of_claimed,worst_status$' \
  && echo "ok: CSV header" || { echo "FAIL: CSV header"; fail=1; }

# Errors, as documented.
expect 2 "not a kind in the compatibility matrix" -- "$ruimte" claims --claim woningbouw="$S:wonen" -o "$tmp/e.gpkg"
expect 2 "given twice" -- "$ruimte" claims --claim wonen="$S:wonen" --claim wonen="$S:werken" -o "$tmp/e.gpkg"
expect 2 "FILE[:LAYER]:FIELD" -- "$ruimte" claims --claim wonen="$S:wonen" --regions "$src/data-samples/gemeenten.gpkg" -o "$tmp/e.gpkg"
expect 4 "no field 'name'" -- "$ruimte" claims --claim wonen="$S:wonen" --regions "$src/data-samples/gemeenten.gpkg:gemeenten:name" -o "$tmp/e.gpkg"
printf 'kinds = ["wonen", "natuur"]\n[wonen]\nnatuur = "conflict"\n[natuur]\nwonen = "combineerbaar"\n' > "$tmp/asym.toml"
expect 3 "asymmetric entries" -- "$ruimte" claims --claim wonen="$S:wonen" --compat "$tmp/asym.toml" -o "$tmp/e.gpkg"
printf 'kinds = ["wonen", "natuur", "water"]\n[wonen]\nnatuur = "conflict"\nwater = "conflict"\n' > "$tmp/missing.toml"
expect 3 "missing pair: no status for natuur and water" -- "$ruimte" claims --claim wonen="$S:wonen" --compat "$tmp/missing.toml" -o "$tmp/e.gpkg"
printf 'kinds = ["wonen", "natuur"]\n[wonen]\nnatuur = "conflict"\n' > "$tmp/two.toml"
expect 2 "kinds: wonen, natuur" -- "$ruimte" claims --claim water="$S:water" --compat "$tmp/two.toml" -o "$tmp/e.gpkg"
expect 0 "Partitioned 2 claims" -- "$ruimte" claims --claim wonen="$S:wonen" --claim natuur="$S:natuur" --compat "$tmp/two.toml" -o "$tmp/two.gpkg" -q
expect 5 "--overwrite" -- "$ruimte" claims "${CLAIMS[@]}" -o "$tmp/a.gpkg"
expect 5 "also an input" -- "$ruimte" claims --claim wonen="$S:wonen" -o "$S" --overwrite
[ -f "$tmp/e.gpkg" ] && { echo "FAIL: a failed run left an output file"; fail=1; }

[ "$fail" = 0 ] && echo "claims_samples: all checks passed"
exit $fail
