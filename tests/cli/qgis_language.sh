#!/usr/bin/env bash
# The QGIS Processing provider speaks the user's language (issue 26): in real QGIS (Debian 3.22,
# offscreen), `qgis_process help ruimte:score` shows the English labels and help of `ruimte
# --describe` in a fresh profile, and the Dutch ones once the profile's locale
# (locale/userLocale, Settings > Options > General) is nl_NL; and in PyQGIS
# (tests/qgis/language.py) every parameter of every algorithm has the Dutch help under nl_NL,
# nl_BE and nl, the English under en_US and de_DE, and the Dutch under RUIMTE_LANG=nl.
# Skipped (exit 77) when qgis_process or python3-qgis is missing.
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
qp=$(command -v qgis_process.bin || command -v qgis_process || true)
if [ -z "$qp" ] || ! /usr/bin/python3 -c "import qgis.core" 2> /dev/null; then
  echo "qgis_language: SKIPPED (no qgis_process or python3-qgis; Debian package qgis)"; exit 77
fi
mkdir -p "$tmp/home" "$tmp/xdg"; chmod 700 "$tmp/xdg"
export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/xdg QT_QPA_PLATFORM=offscreen
export QGIS_PLUGINPATH=$src/cli/qgis_plugin RUIMTE_EXECUTABLE=$ruimte
unset RUIMTE_LANG
fail=0
q() { timeout 600 "$qp" "$@"; }
"$ruimte" score --describe > "$tmp/score.json" || { echo "FAIL: ruimte score --describe"; exit 1; }
"$ruimte" --describe > "$tmp/all.json" || { echo "FAIL: ruimte --describe"; exit 1; }

q plugins enable ruimte_processing > "$tmp/enable.txt" 2>&1
grep -q '^\* ruimte_processing' "$tmp/enable.txt" || { echo "FAIL: plugin not loaded:"; cat "$tmp/enable.txt"; exit 1; }
ini=$HOME/.local/share/QGIS/QGIS3/profiles/default/QGIS/QGIS3.ini
[ -f "$ini" ] || { echo "FAIL: qgis_process wrote no profile settings at $ini"; exit 1; }

# 1. qgis_process help, first in the fresh (English) profile, then with the locale set to Dutch.
q help ruimte:score > "$tmp/help_en.txt" 2>&1 || { echo "FAIL: qgis_process help ruimte:score"; tail "$tmp/help_en.txt"; fail=1; }
printf '\n[locale]\nuserLocale=nl_NL\noverrideFlag=true\n' >> "$ini"
q help ruimte:score > "$tmp/help_nl.txt" 2>&1 || { echo "FAIL: qgis_process help ruimte:score (nl_NL)"; tail "$tmp/help_nl.txt"; fail=1; }
/usr/bin/python3 - "$tmp" <<'PY' || fail=1
import json, os, sys
tmp = sys.argv[1]
score = json.load(open(os.path.join(tmp, "score.json"), encoding="utf-8"))["commands"][0]
fail = []
for lang in ("en", "nl"):
    text = open(os.path.join(tmp, f"help_{lang}.txt"), encoding="utf-8").read()
    lines = set(text.splitlines())
    other = "nl" if lang == "en" else "en"
    if score["summary"][lang] not in text:
        fail.append(f"{lang}: the summary {score['summary'][lang]!r} is not in qgis_process help")
    shown = 0
    for o in score["options"]:
        if o["name"] in ("quiet", "overwrite"):
            continue
        want, unwanted = o["help"][lang], o["help"][other]
        if "\n" in want:
            continue  # printed over several lines
        shown += 1
        if "\t" + want not in lines:
            fail.append(f"{lang}: --{o['name']}: help line {want!r} not shown")
        if "\t" + unwanted in lines:
            fail.append(f"{lang}: --{o['name']}: the {other} help {unwanted!r} is shown")
    print(f"qgis_process help ruimte:score ({lang}): {shown} parameter help texts as --describe gives them")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
grep -q '^CANDIDATES: Kandidaatgebieden \[--candidates\]' "$tmp/help_nl.txt" ||
  { echo "FAIL: nl_NL: no label 'CANDIDATES: Kandidaatgebieden [--candidates]'"; grep '^CANDIDATES' "$tmp/help_nl.txt"; fail=1; }
grep -q '^CANDIDATES: Candidate areas \[--candidates\]' "$tmp/help_en.txt" ||
  { echo "FAIL: en: no label 'CANDIDATES: Candidate areas [--candidates]'"; grep '^CANDIDATES' "$tmp/help_en.txt"; fail=1; }

# 2. PyQGIS: every algorithm, every parameter, several locales.
timeout 600 /usr/bin/python3 "$src/tests/qgis/language.py" "$src/cli/qgis_plugin" "$tmp/all.json" > "$tmp/py.txt" 2>&1
tail -1 "$tmp/py.txt" > "$tmp/py.json"
/usr/bin/python3 - "$tmp/all.json" "$tmp/py.json" <<'PY' || { fail=1; echo "PyQGIS printed:"; tail -20 "$tmp/py.txt"; }
import json, sys
described = json.load(open(sys.argv[1], encoding="utf-8"))
d = json.load(open(sys.argv[2], encoding="utf-8"))
n = sum(1 for c in described["commands"] for o in c["options"] if o["name"] not in ("quiet", "overwrite"))
fail = []
for case in ["nl_NL", "nl_BE", "nl", "en_US", "de_DE", "RUIMTE_LANG=nl over en_US"]:
    r = d.get(case)
    if r is None:
        fail.append(f"{case}: not checked")
    elif r["compared"] != n or r["wrong_count"]:
        fail.append(f"{case}: {r['compared']} of {n} parameters compared, {r['wrong_count']} not in {r['expect']}: {r['wrong']}")
    else:
        print(f"PyQGIS {case}: {n} parameters and {len(described['commands'])} summaries in {r['expect']}")
labels = d.get("score_layer_label", {})
if not labels.get("nl", "").endswith(", één per regel") or not labels.get("en", "").endswith(", one per line"):
    fail.append(f"score LAYER labels: {labels}")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
exit $fail
