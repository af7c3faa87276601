#!/usr/bin/env bash
# Reproducible outputs: `ruimte check`, `claims` and `select` with --timestamp write
# byte-identical GeoPackages on two runs (each run writes to the same path, then the file is
# moved away: the output path is part of the recorded command line); the manifest carries the
# given time; a malformed --timestamp is a usage error (exit 2) before any work.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
fail=0
stamp=(--timestamp 2026-02-03T04:05:06Z)
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml \
  -o "$tmp/scored.gpkg" -q "${stamp[@]}" > /dev/null || { echo "FAIL: score"; exit 1; }
S=$src/data-samples/claims/claims.gpkg
CLAIMS=(); for k in wonen werken landbouw natuur; do CLAIMS+=(--claim "$k=$S:$k"); done
declare -A cmds=(
  [check]="check --locations $src/data-samples/novex.gpkg:novex_locaties --wbs $src/data-samples/wbs.gpkg:wbs"
  [claims]="claims ${CLAIMS[*]}"
  [select]="select --scored $tmp/scored.gpkg --target woningen=20000 --group gemeente --max-per-group 2"
)
for name in check claims select; do
  for run in a b; do
    mkdir -p "$tmp/run"
    # shellcheck disable=SC2086
    (cd "$tmp/run" && "$ruimte" ${cmds[$name]} -o out.gpkg -q "${stamp[@]}" > /dev/null) || { echo "FAIL: $name run $run"; fail=1; continue 2; }
    mv "$tmp/run/out.gpkg" "$tmp/$name-$run.gpkg"
  done
  if cmp -s "$tmp/$name-a.gpkg" "$tmp/$name-b.gpkg"; then
    echo "ok: $name: two runs with --timestamp give byte-identical GeoPackages"
  else
    echo "FAIL: $name: the GeoPackage bytes differ:"
    diff <(sqlite3 "$tmp/$name-a.gpkg" .dump) <(sqlite3 "$tmp/$name-b.gpkg" .dump) | cut -c1-200 | head -6; fail=1
  fi
  "$ruimte" info "$tmp/$name-a.gpkg" > "$tmp/info.txt"
  if grep -q "time:         2026-02-03T04:05:06Z" "$tmp/info.txt"; then
    echo "ok: $name: the manifest records the --timestamp"
  else
    echo "FAIL: $name: the manifest does not record the --timestamp"; fail=1
  fi
  # shellcheck disable=SC2086
  "$ruimte" ${cmds[$name]} -o "$tmp/bad.gpkg" -q --timestamp 2026-13-01 > /dev/null 2> "$tmp/err"; code=$?
  if [ "$code" = 2 ] && grep -q "timestamp" "$tmp/err" && [ ! -e "$tmp/bad.gpkg" ]; then
    echo "ok: $name: a malformed --timestamp is a usage error, nothing written"
  else
    echo "FAIL: $name: malformed --timestamp gave exit $code"; cat "$tmp/err"; fail=1
  fi
done
exit $fail
