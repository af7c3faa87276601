// `ruimte compare`: two scored outputs side by side: rank changes, entries and exits of the top K.
#include <cstdio>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/jobs/compare.hpp"

namespace ruimte::cli {

Runner add_compare_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"compare", &add_compare_command};

namespace {
struct CompareOptions {
    std::string a, b, output;
    std::size_t top = 10;
    bool overwrite = false;
    bool quiet = false;
    std::string lang = "nl";
};
}  // namespace

Runner add_compare_command(CLI::App& app, const Invocation& inv) {
    auto opts = std::make_shared<CompareOptions>();
    CLI::App* cmd =
        app.add_subcommand("compare", "Compare two scored outputs: rank changes, entries and exits of the top K");
    cmd->add_option("a", opts->a, "First output of `ruimte score` (A)")->required();
    cmd->add_option("b", opts->b, "Second output of `ruimte score` (B)")->required();
    cmd->add_option("-o,--output", opts->output, "Output GeoPackage (layers rank_change, top_changes)")->required();
    cmd->add_option("--top", opts->top, "K of the top K (default 10)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    cmd->add_flag("--overwrite", opts->overwrite, "Replace an existing output file");
    cmd->add_option("--lang", opts->lang, "Language of the table: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}));
    cmd->add_flag("-q,--quiet", opts->quiet, "Print only the result line");
    cmd->footer(
        "Candidates are matched by candidate_id. rank_change = rank in A - rank in B: positive\n"
        "means a better rank in B. change is entry (in the top K of B only), exit (of A only),\n"
        "stays, outside, excluded or unmatched (id in one file only).\n\n"
        "Example (two profiles on the same candidates):\n"
        "  ruimte compare out/woningbouw.gpkg out/water_zwaar.gpkg -o out/compare.gpkg --top 10\n\n" +
        std::string(exit_code_help()));
    return [opts, inv]() -> int {
        return guarded("compare", [&] {
            const ScoredRun a = read_scored_run(opts->a, true);
            const ScoredRun b = read_scored_run(opts->b, true);
            const RunComparison c = compare_runs(a, b, opts->top);
            write_comparison(c, a, b, opts->output, opts->overwrite, joined_command_line(inv.argc, inv.argv));
            if (!opts->quiet) std::fputs(render_run_comparison(c, opts->lang).c_str(), stdout);
            std::printf("Result: %s (layers rank_change, top_changes)\n", shown(opts->output).c_str());
        });
    };
}

}  // namespace ruimte::cli
