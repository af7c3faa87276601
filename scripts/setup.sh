#!/usr/bin/env bash
# Installs every Debian 12 package ruimte needs to build, run, test and benchmark.
# Idempotent: packages already present are skipped; `apt-get update` runs at most once
# per invocation, and only when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  libgdal-dev libgeos-dev libproj-dev libboost-dev libsqlite3-dev libssl-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  coinor-libcbc-dev coinor-libclp-dev
  libpq-dev
  libcairo2-dev fonts-dejavu-core
  catch2
  # run and test: independent engines and viewers the tests compare against
  gdal-bin sqlite3 spatialite-bin libsqlite3-mod-spatialite
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  python3 python3-geopandas python3-gdal python3-qgis qgis-providers xvfb
  poppler-utils libxml2-utils
  # fuzzing and sanitizers
  clang libclang-rt-14-dev
  # benchmarks
  time hyperfine
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${#missing[@]} packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all ${#packages[@]} packages present" >&2
