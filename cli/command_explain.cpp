// `ruimte explain`: why a candidate scores what it scores, or why one ranks above another.
#include <cstdio>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/criteria/explain.hpp"
#include "spatial/geometry/parallel.hpp"

namespace ruimte::cli {

Runner add_explain_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"explain", &add_explain_command};

namespace {
struct ExplainOptions {
    std::string scored;
    std::string id;
    std::string vs;
    std::string lang = "nl";
};
}  // namespace

Runner add_explain_command(CLI::App& app, const Invocation& inv) {
    (void)inv;
    auto opts = std::make_shared<ExplainOptions>();
    CLI::App* cmd = app.add_subcommand(
        "explain", "Explain a candidate's score per criterion, or the difference between two candidates");
    cmd->add_option("scored", opts->scored, "Output GeoPackage of `ruimte score`")->required();
    cmd->add_option("--id", opts->id, "Candidate id (column candidate_id)")->required();
    cmd->add_option("--vs", opts->vs, "A second candidate id: explain the difference");
    cmd->add_option("--lang", opts->lang, "Language of the report: nl (default) or en")
        ->check(CLI::IsMember({"nl", "en"}));
    cmd->footer(
        "Per criterion: the metric measured, its standardised value (0..1), the weight and the\n"
        "contribution (weight x value); the contributions add up to the score. Then the exclusion\n"
        "reasons. With --vs: per criterion the difference in contribution and its share of the\n"
        "score difference, largest first. The profile is the one stored in the file.\n\n"
        "Example:\n"
        "  ruimte explain out/score.gpkg --id 17 --vs 42 --lang en\n\n" +
        std::string(exit_code_help()));
    return [opts]() -> int {
        return guarded("explain", [&] {
            const ScoredRun run = read_scored_run(opts->scored);
            const std::string text =
                opts->vs.empty()
                    ? render_explanation(explain_candidate(run, opts->id, opts->lang), opts->lang)
                    : render_comparison(compare_candidates(run, opts->id, opts->vs, opts->lang), opts->lang);
            throw_if_cancelled();  // Ctrl-C: nothing on stdout
            std::fputs(shown_lines(text).c_str(), stdout);
        });
    };
}

}  // namespace ruimte::cli
