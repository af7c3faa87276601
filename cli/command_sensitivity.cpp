// `ruimte sensitivity`: how robust is the ranking to the weights? Monte Carlo over the weights
// and one-at-a-time sweeps; the overlay is computed once, only the scoring is repeated.
#include <algorithm>
#include <cstdio>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/jobs/sensitivity.hpp"

namespace ruimte::cli {

Runner add_sensitivity_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"sensitivity", &add_sensitivity_command};

namespace {
struct SensitivityCliOptions {
    SensitivityRequest request;
    std::string method = "dirichlet";
    unsigned threads = 0;
    bool quiet = false;
    bool timings = false;
    std::vector<std::string> layers;
};
}  // namespace

Runner add_sensitivity_command(CLI::App& app, const Invocation& inv) {
    auto opts = std::make_shared<SensitivityCliOptions>();
    SensitivityRequest& r = opts->request;
    CLI::App* cmd = app.add_subcommand(
        "sensitivity", "How robust is the ranking to the weights: Monte Carlo draws and one-at-a-time sweeps");
    cmd->add_option("--candidates", r.score.candidates, "Candidate areas: FILE[:LAYER]")->required();
    cmd->add_option("--profile", r.score.profile_path,
                    "Criteria profile (TOML), see docs/criteria.md and docs/weights.md")
        ->required();
    cmd->add_option("--layer", opts->layers, "Replace the source of a profile layer: NAME=FILE[:LAYER] (repeatable)");
    cmd->add_option("-o,--output", r.score.output,
                    "Output GeoPackage (layers rank_intervals, oat_sweep, oat_steps, weight_draws)")
        ->required();
    cmd->add_option("--draws", r.options.draws, "Number of weight draws (default 1000)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
    cmd->add_option("--seed", r.options.seed, "Random seed (default 1); draw i uses seed + i");
    cmd->add_option("--method", opts->method, "dirichlet (default) or uniform")
        ->check(CLI::IsMember({"dirichlet", "uniform"}));
    cmd->add_option("--concentration", r.options.concentration,
                    "Dirichlet concentration (default 100; larger = closer to the profile's weights)");
    cmd->add_option("--spread", r.options.spread, "uniform: each weight times 1 +- spread, renormalised (default 0.1)");
    cmd->add_option("--top", r.options.top_k, "K of the top K (default 10)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    cmd->add_option("--sweep-steps", r.options.sweep_steps,
                    "One-at-a-time grid: weights 0, 1/steps, ..., 1 (default 100; 0: no sweep; at most 100000)");
    cmd->add_option("--chart", r.chart,
                    "Also draw the rank intervals of the top K: OUT.svg, OUT.pdf (vector) or OUT.png (300 dpi)");
    cmd->add_option("--lang", r.lang, "Language of the chart and summary: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}));
    cmd->add_flag("--overwrite", r.score.overwrite, "Replace existing output files");
    add_make_valid_option(cmd, r.score.make_valid);
    cmd->add_flag("--strict", r.score.strict,
                  "Treat the profile's warnings (an AHP consistency ratio above 0.1) as errors");
    cmd->add_option("--id-field", r.score.id_field,
                    "Candidate id attribute (default: the profile's id_field, else 'id', else the FID)");
    cmd->add_option("--assume-crs", r.score.assume_crs, "CRS for sources that have none, e.g. EPSG:28992");
    cmd->add_flag("--skip-invalid", r.score.skip_invalid,
                  "Skip non-polygon and unrepairable features (reported) instead of failing");
    cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores); results do not depend on it")
        ->check(CLI::Range(1u, 1024u));
    cmd->add_flag("-q,--quiet", opts->quiet, "No progress or notes on stderr");
    cmd->add_flag("--timings", opts->timings, "Print the seconds spent per stage");
    cmd->footer(
        "Per candidate: the rank with the profile's weights, the median rank and the 5-95 % rank\n"
        "interval over the draws (nearest-rank percentiles), and the probability of being in the top K.\n"
        "Per factor: its weight swept from 0 to 1 (the others keep their proportions) and the weights\n"
        "at which the top K (as a set) changes. See docs/weights.md.\n\n"
        "Example:\n"
        "  ruimte sensitivity --candidates data-samples/kandidaten.shp --profile data-samples/woningbouw.toml \\\n"
        "                     -o out/sens.gpkg --draws 1000 --seed 7 --top 10 --chart out/sens.svg\n\n" +
        std::string(exit_code_help()));

    return [opts, inv]() -> int {
        Progress progress(opts->quiet);
        return guarded("sensitivity", [&] {
            SensitivityRequest& req = opts->request;
            req.score.command_line = joined_command_line(inv.argc, inv.argv);
            for (const auto& l : opts->layers) {
                const auto eq = l.find('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == l.size()) {
                    throw Error(ErrorKind::usage, "--layer '" + l + "' is not NAME=FILE[:LAYER]", {},
                                "for example --layer wbs=wbs.gpkg:wbs");
                }
                req.score.layer_sources[l.substr(0, eq)] = l.substr(eq + 1);
            }
            req.options.method = opts->method == "uniform" ? WeightDraw::uniform : WeightDraw::dirichlet;
            req.score.control.threads = opts->threads;
            req.score.control.cancel = &cancel_flag();
            req.score.progress = [&](const std::string& stage, std::size_t d, std::size_t t) {
                progress.update(stage, d, t);
            };
            req.score.notice = [&](const std::string& m) { progress.notice(m); };
            const SensitivitySummary s = run_sensitivity(req);
            progress.finish();
            const bool nl = req.lang == "nl";
            const SensitivityResult& res = s.result;
            std::printf(nl ? "%zu kandidaten (%zu uitgesloten), %zu trekkingen van de gewichten.\n"
                           : "%zu candidates (%zu excluded), %zu weight draws.\n",
                        s.candidates, s.excluded, res.draws);
            std::vector<std::size_t> top;
            for (std::size_t c = 0; c < s.candidates; ++c) {
                if (res.base_rank[c] > 0 && static_cast<std::size_t>(res.base_rank[c]) <= res.top_k) top.push_back(c);
            }
            std::sort(top.begin(), top.end(),
                      [&](std::size_t a, std::size_t b) { return res.base_rank[a] < res.base_rank[b]; });
            std::printf(nl ? "  %-5s %-16s %-8s %-10s %s\n" : "  %-5s %-16s %-8s %-10s %s\n", nl ? "rang" : "rank",
                        "id", nl ? "mediaan" : "median", "5-95 %", nl ? "P(top K)" : "P(top K)");
            for (std::size_t c : top) {
                char interval[64];
                std::snprintf(interval, sizeof interval, "%.0f-%.0f", res.rank_p05[c], res.rank_p95[c]);
                std::printf("  %-5lld %-16s %-8.0f %-10s %.0f %%\n", static_cast<long long>(res.base_rank[c]),
                            shown(s.ids[c]).c_str(), res.median_rank[c], interval, 100 * res.p_top[c]);
            }
            if (!res.sweeps.empty()) {
                std::printf(nl ? "Gewicht waarbij de top %zu verandert (een factor tegelijk):\n"
                               : "Weight at which the top %zu changes (one factor at a time):\n",
                            res.top_k);
                for (const WeightSweep& w : res.sweeps) {
                    // The top K stays the profile's for weights in [from, to]; a side where it never
                    // changes reaches 0 or 1.
                    auto bound = [&](const std::optional<double>& change, double stable) {
                        char b[48];
                        if (change) std::snprintf(b, sizeof b, "%.4f", stable);
                        else std::snprintf(b, sizeof b, "%.0f (%s)", stable, nl ? "nooit" : "never");
                        return std::string(b);
                    };
                    std::printf(nl ? "  %-20s gewicht %.3f: top gelijk van %s tot %s\n"
                                   : "  %-20s weight %.3f: top unchanged from %s to %s\n",
                                shown(w.factor).c_str(), w.base_weight, bound(w.change_below, w.stable_from).c_str(),
                                bound(w.change_above, w.stable_to).c_str());
                }
            }
            std::printf("Result: %s (layers rank_intervals, oat_sweep, oat_steps, weight_draws)\n",
                        shown(req.score.output).c_str());
            if (!req.chart.empty()) std::printf("Chart: %s\n", shown(req.chart).c_str());
            if (opts->timings) {
                for (const auto& [stage, sec] : s.seconds) std::printf("  %-8s %8.3f s\n", stage.c_str(), sec);
            }
        });
    };
}

}  // namespace ruimte::cli
