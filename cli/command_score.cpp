// `ruimte score`: overlay candidate areas with the profile's layers, score, rank, explain.
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/jobs/score.hpp"

namespace ruimte::cli {

Runner add_score_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"score", &add_score_command};

namespace {
struct ScoreOptions {
    ScoreRequest request;
    unsigned threads = 0;
    bool quiet = false;
    bool timings = false;
    std::vector<std::string> layers;
    std::string lang = "nl";
};
}  // namespace

Runner add_score_command(CLI::App& app, const Invocation& inv) {
    auto opts = std::make_shared<ScoreOptions>();
    CLI::App* cmd =
        app.add_subcommand("score", "Overlay candidate areas with the profile's layers, then score and rank them");
    cmd->add_option(
           "--candidates", opts->request.candidates,
           "Candidate areas: FILE[:LAYER] (Shapefile, GeoPackage, GeoJSON, FlatGeobuf) or PG:\"CONNINFO\":TABLE")
        ->required();
    cmd->add_option("--profile", opts->request.profile_path, "Criteria profile (TOML), see docs/criteria.md")
        ->required();
    cmd->add_option("--layer", opts->layers, "Replace the source of a profile layer: NAME=FILE[:LAYER] (repeatable)");
    cmd->add_option(
           "-o,--output", opts->request.output,
           "Output GeoPackage, or a PostGIS schema: postgresql://USER@HOST:PORT/DB?schema=NAME (docs/postgis.md)")
        ->required();
    cmd->add_option(
           "--engine", opts->request.engine,
           "Where the overlay runs: embedded (this process) or postgis (as SQL in the database holding the layers)")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, Engine>{{"embedded", Engine::embedded}, {"postgis", Engine::postgis}}))
        ->default_str("embedded");
    cmd->add_option("--csv", opts->request.csv,
                    "Also write the long table (candidate, layer, class, area_m2, share) as CSV");
    cmd->add_flag("--overwrite", opts->request.overwrite, "Replace existing output files");
    cmd->add_option("--id-field", opts->request.id_field,
                    "Candidate id attribute (default: the profile's id_field, else 'id', else the FID)");
    cmd->add_option("--assume-crs", opts->request.assume_crs,
                    "CRS for sources that have none, e.g. EPSG:28992 (a shapefile without .prj)");
    cmd->add_flag("--skip-invalid", opts->request.skip_invalid,
                  "Skip non-polygon and unrepairable features (reported) instead of failing");
    add_make_valid_option(cmd, opts->request.make_valid);
    cmd->add_flag("--strict", opts->request.strict,
                  "Treat the profile's warnings (an AHP consistency ratio above 0.1) as errors");
    cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 1024u));
    cmd->add_option("--piece-vertices", opts->request.max_piece_vertices,
                    "Cut layer polygons into pieces of at most this many vertices (tuning; default 128)")
        ->check(CLI::Range(8, 100000));
    add_timestamp_option(cmd, opts->request.timestamp);
    cmd->add_option("--qgis-project", opts->request.qgis_project,
                    "Also write a QGIS project (.qgz) with the styled output layers and an A3 print layout");
    cmd->add_option("--lang", opts->lang,
                    "Language of the QGIS project's layout (legend title, attribution): nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}))
        ->default_str("nl");
    cmd->add_option("--qgis-context", opts->request.qgis_context,
                    "Context layer for the QGIS project, FILE[:LAYER] (repeatable), e.g. data-samples/gemeenten.gpkg");
    cmd->add_flag("-q,--quiet", opts->quiet, "No progress or notes on stderr");
    cmd->add_flag("--timings", opts->timings,
                  "Print the seconds spent per stage (with more than one thread the layers are read and\n"
                  "indexed while the candidates are read: read covers both, index what is left after)");
    cmd->footer(
        "Example (the bundled samples):\n"
        "  ruimte score --candidates data-samples/kandidaten.shp \\\n"
        "               --profile data-samples/woningbouw.toml -o out/score.gpkg --csv out/areas.csv\n"
        "\n"
        "Writes the GeoPackage layers candidates_scored (input attributes, shares per class,\n"
        "factor values and contributions, excluded, reasons, score, rank), overlay_areas (one row\n"
        "per candidate, layer and class) and geometry_issues (repaired or skipped input features).\n"
        "The output is written to a temporary file and renamed when complete.\n\n" +
        std::string(exit_code_help()));

    return [opts, cmd, inv]() -> int {
        (void)cmd;
        Progress progress(opts->quiet);
        return guarded("score", [&] {
            ScoreRequest& req = opts->request;
            req.command_line = joined_command_line(inv.argc, inv.argv);
            for (const auto& l : opts->layers) {
                const auto eq = l.find('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == l.size()) {
                    throw Error(ErrorKind::usage, "--layer '" + l + "' is not NAME=FILE[:LAYER]", {},
                                "for example --layer wbs=wbs.gpkg:wbs");
                }
                req.layer_sources[l.substr(0, eq)] = l.substr(eq + 1);
            }
            req.control.threads = opts->threads;
            req.control.cancel = &cancel_flag();
            req.english = opts->lang == "en";
            req.progress = [&](const std::string& stage, std::size_t d, std::size_t t) {
                progress.update(stage, d, t);
            };
            req.notice = [&](const std::string& m) { progress.notice(m); };
            const ScoreSummary s = run_score(req);
            keep_until_exit(s.data);
            progress.finish();
            std::printf("Scored %zu candidate areas (%zu excluded).\n", s.candidates, s.excluded);
            if (!s.top.empty()) {
                std::printf("Best:");
                for (const auto& [rank, id, score] : s.top)
                    std::printf("  %lld. %s (%.3f)", static_cast<long long>(rank), shown(id).c_str(), score);
                std::printf("\n");
            }
            std::printf("Result: %s (layers candidates_scored, overlay_areas, %sgeometry_issues)\n",
                        shown(s.output).c_str(), s.data && !s.data->rasters.empty() ? "raster_stats, " : "");
            if (!s.csv.empty()) std::printf("Long table: %s\n", shown(s.csv).c_str());
            if (opts->timings) {
                double total = 0;
                for (const auto& [stage, sec] : s.seconds) {
                    std::printf("  %-8s %8.3f s\n", stage.c_str(), sec);
                    total += sec;
                }
                std::printf("  %-8s %8.3f s\n", "total", total);
                for (const auto& in : s.inputs) {
                    std::printf("  input %-14s %8zu features, %zu pieces, %zu repaired, %zu skipped\n", in.role.c_str(),
                                in.features, in.pieces, in.repaired, in.skipped);
                }
            }
        });
    };
}

}  // namespace ruimte::cli
