#!/usr/bin/env bash
# Golden test: `ruimte select` on the scored bundled samples. The plain-language summary and
# the selection (id, selected, group, order, running total, reason) are byte-stable and the same
# on a second run; an infeasible target is explained (exit 0); a lock-in of an excluded
# candidate is a usage error (exit 2). The solver module is loaded only by select, from
# RUIMTE_MODULE_DIR when set, else from ../lib/ruimte beside the program (as installed); without
# it select fails clearly (exit 1).
set -euo pipefail
ruimte=$1 src=$2 build=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
golden=$src/tests/cli/golden
"$ruimte" score --candidates "$src/data-samples/kandidaten.shp" --profile "$src/data-samples/woningbouw.toml" \
  -o "$tmp/score.gpkg" -q > /dev/null
select_run() {  # $1: output name; the rest: extra options
  local out=$1; shift
  "$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 --budget 'kosten_meu<=1500' \
    --share 'betaalbaar/woningen>=0.6' --group gemeente --max-per-group 2 --lock-out 145 \
    -o "$tmp/$out.gpkg" -q "$@" | sed "s|$tmp/||"
}
table() {
  ogr2ogr -f CSV /vsistdout/ "$tmp/$1.gpkg" -sql \
    "SELECT candidate_id, selected, \"group\", selection_order, total_woningen, reason FROM candidates_selected ORDER BY candidate_id"
}
select_run a > "$tmp/a.txt"
select_run b > "$tmp/b.txt"
table a > "$tmp/a.csv"
table b > "$tmp/b.csv"
sed -i 's|^Result: b.gpkg|Result: a.gpkg|' "$tmp/b.txt"
cmp "$tmp/a.txt" "$tmp/b.txt"
cmp "$tmp/a.csv" "$tmp/b.csv"
status=0
diff -u "$golden/select_samples.txt" "$tmp/a.txt" || status=1
diff -u "$golden/select_samples.csv" "$tmp/a.csv" > "$tmp/diff.txt" || { head -40 "$tmp/diff.txt"; status=1; }
if [ $status -ne 0 ]; then
  echo "select_samples: output differs from tests/cli/golden/select_samples.{txt,csv}" >&2
  exit 1
fi
grep -q "^Status: optimal.$" "$tmp/a.txt"

# Infeasible: more homes than all available candidates hold together.
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=300000 -o "$tmp/inf.gpkg" -q > "$tmp/inf.txt"
grep -q "^Status: infeasible" "$tmp/inf.txt"
grep -q "rule 'woningen >= 300000' cannot be met" "$tmp/inf.txt"

# Lock-in of an excluded candidate (79 lies partly in a 'nee' zone): usage error, exit 2.
set +e
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=1000 --lock-in 79 -o "$tmp/x.gpkg" -q > /dev/null 2> "$tmp/err.txt"
rc=$?
set -e
[ $rc -eq 2 ] || { echo "select_samples: lock-in of an excluded candidate gave exit $rc, not 2" >&2; cat "$tmp/err.txt" >&2; exit 1; }
grep -q "candidate 79 is locked in but excluded" "$tmp/err.txt"
[ ! -e "$tmp/x.gpkg" ]
# The solver is the module libruimte_cbc.so (spatial/mip.hpp), loaded only when a MIP is
# solved: the program does not link CBC, scoring runs without the module, select finds it where
# RUIMTE_MODULE_DIR points, and without it fails with exit 1 naming the path it tried and the fix.
if ldd "$ruimte" | grep -q -i -E "libCbc|libClp|libOsi"; then echo "select_samples: ruimte links CBC" >&2; exit 1; fi
mkdir "$tmp/none" "$tmp/mods"
RUIMTE_MODULE_DIR=$tmp/none "$ruimte" score --candidates "$src/data-samples/kandidaten.shp" \
  --profile "$src/data-samples/woningbouw.toml" -o "$tmp/nomod.gpkg" -q > /dev/null
cp "$(dirname "$ruimte")/../lib/ruimte/libruimte_cbc.so" "$tmp/mods/"
RUIMTE_MODULE_DIR=$tmp/mods select_run moved > "$tmp/moved.txt"
sed -i 's|^Result: moved.gpkg|Result: a.gpkg|' "$tmp/moved.txt"
cmp "$tmp/a.txt" "$tmp/moved.txt"
set +e
RUIMTE_MODULE_DIR=$tmp/none "$ruimte" select --scored "$tmp/score.gpkg" --target woningen=1000 -o "$tmp/y.gpkg" -q \
  > /dev/null 2> "$tmp/err.txt"
rc=$?
set -e
[ $rc -eq 1 ] || { echo "select_samples: select without its solver module gave exit $rc, not 1" >&2; cat "$tmp/err.txt" >&2; exit 1; }
grep -q "libruimte_cbc.so cannot be loaded" "$tmp/err.txt" && grep -q "$tmp/none/libruimte_cbc.so: not there" "$tmp/err.txt" &&
  grep -q "RUIMTE_MODULE_DIR" "$tmp/err.txt" || { echo "select_samples: unclear error without the module:" >&2; cat "$tmp/err.txt" >&2; exit 1; }
[ ! -e "$tmp/y.gpkg" ]
# Without RUIMTE_MODULE_DIR the module is found at ../lib/ruimte from the program: an
# installation (cmake --install) works, a lone copy of the program fails naming that path.
cmake --install "$build" --prefix "$tmp/inst" > /dev/null
[ -x "$tmp/inst/bin/ruimte" ] && [ -f "$tmp/inst/lib/ruimte/libruimte_cbc.so" ] ||
  { echo "select_samples: cmake --install did not give bin/ruimte and lib/ruimte/libruimte_cbc.so:" >&2; find "$tmp/inst" >&2; exit 1; }
"$tmp/inst/bin/ruimte" select --scored "$tmp/score.gpkg" --target woningen=1000 -o "$tmp/inst.gpkg" -q > /dev/null
mkdir -p "$tmp/lone/bin" && cp "$ruimte" "$tmp/lone/bin/ruimte"
set +e
"$tmp/lone/bin/ruimte" select --scored "$tmp/score.gpkg" --target woningen=1000 -o "$tmp/z.gpkg" -q > /dev/null 2> "$tmp/err2.txt"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q "$tmp/lone/lib/ruimte/libruimte_cbc.so: not there" "$tmp/err2.txt" ||
  { echo "select_samples: a copy of the program without its module gave exit $rc:" >&2; cat "$tmp/err2.txt" >&2; exit 1; }
echo "select_samples: summary and $(($(wc -l < "$tmp/a.csv") - 1)) rows identical to the golden files and across runs; infeasible, usage and missing-module cases as expected"
