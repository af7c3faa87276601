#pragma once
// `ruimte web`: one self-contained HTML file for a workshop, made from a `ruimte score` output.
// The page holds OpenLayers, the candidates (geometry simplified for the screen), each
// candidate's factor values as `score` wrote them, the profile, the run manifest, context
// layers and a selection; in the browser the weights are sliders, and every change rescores
// and re-ranks the candidates exactly as `score` would (docs/web.md). Works offline: the page
// makes no network request.
#include <cstddef>
#include <string>
#include <vector>

#include "spatial/output/job_request.hpp"

namespace ruimte {

// output: the .html file; control.cancel (Ctrl-C) stops the run before the page is written.
struct WebRequest : JobRequest {
    std::string scored;                // a `ruimte score` GeoPackage (layer candidates_scored)
    std::vector<std::string> context;  // FILE[:LAYER], drawn as grey outlines
    std::string selection;             // a `ruimte select` GeoPackage (candidates_selected), or empty
    std::string lang = "nl";           // "nl" or "en": the page's words
    std::string title;                 // empty: "ruimte - PROFILE"
    // Simplification tolerance in metres; <= 0: 1/2000 of the candidates' extent (about a
    // pixel on a large screen), at least 1 m.
    double tolerance_m = 0;
};

struct WebSummary {
    std::size_t candidates = 0;
    std::size_t excluded = 0;
    std::size_t factors = 0;
    std::size_t context_features = 0;
    std::size_t selected = 0;
    std::size_t vertices_in = 0, vertices_out = 0;  // before and after simplification
    double tolerance_m = 0;
    std::size_t bytes = 0;  // size of the page
    bool synthetic = false;
};

// Throws Error(input) when the file is not a score output or a layer cannot be read,
// Error(output) when the page cannot be written, Error(cancelled) when *cancel was set.
WebSummary run_web(const WebRequest& req);

}  // namespace ruimte
