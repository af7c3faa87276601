#pragma once
// `score --engine postgis`: the overlay as SQL inside the PostGIS database that holds the
// profile's layers. The candidates (read, repaired and reprojected by read_polygon_layer, from
// any source) are copied into the database; each layer is cleaned in SQL the way
// read_polygon_layer cleans it (2D, curves linearised, reprojected to EPSG:28992, repeated
// points removed, MakeValid), cut with ST_Subdivide, indexed with GiST, and overlaid with
// the candidates in (parallel) SQL. The answer is an OverlayResult, so scoring, ranking and
// writing are the embedded engine's own. Everything runs in one transaction in a private
// work schema that is rolled back at the end: the database is left as it was, even when the
// run is killed. The SQL is shown in docs/postgis.md.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "spatial/criteria/profile.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/source.hpp"

namespace ruimte {

struct PushdownOptions {
    std::string assume_crs;  // EPSG:NNNN for layers whose geometries have SRID 0
    bool skip_invalid = false;
    std::size_t max_piece_vertices = 128;                                 // ST_Subdivide's max_vertices
    geos::MakeValidMethod make_valid = geos::MakeValidMethod::structure;  // ST_MakeValid's method
    RunControl control;  // threads: at most threads-1 parallel workers per query; cancellation
    std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
    std::function<void(const std::string&)> notice;
};

struct PushdownResult {
    // Per profile layer: source, name, CRS and hygiene as read_polygon_layer reports them;
    // no features (they stay in the database).
    std::vector<FeatureLayer> layers;
    // Per profile layer: the class list (no pieces: the pieces live in the database).
    std::vector<std::unique_ptr<LayerIndex>> indexes;
    std::vector<std::size_t> pieces;  // ST_Subdivide pieces per layer
    OverlayResult overlay;            // candidates in the order of `candidates.features`
};

// Every layer of the profile must be a PostgreSQL source, all in one database. Throws
// Error(usage) otherwise, Error(input) for the data problems read_polygon_layer reports.
PushdownResult pushdown_overlay(const Profile& profile, const FeatureLayer& candidates, const PushdownOptions& options);

}  // namespace ruimte
