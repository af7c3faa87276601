#!/usr/bin/env bash
# Crashes, limits and silent wrong answers (issue 25 'Crashes and hangs' and 'Silent wrong
# answers', issue 27 section 4), through the real binary: deep TOML keys, profiles read from
# /dev/zero, a stored profile with a 200 KB dotted key, huge sensitivity sweeps, tile sizes and
# output columns past their limits, coordinates that overflow, degrees labelled as RD, weights
# that do not sum to 1 or overflow, a candidate and a layer feature with the same fid both
# repaired, and the MakeValid method. Limits: docs/reliability.md, section 'Limits'.
set -uo pipefail
ruimte=$1 src=$(cd "$2" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
B="$src/tests/data/bad" S="$src/data-samples"
C="$B/candidates.geojson" P="$B/profile.toml"

expect() {  # expect CODE FRAGMENT -- command...
  local code=$1 fragment=$2; shift 3
  # Bounded, so that a regression cannot eat the machine: 4 GB of address space, 120 s.
  # 4 GB of address space at most; not under AddressSanitizer (RUIMTE_SANITIZED, set by
  # scripts/test-sanitize.sh), whose shadow memory needs terabytes of address space.
  local vlimit=4000000; [ -n "${RUIMTE_SANITIZED:-}" ] && vlimit=unlimited
  (ulimit -v "$vlimit"; exec timeout -k 5 120 "$@") > "$tmp/out" 2> "$tmp/err"; local got=$?
  if [ "$got" != "$code" ] || ! grep -qF -- "$fragment" "$tmp/out" "$tmp/err"; then
    echo "FAIL: '$*' exited $got (want $code), looking for '$fragment' in:"; head -c 2000 "$tmp/out" "$tmp/err"; echo; fail=1
  else
    echo "ok: exit $code: $fragment"
  fi
}
dots() { python3 -c "import sys; print('.'.join(['a'] * int(sys.argv[1])), end='')" "$1"; }

# --- TOML: 50,000 dotted parts in a profile and in a compatibility matrix (was SIGSEGV)
{ cat "$P"; echo; echo "$(dots 50000) = 1"; } > "$tmp/deep.toml"
expect 3 "levels deep (the limit is 64)" -- "$ruimte" score --candidates "$C" --profile "$tmp/deep.toml" -o "$tmp/o1.gpkg"
{ echo 'kinds = ["wonen", "natuur"]'; echo "$(dots 50000) = \"conflict\""; } > "$tmp/deep_matrix.toml"
CL="$S/claims/claims.gpkg"
expect 3 "levels deep" -- "$ruimte" claims --claim "wonen=$CL:wonen" --claim "natuur=$CL:natuur" --compat "$tmp/deep_matrix.toml" -o "$tmp/o2.gpkg"
# --- a profile and a matrix read from /dev/zero: a size limit, not std::bad_alloc (exit 1)
expect 3 "is larger than 1024 KiB" -- "$ruimte" score --candidates "$C" --profile /dev/zero -o "$tmp/o3.gpkg"
expect 3 "is larger than 1024 KiB" -- "$ruimte" claims --claim "wonen=$CL:wonen" --compat /dev/zero -o "$tmp/o4.gpkg"

# --- explain and compare on a GeoPackage whose stored profile holds a 200 KB dotted key
expect 0 "Scored 3" -- "$ruimte" score --candidates "$C" --profile "$P" -o "$tmp/good.gpkg"
cp "$tmp/good.gpkg" "$tmp/hostile.gpkg"
dots 100000 > "$tmp/key.txt"
sqlite3 "$tmp/hostile.gpkg" "UPDATE gpkg_metadata SET metadata = replace(metadata, '[profile]', readfile('$tmp/key.txt') || ' = 1' || char(10) || '[profile]') WHERE metadata LIKE '%GDALMultiDomainMetadata%'"
expect 4 "the profile stored in this GeoPackage nests keys" -- "$ruimte" explain "$tmp/hostile.gpkg" --id 1
expect 4 "hostile.gpkg" -- "$ruimte" compare "$tmp/good.gpkg" "$tmp/hostile.gpkg" -o "$tmp/c.gpkg"

# --- sensitivity: a sweep past the limit is refused at once (was gigabytes, then exit 1)
expect 2 "more than the limit of 100000" -- "$ruimte" sensitivity --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$tmp/s.gpkg" --sweep-steps 1000000000
expect 2 "values, more than the limit" -- "$ruimte" sensitivity --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$tmp/s2.gpkg" --draws 10000000

# --- claims: a tile size that makes more tiles than the limit (was 25-57 s and 1.9 GB)
expect 2 "more than the limit of 10000." -- "$ruimte" claims --claim "wonen=$CL:wonen" --claim "natuur=$CL:natuur" --tile-size 1 -o "$tmp/t.gpkg"

# --- more than 2000 output columns: stated up front (was exit 5 'no such table ... disk space')
{ cat "$P"; for i in $(seq 1 1000); do printf '\n[[factors]]\nname = "f%d"\nkind = "classes"\nlayer = "z"\nweight = 1\nvalues = { a = 1.0, b = 0.5 }\n' "$i"; done; } > "$tmp/wide.toml"
sed -i "s|source = \"layer.geojson\"|source = \"$B/layer.geojson\"|" "$tmp/wide.toml"
expect 3 "columns (1 layers, 1001 factors), more than the limit of 2000" -- "$ruimte" score --candidates "$C" --profile "$tmp/wide.toml" -o "$tmp/w.gpkg"

# --- coordinates that overflow: exit 4 naming the feature (was Inf area, scored and ranked)
poly() {  # poly X0 Y0 SIZE -> a GeoJSON polygon
  python3 -c "import sys,json; x,y,s=map(float,sys.argv[1:]); print(json.dumps({'type':'Polygon','coordinates':[[[x,y],[x+s,y],[x+s,y+s],[x,y+s],[x,y]]]}))" "$@"
}
fc() {  # fc EPSG FEATURE-GEOMETRY... -> a FeatureCollection, ids 1..n
  local epsg=$1; shift; local i=0 sep=""
  printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::%s"}},"features":[' "$epsg"
  for g in "$@"; do i=$((i + 1)); printf '%s{"type":"Feature","properties":{"id":%d,"klasse":"a"},"geometry":%s}' "$sep" "$i" "$g"; sep=","; done
  printf ']}\n'
}
fc 28992 "$(poly 155000 463000 100)" "$(poly 1e155 1e155 1e155)" > "$tmp/huge.geojson"
expect 4 "feature 2: its area is not a finite number" -- "$ruimte" score --candidates "$tmp/huge.geojson" --profile "$P" -o "$tmp/h.gpkg"
expect 4 "its area is not a finite number" -- "$ruimte" claims --claim "wonen=$tmp/huge.geojson" -o "$tmp/hc.gpkg"

# --- degrees labelled as RD: a warning (was scored silently at 1e-8 ha)
fc 28992 "$(poly 5.1 52.1 0.01)" "$(poly 5.2 52.1 0.01)" > "$tmp/degrees.geojson"
expect 0 "2 of 2 candidates lie outside the Netherlands" -- "$ruimte" score --candidates "$tmp/degrees.geojson" --profile "$P" -o "$tmp/d.gpkg"
expect 0 "none of the 2 candidates overlaps any feature of any layer" -- "$ruimte" score --candidates "$tmp/degrees.geojson" --profile "$P" -o "$tmp/d.gpkg" --overwrite

# --- weights: a sum other than 1 is named; weights that overflow are refused
sed "s|weight = 1.0|weight = 35|; s|source = \"layer.geojson\"|source = \"$B/layer.geojson\"|" "$P" > "$tmp/w35.toml"
expect 0 "the factor weights sum to 35, not 1" -- "$ruimte" score --candidates "$C" --profile "$tmp/w35.toml" -o "$tmp/w35.gpkg"
{ sed "s|weight = 1.0|weight = 1e308|; s|source = \"layer.geojson\"|source = \"$B/layer.geojson\"|" "$P"
  printf '\n[[factors]]\nname = "zone2"\nkind = "classes"\nlayer = "z"\nweight = 1e308\nvalues = { a = 0.0, b = 1.0 }\n'; } > "$tmp/wbig.toml"
expect 3 "the weights are too large" -- "$ruimte" score --candidates "$C" --profile "$tmp/wbig.toml" -o "$tmp/wbig.gpkg"

# --- a candidate and a layer feature with the same fid, both repaired (was exit 5 'UNIQUE
#     constraint failed: geometry_issues.fid'): both rows are kept
bowtie='{"type":"Polygon","coordinates":[[[155000,463000],[155100,463100],[155100,463000],[155000,463100],[155000,463000]]]}'
fc 28992 "$bowtie" "$(poly 155200 463000 100)" > "$tmp/cands_bowtie.geojson"
fc 28992 "$bowtie" "$(poly 155200 463000 100)" > "$tmp/layer_bowtie.geojson"
sed "s|source = \"layer.geojson\"|source = \"$tmp/layer_bowtie.geojson\"|" "$P" > "$tmp/p_bowtie.toml"
expect 0 "Scored 2" -- "$ruimte" score --candidates "$tmp/cands_bowtie.geojson" --profile "$tmp/p_bowtie.toml" -o "$tmp/b.gpkg"
got=$(sqlite3 "$tmp/b.gpkg" "SELECT group_concat(input || ':' || fid, ' ') FROM (SELECT input, fid FROM geometry_issues ORDER BY input)" 2>&1)
if [ "$got" = "candidates:1 z:1" ]; then echo "ok: geometry_issues keeps both rows ($got)"; else echo "FAIL: geometry_issues holds '$got'"; fail=1; fi

# --- MakeValid's method: structure by default, linework on request; named in the output
# A 10 x 10 m shell with a 10 x 10 m inner ring that sticks out by half in both directions:
# structure takes the shell minus the hole (75 m2), linework every face inside an odd number of
# rings (the shell's 75 m2 and the hole's 75 m2 outside the shell: 150 m2, as ogr2ogr -makevalid).
twosq='{"type":"Polygon","coordinates":[[[155000,463000],[155010,463000],[155010,463010],[155000,463010],[155000,463000]],[[155005,463005],[155015,463005],[155015,463015],[155005,463015],[155005,463005]]]}'
fc 28992 "$twosq" > "$tmp/twosq.geojson"
expect 0 "Scored 1" -- "$ruimte" score --candidates "$tmp/twosq.geojson" --profile "$P" -o "$tmp/mv_s.gpkg"
expect 0 "Scored 1" -- "$ruimte" score --candidates "$tmp/twosq.geojson" --profile "$P" -o "$tmp/mv_l.gpkg" --make-valid linework
for pair in "mv_s:0.0075:structure" "mv_l:0.015:linework"; do
  IFS=: read -r f ha method <<< "$pair"
  got=$(sqlite3 "$tmp/$f.gpkg" "SELECT round(area_ha, 6) FROM candidates_scored")
  if [ "$got" = "$ha" ]; then echo "ok: --make-valid $method: area $got ha"; else echo "FAIL: --make-valid $method: area $got ha, want $ha"; fail=1; fi
  if ogrinfo -ro -so "$tmp/$f.gpkg" 2>/dev/null | grep -qF "RUIMTE_MAKE_VALID=GEOS MakeValid, method=$method" &&
     sqlite3 "$tmp/$f.gpkg" "SELECT metadata FROM gpkg_metadata" | grep -qF "\"method\": \"$method\""; then
    echo "ok: the output names MakeValid's method $method (metadata and manifest)"
  else
    echo "FAIL: $f.gpkg does not name MakeValid's method $method"; fail=1
  fi
done
expect 2 "make-valid" -- "$ruimte" score --candidates "$C" --profile "$P" -o "$tmp/x.gpkg" --make-valid snap

[ "$fail" -eq 0 ] && echo "limits: all cases as expected"
exit "$fail"
