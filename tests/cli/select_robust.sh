#!/usr/bin/env bash
# `ruimte select` under disagreement (issue 22) and its help (issue 20, item 8), on the scored
# bundled samples:
# 1. --draws: the selection_frequency layer agrees with selection_draws (frequency = chosen
#    draws / solved draws; core >= 90 %, contested, never), the same seed gives the same
#    frequencies, and the styled map shows the frequency classes and the core outlined.
# 2. --weight-sets: every group's own set keeps 100 % of its own objective; the compromise's
#    worst group keeps at least as much as under any group's own set.
# 3. --portfolio K --min-difference D: the sets differ pairwise in at least D candidates and
#    lie within the gap of the first.
# 4. --objective reach: the target is reached and no chosen candidate can be left out.
# 5. The help example, pasted as it stands, runs (no stray files from redirections); an
#    unquoted rule gets a fix in quotes; 2/3 is a share.
# 6. Ctrl-C during the draws: exit 130 within 2 s, nothing written.
set -uo pipefail
ruimte=$(realpath "$1") src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
q() { sqlite3 "$1" "$2"; }
"$ruimte" score --candidates "$src/data-samples/kandidaten.shp" --profile "$src/data-samples/woningbouw.toml" \
  -o "$tmp/score.gpkg" -q > /dev/null || { echo "FAIL: score"; exit 1; }
rules=(--target woningen=30000 --budget 'kosten_meu<=3000' --share 'betaalbaar/woningen>=2/3' --group gemeente --max-per-group 3)

# 1. Weight draws.
for run in a b; do
  "$ruimte" select --scored "$tmp/score.gpkg" "${rules[@]}" --draws 30 --seed 5 --gap 0.001 --time-limit 120 \
    -o "$tmp/draws_$run.gpkg" -q > "$tmp/draws_$run.txt" 2> "$tmp/draws_$run.err" || { bad "select --draws exit $?"; cat "$tmp/draws_$run.err"; }
done
grep -q '^Weight draws: 30 (dirichlet, seed 5); 30 solved' "$tmp/draws_a.txt" && ok "30 draws solved" || { bad "draws summary"; cat "$tmp/draws_a.txt"; }
rows=$(q "$tmp/draws_a.gpkg" "SELECT count(*) FROM selection_draws WHERE status = 'optimal'")
[ "$rows" = 30 ] && ok "selection_draws: 30 draws, all optimal within the gap" || bad "selection_draws: $rows optimal rows, not 30"
wrong=$(q "$tmp/draws_a.gpkg" "SELECT count(*) FROM selection_frequency WHERE abs(frequency - chosen_draws / 30.0) > 1e-9
  OR robustness <> CASE WHEN chosen_draws = 0 THEN 'never' WHEN chosen_draws >= 27 THEN 'core' ELSE 'contested' END
  OR (available = 0 AND chosen_draws > 0)")
[ "$wrong" = 0 ] && ok "frequency = chosen draws / 30 and the classes follow it" || bad "$wrong rows of selection_frequency disagree"
# The draws' set sizes add up to the candidates' chosen counts.
sum_sets=$(q "$tmp/draws_a.gpkg" "SELECT sum(selected) FROM selection_draws")
sum_freq=$(q "$tmp/draws_a.gpkg" "SELECT sum(chosen_draws) FROM selection_frequency")
[ "$sum_sets" = "$sum_freq" ] && [ "$sum_sets" -gt 0 ] && ok "sum of set sizes $sum_sets = sum of chosen counts" || bad "set sizes $sum_sets vs chosen counts $sum_freq"
core=$(q "$tmp/draws_a.gpkg" "SELECT count(*) FROM selection_frequency WHERE robustness = 'core'")
contested=$(q "$tmp/draws_a.gpkg" "SELECT count(*) FROM selection_frequency WHERE robustness = 'contested'")
[ "$core" -gt 10 ] && [ "$contested" -gt 0 ] && ok "$core core and $contested contested candidates" || bad "core $core, contested $contested"
cmp <(q "$tmp/draws_a.gpkg" "SELECT candidate_id, chosen_draws, rank_p05, rank_p95 FROM selection_frequency ORDER BY fid") \
    <(q "$tmp/draws_b.gpkg" "SELECT candidate_id, chosen_draws, rank_p05, rank_p95 FROM selection_frequency ORDER BY fid") \
  && ok "the same seed gives the same frequencies and rank intervals" || bad "two runs with seed 5 differ"
bad_interval=$(q "$tmp/draws_a.gpkg" "SELECT count(*) FROM selection_frequency WHERE available = 1 AND NOT (rank_p05 >= 1 AND rank_p05 <= rank_p95)")
[ "$bad_interval" = 0 ] && ok "rank intervals ordered" || bad "$bad_interval rank intervals wrong"
qml=$(q "$tmp/draws_a.gpkg" "SELECT styleQML FROM layer_styles WHERE f_table_name = 'selection_frequency'")
grep -q '&quot;frequency&quot; &gt; 0.750000' <<< "$qml" && grep -q '&quot;robustness&quot; = &apos;core&apos;' <<< "$qml" &&
  ok "selection_frequency has a default style: frequency classes, then the core outlined" || bad "no style for selection_frequency"
"$ruimte" map "$tmp/draws_a.gpkg:selection_frequency" -o "$tmp/freq.png" --dpi 100 -q > /dev/null 2>&1 || bad "map of selection_frequency"
/usr/bin/python3 - "$tmp/freq.png" "$core" "$contested" <<'PY' && ok "the map shows the frequency classes and the core outlined" || fail=1
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
w, h = im.size
px = im.load()
def count(rgb):
    return sum(1 for x in range(0, int(w * 0.7)) for y in range(int(h * 0.12), h - 40) if all(abs(a - b) <= 6 for a, b in zip(px[x, y], rgb)))
# The map keeps the style's frequency classes unless most candidates fall in one (then natural
# breaks): the classes' colours vary, the core's outline does not.
outline = count((0x2d, 0x00, 0x4b))
coloured = sum(1 for x in range(0, int(w * 0.7)) for y in range(int(h * 0.12), h - 40)
               if max(px[x, y]) - min(px[x, y]) > 60 and not all(abs(a - b) <= 6 for a, b in zip(px[x, y], (0x2d, 0x00, 0x4b))))
print(f"  map pixels: core outline {outline}, class colours {coloured}")
if outline < 50 or coloured < 100:
    print("FAIL: the map does not show the classes"); sys.exit(1)
PY

# 2. Stakeholder weight sets.
cat > "$tmp/sets.csv" <<'EOF'
group,water_bodem,netcongestie,novex,nplv_nabijheid
gemeente,0.2,0.2,0.4,0.2
waterschap,0.7,0.1,0.1,0.1
netbeheerder,0.1,0.7,0.1,0.1
EOF
"$ruimte" select --scored "$tmp/score.gpkg" "${rules[@]}" --weight-sets "$tmp/sets.csv" --time-limit 120 \
  -o "$tmp/sets.gpkg" -q > "$tmp/sets.txt" 2> "$tmp/sets.err" || { bad "select --weight-sets"; cat "$tmp/sets.err"; }
diag=$(q "$tmp/sets.gpkg" "SELECT count(*) FROM selection_regret WHERE set_of = objective_of AND abs(kept - 1) < 1e-9")
[ "$diag" = 3 ] && ok "each group's set keeps 100 % of its own optimum" || bad "regret diagonal: $diag of 3"
worse=$(q "$tmp/sets.gpkg" "SELECT count(*) FROM selection_groups g WHERE g.\"group\" <> 'compromis'
  AND g.worst_share > (SELECT worst_share FROM selection_groups WHERE \"group\" = 'compromis') + 1e-9")
comp=$(q "$tmp/sets.gpkg" "SELECT status || ' ' || round(worst_share, 4) FROM selection_groups WHERE \"group\" = 'compromis'")
[ "$worse" = 0 ] && [ -n "$comp" ] && ok "compromise ($comp) is at least as good for the worst group as every group's own set" || bad "compromise: $comp, $worse group sets better"
grep -q '^  compromis (every group keeps at least' "$tmp/sets.txt" && ok "summary names the compromise" || bad "no compromise line"

# 3. Portfolio.
"$ruimte" select --scored "$tmp/score.gpkg" "${rules[@]}" --portfolio 4 --min-difference 5 --portfolio-gap 0.02 --time-limit 120 \
  -o "$tmp/pf.gpkg" -q > "$tmp/pf.txt" 2> "$tmp/pf.err" || { bad "select --portfolio"; cat "$tmp/pf.err"; }
q "$tmp/pf.gpkg" "SELECT set_number, objective, candidate_ids FROM selection_portfolio WHERE set_number IS NOT NULL" > "$tmp/pf.rows"
/usr/bin/python3 - "$tmp/pf.rows" <<'PY' && ok "portfolio: sets within 2 % of the first, pairwise >= 5 different" || fail=1
import sys
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
sets = [(float(o), set(ids.split(","))) for _, o, ids in rows]
if len(sets) < 2: print("FAIL: fewer than 2 portfolio sets"); sys.exit(1)
best = sets[0][0]
for o, s in sets:
    if o < best * 0.98 - 1e-6 or o > best + 1e-6: print(f"FAIL: objective {o} outside the gap of {best}"); sys.exit(1)
for i in range(len(sets)):
    for j in range(i + 1, len(sets)):
        if len(sets[i][1] ^ sets[j][1]) < 5: print(f"FAIL: sets {i+1} and {j+1} differ in {len(sets[i][1] ^ sets[j][1])}"); sys.exit(1)
print(f"  {len(sets)} sets, objectives {[round(o, 1) for o, _ in sets]}")
PY
base=$(q "$tmp/pf.gpkg" "SELECT round(value, 3) FROM selection_summary WHERE item = 'objective'")
first=$(q "$tmp/pf.gpkg" "SELECT round(objective, 3) FROM selection_portfolio WHERE set_number = 1")
[ "$base" = "$first" ] && ok "the first portfolio set is the optimum ($first)" || bad "first portfolio set $first, optimum $base"

# 4. Reach the target, then stop.
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=30000 --objective reach -o "$tmp/reach.gpkg" -q > "$tmp/reach.txt" || bad "select --objective reach"
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=30000 -o "$tmp/fill.gpkg" -q > /dev/null || bad "select (fill)"
total=$(q "$tmp/reach.gpkg" "SELECT sum(woningen) FROM candidates_selected WHERE selected = 1")
fill=$(q "$tmp/fill.gpkg" "SELECT sum(woningen) FROM candidates_selected WHERE selected = 1")
removable=$(q "$tmp/reach.gpkg" "SELECT count(*) FROM candidates_selected WHERE selected = 1 AND $total - woningen >= 30000")
if [ "$total" -ge 30000 ] && [ "$removable" = 0 ] && [ "$total" -lt "$fill" ]; then
  ok "reach: $total homes for a target of 30000 (fill: $fill), no chosen candidate can be left out"
else bad "reach: $total homes (fill $fill), $removable removable"; fi

# 5. The help example as printed, pasted into a shell in an empty folder.
mkdir -p "$tmp/paste/out" && cp "$tmp/score.gpkg" "$tmp/paste/out/score.gpkg"
example=$("$ruimte" select --help | sed -n '/^Example/,/^$/p' | sed -n '2,3p' | sed "s|^ *ruimte |\"$ruimte\" |")
(cd "$tmp/paste" && eval "$example -q" > ../paste.txt 2> ../paste.err); rc=$?
strays=$(cd "$tmp/paste" && ls | grep -v '^out$')
[ $rc = 0 ] && [ -z "$strays" ] && [ -f "$tmp/paste/out/select.gpkg" ] && ok "the help example runs when pasted" ||
  { bad "pasted help example: exit $rc, stray files '$strays'"; echo "$example"; cat "$tmp/paste.err"; }
"$ruimte" select --scored "$tmp/score.gpkg" --target woningen=1000 --budget kosten_meu -o "$tmp/x.gpkg" -q 2> "$tmp/fix.err" > /dev/null; rc=$?
[ $rc = 2 ] && grep -q -- "--budget 'kosten_meu<=5000'" "$tmp/fix.err" && grep -q "in quotes" "$tmp/fix.err" && ok "an unquoted rule: exit 2, fix in quotes" ||
  { bad "unquoted rule: exit $rc"; cat "$tmp/fix.err"; }
grep -q 'betaalbaar/woningen >= 0.666667' "$tmp/sets.txt" && ok "2/3 is a share (0.666667)" || bad "2/3 not read as a share"

# 6. Ctrl-C during the draws.
mkdir -p "$tmp/int"
"$ruimte" select --scored "$tmp/score.gpkg" "${rules[@]}" --draws 5000 --time-limit 300 -o "$tmp/int/s.gpkg" > "$tmp/int.txt" 2> "$tmp/int.err" &
pid=$!
# Signal once the draws are under way (their progress on stderr), not at a fixed delay: on a
# busy machine a signal before the program installs its handler is ignored (a background job
# of a script inherits SIGINT ignored).
for _ in $(seq 1 600); do grep -q 'draws' "$tmp/int.err" 2> /dev/null && break; sleep 0.1; done
sleep 1
kill -INT "$pid"; t0=$(date +%s.%N)
wait "$pid"; rc=$?
took=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
if [ $rc = 130 ] && [ -z "$(ls -A "$tmp/int")" ] && [ ! -s "$tmp/int.txt" ] && awk -v t="$took" 'BEGIN { exit !(t <= 2) }'; then
  ok "Ctrl-C during the draws: exit 130 after $took s, nothing written"
else bad "Ctrl-C during the draws: exit $rc after $took s, files: $(ls -A "$tmp/int")"; fi
exit $fail
