#!/usr/bin/env bash
# Installs the Debian 12 packages ruimte needs to build and run (--run), or also to test and
# benchmark (the default).
# Idempotent: packages already present are skipped; `apt-get update` runs at most once
# per invocation, and only when something is missing.
set -euo pipefail

# What building and running ruimte needs (scripts/run-samples.sh installs only these).
run_packages=(
  build-essential cmake ninja-build pkg-config git
  libgdal-dev libgeos-dev libproj-dev libboost-dev libsqlite3-dev libssl-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  coinor-libcbc-dev coinor-libclp-dev
  libpq-dev
  libcairo2-dev fonts-dejavu-core
)
# What the tests and benchmarks add: independent engines and viewers they compare against,
# the sanitizer and fuzzing toolchain, the formatter.
test_packages=(
  catch2
  gdal-bin sqlite3 spatialite-bin libsqlite3-mod-spatialite
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  postgis python3-rasterio  # scripts/bench-raster.sh: raster2pgsql, rasterio + numpy
  python3 python3-geopandas python3-gdal python3-qgis qgis-providers qgis xvfb
  python3-numpy python3-pil  # cli.qgis_render measures pixels (numpy) and writes docs/img (PIL)
  poppler-utils libxml2-utils
  python3-pil python3-shapely  # cli.map_outputs, cli.map_pixels read the maps back as pixels
  clang libclang-rt-14-dev clang-format
  time hyperfine
  gdb  # cli.select_limits stops ruimte in each phase to send SIGINT there
  chromium python3-numpy  # cli.check_report renders the HTML report in Chromium and checks its pixels
)
# Usage: scripts/setup.sh [--run]   (--run: only what building and running needs)
packages=("${run_packages[@]}")
[ "${1:-}" = --run ] || packages+=("${test_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# `ruimte web` embeds OpenLayers, and its tests drive Chromium with puppeteer-core: both from
# npm at the versions web/package-lock.json pins. Node.js and npm from Debian, unless a node
# with npm is installed already; not with --run: Debian's npm brings about 370 packages, more
# than everything else running needs (304), and half of a fresh machine's install time. Without
# npm the build embeds no OpenLayers and `ruimte web` says to run this script without --run.
[ "${1:-}" = --run ] || command -v npm > /dev/null || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${#missing[@]} packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all ${#packages[@]} packages present" >&2

# web/node_modules (ignored by git): npm ci when the lock file changed since the last install;
# with --run only what the build embeds (OpenLayers), not the test driver, and only when npm is
# there already.
web=$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)
stamp=$web/node_modules/.ruimte-installed
want="$(sha256sum "$web/package-lock.json" | cut -d' ' -f1) ${1:-all}"
if [ "$(cat "$stamp" 2> /dev/null)" != "$want" ] && command -v npm > /dev/null; then
  omit=()
  [ "${1:-}" = --run ] && omit=(--omit=dev)
  (cd "$web" && npm ci --no-audit --no-fund "${omit[@]}" > /dev/null)
  echo "$want" > "$stamp"
  echo "setup: web/node_modules installed (npm ci)" >&2
fi
