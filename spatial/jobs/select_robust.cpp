#include "spatial/jobs/select_robust.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "spatial/core/error.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/io/source.hpp"
#include "spatial/jobs/sensitivity.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxDraws = 100000;
constexpr std::size_t kMaxPortfolio = 1000;

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    const auto e = s.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

double seconds_until(Clock::time_point t) {
    return std::chrono::duration<double>(t - Clock::now()).count();
}

SensitivityOptions draw_options(const SelectRequest& req) {
    SensitivityOptions o;
    o.draws = req.draws;
    o.seed = req.seed;
    o.method = req.draw_method == "uniform" ? WeightDraw::uniform : WeightDraw::dirichlet;
    o.concentration = req.concentration;
    o.spread = req.spread;
    return o;
}

// score x weight for the weights (profile factor order).
std::vector<double> objective_for(const RobustInput& in, const std::vector<double>& w, std::vector<double>& score) {
    const std::size_t n = in.weight.size();
    score.assign(n, 0.0);
    for (std::size_t f = 0; f < w.size(); ++f) {
        for (std::size_t k = 0; k < n; ++k) score[k] += w[f] * in.value[f][k];
    }
    std::vector<double> obj(n);
    for (std::size_t k = 0; k < n; ++k) obj[k] = score[k] * in.weight[k];
    return obj;
}

// CSV: a header "group,<factor>,...", then one weight set per line.
void read_weight_sets(const SelectRequest& req, const std::vector<std::string>& factors, RobustSummary& r) {
    std::ifstream file(req.weight_sets);
    ErrorPlace place;
    place.file = req.weight_sets;
    if (!file)
        throw Error(ErrorKind::input, "cannot open the weight sets file", place,
                    "check the path given to --weight-sets");
    auto cells = [](const std::string& line) {
        std::vector<std::string> out;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
        return out;
    };
    std::string line;
    std::vector<int> column(factors.size(), -1);
    bool header = false;
    int line_no = 0;
    const std::string example = "group," + [&] {
        std::string s;
        for (const auto& f : factors) s += (s.empty() ? "" : ",") + f;
        return s;
    }();
    while (std::getline(file, line)) {
        ++line_no;
        place.line = line_no;
        if (trim(line).empty() || trim(line)[0] == '#') continue;
        const auto c = cells(line);
        if (!header) {
            if (c.empty() || c[0] != "group") {
                throw Error(ErrorKind::input, "the weight sets file has no header starting with 'group'", place,
                            "start the file with the line: " + example);
            }
            for (std::size_t i = 1; i < c.size(); ++i) {
                const auto it = std::find(factors.begin(), factors.end(), c[i]);
                if (it == factors.end()) {
                    throw Error(ErrorKind::input, "column '" + c[i] + "' is not a factor of the scored file", place,
                                "name the factors of the profile: " + example);
                }
                column[static_cast<std::size_t>(it - factors.begin())] = static_cast<int>(i);
            }
            for (std::size_t f = 0; f < factors.size(); ++f) {
                if (column[f] < 0)
                    throw Error(ErrorKind::input, "factor '" + factors[f] + "' has no column", place,
                                "give every factor a column: " + example);
            }
            header = true;
            continue;
        }
        std::vector<double> w(factors.size());
        double sum = 0;
        for (std::size_t f = 0; f < factors.size(); ++f) {
            const auto at = static_cast<std::size_t>(column[f]);
            const std::string v = at < c.size() ? c[at] : std::string();
            char* end = nullptr;
            w[f] = std::strtod(v.c_str(), &end);
            if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(w[f]) || w[f] < 0 || w[f] > 1e6) {
                throw Error(ErrorKind::input, "weight '" + v + "' of factor " + factors[f] + " is not a number >= 0",
                            place, "write a weight between 0 and 1 for every factor");
            }
            sum += w[f];
        }
        if (!(sum > 0))
            throw Error(ErrorKind::input, "group '" + c[0] + "' has no weight above 0", place,
                        "give at least one factor a weight");
        if (std::fabs(sum - 1) > 1e-6 && req.notice) {
            req.notice("weight set '" + c[0] + "' sums to " + fixed(sum, 4) + ", not 1: it is divided by " +
                       fixed(sum, 4));
        }
        for (double& x : w) x /= sum;
        if (std::find(r.groups.begin(), r.groups.end(), c[0]) != r.groups.end())
            throw Error(ErrorKind::input, "group '" + c[0] + "' is listed twice", place, "give each group one line");
        r.groups.push_back(c[0]);
        r.group_weights.push_back(std::move(w));
    }
    place.line.reset();
    if (r.groups.empty())
        throw Error(ErrorKind::input, "the weight sets file names no group", place,
                    "one line per group after the header " + example);
}

// Nearest-rank percentile (as sensitivity): the ceil(p N)-th smallest.
double percentile(std::vector<std::uint32_t>& v, double p) {
    if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()) - 1e-9));
    k = std::clamp<std::size_t>(k, 1, v.size()) - 1;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]);
}

void run_draws(const SelectRequest& req, const SelectionProblem& p, const RobustInput& in, double seconds,
               RobustSummary& r) {
    const std::size_t n = p.size();
    const SensitivityOptions so = draw_options(req);
    std::vector<std::vector<double>> objectives(req.draws);
    std::vector<std::vector<std::uint32_t>> ranks(n);  // per available candidate, per draw
    std::vector<std::uint32_t> order;
    for (std::size_t k = 0; k < n; ++k) {
        if (p.available[k]) order.push_back(static_cast<std::uint32_t>(k));
    }
    std::vector<double> score;
    for (std::size_t d = 0; d < req.draws; ++d) {
        objectives[d] = objective_for(in, draw_weights(r.base_weights, so, d), score);
        std::stable_sort(order.begin(), order.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return score[a] > score[b]; });
        for (std::size_t i = 0; i < order.size(); ++i) ranks[order[i]].push_back(static_cast<std::uint32_t>(i + 1));
        std::sort(order.begin(), order.end());  // ties by id (problem order) in every draw
    }
    EachOptions each;
    each.threads = resolve_threads(req.threads);
    each.solve = req.solve;
    each.solve.cancel = req.cancel;
    each.solve.started = Clock::now();
    each.solve.time_limit_s = seconds;
    each.progress = [&](std::size_t d, std::size_t t) {
        if (req.progress) req.progress("draws", d, t);
    };
    r.draws = req.draws;
    r.draw_results = solve_each(p, objectives, each);
    r.frequency = selection_frequency(r.draw_results, n, req.core_share);
    r.rank_p05.assign(n, std::numeric_limits<double>::quiet_NaN());
    r.rank_p95 = r.rank_p05;
    for (std::size_t k = 0; k < n; ++k) {
        r.rank_p05[k] = percentile(ranks[k], 0.05);
        r.rank_p95[k] = percentile(ranks[k], 0.95);
    }
}

void run_groups(const SelectRequest& req, const SelectionProblem& p, const RobustInput& in, double seconds,
                RobustSummary& r) {
    std::vector<std::vector<double>> objectives;
    std::vector<double> score;
    for (const auto& w : r.group_weights) objectives.push_back(objective_for(in, w, score));
    const Clock::time_point t0 = Clock::now();
    EachOptions each;
    each.threads = resolve_threads(req.threads);
    each.solve = req.solve;
    each.solve.cancel = req.cancel;
    each.solve.started = t0;
    // The compromise gets a share as large as one group's.
    each.solve.time_limit_s =
        seconds * static_cast<double>(objectives.size()) / static_cast<double>(objectives.size() + 1);
    r.group_results = solve_each(p, objectives, each);
    r.kept = objective_kept(objectives, r.group_results);
    if (objectives.size() < 2) return;
    std::vector<double> optima;
    std::size_t best = 0;
    double best_worst = -1;
    for (std::size_t g = 0; g < objectives.size(); ++g) {
        if (r.group_results[g].selected.empty() || !(r.group_results[g].objective > 0)) return;
        optima.push_back(r.group_results[g].objective);
        double worst = 2;
        for (std::size_t h = 0; h < objectives.size(); ++h) worst = std::min(worst, r.kept[g][h]);
        if (worst > best_worst) {
            best_worst = worst;
            best = g;
        }
    }
    SolveOptions o = req.solve;
    o.cancel = req.cancel;
    o.started = t0;
    o.time_limit_s = seconds;
    o.start = r.group_results[best].selected;
    r.compromise = solve_compromise(p, objectives, optima, o);
}

}  // namespace

bool robust_requested(const SelectRequest& req) {
    return req.draws > 0 || !req.weight_sets.empty() || req.portfolio > 0;
}

void check_robust_options(const SelectRequest& req) {
    const bool weights = req.draws > 0 || !req.weight_sets.empty();
    if (weights && (!req.minimise.empty() || req.objective_mode != "fill" || req.min_average_score)) {
        throw Error(ErrorKind::usage,
                    "--draws and --weight-sets change the scores, and only the objective 'fill' (maximise score x " +
                        req.weight_field + ") and no rule depends on them",
                    {},
                    "leave out --minimise, --objective reach and --min-average-score with --draws or --weight-sets");
    }
    if (req.draws > kMaxDraws)
        throw Error(ErrorKind::usage,
                    "--draws " + std::to_string(req.draws) + " is more than the limit of " + std::to_string(kMaxDraws),
                    {}, "ask for fewer draws");
    if (req.draw_method != "dirichlet" && req.draw_method != "uniform")
        throw Error(ErrorKind::usage, "--method '" + req.draw_method + "' is not known", {},
                    "write dirichlet or uniform");
    if (!(req.concentration > 0 && std::isfinite(req.concentration)))
        throw Error(ErrorKind::usage, "--concentration must be above 0", {}, "e.g. --concentration 100");
    if (!(req.spread >= 0 && req.spread < 1))
        throw Error(ErrorKind::usage, "--spread must be at least 0 and below 1", {}, "e.g. --spread 0.1");
    if (req.portfolio > kMaxPortfolio)
        throw Error(ErrorKind::usage,
                    "--portfolio " + std::to_string(req.portfolio) + " is more than the limit of " +
                        std::to_string(kMaxPortfolio),
                    {}, "ask for fewer sets");
    if (req.portfolio > 0 && req.min_difference < 1)
        throw Error(ErrorKind::usage, "--min-difference must be at least 1", {}, "e.g. --min-difference 3");
    if (!(req.portfolio_gap >= 0 && req.portfolio_gap <= 1))
        throw Error(ErrorKind::usage, "--portfolio-gap must lie between 0 and 1", {}, "e.g. --portfolio-gap 0.05");
}

std::vector<std::string> factor_columns(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) {
        if (std::string f = schema::scored::factor_of_value_column(n); !f.empty()) out.push_back(std::move(f));
    }
    return out;
}

std::vector<double> scored_weights(const RobustInput& in, const SelectionProblem& p, const ErrorPlace& place) {
    const std::size_t nf = in.factors.size(), n = p.size();
    std::vector<double> w(nf, 0.0);
    std::vector<char> known(nf, 0);
    double known_sum = 0;
    for (std::size_t f = 0; f < nf; ++f) {
        double c = 0, v = 0;
        for (std::size_t k = 0; k < n; ++k) {
            if (in.value[f][k] > 0) {
                c += in.contrib[f][k];
                v += in.value[f][k];
            }
        }
        if (v > 0) {
            w[f] = c / v;
            known[f] = 1;
            known_sum += w[f];
        }
    }
    const std::size_t unknown = static_cast<std::size_t>(std::count(known.begin(), known.end(), 0));
    for (std::size_t f = 0; f < nf; ++f) {
        if (!known[f]) w[f] = std::max(0.0, 1.0 - known_sum) / static_cast<double>(unknown);
    }
    for (std::size_t k = 0; k < n; ++k) {
        if (!p.available[k]) continue;
        double s = 0;
        for (std::size_t f = 0; f < nf; ++f) s += in.contrib[f][k];
        if (std::fabs(s - in.score[k]) > 1e-6 * std::max(1.0, std::fabs(in.score[k]))) {
            throw Error(ErrorKind::input,
                        "candidate " + p.ids[k] +
                            ": the score is not the sum of the factor contributions (an "
                            "aggregation other than weighted_sum?), so other weights cannot be applied",
                        place, "score with aggregation = \"weighted_sum\" for --draws and --weight-sets");
        }
    }
    return w;
}

RobustSummary analyse_robust(const SelectRequest& req, const SelectionProblem& p, const RobustInput& in,
                             Clock::time_point deadline) {
    RobustSummary r;
    const Clock::time_point t0 = Clock::now();
    r.factors = in.factors;
    const bool weights = req.draws > 0 || !req.weight_sets.empty();
    if (weights) {
        if (in.factors.empty()) {
            throw Error(ErrorKind::input, "the scored file has no factor columns (f_<factor>_value)", {},
                        "pass the output of `ruimte score` (layer candidates_scored)");
        }
        r.base_weights = scored_weights(in, p, {});
        if (!req.weight_sets.empty()) read_weight_sets(req, in.factors, r);
    }
    // Each stage gets its share of what is left: a draw, a group, the compromise and a portfolio
    // set count as one unit each.
    const double units_draws = static_cast<double>(req.draws);
    const double units_groups = r.groups.empty() ? 0.0 : static_cast<double>(r.groups.size() + 1);
    const double units_portfolio = static_cast<double>(req.portfolio);
    double units = units_draws + units_groups + units_portfolio;
    auto share = [&](double u) {
        const double s = std::max(0.01, seconds_until(deadline)) * u / std::max(units, 1.0);
        units -= u;
        return s;
    };
    if (req.draws > 0) run_draws(req, p, in, share(units_draws), r);
    if (!r.groups.empty()) run_groups(req, p, in, share(units_groups), r);
    if (req.portfolio > 0) {
        SolveOptions o = req.solve;
        o.cancel = req.cancel;
        o.started = Clock::now();
        o.time_limit_s = share(units_portfolio);
        o.diagnose = false;
        r.portfolio = solve_portfolio(p, req.portfolio, req.min_difference, req.portfolio_gap, o);
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return r;
}

namespace {

std::string ids_of(const SelectionProblem& p, const std::vector<char>& x) {
    std::string s;
    for (std::size_t k = 0; k < x.size(); ++k) {
        if (x[k]) s += (s.empty() ? "" : ",") + p.ids[k];
    }
    return s;
}

std::string weights_text(const RobustSummary& r, const std::vector<double>& w) {
    std::string s;
    for (std::size_t f = 0; f < w.size(); ++f) s += (s.empty() ? "" : ", ") + r.factors[f] + "=" + fixed(w[f], 4);
    return s;
}

OGRLayer* table(GDALDataset& ds, const std::string& path, const std::string& name, const std::string& what,
                const std::vector<std::pair<const char*, OGRFieldType>>& fields) {
    OGRLayer* t = create_layer(ds, path, name, wkbNone, what);
    for (const auto& [f, type] : fields) add_field(*t, path, f, type);
    return t;
}

void write_frequency_layer(GDALDataset& ds, const SelectRequest& req, const SelectionProblem& p, const RobustSummary& r,
                           const FeatureLayer& cands, const std::vector<std::size_t>& order) {
    OGRLayer* layer = create_layer(ds, req.output, schema::kSelectionFrequency, wkbMultiPolygon,
                                   "Per candidate: the share of the weight draws whose optimal set holds it, core "
                                   "(>= 90 %), contested or never, the weight sets that choose it, its score rank "
                                   "interval over the draws");
    for (const auto& [f, type] :
         {std::pair{schema::selection_frequency::kCandidateId, OFTString},
          std::pair{schema::selection_frequency::kFrequency, OFTReal}, std::pair{"chosen_draws", OFTInteger},
          std::pair{"robustness", OFTString}, std::pair{"chosen_by", OFTString}, std::pair{"rank_p05", OFTReal},
          std::pair{"rank_p95", OFTReal}, std::pair{"in_compromise", OFTInteger}, std::pair{"available", OFTInteger}}) {
        add_field(*layer, req.output, f, type);
    }
    const geos::Context ctx;
    const bool compromise = r.compromise && !r.compromise->result.selected.empty();
    for (std::size_t k = 0; k < p.size(); ++k) {
        if (k % 256 == 0 && req.cancel && req.cancel->load()) throw Error(ErrorKind::cancelled, "interrupted");
        OGRFeature feat(layer->GetLayerDefn());
        feat.SetField(0, p.ids[k].c_str());
        if (!r.frequency.empty()) {
            feat.SetField(1, r.frequency[k].frequency);
            feat.SetField(2, static_cast<int>(r.frequency[k].chosen));
            feat.SetField(3, to_string(r.frequency[k].robustness));
        }
        std::string by;
        for (std::size_t g = 0; g < r.groups.size(); ++g) {
            if (!r.group_results[g].selected.empty() && r.group_results[g].selected[k])
                by += (by.empty() ? "" : ",") + r.groups[g];
        }
        feat.SetField(4, by.c_str());
        if (!r.rank_p05.empty() && !std::isnan(r.rank_p05[k])) {
            feat.SetField(5, r.rank_p05[k]);
            feat.SetField(6, r.rank_p95[k]);
        }
        if (compromise) feat.SetField(7, r.compromise->result.selected[k] ? 1 : 0);
        feat.SetField(8, p.available[k] ? 1 : 0);
        feat.SetGeometryDirectly(to_ogr_multipolygon(ctx, cands.features[order[k]].geom.get()).release());
        write_feature(*layer, req.output, feat);
    }
}

}  // namespace

void write_robust(GDALDataset& ds, const SelectRequest& req, const SelectionProblem& p, const RobustSummary& r,
                  const FeatureLayer& cands, const std::vector<std::size_t>& order) {
    const std::string& path = req.output;
    if (!r.frequency.empty() || !r.groups.empty()) write_frequency_layer(ds, req, p, r, cands, order);
    if (!r.draw_results.empty()) {
        OGRLayer* t = table(ds, path, "selection_draws", "Per weight draw: its weights, status, objective, gap",
                            {{"draw", OFTInteger},
                             {"weights", OFTString},
                             {"status", OFTString},
                             {"objective", OFTReal},
                             {"gap", OFTReal},
                             {"selected", OFTInteger},
                             {"seconds", OFTReal}});
        const SensitivityOptions so = draw_options(req);
        for (std::size_t d = 0; d < r.draw_results.size(); ++d) {
            const SelectionResult& s = r.draw_results[d];
            OGRFeature f(t->GetLayerDefn());
            f.SetField(0, static_cast<int>(d));
            f.SetField(1, weights_text(r, draw_weights(r.base_weights, so, d)).c_str());
            f.SetField(2, to_string(s.status));
            if (!s.selected.empty()) {
                f.SetField(3, s.objective);
                f.SetField(4, s.gap);
                f.SetField(5, static_cast<int>(std::count(s.selected.begin(), s.selected.end(), 1)));
            }
            f.SetField(6, s.seconds);
            write_feature(*t, path, f);
        }
    }
    if (!r.groups.empty()) {
        OGRLayer* t = table(ds, path, "selection_groups",
                            "Per stakeholder weight set (and the compromise): its weights, status, objective, set",
                            {{"group", OFTString},
                             {"weights", OFTString},
                             {"status", OFTString},
                             {"objective", OFTReal},
                             {"worst_share", OFTReal},
                             {"selected", OFTInteger},
                             {"candidate_ids", OFTString}});
        auto row = [&](const std::string& name, const std::string& w, const SelectionResult& s, double worst) {
            OGRFeature f(t->GetLayerDefn());
            f.SetField(0, name.c_str());
            f.SetField(1, w.c_str());
            f.SetField(2, to_string(s.status));
            if (!s.selected.empty()) {
                f.SetField(3, s.objective);
                if (!std::isnan(worst)) f.SetField(4, worst);
                f.SetField(5, static_cast<int>(std::count(s.selected.begin(), s.selected.end(), 1)));
                f.SetField(6, ids_of(p, s.selected).c_str());
            }
            write_feature(*t, path, f);
        };
        for (std::size_t g = 0; g < r.groups.size(); ++g) {
            double worst = std::numeric_limits<double>::quiet_NaN();
            for (std::size_t h = 0; h < r.groups.size(); ++h)
                worst = std::isnan(worst) ? r.kept[g][h] : std::min(worst, r.kept[g][h]);
            row(r.groups[g], weights_text(r, r.group_weights[g]), r.group_results[g], worst);
        }
        if (r.compromise)
            row("compromis", "max-min share of each group's optimum", r.compromise->result, r.compromise->worst_share);
        OGRLayer* k =
            table(ds, path, "selection_regret",
                  "The share of each group's own optimum that another group's set (or the compromise) keeps",
                  {{"set_of", OFTString}, {"objective_of", OFTString}, {"kept", OFTReal}, {"regret", OFTReal}});
        auto kept_row = [&](const std::string& a, const std::string& b, double v) {
            OGRFeature f(k->GetLayerDefn());
            f.SetField(0, a.c_str());
            f.SetField(1, b.c_str());
            if (!std::isnan(v)) {
                f.SetField(2, v);
                f.SetField(3, 1 - v);
            }
            write_feature(*k, path, f);
        };
        for (std::size_t g = 0; g < r.groups.size(); ++g) {
            for (std::size_t h = 0; h < r.groups.size(); ++h) kept_row(r.groups[g], r.groups[h], r.kept[g][h]);
        }
        if (r.compromise && !r.compromise->share.empty()) {
            for (std::size_t h = 0; h < r.groups.size(); ++h)
                kept_row("compromis", r.groups[h], r.compromise->share[h]);
        }
    }
    if (r.portfolio) {
        OGRLayer* t = table(ds, path, "selection_portfolio",
                            "Sets within the portfolio gap of the optimum, each differing from every other in at "
                            "least --min-difference candidates; the last row says why the search stopped",
                            {{"set_number", OFTInteger},
                             {"objective", OFTReal},
                             {"selected", OFTInteger},
                             {"fewest_differences", OFTInteger},
                             {"candidate_ids", OFTString},
                             {"note", OFTString}});
        const Portfolio& pf = *r.portfolio;
        for (std::size_t s = 0; s < pf.sets.size(); ++s) {
            if (pf.sets[s].selected.empty()) continue;
            OGRFeature f(t->GetLayerDefn());
            f.SetField(0, static_cast<int>(s + 1));
            f.SetField(1, pf.sets[s].objective);
            f.SetField(2, static_cast<int>(std::count(pf.sets[s].selected.begin(), pf.sets[s].selected.end(), 1)));
            std::size_t fewest = p.size();
            for (std::size_t o = 0; o < pf.sets.size(); ++o) {
                if (o != s) fewest = std::min(fewest, set_difference(pf.sets[s].selected, pf.sets[o].selected));
            }
            if (pf.sets.size() > 1) f.SetField(3, static_cast<int>(fewest));
            f.SetField(4, ids_of(p, pf.sets[s].selected).c_str());
            f.SetField(5, s == 0 ? to_string(pf.sets[s].status) : "within the gap");
            write_feature(*t, path, f);
        }
        OGRFeature f(t->GetLayerDefn());
        f.SetField(5, (std::string("stopped: ") + to_string(pf.stop)).c_str());
        write_feature(*t, path, f);
    }
}

std::vector<std::string> robust_summary_lines(const SelectionProblem& p, const RobustSummary& r,
                                              const SelectRequest& req) {
    std::vector<std::string> out;
    auto list = [&](Robustness kind, std::size_t max) {
        std::string s;
        std::size_t count = 0;
        for (std::size_t k = 0; k < r.frequency.size(); ++k) {
            if (!p.available[k] || r.frequency[k].robustness != kind) continue;
            if (count < max) s += (s.empty() ? "" : ", ") + p.ids[k];
            ++count;
        }
        if (count > max && max > 0) s += ", ... " + std::to_string(count - max) + " more";
        return std::to_string(count) + (s.empty() ? "" : ": " + s);
    };
    if (!r.draw_results.empty()) {
        std::size_t solved = 0, proven = 0;
        double secs = 0;
        for (const auto& d : r.draw_results) {
            solved += d.selected.empty() ? 0 : 1;
            proven += d.status == SelectionStatus::optimal ? 1 : 0;
            secs += d.seconds;
        }
        out.push_back("Weight draws: " + std::to_string(r.draws) + " (" + req.draw_method + ", seed " +
                      std::to_string(req.seed) + "); " + std::to_string(solved) + " solved, " + std::to_string(proven) +
                      " proven within the gap; " + fixed(secs / static_cast<double>(r.draws), 3) + " s per draw.");
        if (solved < r.draws)
            out.push_back("  " + std::to_string(r.draws - solved) +
                          " draw(s) not solved: --time-limit stopped the search before them.");
        out.push_back("  core (chosen in at least " + fixed(100 * req.core_share, 0) +
                      " % of the draws): " + list(Robustness::core, 30));
        out.push_back("  contested: " + list(Robustness::contested, 30));
        out.push_back("  never chosen: " + list(Robustness::never, 0));
    }
    if (!r.groups.empty()) {
        out.push_back("Weight sets: " + std::to_string(r.groups.size()) + ". Share of each group's own optimum kept:");
        std::string head = "  set of \\ objective of:";
        for (const auto& g : r.groups) head += " " + g;
        out.push_back(head);
        for (std::size_t g = 0; g < r.groups.size(); ++g) {
            std::string line = "  " + r.groups[g] + ":";
            for (std::size_t h = 0; h < r.groups.size(); ++h)
                line += std::isnan(r.kept[g][h]) ? " -" : " " + fixed(100 * r.kept[g][h], 1) + " %";
            out.push_back(line);
        }
        if (r.compromise && !r.compromise->result.selected.empty()) {
            std::string line = "  compromis (every group keeps at least " + fixed(100 * r.compromise->worst_share, 1) +
                               " % of its optimum, " + to_string(r.compromise->result.status) + "):";
            for (std::size_t h = 0; h < r.groups.size(); ++h)
                line += " " + fixed(100 * r.compromise->share[h], 1) + " %";
            out.push_back(line);
        }
    }
    if (r.portfolio) {
        const Portfolio& pf = *r.portfolio;
        out.push_back("Portfolio: " + std::to_string(pf.sets.size()) + " of " + std::to_string(req.portfolio) +
                      " set(s) within " + fixed(100 * req.portfolio_gap, 1) +
                      " % of the optimum, each differing in at least " + std::to_string(req.min_difference) +
                      " candidate(s).");
        for (std::size_t s = 0; s < pf.sets.size(); ++s) {
            if (pf.sets[s].selected.empty()) continue;
            out.push_back("  set " + std::to_string(s + 1) + ": objective " + fixed(pf.sets[s].objective, 1) + ", " +
                          std::to_string(std::count(pf.sets[s].selected.begin(), pf.sets[s].selected.end(), 1)) +
                          " candidate(s)");
        }
        if (pf.sets.size() < req.portfolio) {
            const char* why = pf.stop == PortfolioStop::exhausted
                                  ? "proven: no further set within the gap differs enough from those found"
                              : pf.stop == PortfolioStop::infeasible ? "no set meets every rule"
                                                                     : "--time-limit stopped the search";
            out.push_back(std::string("  fewer than asked: ") + why + ".");
        }
    }
    return out;
}

}  // namespace ruimte
