#!/usr/bin/env bash
# `ruimte web` (issue 23) in a real headless Chromium (Debian's chromium, driven through the
# DevTools protocol by tests/web/drive.cjs with puppeteer-core from web/node_modules):
# - the samples' page loads with no console error and makes no network request;
# - for several weight settings (weighted sum and weakest link, one weight zero) the page's
#   ranking equals `ruimte score` run with a profile holding those weights: all candidates,
#   the same order, scores within 1e-12; excluded candidates never get a rank;
# - the profile the page exports, fed back to `ruimte score`, reproduces the ranking, and so
#   does its CSV;
# - with the profile's weights the page ranks as the file's rank column;
# - the candidates are drawn (pixels of the score colours on the screenshot), the selection is a
#   layer, the manifest and 'synthetisch' are shown; English with --lang en;
# - exit codes: an existing page without --overwrite (5), a file that is no score output (4).
set -uo pipefail
ruimte=$1 src=$2
command -v node > /dev/null || { echo "SKIP: node missing (scripts/setup.sh)"; exit 77; }
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "SKIP: chromium missing (scripts/setup.sh)"; exit 77; }
[ -d "$src/web/node_modules/puppeteer-core" ] || { echo "SKIP: web/node_modules missing (scripts/setup.sh runs npm ci)"; exit 77; }
/usr/bin/python3 -c "import PIL" 2> /dev/null || { echo "SKIP: python3-pil missing"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# The samples beside a copy, so that profiles with other weights find the same layers.
cp -r data-samples "$tmp/ds"
"$ruimte" score --candidates "$tmp/ds/kandidaten.shp" --profile "$tmp/ds/woningbouw.toml" -o "$tmp/score.gpkg" \
  --timestamp 2026-03-04T05:06:07Z -q > /dev/null || { echo "FAIL: score"; exit 1; }
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 -o "$tmp/select.gpkg" -q > /dev/null ||
  { echo "FAIL: select"; exit 1; }
"$ruimte" web "$tmp/score.gpkg" -o "$tmp/page.html" --context "$tmp/ds/gemeenten.gpkg" --selection "$tmp/select.gpkg" \
  > "$tmp/web.txt" || { echo "FAIL: ruimte web"; cat "$tmp/web.txt"; exit 1; }
cat "$tmp/web.txt"
grep -q "^Candidates: 200 (55 excluded), 4 factors; 344 context features; [1-9][0-9]* selected" "$tmp/web.txt" &&
  ok "web: 200 candidates, 55 excluded, 4 factors, 344 municipalities, a selection" || bad "web summary"

# Weight settings: the profile's, water-heavy, grid-heavy, equal, one factor off; weakest link
# with the profile's weights and with one factor off.
cat > "$tmp/settings.json" << 'EOF'
[{"weights": [0.4, 0.25, 0.2, 0.15], "aggregation": "weighted_sum"},
 {"weights": [0.7, 0.1, 0.1, 0.1], "aggregation": "weighted_sum"},
 {"weights": [0.05, 0.8, 0.05, 0.1], "aggregation": "weighted_sum"},
 {"weights": [1, 1, 1, 1], "aggregation": "weighted_sum"},
 {"weights": [0.33, 0, 0.47, 0.2], "aggregation": "weighted_sum"},
 {"weights": [0.4, 0.25, 0.2, 0.15], "aggregation": "minimum"},
 {"weights": [0.5, 0.3, 0, 0.2], "aggregation": "minimum"}]
EOF
node tests/web/drive.cjs "$tmp/page.html" "$tmp/out.json" --settings "$tmp/settings.json" \
  --screenshot "$tmp/page.png" --click 145 --interact || { echo "FAIL: the browser run"; exit 1; }

compare_with_score() {  # $1: the driver's JSON, $2: the profile the settings change, $3: page checks (1/0),
                        # $4: also against a profile made here with those weights (1/0: not for AHP)
/usr/bin/python3 - "$tmp" "$ruimte" "$1" "$2" "$3" "${4:-1}" << 'PY' || fail=1
import json, os, re, sqlite3, subprocess, sys
tmp, ruimte, out_json, base_profile, page_checks, independent = sys.argv[1:7]
r = json.load(open(out_json))
failed = False
def check(cond, what):
    global failed
    print(("ok: " if cond else "FAIL: ") + what)
    failed |= not cond

check(not r["console_errors"] and not r["page_errors"], f"no console errors ({r['console_errors'] + r['page_errors']})")
check(not r["requests"], f"no network request ({r['requests'][:5]})")
check(r["stored_ranks"] == r["profile_ranks"],
      f"{os.path.basename(base_profile)}: with the profile's weights the page ranks as the rank column")
if page_checks == "1":
  sl = r["slider"]
  check(sl["before"] == [0.4, 0.25, 0.2, 0.15] and abs(sl["after"][0] - 0.45) < 1e-9 and sl["after"][1:] == sl["before"][1:]
        and sl["same_as_api"], f"five steps of the first slider by keyboard: weights {sl['after']}, ranked as by setWeights")
  check(r["map_click"]["text"].startswith("id 145 "), "a click on the map on candidate 145 opens its panel")
  check(r["list_rows"] == [25, 50], f"the ranked list shows 25 rows, 50 after '+ 25 meer' ({r['list_rows']})")
  check(r["texts"]["lang"] == "nl" and r["texts"]["weights"] == "Gewichten", "Dutch by default")
  check("synthetisch" in r["texts"]["synthetic"], "the page says 'synthetisch'")
  check(re.search(r"[0-9a-f]{64}", r["texts"]["manifest"]) and
        "wbs.gpkg" in r["texts"]["manifest"], "the manifest is shown: inputs with their SHA-256")
  check("Selectie" in r["texts"]["layers"], "the selection is a layer")
  check("Rang nu: 1 van 145" in r.get("candidate_text", "") and "water_bodem" in r.get("candidate_text", ""),
        "clicking candidate 145: rank now, contributions per factor")

def scored(path):
    con = sqlite3.connect(path)
    rows = con.execute("SELECT candidate_id, score, rank, excluded FROM candidates_scored").fetchall()
    ranked = sorted((x for x in rows if not x[3]), key=lambda x: x[2])
    excluded = {x[0] for x in rows if x[3]}
    return ranked, excluded

def same(page, path, what):
    ranked, excluded = scored(path)
    p_ranked = [x for x in page if x["rank"] > 0]
    p_excl = {x["id"] for x in page if x["rank"] == 0}
    ids_ok = [x["id"] for x in p_ranked] == [x[0] for x in ranked]
    ranks_ok = [x["rank"] for x in p_ranked] == list(range(1, len(ranked) + 1))
    worst = max((abs(a["score"] - b[1]) for a, b in zip(p_ranked, ranked)), default=0.0)
    check(ids_ok and ranks_ok and worst <= 1e-12 and p_excl == excluded and len(page) == 200,
          f"{what}: {len(p_ranked)} ranked in the same order, {len(p_excl)} excluded never ranked, "
          f"largest score difference {worst:.1e}")

base = open(base_profile).read()
for i, s in enumerate(r["settings"]):
    # An independent profile: the sample's text with the weights and the aggregation set here.
    text, k = base, iter(s["weights"])
    text = re.sub(r"(?m)^weight = .*$", lambda m: f"weight = {repr(float(next(k)))}", text)
    text = text.replace('aggregation = "weighted_sum"', f'aggregation = "{s["aggregation"]}"')
    tag = re.sub(r"\W", "", base_profile)[-12:]
    here = os.path.dirname(base_profile)
    for name, t in ((f"p{i}{tag}", text), (f"x{i}{tag}", s["toml"])):
        if name.startswith("p") and independent != "1":
            continue
        open(f"{here}/{name}.toml", "w").write(t)
        subprocess.run([ruimte, "score", "--candidates", f"{tmp}/ds/kandidaten.shp", "--profile", f"{here}/{name}.toml",
                        "-o", f"{tmp}/{name}.gpkg", "-q"], check=True, stdout=subprocess.DEVNULL)
    label = f"{os.path.basename(base_profile)}, weights {s['weights']} {s['aggregation']}"
    if independent == "1":
        same(s["ranking"], f"{tmp}/p{i}{tag}.gpkg", label + " vs score")
    same(s["ranking"], f"{tmp}/x{i}{tag}.gpkg", label + " vs score with the exported profile")
    csv_ids = [line.split(",")[1] for line in s["csv"].strip().split("\n")[1:] if line.split(",")[0]]
    check(csv_ids == [str(x["id"]) for x in s["ranking"] if x["rank"] > 0], label + ": the CSV holds the ranking")
# The settings must change the order, or the comparison proves little.
orders = {tuple(x["id"] for x in s["ranking"]) for s in r["settings"]}
check(len(orders) >= len(r["settings"]) - 2, f"the settings give {len(orders)} different orders")
sys.exit(1 if failed else 0)
PY
}
compare_with_score "$tmp/out.json" "$tmp/ds/woningbouw.toml" 1
# The click panel says what was measured, in the words of `ruimte explain`.
"$ruimte" explain "$tmp/score.gpkg" --id 145 > "$tmp/explain.txt" || bad "explain"
/usr/bin/python3 - "$tmp/out.json" "$tmp/explain.txt" << 'PY' && ok "the panel of 145 names each factor's measurement as explain does" || fail=1
import json, sys
text = json.load(open(sys.argv[1]))["candidate_text"]
explain = open(sys.argv[2]).read()
want = ["wbs: ja 100 %", "net_afname: beperkte capaciteit 100 %", "novex.covered_share = 0,000 (0,00..0,50, stijgend)",
        "nplv.distance_m = 1119 m (lineair tot 3000 m)"]
missing = [w for w in want if w not in text or w not in explain]
print("missing:", missing)
sys.exit(1 if missing else 0)
PY

# Text ids (naam): ties (several candidates score 0.650) go by id byte by byte, as in score.
sed 's/^id_field = "id"/id_field = "naam"/' "$tmp/ds/woningbouw.toml" > "$tmp/ds/naam.toml"
"$ruimte" score --candidates "$tmp/ds/kandidaten.shp" --profile "$tmp/ds/naam.toml" -o "$tmp/naam.gpkg" -q > /dev/null ||
  bad "score with text ids"
"$ruimte" web "$tmp/naam.gpkg" -o "$tmp/naam.html" -q || bad "web with text ids"
node tests/web/drive.cjs "$tmp/naam.html" "$tmp/naam.json" --settings "$tmp/settings.json" || bad "the text-id page in the browser"
compare_with_score "$tmp/naam.json" "$tmp/ds/naam.toml" 0

# An AHP profile: the page starts from its eigenvector weights; the exported profile leaves
# the [weights] table out and gives each factor the page's weight.
"$ruimte" score --candidates "$tmp/ds/kandidaten.shp" --profile "$tmp/ds/profiles/water_zwaar.toml" -o "$tmp/ahp.gpkg" \
  -q > /dev/null || bad "score with the AHP profile"
"$ruimte" web "$tmp/ahp.gpkg" -o "$tmp/ahp.html" -q || bad "web with the AHP profile"
node tests/web/drive.cjs "$tmp/ahp.html" "$tmp/ahp.json" --settings "$tmp/settings.json" || bad "the AHP page in the browser"
compare_with_score "$tmp/ahp.json" "$tmp/ds/profiles/water_zwaar.toml" 0 0

# The candidates are drawn: pixels of the score colours (viridis) and of the excluded grey on
# the map, none of them in the page around it.
/usr/bin/python3 - "$tmp/page.png" << 'PY' && ok "the screenshot shows candidates in the score colours and excluded ones in grey" || fail=1
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
viridis = [(0x44, 0x01, 0x54), (0x3b, 0x52, 0x8b), (0x21, 0x91, 0x8c), (0x5e, 0xc9, 0x62), (0xfd, 0xe7, 0x25)]
grey = (0xbd, 0xbd, 0xbd)
counts = [0] * 6
px = im.load()
for y in range(40, h - 30):
    for x in range(335, w - 380):  # the map, between the controls and the side panel
        p = px[x, y]
        for i, c in enumerate(viridis + [grey]):
            if sum(abs(a - b) for a, b in zip(p, c)) < 12:
                counts[i] += 1
print("pixels per class (viridis 1-5, excluded grey):", counts)
sys.exit(0 if all(c >= 5 for c in counts[:5]) and sum(counts[:5]) >= 500 and counts[5] >= 100 else 1)
PY

# English.
"$ruimte" web "$tmp/score.gpkg" -o "$tmp/en.html" --lang en --title 'Workshop <test> </script><b>"x"' -q || bad "web --lang en"
node tests/web/drive.cjs "$tmp/en.html" "$tmp/en.json" || bad "the English page in the browser"
/usr/bin/python3 - "$tmp/en.json" << 'PY' && ok "--lang en: English words, the title as given, no errors" || fail=1
import json, sys
r = json.load(open(sys.argv[1]))
t = r["texts"]
print(t["lang"], t["weights"], t["synthetic"], t["title"])
sys.exit(0 if t["lang"] == "en" and t["weights"] == "Weights" and "synthetic" in t["synthetic"]
         and t["title"] == 'Workshop <test> </script><b>"x"'
         and not r["console_errors"] and not r["page_errors"] and not r["requests"] else 1)
PY
grep -q "<title>Workshop &lt;test&gt; &lt;/script&gt;&lt;b&gt;&quot;x&quot;</title>" "$tmp/en.html" &&
  ok "--title escaped in the page (and shown as given)" || bad "title"

# A robust selection (select --draws): its selection_frequency table reaches the page.
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=20000 --draws 8 -o "$tmp/robust.gpkg" -q > /dev/null 2>&1 &&
  "$ruimte" web "$tmp/score.gpkg" -o "$tmp/robust.html" --selection "$tmp/robust.gpkg" -q > /dev/null 2>&1 &&
  grep -q '"frequency":\[[^]]*[0-9]' "$tmp/robust.html" &&
  ok "the robust selection's frequencies are in the page" || bad "robust selection: no frequencies in the page"

# Exit codes.
"$ruimte" web "$tmp/score.gpkg" -o "$tmp/page.html" -q 2> /dev/null
[ $? -eq 5 ] && ok "an existing page without --overwrite: exit 5" || bad "existing page: exit code"
"$ruimte" web "$tmp/ds/gemeenten.gpkg" -o "$tmp/g.html" -q 2> /dev/null
[ $? -eq 4 ] && ok "not a score output: exit 4" || bad "not a score output: exit code"
[ ! -e "$tmp/g.html" ] && ok "no page after a failure" || bad "a page was left after a failure"
exit $fail
