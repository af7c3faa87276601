#pragma once
// The `score` job: read candidates and layers, overlay, score, write the GeoPackage (and CSV).
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "spatial/criteria/profile.hpp"
#include "spatial/criteria/scoring.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/job_request.hpp"

namespace ruimte {

enum class Engine {
    embedded,  // the overlay in this process (GEOS, threads)
    postgis,   // the overlay as SQL in the PostGIS database of the layers (spatial/pushdown.hpp)
};

// The most columns candidates_scored may have (SQLite's SQLITE_MAX_COLUMN); a profile that needs
// more is refused before any geometry is read (exit 3), input fields that push it over after
// reading (exit 4).
inline constexpr std::size_t kMaxOutputColumns = 2000;

struct ScoreRequest : JobRequest {
    std::string candidates;  // FILE[:LAYER]
    std::string profile_path;
    std::map<std::string, std::string> layer_sources;  // NAME -> FILE[:LAYER] overrides
    std::string csv;                                   // optional long table as CSV
    std::string id_field;                              // overrides the profile's id_field
    std::string assume_crs;                            // for sources without a CRS
    bool skip_invalid = false;
    // GEOS MakeValid's method for invalid polygons (--make-valid); named in the manifest and
    // the output's metadata (RUIMTE_MAKE_VALID).
    geos::MakeValidMethod make_valid = geos::MakeValidMethod::structure;
    bool strict = false;  // the profile's warnings (an AHP CR above 0.1) are errors
    std::size_t max_piece_vertices = 128;
    Engine engine = Engine::embedded;
    std::string qgis_project;               // optional OUT.qgz referencing the output GeoPackage
    std::vector<std::string> qgis_context;  // FILE[:LAYER] context layers for the project
    bool english = false;                   // the project's layout texts in English (default Dutch)
};

struct InputSummary {
    std::string role;  // "candidates" or the profile's layer name
    std::string source;
    std::size_t features = 0;
    std::size_t repaired = 0;
    std::size_t skipped = 0;
    std::size_t pieces = 0;
    std::size_t overlapping_pairs = 0;
    CrsReport crs;
};

struct ScoreInputs;

struct ScoreSummary {
    std::size_t candidates = 0;
    std::size_t excluded = 0;
    std::string output;
    std::string csv;
    std::vector<InputSummary> inputs;
    std::vector<std::pair<std::string, double>> seconds;  // per stage
    // the best candidates: (rank, id, score)
    std::vector<std::tuple<std::int64_t, std::string, double>> top;
    // The run's data (candidates, layers, indexes, overlay), freed with the last copy of this
    // pointer. A command about to end may keep it until the process exits, which hands the
    // memory back at once instead of freeing it piece by piece (about 60 ms for 100,000
    // candidates).
    std::shared_ptr<const ScoreInputs> data;
};

// Everything `score` computes before scoring: the validated profile, the candidates, the
// layers and their indexes, and the overlay. Scoring is cheap next to it, so analyses that
// score many times (sensitivity) prepare once and call score_candidates() again and again.
struct ScoreInputs {
    Profile profile;
    FeatureLayer candidates;
    CandidateTable table;              // ids and attribute metrics
    std::vector<FeatureLayer> layers;  // in profile order
    std::vector<std::unique_ptr<LayerIndex>> indexes;
    std::vector<const LayerIndex*> index_ptrs;
    OverlayResult overlay;
    std::vector<std::string> input_paths;  // every input file (never to be overwritten)
    std::vector<std::pair<std::string, double>> seconds;
};

// Steps 1-4 of `score`: validate the profile, check the output paths (when set), read,
// repair, index, overlay.
ScoreInputs prepare_score(const ScoreRequest& request);

// The whole `score` job: prepare_score, then score, rank and write.
ScoreSummary run_score(const ScoreRequest& request);

}  // namespace ruimte
