#!/usr/bin/env bash
# Set up, build, and run `ruimte score` on the bundled samples; prints where the result is.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Only what running needs is installed and built; scripts/test.sh adds the test tools.
# The program and its CBC module (for `select`); not the QGIS plugin's zip or other targets.
RUIMTE_SETUP=--run RUIMTE_TARGETS="ruimte ruimte_cbc" bash "$top/scripts/build.sh" -DBUILD_TESTING=OFF > /dev/null
mkdir -p "$top/out"
"$top/build/cli/ruimte" score \
  --candidates "$top/data-samples/kandidaten.shp" \
  --profile "$top/data-samples/woningbouw.toml" \
  -o "$top/out/score.gpkg" --csv "$top/out/overlay_areas.csv" --overwrite
echo "Open $top/out/score.gpkg in QGIS (layer candidates_scored)."
