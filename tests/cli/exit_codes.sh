#!/usr/bin/env bash
# The documented exit codes, each provoked for real, with the message naming the cause.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect() {  # expect CODE FRAGMENT -- command...
  local code=$1 fragment=$2; shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?
  if [ "$got" != "$code" ] || ! grep -qF -- "$fragment" "$tmp/out" "$tmp/err"; then
    echo "FAIL: '$*' exited $got (want $code), looking for '$fragment' in:"; cat "$tmp/out" "$tmp/err"; fail=1
  else
    echo "ok: exit $code: $*"
  fi
}
S="$src/data-samples"
expect 0 "ruimte 0." -- "$ruimte" --version
expect 0 "Exit codes" -- "$ruimte" --help
expect 0 "Example" -- "$ruimte" score --help
expect 2 "required" -- "$ruimte" score --candidates "$S/kandidaten.shp"
expect 2 "" -- "$ruimte" nosuchcommand
expect 3 "cannot read the profile" -- "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$tmp/none.toml" -o "$tmp/o.gpkg"
printf '[profile]\nnmae = "x"\n' > "$tmp/bad.toml"
expect 3 "did you mean 'name'" -- "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$tmp/bad.toml" -o "$tmp/o.gpkg"
expect 4 "no such file" -- "$ruimte" score --candidates "$tmp/nope.shp" --profile "$S/woningbouw.toml" -o "$tmp/o.gpkg"
cp "$S/kandidaten.shp" "$S/kandidaten.dbf" "$S/kandidaten.shx" "$S/kandidaten.cpg" "$tmp/"
expect 4 "--assume-crs" -- "$ruimte" score --candidates "$tmp/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$tmp/o.gpkg"
expect 0 "Scored 200" -- "$ruimte" score --candidates "$tmp/kandidaten.shp" --assume-crs EPSG:28992 --profile "$S/woningbouw.toml" -o "$tmp/o.gpkg" -q
expect 5 "--overwrite" -- "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$tmp/o.gpkg"
expect 5 "output folder does not exist" -- "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$tmp/missing/o.gpkg"
expect 5 "also an input" -- "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$S/wbs.gpkg" --overwrite
expect 2 "no layer 'wbz'" -- "$ruimte" score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -o "$tmp/p.gpkg" --layer "wbz=$S/wbs.gpkg:wbs"
[ "$fail" = 0 ] && echo "exit_codes: all cases as documented"
exit $fail
