#!/usr/bin/env bash
# The QGIS Processing provider (issue 26, cli/qgis_plugin/ruimte_processing) in real QGIS
# (Debian 3.22, offscreen): `qgis_process list` shows the ruimte provider with one algorithm per
# command of `ruimte --describe`; `qgis_process run ruimte:score` on the samples writes the same
# candidates_scored, overlay_areas and geometry_issues as the CLI with the same --timestamp
# (every table but gpkg_metadata, whose manifest records the command line, dumped identical);
# a mistaken profile shows ruimte's own message with its Fix and no output; the plugin as
# `cmake --install` puts it finds PREFIX/bin/ruimte by itself; and in PyQGIS
# (tests/qgis/processing_run.py) a memory layer is accepted (and the output's layers are queued
# for the project in ruimte's styles), ruimte:score runs as the step of a
# model (as the Model Designer builds one), and Cancel ends a long run with no output.
# Skipped (exit 77) when qgis_process or python3-qgis is missing.
set -uo pipefail
ruimte=$1 src=$2 build=$3
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Debian's /usr/bin/qgis_process is a wrapper that passes --noversioncheck (from
# /etc/default/qgis), which qgis_process 3.22 refuses: call the program it wraps.
qp=$(command -v qgis_process.bin || command -v qgis_process || true)
if [ -z "$qp" ] || ! /usr/bin/python3 -c "import qgis.core" 2> /dev/null; then
  echo "qgis_processing: SKIPPED (no qgis_process or python3-qgis; Debian package qgis)"; exit 77
fi
mkdir -p "$tmp/home" "$tmp/xdg" "$tmp/out"; chmod 700 "$tmp/xdg"
export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/xdg QT_QPA_PLATFORM=offscreen
export QGIS_PLUGINPATH=$src/cli/qgis_plugin RUIMTE_EXECUTABLE=$ruimte
cd "$src"
fail=0
q() { timeout 600 "$qp" "$@"; }

q plugins enable ruimte_processing > "$tmp/enable.txt" 2>&1
grep -q '^\* ruimte_processing' "$tmp/enable.txt" || { echo "FAIL: plugin not loaded:"; cat "$tmp/enable.txt"; exit 1; }

# 1. The provider and its algorithms: one per command that --describe lists.
q list > "$tmp/list.txt" 2> "$tmp/list.err"
grep -qx 'ruimte' "$tmp/list.txt" || { echo "FAIL: qgis_process list shows no ruimte provider"; cat "$tmp/list.err"; fail=1; }
for c in $("$ruimte" --describe | /usr/bin/python3 -c 'import json,sys; print(" ".join(c["name"] for c in json.load(sys.stdin)["commands"]))'); do
  grep -q "ruimte:$c" "$tmp/list.txt" || { echo "FAIL: qgis_process list lacks ruimte:$c"; fail=1; }
done
n=$(grep -c 'ruimte:' "$tmp/list.txt")
echo "qgis_process list: $n ruimte algorithms"

# 2. ruimte:score through QGIS == the CLI, with the same --timestamp.
stamp=2026-01-01T00:00:00Z
q run ruimte:score -- CANDIDATES=data-samples/kandidaten.shp PROFILE=data-samples/woningbouw.toml \
  OUTPUT="$tmp/out/qgis.gpkg" TIMESTAMP=$stamp > "$tmp/run.txt" 2>&1 ||
  { echo "FAIL: qgis_process run ruimte:score:"; tail -20 "$tmp/run.txt"; fail=1; }
"$ruimte" score --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml -o "$tmp/out/cli.gpkg" \
  --timestamp $stamp -q > /dev/null || { echo "FAIL: ruimte score"; exit 1; }
tables=$(sqlite3 "$tmp/out/cli.gpkg" "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'gpkg_metadata' ORDER BY name")
echo "$tables" | grep -qx candidates_scored || { echo "FAIL: the CLI wrote no candidates_scored"; fail=1; }
for t in $tables; do
  if ! cmp -s <(sqlite3 "$tmp/out/cli.gpkg" ".dump \"$t\"") <(sqlite3 "$tmp/out/qgis.gpkg" ".dump \"$t\"" 2> /dev/null); then
    echo "FAIL: table $t differs between the CLI and qgis_process run ruimte:score"; fail=1
  fi
done

# 3. A mistaken profile: ruimte's message and Fix in the Processing log, exit code named, no output.
printf '[profile]\nname = "x"\n[[criteria]]\nbogus = 1\n' > "$tmp/bad.toml"
"$ruimte" score --candidates data-samples/kandidaten.shp --profile "$tmp/bad.toml" -o "$tmp/out/bad_cli.gpkg" 2> "$tmp/bad_cli.err"
rc=$?
[ $rc = 3 ] || { echo "FAIL: ruimte score with a bad profile exited $rc, not 3"; fail=1; }
msg=$(head -1 "$tmp/bad_cli.err")
q run ruimte:score -- CANDIDATES=data-samples/kandidaten.shp PROFILE="$tmp/bad.toml" OUTPUT="$tmp/out/bad.gpkg" > "$tmp/bad.txt" 2>&1
rc=$?
[ $rc != 0 ] || { echo "FAIL: qgis_process run with a bad profile succeeded"; fail=1; }
case "$msg" in *"Fix:"*) ;; *) echo "FAIL: ruimte's message has no Fix: $msg"; fail=1 ;; esac
grep -qF "$msg" "$tmp/bad.txt" || { echo "FAIL: the Processing log lacks ruimte's message '$msg':"; cat "$tmp/bad.txt"; fail=1; }
grep -qF "(ruimte exit code 3: profile)" "$tmp/bad.txt" || { echo "FAIL: the Processing log does not name exit code 3"; fail=1; }
[ ! -e "$tmp/out/bad.gpkg" ] || { echo "FAIL: a failed run left $tmp/out/bad.gpkg"; fail=1; }

# 4. The plugin as installed: PREFIX/share/ruimte/qgis finds PREFIX/bin/ruimte with no help.
if cmake --install "$build" --prefix "$tmp/inst" > "$tmp/install.txt" 2>&1; then
  [ -f "$tmp/inst/share/ruimte/qgis/ruimte_processing/metadata.txt" ] || { echo "FAIL: cmake --install put no plugin in share/ruimte/qgis"; fail=1; }
  (unset RUIMTE_EXECUTABLE; export QGIS_PLUGINPATH=$tmp/inst/share/ruimte/qgis PATH=/usr/bin:/bin
   q run ruimte:layers -- KIND=wbs > "$tmp/layers.txt" 2>&1) || { echo "FAIL: installed plugin, ruimte:layers:"; tail "$tmp/layers.txt"; fail=1; }
  grep -q "$tmp/inst/bin/ruimte layers" "$tmp/layers.txt" || { echo "FAIL: the installed plugin did not run PREFIX/bin/ruimte:"; tail "$tmp/layers.txt"; fail=1; }
else
  echo "FAIL: cmake --install:"; tail "$tmp/install.txt"; fail=1
fi

# 5. PyQGIS: a memory layer, a model, and Cancel.
timeout 600 /usr/bin/python3 "$src/tests/qgis/processing_run.py" "$src/cli/qgis_plugin" "$src" "$tmp/out" > "$tmp/py.txt" 2>&1
tail -1 "$tmp/py.txt" > "$tmp/py.json"
/usr/bin/python3 - "$tmp/py.json" "$tmp/out" <<'PY' || { fail=1; echo "PyQGIS printed:"; tail -20 "$tmp/py.txt"; }
import json, os, sqlite3, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
fail = []
if d.get("memory_provider") != "memory" or d.get("memory_features") != 200:
    fail.append(f"the test layer is not a 200-feature memory layer: {d.get('memory_provider')}, {d.get('memory_features')}")
if "memory_error" in d:
    fail.append(f"ruimte:score on a memory layer failed: {d['memory_error']}")
else:
    def rows(path):
        con = sqlite3.connect(path)
        return con.execute("SELECT * FROM candidates_scored ORDER BY 1").fetchall()
    if rows(os.path.join(out, "memory.gpkg")) != rows(os.path.join(out, "cli.gpkg")):
        fail.append("candidates_scored from the memory layer differs from the CLI's on the shapefile")
loaded = d.get("loaded", {})
if sorted(loaded) != ["candidates_scored", "geometry_issues", "overlay_areas"]:
    fail.append(f"layers queued for the project: {sorted(loaded)}, not the three score layers")
elif loaded["candidates_scored"][1] != "RuleRenderer":
    fail.append(f"candidates_scored loads with renderer {loaded['candidates_scored']}, not ruimte's RuleRenderer")
if "model_error" in d or not os.path.isfile(os.path.join(out, "model.gpkg")):
    fail.append(f"ruimte:score as the step of a model failed: {d.get('model_error')}")
if not d.get("cancel_error") or "interrupted" not in d["cancel_error"]:
    fail.append(f"Cancel did not end the run as interrupted: {d.get('cancel_error')}")
if not d.get("cancel_progress"):
    fail.append("no progress reached QGIS before Cancel")
if d.get("cancel_output_exists"):
    fail.append("Cancel left the output file")
for f in fail:
    print("FAIL:", f)
print(f"PyQGIS: memory layer scored; model run; Cancel after {d.get('cancel_seconds')} s at {d.get('cancel_progress')} %")
sys.exit(1 if fail else 0)
PY
exit $fail
