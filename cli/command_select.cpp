// `ruimte select`: choose the set of scored candidates that reaches the targets within the
// budget and rules (exact 0/1 programme, COIN-OR CBC).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/jobs/select.hpp"
#include "spatial/jobs/select_robust.hpp"

namespace ruimte::cli {

Runner add_select_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"select", &add_select_command};

namespace {
struct SelectOptions {
    SelectRequest request;
    double max_per_group = -1, min_per_group = -1, min_average_score = -1;
    bool quiet = false;
    bool timings = false;
};

// When this process started, on the steady clock (--time-limit counts from there): its start
// time in /proc/self/stat (clock ticks since boot) against CLOCK_BOOTTIME; now when unknown.
std::chrono::steady_clock::time_point process_start() {
    const auto now = std::chrono::steady_clock::now();
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    timespec boot{};
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (paren == std::string::npos || ticks <= 0 || ::clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return now;
    std::istringstream fields(stat.substr(paren + 2));  // field 3 (state) onwards
    std::string field;
    for (int i = 3; i < 22 && fields >> field; ++i) {}
    unsigned long long start_ticks = 0;
    if (!(fields >> start_ticks)) return now;
    const double since_boot = static_cast<double>(boot.tv_sec) + static_cast<double>(boot.tv_nsec) * 1e-9;
    const double age = since_boot - static_cast<double>(start_ticks) / static_cast<double>(ticks);
    if (!(age >= 0 && age < 60)) return now;  // not plausible: count from now
    return now - std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(age));
}

// The status, and which limit stopped the search when it was not the proof.
std::string status_text(const SelectionResult& r, const SelectRequest& req) {
    switch (r.status) {
        case SelectionStatus::optimal:
            return r.stopped_by == StopReason::gap ? "optimal within the gap (--gap " +
                                                         status_number(req.solve.relative_gap) + " stopped the search)"
                                                   : "optimal";
        case SelectionStatus::feasible:
            return "feasible, not proven optimal (--time-limit " + status_number(req.solve.time_limit_s) +
                   " s stopped the search)";
        case SelectionStatus::infeasible: return "infeasible: no selection meets every rule";
        case SelectionStatus::time_out:
            return "time-out: no selection found (--time-limit " + status_number(req.solve.time_limit_s) +
                   " s stopped the search)";
    }
    return "?";
}
}  // namespace

// The plain-language summary on stdout (and the timings).
static void print_summary(const SelectSummary& s, const SelectRequest& req, bool timings) {
    const SelectionResult& res = s.result;
    std::printf(
        "Candidates: %zu (%zu excluded, %zu locked out, %zu locked in); %zu overlapping pair(s) above %s of "
        "the smaller area.\n",
        s.candidates, s.excluded, s.locked_out, s.locked_in, s.overlaps.size(),
        status_number(req.max_overlap * 100).append(" %").c_str());
    for (std::size_t i = 0; i < s.overlaps.size() && i < 10; ++i) {
        std::printf("  overlap: %s and %s share %.1f %% of the smaller area; never both chosen\n",
                    shown(s.overlaps[i].a).c_str(), shown(s.overlaps[i].b).c_str(), s.overlaps[i].share * 100);
    }
    if (s.overlaps.size() > 10) std::printf("  ... %zu more overlapping pairs\n", s.overlaps.size() - 10);
    std::printf("Objective: %s.\n", shown(s.objective_text).c_str());
    std::printf("Status: %s.\n", status_text(res, req).c_str());
    if (res.parts > 0) {
        std::printf(
            "Solved as %zu independent part(s): group limits and overlaps join candidates into a part; "
            "the targets, budgets and share rules held for the parts' optima together.\n",
            res.parts);
    }
    if (!res.selected.empty()) {
        std::printf("Selected %zu candidate(s); objective %s (gap %.4f %%).\n", s.selected_ids.size(),
                    status_number(res.objective).c_str(), res.gap * 100);
        std::printf("Greedy start: %s.\n", res.greedy_feasible
                                               ? ("objective " + status_number(res.greedy_objective)).c_str()
                                               : "no feasible selection");
        std::printf("Rules:\n");
        std::size_t group_rules = 0;
        std::string at_limit;
        for (std::size_t c = 0; c < s.problem.constraints.size(); ++c) {
            const auto& con = s.problem.constraints[c];
            const auto& v = res.values[c];
            if (con.kind == ConstraintKind::group_min || con.kind == ConstraintKind::group_max) {
                // Many groups: only those at their limit are named (all are in selection_summary).
                ++group_rules;
                if (std::fabs(v.slack) < 1e-9) at_limit += (at_limit.empty() ? "" : "; ") + con.name;
                continue;
            }
            std::printf("  %-34s value %s, bound %s, slack %s\n", shown(con.name).c_str(),
                        status_number(v.value).c_str(), status_number(v.bound).c_str(), status_number(v.slack).c_str());
        }
        if (group_rules) {
            std::printf("  %zu group limit(s), all met; at their limit: %s\n", group_rules,
                        at_limit.empty() ? "none" : shown(at_limit).c_str());
        }
        // A short list people can read; the whole set is in the output layer.
        constexpr std::size_t kShown = 40;
        std::printf("Chosen (in order of score):");
        for (std::size_t i = 0; i < s.selected_ids.size() && i < kShown; ++i) {
            const std::string name = i < s.selected_names.size() ? s.selected_names[i] : "";
            std::printf("%s%s%s", i ? ", " : " ", shown(s.selected_ids[i]).c_str(),
                        name.empty() ? "" : (" (" + shown(name) + ")").c_str());
        }
        if (s.selected_ids.size() > kShown)
            std::printf(", ... %zu more (see candidates_selected)", s.selected_ids.size() - kShown);
        std::printf("\n");
    } else if (res.status == SelectionStatus::infeasible) {
        if (res.diagnosis.empty()) {
            std::printf("No single rule explains it: several rules conflict with each other.\n");
        }
        for (const auto& d : res.diagnosis) std::printf("  - %s\n", shown(d.text).c_str());
    }
    for (const auto& line : robust_summary_lines(s.problem, s.robust, req)) std::printf("%s\n", shown(line).c_str());
    std::printf("Result: %s (layers candidates_selected, selection_summary%s)\n", shown(s.output).c_str(),
                robust_requested(req) ? ", selection_frequency and the tables selection_*" : "");
    if (timings) {
        for (const auto& [stage, sec] : s.seconds) std::printf("  %-8s %8.3f s\n", stage.c_str(), sec);
        std::printf("  solver: %lld node(s), %zu part(s), %.3f s (model building %.3f s, CBC %.3f s)\n",
                    static_cast<long long>(res.nodes), res.parts, res.seconds, res.build_seconds,
                    res.seconds - res.build_seconds);
    }
}

// The options of issue 22: the objective mode, weight draws and sets, portfolios.
static void add_robust_options(CLI::App* cmd, SelectRequest& r, SelectOptions& opts) {
    cmd->add_option("--objective", r.objective_mode,
                    "fill (default: maximise score x weight field) or reach (reach the targets with the least of the "
                    "first target's field over them, ties to the higher score)")
        ->check(CLI::IsMember({"fill", "reach"}));
    cmd->add_option("--min-average-score", opts.min_average_score,
                    "The average score of the chosen set, weighted by the weight field, is at least S (0-1); with "
                    "--minimise kosten_meu: the least cost at a minimum average score");
    cmd->add_option("--draws", r.draws,
                    "Also solve for N weight draws (the draws of `ruimte sensitivity`): selection frequency, core, "
                    "contested and never chosen candidates, rank intervals (default 0: none)");
    cmd->add_option("--threads", r.threads,
                    "Worker threads for --draws and --weight-sets (default: all cores); results do not depend on it")
        ->check(CLI::Range(1u, 1024u));
    cmd->add_option("--seed", r.seed, "Random seed of the draws (default 1); draw i uses seed + i");
    cmd->add_option("--method", r.draw_method, "Weight draws: dirichlet (default) or uniform");
    cmd->add_option("--concentration", r.concentration,
                    "dirichlet: larger keeps the draws closer to the profile's weights (default 100)");
    cmd->add_option("--spread", r.spread, "uniform: each weight times 1 +- spread, renormalised (default 0.1)");
    cmd->add_option("--weight-sets", r.weight_sets,
                    "Also solve for named stakeholder weight sets: CSV with a header group,<factor>,... and one line "
                    "per group; adds the regret table and a compromise set");
    cmd->add_option("--portfolio", r.portfolio,
                    "Also find up to K different sets within --portfolio-gap of the optimum (default 0: none)");
    cmd->add_option("--min-difference", r.min_difference,
                    "Portfolio sets differ from each other in at least D candidates (default 1)");
    cmd->add_option("--portfolio-gap", r.portfolio_gap,
                    "Portfolio sets reach at least this share below the optimum (default 0.05: within 5 %)")
        ->check(CLI::Range(0.0, 1.0));
}

Runner add_select_command(CLI::App& app, const Invocation& inv) {
    auto opts = std::make_shared<SelectOptions>();
    SelectRequest& r = opts->request;
    CLI::App* cmd = app.add_subcommand(
        "select", "Choose the set of scored candidates that reaches the targets within budget and rules");
    cmd->add_option("--scored", r.scored, "Output of `ruimte score`: FILE[:LAYER] (layer default candidates_scored)")
        ->required();
    cmd->add_option("-o,--output", r.output, "Output GeoPackage")->required();
    cmd->add_flag("--overwrite", r.overwrite, "Replace an existing output file");
    add_timestamp_option(cmd, r.timestamp);
    cmd->add_option("--target", r.targets,
                    "Reach at least N in total of FIELD: FIELD=N (repeatable), e.g. woningen=100000");
    cmd->add_option("--budget", r.budgets,
                    "Stay within N in total of FIELD: 'FIELD<=N' in quotes (repeatable), e.g. 'kosten_meu<=5000'");
    cmd->add_option("--group", r.group_field, "Group the candidates by this attribute");
    cmd->add_option(
        "--group-by", r.group_by,
        "Group the candidates by the polygon of FILE[:LAYER] that holds their point on surface: FILE[:LAYER]:FIELD");
    cmd->add_option("--max-per-group", opts->max_per_group,
                    "At most N selected per group (candidates, or --group-sum FIELD)");
    cmd->add_option("--min-per-group", opts->min_per_group, "At least N selected per group");
    cmd->add_option("--group-limits", r.group_limits,
                    "CSV with columns group,min,max (empty cell: no limit) overriding the two above");
    cmd->add_option("--group-sum", r.group_sum,
                    "Group limits count the total of FIELD instead of the number of candidates");
    cmd->add_option(
        "--share", r.shares,
        "Share rule 'A/B>=R' in quotes: sum(A) >= R x sum(B) over the selection; R a number, a percentage or a "
        "fraction, e.g. 'betaalbaar/woningen>=2/3' (repeatable)");
    cmd->add_option("--max-overlap", r.max_overlap,
                    "Two candidates overlapping by more than this share of the smaller one's area are never both "
                    "chosen (default 0.05)")
        ->check(CLI::Range(0.0, 0.999999));
    cmd->add_option("--lock-in", r.lock_in, "Candidate ids that must be chosen, comma-separated");
    cmd->add_option("--lock-out", r.lock_out, "Candidate ids that must not be chosen, comma-separated");
    cmd->add_option("--weight-field", r.weight_field, "Maximise sum(score x FIELD) (default woningen)");
    cmd->add_option("--minimise", r.minimise, "Minimise sum(FIELD) instead, e.g. kosten_meu");
    add_robust_options(cmd, r, *opts);
    cmd->add_option("--id-field", r.id_field, "Candidate id attribute (default candidate_id, written by ruimte score)");
    cmd->add_option("--time-limit", r.solve.time_limit_s,
                    "Seconds for the whole run: reading, model building, solving and writing (default 60)")
        ->check(CLI::Range(0.1, 1e6));
    cmd->add_option("--gap", r.solve.relative_gap, "Stop at this relative optimality gap (default 0: prove optimality)")
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--assume-crs", r.assume_crs, "CRS for a --group-by source that has none");
    cmd->add_flag("-q,--quiet", opts->quiet, "No progress or notes on stderr");
    cmd->add_flag("--timings", opts->timings, "Print the seconds spent per stage");
    cmd->footer(
        "Example (the bundled samples, after ruimte score):\n"
        "  ruimte select --scored out/score.gpkg --target woningen=30000 --budget 'kosten_meu<=3000' \\\n"
        "                --share 'betaalbaar/woningen>=0.5' --group gemeente --max-per-group 3 -o out/select.gpkg\n"
        "Quote the rules with < or >: unquoted, the shell takes them as redirections.\n"
        "\n"
        "Writes the layers candidates_selected (the scored attributes plus selected, group,\n"
        "selection_order, total_<field> running totals and reason) and selection_summary (status,\n"
        "objective, gap, greedy objective, every rule's value, bound and slack). See docs/select.md.\n\n" +
        std::string(exit_code_help()));

    return [opts, cmd, inv]() -> int {
        (void)cmd;
        Progress progress(opts->quiet);
        return guarded("select", [&] {
            SelectRequest& req = opts->request;
            req.started = process_start();
            req.command_line = joined_command_line(inv.argc, inv.argv);
            if (opts->max_per_group >= 0) req.max_per_group = opts->max_per_group;
            if (opts->min_per_group >= 0) req.min_per_group = opts->min_per_group;
            if (opts->min_average_score >= 0) req.min_average_score = opts->min_average_score;
            req.cancel = &cancel_flag();
            req.progress = [&](const std::string& stage, std::size_t d, std::size_t t) {
                progress.update(stage, d, t);
            };
            req.notice = [&](const std::string& m) { progress.notice(m); };
            const SelectSummary s = run_select(req);
            progress.finish();
            print_summary(s, req, opts->timings);
        });
    };
}

}  // namespace ruimte::cli
