#!/usr/bin/env bash
# Thread scaling of `ruimte score` on the shared workload: the same run with --threads 1 and
# --threads 2 (R rounds each, alternating), median wall-clock seconds, per-stage seconds of
# the median run, peak RSS; writes its section of docs/BENCHMARKS.md.
#
#   scripts/bench-threads.sh [--candidates N --seeds N --seed S] [--runs R] [--out FILE]
set -euo pipefail
candidates=10000 seeds=40000 seed=20261122 runs=5 out_md=docs/BENCHMARKS.md
orig_args=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --candidates) candidates=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out_md=$2; shift 2 ;;
    *) echo "bench-threads: unknown option $1" >&2; exit 2 ;;
  esac
done
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case $out_md in /*) ;; *) out_md=$top/$out_md ;; esac
ruimte=$top/build/cli/ruimte
[ -x "$ruimte" ] || { echo "bench-threads: build first (scripts/build.sh)" >&2; exit 1; }
generator=$top/../shared/bench/make_workload.py
key=c${candidates}-s${seeds}-seed${seed}
wl=$top/build/bench/wl-$key-$(sha256sum "$generator" | cut -c1-8).gpkg
mkdir -p "$top/build/bench"
if [ ! -f "$wl" ]; then
  /usr/bin/python3 "$generator" "$wl.tmp.gpkg" --candidates "$candidates" --seeds "$seeds" --seed "$seed" >&2
  mv "$wl.tmp.gpkg" "$wl"
fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
run() {  # run THREADS ROUND -> appends "seconds rss_kb" and keeps the timings
  /usr/bin/time -f "%e %M" -o "$work/time" "$ruimte" score --candidates "$wl:candidates" \
    --profile "$top/scripts/bench/workload.toml" --layer "wbs=$wl:wbs" --layer "netcongestie=$wl:netcongestie" \
    --layer "novex=$wl:novex" --layer "nplv=$wl:nplv" -o "$work/out-$1.gpkg" --overwrite -q --timings \
    --threads "$1" > "$work/timings-$1-$2.txt"
  echo "$(cat "$work/time") $2" >> "$work/runs-$1.txt"
}
for r in $(seq "$runs"); do run 1 "$r"; run 2 "$r"; done
median_row() { sort -g "$work/runs-$1.txt" | awk -v n="$runs" 'NR == int((n + 1) / 2)'; }
read -r s1 rss1 r1 <<<"$(median_row 1)"
read -r s2 rss2 r2 <<<"$(median_row 2)"
speedup=$(awk -v a="$s1" -v b="$s2" 'BEGIN { printf "%.2f", a / b }')
stages() { awk '/^  [a-z]+ +[0-9.]+ s$/ { printf "%s %s s, ", $1, $2 }' "$work/timings-$1-$2.txt" | sed 's/, $//'; }
section=$work/section.md
{
  echo "<!-- bench-threads:$key begin -->"
  echo "## Thread scaling: \`ruimte score\`, $candidates candidates (--seeds $seeds --seed $seed)"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit: $(git -C "$top" rev-parse --short HEAD)"
  echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`scripts/bench-threads.sh${orig_args[*]:+ ${orig_args[*]}}\` ($runs rounds, alternating; median)"
  echo
  echo "| threads | seconds (median) | peak RSS MB | stages of the median run |"
  echo "|---:|---:|---:|---|"
  echo "| 1 | $s1 | $((rss1 / 1024)) | $(stages 1 "$r1") |"
  echo "| 2 | $s2 | $((rss2 / 1024)) | $(stages 2 "$r2") |"
  echo
  echo "Speed-up of 2 threads over 1: **$speedup x** (end to end, reading and writing included)."
  echo "<!-- bench-threads:$key end -->"
} > "$section"
/usr/bin/python3 - "$out_md" "$section" "bench-threads:$key" <<'PYEOF'
import os, re, sys
path, section, key = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
pattern = re.compile(r"<!-- %s begin -->.*?<!-- %s end -->\n?" % (re.escape(key), re.escape(key)), re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PYEOF
cat "$section"
