// `ruimte claims`: overlay land claims into a planar partition, judge overlaps against a
// compatibility matrix, sum areas per claim, combination, pair and region.
#include <cstdio>

#include "cli/command.hpp"
#include "spatial/claims/claims.hpp"
#include "spatial/core/error.hpp"

namespace ruimte::cli {

Runner add_claims_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"claims", &add_claims_command};

namespace {
struct ClaimsOptions {
    ClaimsRequest request;
    std::vector<std::string> claims;
    unsigned threads = 0;
    bool quiet = false;
    bool timings = false;
};
}  // namespace

Runner add_claims_command(CLI::App& app, const Invocation& inv) {
    auto opts = std::make_shared<ClaimsOptions>();
    CLI::App* cmd = app.add_subcommand("claims",
                                       "Overlay land claims: where they overlap, which overlaps "
                                       "conflict, and the claim pressure per region");
    cmd->add_option("--claim", opts->claims,
                    "A claim: NAME=FILE[:LAYER]; NAME is a kind of the compatibility matrix (repeatable)")
        ->required();
    cmd->add_option("--compat", opts->request.compat_path,
                    "Compatibility matrix (TOML, see docs/claims.md); default: the built-in one");
    cmd->add_option("--regions", opts->request.regions,
                    "Regions to balance claims against: FILE[:LAYER]:FIELD (FIELD names the region)");
    cmd->add_option("-o,--output", opts->request.output, "Output GeoPackage")->required();
    cmd->add_option("--csv", opts->request.csv_dir,
                    "Also write the tables as CSV into this folder (created if missing): claim_totals.csv, "
                    "claim_combinations.csv, claim_pairs.csv, region_balance.csv");
    cmd->add_flag("--overwrite", opts->request.overwrite, "Replace existing output files");
    add_timestamp_option(cmd, opts->request.timestamp);
    cmd->add_option("--assume-crs", opts->request.assume_crs, "CRS for sources that have none, e.g. EPSG:28992");
    cmd->add_flag("--skip-invalid", opts->request.skip_invalid,
                  "Skip non-polygon and unrepairable features (reported) instead of failing");
    cmd->add_option("--threads", opts->threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 1024u));
    cmd->add_option("--tile-size", opts->request.partition.tile_size_m,
                    "Side of the work tiles in m (tuning; default: from the vertex count)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("-q,--quiet", opts->quiet, "No progress or notes on stderr");
    cmd->add_flag("--timings", opts->timings, "Print the seconds spent per stage");
    cmd->footer(
        "Example (the bundled SYNTHETIC claim samples):\n"
        "  S=data-samples/claims/claims.gpkg\n"
        "  ruimte claims --claim wonen=$S:wonen --claim natuur=$S:natuur --claim water=$S:water "
        "\\\n"
        "                --claim landbouw=$S:landbouw --claim energie=$S:energie \\\n"
        "                --regions data-samples/gemeenten.gpkg:gemeenten:naam -o out/claims.gpkg "
        "--csv out/claims\n"
        "\n"
        "Writes the GeoPackage layers claim_faces (faces that do not overlap: claims, "
        "claim_count,\n"
        "source_ids, worst_status, conflicts, area_m2) and region_balance (with --regions), and "
        "the\n"
        "tables claim_totals, claim_combinations and claim_pairs. Claim kinds of the built-in "
        "matrix:\n"
        "wonen, werken, landbouw, natuur, water, defensie, energie, infrastructuur.\n"
        "The output is written to a temporary file and renamed when complete.\n\n" +
        std::string(exit_code_help()));

    return [opts, inv]() -> int {
        Progress progress(opts->quiet);
        return guarded("claims", [&] {
            ClaimsRequest& req = opts->request;
            req.command_line = joined_command_line(inv.argc, inv.argv);
            for (const auto& c : opts->claims) {
                const auto eq = c.find('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == c.size()) {
                    throw Error(ErrorKind::usage, "--claim '" + c + "' is not NAME=FILE[:LAYER]", {},
                                "for example --claim natuur=data-samples/claims/claims.gpkg:natuur");
                }
                req.claims.emplace_back(c.substr(0, eq), c.substr(eq + 1));
            }
            req.control.threads = opts->threads;
            req.control.cancel = &cancel_flag();
            req.progress = [&](const std::string& stage, std::size_t d, std::size_t t) {
                progress.update(stage, d, t);
            };
            req.notice = [&](const std::string& m) { progress.notice(m); };
            const ClaimsSummary s = run_claims(req);
            progress.finish();
            const ClaimTotals& t = s.totals;
            std::printf("Partitioned %zu claims into %zu faces (%zu tiles).\n", s.claims.size(), s.faces, s.tiles);
            for (std::size_t c = 0; c < s.claims.size(); ++c) {
                std::printf("  %-16s %12.1f ha  (%zu features)\n", shown(s.claims[c]).c_str(), t.claim_area_m2[c] / 1e4,
                            s.features[c]);
            }
            std::printf(
                "Claimed %.1f ha; sum of claims %.1f ha; claimed more than once %.1f ha; "
                "voorwaardelijk %.1f ha; conflict %.1f ha.\n",
                t.claimed_m2 / 1e4, t.claim_sum_m2 / 1e4, t.multi_m2 / 1e4, t.voorwaardelijk_m2 / 1e4,
                t.conflict_m2 / 1e4);
            std::printf("Result: %s (claim_faces%s, claim_totals, claim_combinations, claim_pairs)\n",
                        shown(s.output).c_str(), s.regions ? ", region_balance" : "");
            for (const auto& f : s.csv_files) std::printf("CSV: %s\n", shown(f).c_str());
            if (opts->timings) {
                double total = 0;
                for (const auto& [stage, sec] : s.seconds) {
                    std::printf("  %-10s %8.3f s\n", stage.c_str(), sec);
                    total += sec;
                }
                std::printf("  %-10s %8.3f s\n", "total", total);
                std::printf(
                    "  %zu tile pieces merged into faces across tile edges; %zu slivers dropped "
                    "(%.3g m2)\n",
                    s.merged_faces, s.slivers, s.sliver_m2);
            }
        });
    };
}

}  // namespace ruimte::cli
