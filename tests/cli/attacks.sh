#!/usr/bin/env bash
# The attack corpus of issue 25 (tests/data/attacks/cases.tsv): data loss, injection, secrets,
# crashes, limits and silent wrong answers, one row per attack, each run through the real
# `ruimte` with its exit code and post-conditions checked (the columns and checks are described
# at the top of cases.tsv). This script builds the fixtures (hostile names, deep TOML, huge
# coordinates, ...) in a temporary folder first. Rows that need a PostgreSQL server or many
# kills name the test that covers them (EXIT `ref`); this script checks that the test exists and
# still holds the named text.
set -uo pipefail
ruimte=$1 src=$(cd "$2" && pwd)
py=/usr/bin/python3
for tool in sqlite3 ogr2ogr; do
  command -v "$tool" > /dev/null || { echo "attacks: SKIPPED (no $tool)"; exit 77; }
done
$py -c "from osgeo import ogr" 2> /dev/null || { echo "attacks: SKIPPED (/usr/bin/python3 without GDAL)"; exit 77; }
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
S="$src/data-samples" B="$src/tests/data/bad"
C="$B/candidates.geojson" P="$B/profile.toml"
F="$tmp/fixtures"; mkdir -p "$F"
checks_py="$src/tests/cli/attacks_checks.py"

# ---------------------------------------------------------------- fixtures
die() { echo "attacks: cannot build the fixtures: $*"; exit 1; }
"$ruimte" score -q --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$F/good.gpkg" --csv "$F/good.csv" \
  > /dev/null || die "score on the samples"
# Hostile names: check's locations and groups, score's candidate ids, QGIS context layer names.
cp "$S/novex.gpkg" "$F/hostile_loc.gpkg"; cp "$S/waterschappen.gpkg" "$F/hostile_ws.gpkg"
ogr2ogr -f GPKG "$F/hostile_k.gpkg" "$S/kandidaten.shp" -nln kandidaten || die "ogr2ogr"
$py - "$F" <<'PY' || die "hostile names"
import sys
from osgeo import ogr
F = sys.argv[1]
def rename(path, layer, field, names, default=None):
    ds = ogr.Open(path, 1)
    l = ds.GetLayerByName(layer)
    for i, f in enumerate(sorted(l, key=lambda f: f.GetFID())):
        if i < len(names): f.SetField(field, names[i])
        elif default: f.SetField(field, default % f.GetFID())
        else: continue
        l.SetFeature(f)
    ds = None
rename(F + "/hostile_loc.gpkg", "novex_locaties", "naam", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>',
       "[klik](https://example.com/x)", "twee\nregels | nep | kolom", "cr\rregel", "\x1b[31mrood"])
ds = ogr.Open(F + "/hostile_ws.gpkg", 1)
l = ds.GetLayerByName("waterschappen")
for f in l:
    if f.GetField("naam") == "Hoogheemraadschap van Rijnland":
        f.SetField("naam", "<b>Groep</b>\n## kop"); l.SetFeature(f)
ds = None
rename(F + "/hostile_k.gpkg", "kandidaten", "naam", ['=HYPERLINK("http://example.com/x","klik")', "+cmd|' /C calc'!A0",
       "@SUM(A1:A9)", "-2+3", "a\rb", "\t=1", "-7"], "\x1b]0;pwned\x07\x1b[2J%d")
PY
ogr2ogr -f GPKG "$F/ctx.gpkg" "$S/waterschappen.gpkg" waterschappen -nln 'wonen & werken "<x>' || die "ctx"
ogr2ogr -f GPKG -update "$F/ctx.gpkg" "$S/waterschappen.gpkg" waterschappen -nln 'ctx|subset="fid" < 0' || die "ctx"
printf 'kinds = ["@SUM(A1)", "+cmd"]\n\n["@SUM(A1)"]\n"+cmd" = "conflict"\n' > "$F/formula_compat.toml"
# TOML: 50,000 dotted key parts; a stored profile with a 200 KB dotted key.
dots() { $py -c "import sys; print('.'.join(['a'] * int(sys.argv[1])), end='')" "$1"; }
{ cat "$P"; echo; echo "$(dots 50000) = 1"; } > "$F/deep.toml"
{ echo 'kinds = ["wonen", "natuur"]'; echo "$(dots 50000) = \"conflict\""; } > "$F/deep_matrix.toml"
"$ruimte" score -q --candidates "$C" --profile "$P" -o "$F/hostile_stored.gpkg" > /dev/null || die "score on the bad corpus"
dots 100000 > "$F/key.txt"
sqlite3 "$F/hostile_stored.gpkg" "UPDATE gpkg_metadata SET metadata = replace(metadata, '[profile]', readfile('$F/key.txt') || ' = 1' || char(10) || '[profile]') WHERE metadata LIKE '%GDALMultiDomainMetadata%'" || die "stored profile"
# Profiles: 5,000 factors; 2,000 layers no factor uses; weights of 35 (for 0.35) and of 1e308.
layer_abs="s|source = \"layer.geojson\"|source = \"$B/layer.geojson\"|"
{ sed "$layer_abs" "$P"; for i in $(seq 1 5000); do printf '\n[[factors]]\nname = "f%d"\nkind = "classes"\nlayer = "z"\nweight = 1\nvalues = { a = 1.0, b = 0.5 }\n' "$i"; done; } > "$F/factors5000.toml"
{ sed "$layer_abs" "$P"; for i in $(seq 1 2000); do printf '\n[layers.l%d]\nsource = "%s"\ntype = "classes"\nclass_field = "klasse"\nclasses = ["a", "b"]\n' "$i" "$B/layer.geojson"; done; } > "$F/layers2000.toml"
sed "s|weight = 1.0|weight = 35|; $layer_abs" "$P" > "$F/w35.toml"
{ sed "s|weight = 1.0|weight = 1e308|; $layer_abs" "$P"
  printf '\n[[factors]]\nname = "zone2"\nkind = "classes"\nlayer = "z"\nweight = 1e308\nvalues = { a = 0.0, b = 1.0 }\n'; } > "$F/wbig.toml"
# Geometry: huge coordinates, degrees labelled as RD, a bow-tie with the same fid in candidates
# and layer, a shell whose hole sticks out (MakeValid's methods differ).
poly() { $py -c "import sys,json; x,y,s=map(float,sys.argv[1:]); print(json.dumps({'type':'Polygon','coordinates':[[[x,y],[x+s,y],[x+s,y+s],[x,y+s],[x,y]]]}))" "$@"; }
fc() {  # fc EPSG GEOMETRY... -> a FeatureCollection, ids 1..n, klasse a
  local epsg=$1; shift; local i=0 sep=""
  printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::%s"}},"features":[' "$epsg"
  for g in "$@"; do i=$((i + 1)); printf '%s{"type":"Feature","properties":{"id":%d,"klasse":"a"},"geometry":%s}' "$sep" "$i" "$g"; sep=","; done
  printf ']}\n'
}
fc 28992 "$(poly 155000 463000 100)" "$(poly 1e155 1e155 1e155)" > "$F/huge155.geojson"
fc 28992 "$(poly 155000 463000 100)" "$(poly 1e150 1e150 1e150)" > "$F/huge150.geojson"
fc 28992 "$(poly 155000 463000 100)" "$(poly 1e300 1e300 1e140)" > "$F/huge300.geojson"
fc 28992 "$(poly 1e154 1e154 1.3e154)" "$(poly 3e154 3e154 1.3e154)" > "$F/huge154x2.geojson"
fc 28992 "$(poly 5.1 52.1 0.01)" "$(poly 5.2 52.1 0.01)" > "$F/degrees.geojson"
bowtie='{"type":"Polygon","coordinates":[[[155000,463000],[155100,463100],[155100,463000],[155000,463100],[155000,463000]]]}'
fc 28992 "$bowtie" "$(poly 155200 463000 100)" > "$F/cands_bowtie.geojson"
fc 28992 "$bowtie" "$(poly 155200 463000 100)" > "$F/layer_bowtie.geojson"
sed "s|source = \"layer.geojson\"|source = \"$F/layer_bowtie.geojson\"|" "$P" > "$F/p_bowtie.toml"
sed "s|source = \"layer.geojson\"|source = \"$F/huge150.geojson\"|" "$P" > "$F/p_huge150.toml"
fc 28992 '{"type":"Polygon","coordinates":[[[155000,463000],[155010,463000],[155010,463010],[155000,463010],[155000,463000]],[[155005,463005],[155015,463005],[155015,463015],[155005,463015],[155005,463005]]]}' > "$F/twosq.geojson"
chmod -R a-w "$F"  # no case may change a fixture

# ---------------------------------------------------------------- the cases
race2() {  # two runs of the same command at once: one must succeed, the other exit 5
  "$ruimte" "$@" > "$T.a" 2>&1 & local a=$!
  "$ruimte" "$@" > "$T.b" 2>&1 & local b=$!
  wait "$a"; local ea=$?; wait "$b"; local eb=$?
  cat "$T.a" "$T.b"; echo "race2: exits $ea and $eb"
  [ "$ea,$eb" = "0,5" ] || [ "$ea,$eb" = "5,0" ]
}
sha() { sha256sum "$1" 2> /dev/null | cut -d' ' -f1; }
fail=0 n=0 declare_ids=" "
declare -A kinds=()
while IFS=$'\t' read -r id kind code checks setup cmd; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  n=$((n + 1)); kinds[$kind]=1
  case "$declare_ids" in *" $id "*) echo "FAIL: $id: the id is used twice"; fail=1 ;; esac
  declare_ids+="$id "
  case "$kind" in data_loss|security|crash|limits|silent) ;; *) echo "FAIL: $id: unknown kind '$kind'"; fail=1; continue ;; esac
  if [ "$code" = ref ]; then
    IFS=: read -r _ script text <<< "$checks"
    if [ -f "$src/$script" ] && grep -qF -- "$text" "$src/$script"; then echo "ok: $id (covered by $script)"
    else echo "FAIL: $id: $script is missing or no longer holds '$text'"; fail=1; fi
    continue
  fi
  T="$tmp/case-$id"; mkdir -p "$T"
  if [ "$setup" != - ] && ! (cd "$T" && eval "$setup") > "$T.setup" 2>&1; then
    if [ "$id" = device_node_at_output ] && [ "$(id -u)" != 0 ]; then echo "skip: $id (mknod needs root)"; continue; fi
    echo "FAIL: $id: the setup failed: $(cat "$T.setup")"; fail=1; continue
  fi
  IFS=';' read -ra check_list <<< "$checks"
  declare -A before=()
  for c in "${check_list[@]}"; do
    if [[ "$c" == unchanged:* ]]; then p=$(eval "echo ${c#unchanged:}"); before[$p]=$(sha "$p"); fi
  done
  eval "argv=($cmd)"
  if [ "${argv[0]}" = race2 ]; then
    race2 "${argv[@]:1}" > "$T.out" 2> "$T.err"; got=$?
  else
    # Bounded, so that a regression cannot eat the machine (not under AddressSanitizer, whose
    # shadow memory needs terabytes of address space).
    vlimit=4000000; [ -n "${RUIMTE_SANITIZED:-}" ] && vlimit=unlimited
    (ulimit -v "$vlimit"; exec timeout -k 5 120 "$ruimte" "${argv[@]}") > "$T.out" 2> "$T.err"; got=$?
  fi
  why=""
  [ "$got" != "$code" ] && why="exited $got, want $code"
  if [ -z "$why" ] && [ "$got" != 0 ] && find "$T" -name '.*.tmp-*' | grep -q .; then why="failed but left a temporary file"; fi
  for c in "${check_list[@]}"; do
    [ -n "$why" ] && break
    name=${c%%:*} arg=${c#*:}
    [ "$arg" != "$c" ] && [ "$name" != msg ] && [ "$name" != sql ] && arg=$(eval "echo $arg")
    case "$name" in
      msg) grep -qF -- "$arg" "$T.out" "$T.err" || why="no '$arg' in the output" ;;
      unchanged) [ -n "${before[$arg]}" ] && [ "$(sha "$arg")" = "${before[$arg]}" ] || why="$arg changed or vanished" ;;
      absent) [ ! -e "$arg" ] && [ ! -L "$arg" ] || why="$arg exists" ;;
      symlink) [ -L "$arg" ] || why="$arg is no longer a symbolic link" ;;
      chardev) [ -c "$arg" ] || why="$arg is no longer a device node" ;;
      fifo) [ -p "$arg" ] || why="$arg is no longer a FIFO" ;;
      dir) [ -d "$arg" ] || why="$arg is no longer a folder" ;;
      csv-neutral|md-safe|html-safe|qgz-safe)
        r=$($py "$checks_py" "$name" "$arg" 2>&1) || why="$name $arg: $r" ;;
      no-esc) if grep -q $'\x1b' "$T.out" "$T.err" || grep -q $'\r' "$T.out" "$T.err"; then why="an ESC or CR reached the terminal"; fi ;;
      no-secret)
        where=("$T.out" "$T.err"); [ "$arg" != "$c" ] && where+=("$arg")
        if grep -rqF s3cr3tPW "${where[@]}"; then why="the password is in $(grep -rlF s3cr3tPW "${where[@]}" | head -3 | tr '\n' ' ')"; fi ;;
      no-nonfinite)
        if grep -rqiE '(^|,)-?(inf|nan)' "$(eval "echo $arg")"; then why="a CSV in $arg holds inf or nan"; fi ;;
      sql)
        a=$(eval "echo ${arg%%:*}") q=${arg#*:}; want=${q##*=>}; q=${q%=>*}
        g=$(sqlite3 "$a" "$q" 2>&1); [ "$g" = "$want" ] || why="sqlite3 $a '$q' gave '$g', want '$want'" ;;
      *) why="unknown check '$name'" ;;
    esac
  done
  if [ -n "$why" ]; then
    echo "FAIL: $id ($kind): $why"; echo "    ruimte $cmd"; head -c 1500 "$T.out" "$T.err" | sed 's/^/    /'; fail=1
  else
    echo "ok: $id ($kind, exit $got)"
  fi
  unset before
done < "$src/tests/data/attacks/cases.tsv"

for k in data_loss security crash limits silent; do
  [ -n "${kinds[$k]:-}" ] || { echo "FAIL: no case of kind $k"; fail=1; }
done
if [ "$n" -lt 50 ]; then echo "FAIL: only $n cases in cases.tsv (want at least 50)"; fail=1; fi
[ "$fail" = 0 ] && echo "attacks: all $n cases as expected"
exit $fail
