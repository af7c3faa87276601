// `ruimte web`: one self-contained HTML page for a workshop: weights on sliders, the map and
// the ranking follow in the browser, exactly as `ruimte score` would rank (docs/web.md).
#include <cstdio>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/jobs/web.hpp"

namespace ruimte::cli {

Runner add_web_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"web", &add_web_command};

namespace {
struct WebOptions {
    WebRequest request;
    bool quiet = false;
};
}  // namespace

Runner add_web_command(CLI::App& app, const Invocation&) {
    auto opts = std::make_shared<WebOptions>();
    CLI::App* cmd = app.add_subcommand(
        "web",
        "Write one self-contained HTML page for a workshop: weights on sliders, the map and ranking follow, offline");
    cmd->add_option("scored", opts->request.scored, "Output GeoPackage of `ruimte score`")->required();
    cmd->add_option("-o,--output", opts->request.output, "OUT.html")->required();
    cmd->add_option(
        "--context", opts->request.context,
        "Boundaries drawn under the candidates: FILE[:LAYER] (repeatable), e.g. data-samples/gemeenten.gpkg");
    cmd->add_option("--selection", opts->request.selection,
                    "Output GeoPackage of `ruimte select`: the chosen set (and selection frequency) as a layer");
    cmd->add_option("--lang", opts->request.lang, "Language of the page: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}))
        ->default_str("nl");
    cmd->add_option("--title", opts->request.title, "Title of the page (default: 'ruimte - PROFILE')");
    cmd->add_option("--simplify", opts->request.tolerance_m,
                    "Simplification tolerance in metres (default: 1/2000 of the candidates' extent, at least 1)")
        ->check(CLI::Range(0.0, 1e6));
    cmd->add_flag("--overwrite", opts->request.overwrite, "Replace an existing page");
    cmd->add_flag("-q,--quiet", opts->quiet, "Print nothing on success");
    cmd->footer(
        "Example (after `ruimte score ... -o out/score.gpkg`):\n"
        "  ruimte web out/score.gpkg -o out/workshop.html --context data-samples/gemeenten.gpkg\n\n"
        "The page holds everything it needs (OpenLayers included) and makes no network request:\n"
        "open it in any browser, also without a network. Moving a weight rescores and re-ranks the\n"
        "candidates from the factor values `score` wrote, as `score` would with those weights.\n\n" +
        std::string(exit_code_help()));
    return [opts]() -> int {
        return guarded("web", [&] {
            WebRequest& req = opts->request;
            req.control.cancel = &cancel_flag();
            const WebSummary s = run_web(req);
            if (opts->quiet) return;
            std::printf("Page: %s (%.1f MB)\n", shown(req.output).c_str(), static_cast<double>(s.bytes) / 1e6);
            std::printf("Candidates: %zu (%zu excluded), %zu factors; %zu context features; %zu selected\n",
                        s.candidates, s.excluded, s.factors, s.context_features, s.selected);
            std::printf("Geometry: %zu vertices simplified to %zu (tolerance %.1f m)\n", s.vertices_in, s.vertices_out,
                        s.tolerance_m);
            if (s.synthetic) std::printf("Data: synthetic (marked on the page)\n");
        });
    };
}

}  // namespace ruimte::cli
