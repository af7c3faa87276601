#!/usr/bin/env bash
# SIGKILL during `ruimte score --csv` (issue 25): the outputs of one run appear together or not
# at all, as far as rename allows. The CSV is committed before the GeoPackage (the main output
# last), so after a kill at any moment a new GeoPackage never stands next to a stale or missing
# CSV; a new CSV next to the earlier GeoPackage (a kill between the two renames) is allowed.
# 40 kills at seeded random moments in 0.6..1.1 x the run time, where the outputs are written
# and committed, and 10 aimed at the moment the new GeoPackage appears; odd rounds start with an earlier GeoPackage and CSV (made with another
# profile) to be replaced, even rounds with none. Every file at an output path
# is whole: the earlier one, or the new one (the CSV byte for byte, the GeoPackage with all 200
# candidates).
set -uo pipefail
ruimte=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
S="$src/data-samples"
args=(score --candidates "$S/kandidaten.shp" --profile "$S/woningbouw.toml" -q --threads 2)
count() {  # count FILE TABLE: rows, or "unreadable"
    ogrinfo -ro -q "$1" -sql "SELECT COUNT(*) AS n FROM $2" 2>/dev/null | sed -n 's/.*n (Integer[0-9]*) = //p' | grep . || echo unreadable
}
sha() { [ -e "$1" ] && sha256sum < "$1" || echo none; }

# The earlier outputs (another profile; its CSV holds the same areas, so its last row is
# dropped to tell it apart) and the new CSV as a complete run writes it.
"$ruimte" score --candidates "$S/kandidaten.shp" --profile "$S/profiles/water_zwaar.toml" -q -o "$tmp/old.gpkg" \
    --csv "$tmp/old-full.csv" > /dev/null || { echo "FAIL: the run making the earlier outputs failed"; exit 1; }
sed '$d' "$tmp/old-full.csv" > "$tmp/old.csv"
"$ruimte" "${args[@]}" -o "$tmp/new.gpkg" --csv "$tmp/new.csv" > /dev/null || { echo "FAIL: the reference run failed"; exit 1; }
old_g=$(sha "$tmp/old.gpkg") old_c=$(sha "$tmp/old.csv") new_c=$(sha "$tmp/new.csv")
[ "$old_c" != "$new_c" ] || { echo "FAIL: the earlier CSV equals the new one; the test cannot tell them apart"; exit 1; }
times=()
for t in 1 2 3; do  # the median of three runs (the machine's load varies)
    start=$(date +%s.%N); "$ruimte" "${args[@]}" -o "$tmp/timing.gpkg" --csv "$tmp/timing.csv" --overwrite > /dev/null; end=$(date +%s.%N)
    times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%d", (b - a) * 1000 }')")
done
run_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
echo "one run takes ${run_ms} ms; 40 kills at random moments in $((run_ms * 3 / 10))..$((run_ms * 11 / 10)) ms"

mkdir -p "$tmp/o"
out="$tmp/o/s.gpkg" csv="$tmp/o/s.csv"
mid_run=0 states=""
# check_round ROUND HOW: the states of the two outputs after a kill
check_round() {
    local i=$1 how=$2 g c gs cs
    g=$(sha "$out") c=$(sha "$csv")
    case "$g" in
        none) gs=none ;;
        "$old_g") gs=old ;;
        *) if [ "$(count "$out" candidates_scored)" = 200 ]; then gs=new; else gs=partial; fi ;;
    esac
    case "$c" in none) cs=none ;; "$old_c") cs=old ;; "$new_c") cs=new ;; *) cs=partial ;; esac
    states="$states $gs/$cs"
    if [ "$gs" = partial ] || [ "$cs" = partial ]; then
        echo "FAIL: kill $i $how: a partial file: GeoPackage $gs, CSV $cs"; fail=1
    elif [ "$gs" = new ] && [ "$cs" != new ]; then
        echo "FAIL: kill $i $how: a new GeoPackage next to a $cs CSV"; fail=1
    elif [ $((i % 2)) = 0 ] && { [ "$gs" = old ] || [ "$cs" = old ]; }; then
        echo "FAIL: kill $i $how: an earlier output where there was none"; fail=1
    fi
}
start_round() {  # start_round ROUND: the folder as the round needs it, then a run in the background ($pid)
    rm -f "$tmp/o/"* "$tmp/o/".[!.]*
    if [ $(($1 % 2)) = 1 ]; then cp "$tmp/old.gpkg" "$out"; cp "$tmp/old.csv" "$csv"; fi
    touch "$tmp/marker"
    "$ruimte" "${args[@]}" -o "$out" --csv "$csv" --overwrite > /dev/null 2>&1 &
    pid=$!
}
RANDOM=27
for i in $(seq 1 40); do
    # From 30 % of a run on (under the sanitizers a run varies more), the aimed kills below
    # cover the moment the GeoPackage appears.
    delay_ms=$((run_ms * 3 / 10 + RANDOM % (run_ms * 8 / 10 + 1)))
    start_round "$i"
    sleep "$(awk -v m="$delay_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null; code=$?
    [ "$code" = 137 ] && mid_run=$((mid_run + 1))
    check_round "$i" "at ${delay_ms} ms (exit $code)"
done
# 10 more, each the moment a new GeoPackage appears at -o (a busy loop of shell builtins
# watching its modification time): the CSV must be there already.
aimed=0
for i in $(seq 41 50); do
    start_round "$i"
    until [ "$out" -nt "$tmp/marker" ] || ! kill -0 "$pid" 2> /dev/null; do :; done
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null; code=$?
    [ "$code" = 137 ] && aimed=$((aimed + 1))
    check_round "$i" "as the GeoPackage appeared (exit $code)"
done
echo "GeoPackage/CSV after each kill:$states"
echo "$mid_run of 40 random kills and $aimed of 10 aimed ones landed during the run; $(tr ' ' '\n' <<< "$states" | sort | uniq -c | tr '\n' ' ' | tr -s ' ')"
if [ "$mid_run" -lt 10 ]; then echo "FAIL: only $mid_run of 40 kills landed during the run"; fail=1; fi
# (An aimed kill may come after the run ended: the GeoPackage is its last rename. Either way
# the two files are checked.)
[ "$fail" = 0 ] && echo "faults_outputs_together: a new GeoPackage never stood next to a stale or missing CSV in 50 kills"
exit $fail
