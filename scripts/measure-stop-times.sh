#!/usr/bin/env bash
# Time from SIGINT to exit of the commands tests/cli/interrupt.sh does not cover, on workloads
# that run for seconds (docs/reliability.md, "Ctrl-C in every command"): `web` and `map` (SVG,
# PDF) on a scored file, `select` on the 50,000-candidate scored file of
# scripts/bench-select-scale.sh. Each command runs once whole, then is sent SIGINT at 20, 50 and
# 80 % of that time; prints one line per command with the exit codes and the load average.
#   scripts/measure-stop-times.sh RUIMTE SCORED.gpkg SCORED50000.gpkg
# (SCORED: e.g. the 160,000-row file tests/cli/interrupt.sh grows; RUIMTE must be built with
# OpenLayers for `web`, see scripts/setup.sh.)
set -uo pipefail
R=$1 big=$2 scored50=$3
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
probe() {  # probe NAME OUT ARGS...
  local name=$1 out=$2; shift 2
  rm -f "$out"; local t0; t0=$(now); "$R" "$@" > /dev/null 2>&1; local rc=$?
  local whole; whole=$(echo "$(now) - $t0" | bc -l); rm -f "$out"
  local line="$name: whole $(printf %.2f "$whole") s (exit $rc); stop after SIGINT at"
  for f in 0.2 0.5 0.8; do
    "$R" "$@" > /dev/null 2>&1 & local pid=$!
    sleep "$(echo "$whole * $f" | bc -l)"; t0=$(now); kill -INT $pid 2> /dev/null; wait $pid; rc=$?
    line="$line $f: $(printf %.2f "$(echo "$(now) - $t0" | bc -l)") s (exit $rc)"
    rm -f "$out"
  done
  echo "$line; load $(cut -d' ' -f1 /proc/loadavg)"
}
probe web "$work/w.html" web "$big" -o "$work/w.html"
probe select_50k "$work/s.gpkg" select --scored "$scored50" --target woningen=14780130 --budget 'kosten_meu<=1847516' \
  --share 'betaalbaar/woningen>=0.5' --group gemeente --max-per-group 300 --gap 0.001 --time-limit 30 -o "$work/s.gpkg"
probe map_svg "$work/m.svg" map -q "$big" -o "$work/m.svg"
probe map_pdf "$work/m.pdf" map -q "$big" -o "$work/m.pdf"
