// `ruimte check`: the water board's 'ja, mits' check of planned locations against the WBS map.
#include <cstdio>
#include <iostream>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/jobs/check.hpp"

namespace ruimte::cli {

Runner add_check_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"check", &add_check_command};

namespace {
struct CheckOptions {
    CheckRequest request;
    std::vector<std::string> aliases;
    std::vector<std::string> thresholds;
    bool no_maps = false;
    unsigned threads = 0;
    bool quiet = false;
};
}  // namespace

Runner add_check_command(CLI::App& app, const Invocation& inv) {
    auto opts = std::make_shared<CheckOptions>();
    CheckRequest& r = opts->request;
    CLI::App* cmd = app.add_subcommand(
        "check", "Water board check: WBS classes, verdict and 'mits' per planned location, grouped per water board");
    cmd->add_option("--locations", r.locations, "Planned locations: FILE[:LAYER]")->required();
    cmd->add_option("--wbs", r.wbs, "The 'water en bodem sturend' map: FILE[:LAYER]")->required();
    cmd->add_option("--class-field", r.class_field, "WBS attribute with the class (default klasse)");
    cmd->add_option("--alias", opts->aliases, "Map a source spelling to a WBS class: 'VALUE=CLASS' (repeatable)");
    cmd->add_option("--themes", r.themes, "Theme layers whose numeric fields are themes: FILE[:LAYER] (repeatable)");
    cmd->add_option("--raster-theme", r.raster_themes,
                    "A value raster as a theme, named like a theme field: 'FIELD=FILE[:BAND]', e.g. "
                    "overstroming_m=flood.tif (repeatable)");
    cmd->add_option("--by", r.by, "Group per area: FILE[:LAYER]:FIELD, e.g. waterschappen.gpkg:waterschappen:naam");
    cmd->add_option("-o,--output", r.output, "Output GeoPackage")->required();
    cmd->add_option("--report", r.report, "Also write a report: OUT.html or OUT.md");
    cmd->add_option("--lang", r.lang, "Report language: nl (default) or en")->check(CLI::IsMember({"nl", "en"}));
    cmd->add_option("--sliver-share", r.sliver.share,
                    "A class counts only above this share of the location (default 0.01)")
        ->check(CLI::Range(0.0, 0.999));
    cmd->add_option("--sliver-m2", r.sliver.m2, "... and only above this area in m2 (default 100)")
        ->check(CLI::Range(0.0, 1e12));
    cmd->add_option("--threshold", opts->thresholds,
                    "A theme counts above this value: 'THEME=VALUE' in the theme's unit (repeatable; defaults: "
                    "waterveiligheid=0.2 m, bodemdaling=10 cm, ordinal classes above 0)");
    cmd->add_option("--wbs-name", r.wbs_name, "Name of the WBS map in the report (default: from the source)");
    cmd->add_option("--wbs-date", r.wbs_date,
                    "Date of the WBS map in the report (default: the GeoPackage's last change, else the file's date)");
    cmd->add_flag("--no-maps", opts->no_maps, "No overview maps in the report");
    cmd->add_option("--homes-field", r.homes_field,
                    "Location attribute with planned homes (default woningen; ignored when absent)");
    cmd->add_option("--id-field", r.id_field, "Location id attribute (default 'id', else the FID)");
    cmd->add_option("--name-field", r.name_field, "Location name attribute (default 'naam' when present)");
    cmd->add_flag("--overwrite", r.overwrite, "Replace existing output files");
    add_timestamp_option(cmd, r.timestamp);
    cmd->add_option("--assume-crs", r.assume_crs, "CRS for sources that have none, e.g. EPSG:28992");
    cmd->add_flag("--skip-invalid", r.skip_invalid,
                  "Skip non-polygon and unrepairable features (reported) instead of failing");
    cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 1024u));
    cmd->add_flag("-q,--quiet", opts->quiet, "No progress or notes on stderr");
    cmd->footer(
        "Example (the bundled samples; all but the municipalities are SYNTHETIC):\n"
        "  ruimte check --locations data-samples/novex.gpkg:novex_locaties --wbs data-samples/wbs.gpkg:wbs \\\n"
        "               --by data-samples/waterschappen.gpkg:waterschappen:naam -o out/check.gpkg --report "
        "out/check.html\n"
        "\n"
        "Verdict: the most severe WBS class whose area in the location exceeds BOTH --sliver-share of\n"
        "the location and --sliver-m2; 'onbekend' when no class does (never 'ja'). Themes are the\n"
        "numeric fields of the WBS layer and of --themes layers; a theme counts above its threshold\n"
        "(flood depth 0.2 m, subsidence 10 cm, ordinal classes 1 and up; change with\n"
        "--threshold 'waterveiligheid=0.3'). The report has an overview map per group. See docs/check.md.\n"
        "Writes the GeoPackage layers check_locations, check_parts (with --by), check_themes and\n"
        "check_groups.\n\n" +
        std::string(exit_code_help()));

    return [opts, inv]() -> int {
        Progress progress(opts->quiet);
        return guarded("check", [&] {
            CheckRequest& req = opts->request;
            req.command_line = joined_command_line(inv.argc, inv.argv);
            for (const auto& a : opts->aliases) {
                const auto eq = a.rfind('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
                    throw Error(ErrorKind::usage, "--alias '" + a + "' is not VALUE=CLASS", {},
                                "for example --alias 'Ja, mits (klein)=ja_mits_klein'");
                }
                req.aliases[a.substr(0, eq)] = a.substr(eq + 1);
            }
            for (const auto& t : opts->thresholds) req.thresholds.insert(parse_threshold(t));
            req.maps = !opts->no_maps;
            req.control.threads = opts->threads;
            req.control.cancel = &cancel_flag();
            req.progress = [&](const std::string& stage, std::size_t d, std::size_t t) {
                progress.update(stage, d, t);
            };
            req.notice = [&](const std::string& m) { progress.notice(m); };
            const CheckResult res = run_check(req);
            progress.finish();
            std::map<std::string, std::size_t> counts;
            for (const auto& u : res.whole) ++counts[verdict_code(u.verdict)];
            std::printf("Checked %zu locations", res.whole.size());
            if (res.has_groups) std::printf(" in %zu groups (%zu parts)", res.groups.size(), res.parts.size());
            std::printf(".\nVerdicts:");
            for (const char* v : {"nee", "nee_tenzij", "ja_mits_groot", "ja_mits_klein", "ja", "onbekend"}) {
                if (counts.count(v)) std::printf("  %s %zu", v, counts[v]);
            }
            std::printf("\nResult: %s (layers check_locations%s, check_themes, check_groups)\n",
                        shown(req.output).c_str(), res.has_groups ? ", check_parts" : "");
            if (!req.report.empty()) std::printf("Report: %s\n", shown(req.report).c_str());
        });
    };
}

}  // namespace ruimte::cli
