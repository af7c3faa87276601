# Shared by scripts/bench-threads.sh, bench-claims.sh and bench-select.sh (source it).
#
# bench_args "$@"        parses --candidates --seeds --seed --runs --out into candidates,
#                        seeds, seed, runs, out_md (absolute), and sets top, ruimte, key, wl
# bench_workload         makes the shared workload $wl with scripts/bench/make_workload.py
#                        unless it is cached in build/bench/
# bench_write_section F  puts the Markdown section in file F (delimited by
#                        <!-- NAME:$key begin/end -->) into $out_md, replacing an older one
candidates=10000 seeds=40000 seed=20261122 runs=1 out_md=docs/BENCHMARKS.md
bench_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --candidates) candidates=$2; shift 2 ;;
      --seeds) seeds=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --runs) runs=$2; shift 2 ;;
      --out) out_md=$2; shift 2 ;;
      *) echo "$(basename "$0"): unknown option $1" >&2; exit 2 ;;
    esac
  done
  top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  case $out_md in /*) ;; *) out_md=$top/$out_md ;; esac
  ruimte=${RUIMTE_BIN:-$top/build/cli/ruimte}  # RUIMTE_BIN: another build, for before/after runs
  [ -x "$ruimte" ] || { echo "$(basename "$0"): build first (scripts/build.sh)" >&2; exit 1; }
  key=c${candidates}-s${seeds}-seed${seed}
  wl=$top/build/bench/wl-$key-$(sha256sum "$top/scripts/bench/make_workload.py" | cut -c1-8).gpkg
}
bench_workload() {
  mkdir -p "$top/build/bench"
  [ -f "$wl" ] && return 0
  /usr/bin/python3 "$top/scripts/bench/make_workload.py" "$wl.tmp.gpkg" --candidates "$candidates" \
    --seeds "$seeds" --seed "$seed" >&2
  mv "$wl.tmp.gpkg" "$wl"
}
bench_write_section() {
  local name
  name=$(sed -n 's/^<!-- \(.*\) begin -->$/\1/p' "$1" | head -n 1)
  /usr/bin/python3 - "$out_md" "$1" "$name" <<'PYEOF'
import os, re, sys
path, section, key = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
pattern = re.compile(r"<!-- %s begin -->.*?<!-- %s end -->\n?" % (re.escape(key), re.escape(key)), re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(path + ".tmp", "w").write(text)
os.replace(path + ".tmp", path)
PYEOF
}
