// `ruimte map`: a workshop map of one output layer (PDF, SVG or 300 dpi PNG), drawn with cairo.
#include <cstdio>
#include <map>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/render/map_render.hpp"

namespace ruimte::cli {

Runner add_map_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"map", &add_map_command};

namespace {
struct MapOptions {
    MapRequest request;
    std::string paper = "a4";
    std::string orientation = "landscape";
    std::string lang = "nl";
    bool quiet = false;
};
}  // namespace

Runner add_map_command(CLI::App& app, const Invocation&) {
    auto opts = std::make_shared<MapOptions>();
    CLI::App* cmd =
        app.add_subcommand("map",
                           "Draw a workshop map of a result layer: PDF, SVG or 300 dpi PNG with legend, scale bar, "
                           "north arrow, title and attribution");
    cmd->add_option("input", opts->request.input,
                    "FILE[:LAYER]; without a layer the result layer of a ruimte GeoPackage (candidates_scored, ...)")
        ->required();
    cmd->add_option("-o,--output", opts->request.output, "OUT.pdf, OUT.png or OUT.svg")->required();
    cmd->add_option("--context", opts->request.context,
                    "Boundaries drawn under the layer: FILE[:LAYER] (repeatable), e.g. data-samples/gemeenten.gpkg");
    cmd->add_option("--paper", opts->paper, "a4 or a3")
        ->check(CLI::IsMember({"a4", "a3"}, CLI::ignore_case))
        ->default_str("a4");
    cmd->add_option("--orientation", opts->orientation, "landscape or portrait")
        ->check(CLI::IsMember({"landscape", "portrait"}, CLI::ignore_case))
        ->default_str("landscape");
    cmd->add_option("--title", opts->request.title, "Title (default: the style's, e.g. 'Score (kwantielen)')");
    cmd->add_option("--top", opts->request.top,
                    "Label the N best-ranked candidates (default 10); on a selection the N best-ranked chosen ones "
                    "(default: every chosen one)")
        ->check(CLI::Range(0, 1000));
    cmd->add_option("--field", opts->request.field,
                    "Colour by this attribute instead of the default style's: a numeric field in classes, a text "
                    "field a colour per value");
    cmd->add_option("--classes", opts->request.classes,
                    "Classes of a numeric field: jenks (natural breaks), quantile, equal, or upper bounds as "
                    "comma-separated numbers, e.g. 0,0.5,1; zero is a class of its own (default: the style's "
                    "classes, or jenks when they put most features in one class)");
    cmd->add_option("--dpi", opts->request.dpi, "PNG resolution (default 300)")->check(CLI::Range(50, 1200));
    cmd->add_option("--lang", opts->lang, "Language of legend, scale and attribution: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}))
        ->default_str("nl");
    cmd->add_option("--extent", opts->request.extent,
                    "Show only XMIN,YMIN,XMAX,YMAX (EPSG:28992 metres); default: the whole layer")
        ->delimiter(',')
        ->expected(4);
    cmd->add_flag("--overwrite", opts->request.overwrite, "Replace an existing map");
    cmd->add_flag("-q,--quiet", opts->quiet, "Print nothing on success");
    cmd->footer(
        "Example (after `ruimte score ... -o out/score.gpkg`):\n"
        "  ruimte map out/score.gpkg -o out/score.pdf --paper a3 --context data-samples/gemeenten.gpkg\n"
        "  ruimte map out/claims.gpkg:region_balance -o out/druk.png --classes 0,0.25,0.5,1\n\n"
        "The layer is drawn in its default style (the one written to layer_styles for QGIS), so the\n"
        "legend matches QGIS, unless those classes put most features in one class: then zero is a\n"
        "class of its own and the rest is split by natural breaks (--classes chooses). Labels sit\n"
        "beside their markers; labels that would overlap are left out (counted on stdout).\n\n" +
        std::string(exit_code_help()));
    return [opts]() -> int {
        return guarded("map", [&] {
            MapRequest& req = opts->request;
            req.paper = opts->paper == "a3" || opts->paper == "A3" ? Paper::a3 : Paper::a4;
            req.landscape = opts->orientation == "landscape" || opts->orientation == "LANDSCAPE";
            req.english = opts->lang == "en";
            const MapSummary s = render_map(req);
            if (opts->quiet) return;
            std::printf("Map: %s (layer %s, %zu features, scale 1:%.0f", shown(req.output).c_str(),
                        shown(s.layer).c_str(), s.features, s.scale);
            if (s.width_px) std::printf(", %d x %d px at %d dpi", s.width_px, s.height_px, req.dpi);
            std::printf(")\nLabels: %zu placed, %zu left out to avoid overlap\nLegend:", s.labels_placed,
                        s.labels_dropped);
            for (const auto& l : s.legend) std::printf(" [%s]", shown(l).c_str());
            std::printf("\nAttribution: %s\n", shown(s.attribution).c_str());
            if (!s.classification.empty()) std::printf("Classes: %s\n", shown(s.classification).c_str());
            if (!s.totals.empty()) {
                std::printf("Totals:");
                for (const auto& t : s.totals) std::printf(" [%s]", shown(t).c_str());
                std::printf("\n");
            }
        });
    };
}

}  // namespace ruimte::cli
