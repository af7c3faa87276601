#include "spatial/jobs/sensitivity.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <set>

#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte {

Rescorer::Rescorer(const Profile& profile, const Scores& base, const std::vector<CandidateId>& ids)
    : n_(base.score.size()), nf_(base.factor_count), aggregation_(profile.aggregation), value_(base.value) {
    if (nf_ != profile.factors.size() || ids.size() != n_ || value_.size() != n_ * nf_) {
        throw Error(ErrorKind::internal, "Rescorer: scores, profile and ids do not match");
    }
    for (std::size_t c = 0; c < n_; ++c) {
        if (!base.excluded[c]) ranked_.push_back(static_cast<std::uint32_t>(c));
    }
    std::vector<std::uint32_t> by_id(n_);
    std::iota(by_id.begin(), by_id.end(), 0u);
    std::sort(by_id.begin(), by_id.end(), [&](std::uint32_t a, std::uint32_t b) { return id_less(ids[a], ids[b]); });
    id_pos_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) id_pos_[by_id[i]] = static_cast<std::uint32_t>(i);
    for (const auto& f : profile.factors) base_weights_.push_back(f.weight);
}

void Rescorer::scores(const std::vector<double>& w, std::vector<double>& score) const {
    score.resize(n_);
    const double* v = value_.data();
    if (aggregation_ == Aggregation::weighted_sum) {
        // The same sum in the same order as score_candidates, so the base weights give the
        // same bits and the same ties.
        for (std::size_t c = 0; c < n_; ++c, v += nf_) {
            double s = 0;
            for (std::size_t f = 0; f < nf_; ++f) s += w[f] * v[f];
            score[c] = s;
        }
    } else {
        for (std::size_t c = 0; c < n_; ++c, v += nf_) {
            double s = 0;
            bool any = false;
            for (std::size_t f = 0; f < nf_; ++f) {
                if (w[f] <= 0) continue;
                if (!any || v[f] < s) s = v[f];
                any = true;
            }
            score[c] = s;
        }
    }
}

void Rescorer::order(const std::vector<double>& w, std::vector<double>& score, std::vector<std::uint32_t>& out) const {
    scores(w, score);
    out = ranked_;
    std::sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (rank_key(score[a]) != rank_key(score[b])) return rank_key(score[a]) > rank_key(score[b]);
        return id_pos_[a] < id_pos_[b];
    });
}

void Rescorer::top(const std::vector<double>& w, std::size_t k, std::vector<double>& score,
                   std::vector<std::uint32_t>& out) const {
    scores(w, score);
    out = ranked_;
    k = std::min(k, out.size());
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(),
                      [&](std::uint32_t a, std::uint32_t b) {
                          if (rank_key(score[a]) != rank_key(score[b])) return rank_key(score[a]) > rank_key(score[b]);
                          return id_pos_[a] < id_pos_[b];
                      });
    out.resize(k);
}

std::vector<double> draw_weights(const std::vector<double>& base, const SensitivityOptions& o, std::size_t i) {
    std::mt19937_64 rng(o.seed + i);
    std::vector<double> w(base.size(), 0.0);
    if (o.method == WeightDraw::uniform) {
        if (o.spread == 0) return base;  // exactly the profile's weights, no renormalisation noise
        std::uniform_real_distribution<double> u(-1.0, 1.0);
        for (std::size_t f = 0; f < base.size(); ++f) w[f] = base[f] * (1.0 + o.spread * u(rng));
    } else {
        for (std::size_t f = 0; f < base.size(); ++f) {
            // A factor without weight stays without: Dirichlet(0) is a point mass at 0.
            if (base[f] <= 0) continue;
            std::gamma_distribution<double> g(o.concentration * base[f], 1.0);
            w[f] = g(rng);
        }
    }
    double sum = 0;
    for (double x : w) sum += x;
    if (!(sum > 0)) return base;  // every gamma draw underflowed (tiny concentration)
    for (double& x : w) x /= sum;
    return w;
}

namespace {

// Nearest-rank percentile of the values in [first, last) (reordered): the ceil(p N)-th smallest.
template <typename It>
double percentile(It first, It last, double p) {
    const auto n = static_cast<std::size_t>(last - first);
    std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n) - 1e-9));
    k = std::clamp<std::size_t>(k, 1, n) - 1;
    std::nth_element(first, first + static_cast<std::ptrdiff_t>(k), last);
    return static_cast<double>(first[static_cast<std::ptrdiff_t>(k)]);
}

std::vector<double> swept_weights(const std::vector<double>& base, std::size_t f, double t) {
    std::vector<double> w(base.size());
    const double rest = 1.0 - base[f];
    for (std::size_t j = 0; j < base.size(); ++j) {
        if (j == f) w[j] = t;
        else if (rest > 1e-12) w[j] = base[j] * (1.0 - t) / rest;
        else w[j] = (1.0 - t) / static_cast<double>(base.size() - 1);
    }
    return w;
}

WeightSweep sweep(const Rescorer& rs, const std::string& name, std::size_t f, std::size_t k, std::size_t steps) {
    WeightSweep s;
    s.factor = name;
    const std::vector<double>& base = rs.base_weights();
    s.base_weight = base[f];
    std::vector<double> score;
    std::vector<std::uint32_t> top;
    auto top_at = [&](double t) {
        rs.top(swept_weights(base, f, t), k, score, top);
        return top;
    };
    auto as_set = [](std::vector<std::uint32_t> v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    rs.top(base, k, score, top);
    const std::vector<std::uint32_t> base_set = as_set(top);
    auto same = [&](double t) { return as_set(top_at(t)) == base_set; };
    for (std::size_t i = 0; i <= steps; ++i) {
        const double t = static_cast<double>(i) / static_cast<double>(steps);
        s.steps.emplace_back(t, top_at(t));
    }
    // Walk the grid away from the profile's weight; bisect the first step that differs.
    auto boundary = [&](bool below, double& stable, std::optional<double>& change, std::vector<std::uint32_t>& enter,
                        std::vector<std::uint32_t>& leave) {
        stable = s.base_weight;
        for (std::size_t step = 0; step <= steps; ++step) {
            const std::size_t i = below ? steps - step : step;
            const double t = s.steps[i].first;
            if (below ? t >= s.base_weight : t <= s.base_weight) continue;
            if (as_set(s.steps[i].second) == base_set) {
                stable = t;
                continue;
            }
            double changed = t;
            while (std::fabs(stable - changed) > 1e-5) {
                const double mid = 0.5 * (stable + changed);
                (same(mid) ? stable : changed) = mid;
            }
            change = changed;
            const std::vector<std::uint32_t> other = as_set(top_at(changed));
            std::set_difference(other.begin(), other.end(), base_set.begin(), base_set.end(),
                                std::back_inserter(enter));
            std::set_difference(base_set.begin(), base_set.end(), other.begin(), other.end(),
                                std::back_inserter(leave));
            return;
        }
        stable = below ? 0.0 : 1.0;
    };
    boundary(true, s.stable_from, s.change_below, s.enter_below, s.leave_below);
    boundary(false, s.stable_to, s.change_above, s.enter_above, s.leave_above);
    return s;
}

}  // namespace

static std::string count_text(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

void check_sensitivity_limits(const SensitivityOptions& o) {
    if (o.sweep_steps > SensitivityLimits::max_sweep_steps) {
        throw Error(ErrorKind::usage,
                    "--sweep-steps " + std::to_string(o.sweep_steps) + " is more than the limit of " +
                        std::to_string(SensitivityLimits::max_sweep_steps),
                    {},
                    "use at most " + std::to_string(SensitivityLimits::max_sweep_steps) +
                        " steps (each boundary is refined by bisection to 1e-5 anyway)");
    }
}

void check_sensitivity_size(const SensitivityOptions& o, std::size_t ranked, std::size_t factors) {
    // The draws keep a rank per ranked candidate and a weight per factor; the sweeps the top K
    // per step per factor. Refused before anything is allocated (std::bad_alloc was exit 1).
    const double per_draw = static_cast<double>(ranked) + static_cast<double>(factors);
    const double cells = static_cast<double>(o.draws) * per_draw;
    if (cells > static_cast<double>(SensitivityLimits::max_draw_cells)) {
        throw Error(ErrorKind::usage,
                    "--draws " + std::to_string(o.draws) + " for " + std::to_string(ranked) +
                        " ranked candidates and " + std::to_string(factors) + " factors keeps " + count_text(cells) +
                        " values, more than the limit of " +
                        count_text(static_cast<double>(SensitivityLimits::max_draw_cells)),
                    {},
                    "use at most " +
                        std::to_string(static_cast<std::size_t>(static_cast<double>(SensitivityLimits::max_draw_cells) /
                                                                std::max(per_draw, 1.0))) +
                        " draws for this input");
    }
    const double sweep_cells = static_cast<double>(factors) * static_cast<double>(o.sweep_steps + 1) *
                               static_cast<double>(std::min(o.top_k, std::max<std::size_t>(ranked, 1)));
    if (factors >= 2 && o.sweep_steps > 0 && sweep_cells > static_cast<double>(SensitivityLimits::max_draw_cells)) {
        throw Error(ErrorKind::usage,
                    "--sweep-steps " + std::to_string(o.sweep_steps) + " with --top " + std::to_string(o.top_k) +
                        " and " + std::to_string(factors) + " factors keeps " + count_text(sweep_cells) +
                        " values, more than the limit of " +
                        count_text(static_cast<double>(SensitivityLimits::max_draw_cells)),
                    {}, "use fewer --sweep-steps or a smaller --top");
    }
}

SensitivityResult analyse_sensitivity(const Profile& profile, const Scores& base, const std::vector<CandidateId>& ids,
                                      const SensitivityOptions& o) {
    if (o.draws == 0) throw Error(ErrorKind::usage, "--draws must be at least 1");
    if (o.method == WeightDraw::dirichlet && !(o.concentration > 0 && std::isfinite(o.concentration))) {
        throw Error(ErrorKind::usage, "--concentration must be a positive number", {},
                    "for example --concentration 100");
    }
    if (o.method == WeightDraw::uniform && !(o.spread >= 0 && o.spread < 1)) {
        throw Error(ErrorKind::usage, "--spread must lie in [0, 1)", {}, "0.1 means each weight varies by +-10 %");
    }
    if (o.top_k == 0) throw Error(ErrorKind::usage, "--top must be at least 1");
    check_sensitivity_limits(o);
    const Rescorer rs(profile, base, ids);
    const std::size_t n = rs.candidates(), nf = rs.factors(), draws = o.draws;
    check_sensitivity_size(o, static_cast<std::size_t>(std::count(base.excluded.begin(), base.excluded.end(), false)),
                           nf);
    SensitivityResult r;
    r.draws = draws;
    r.top_k = o.top_k;
    r.base_score = base.score;
    r.base_rank = base.rank;
    r.weight = rs.base_weights();

    // Ranked candidates get a dense position; ranks are stored [draw][position].
    std::vector<std::uint32_t> pos(n, std::numeric_limits<std::uint32_t>::max()), ranked;
    for (std::size_t c = 0; c < n; ++c) {
        if (!base.excluded[c]) {
            pos[c] = static_cast<std::uint32_t>(ranked.size());
            ranked.push_back(static_cast<std::uint32_t>(c));
        }
    }
    const std::size_t m = ranked.size();
    std::vector<std::uint32_t> ranks(draws * m);
    std::vector<double> drawn(draws * nf);
    const std::size_t workers = worker_count(draws, o.control, 4);
    std::vector<std::vector<double>> score_buf(workers);
    std::vector<std::vector<std::uint32_t>> order_buf(workers);
    parallel_for_workers(
        draws, o.control,
        [&](const geos::Context&, std::size_t worker, std::size_t d) {
            const std::vector<double> w = draw_weights(r.weight, o, d);
            std::copy(w.begin(), w.end(), drawn.begin() + static_cast<std::ptrdiff_t>(d * nf));
            rs.order(w, score_buf[worker], order_buf[worker]);
            std::uint32_t* out = ranks.data() + d * m;
            const auto& ord = order_buf[worker];
            for (std::size_t i = 0; i < ord.size(); ++i) out[pos[ord[i]]] = static_cast<std::uint32_t>(i + 1);
        },
        4);

    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.median_rank.assign(n, nan);
    r.rank_p05.assign(n, nan);
    r.rank_p95.assign(n, nan);
    r.p_top.assign(n, nan);
    RunControl quiet = o.control;
    quiet.progress = nullptr;
    const std::size_t stat_workers = worker_count(m, quiet, 64);
    std::vector<std::vector<std::uint32_t>> column(stat_workers, std::vector<std::uint32_t>(draws));
    parallel_for_workers(
        m, quiet,
        [&](const geos::Context&, std::size_t worker, std::size_t j) {
            std::vector<std::uint32_t>& col = column[worker];
            std::size_t in_top = 0;
            for (std::size_t d = 0; d < draws; ++d) {
                col[d] = ranks[d * m + j];
                in_top += col[d] <= o.top_k ? 1 : 0;
            }
            const std::size_t c = ranked[j];
            r.rank_p05[c] = percentile(col.begin(), col.end(), 0.05);
            r.median_rank[c] = percentile(col.begin(), col.end(), 0.5);
            r.rank_p95[c] = percentile(col.begin(), col.end(), 0.95);
            r.p_top[c] = static_cast<double>(in_top) / static_cast<double>(draws);
        },
        64);

    std::vector<double> wcol(draws);
    for (std::size_t f = 0; f < nf; ++f) {
        for (std::size_t d = 0; d < draws; ++d) wcol[d] = drawn[d * nf + f];
        r.weight_p05.push_back(percentile(wcol.begin(), wcol.end(), 0.05));
        r.weight_median.push_back(percentile(wcol.begin(), wcol.end(), 0.5));
        r.weight_p95.push_back(percentile(wcol.begin(), wcol.end(), 0.95));
    }
    if (nf >= 2 && o.sweep_steps > 0) {
        for (std::size_t f = 0; f < nf; ++f)
            r.sweeps.push_back(sweep(rs, profile.factors[f].name, f, o.top_k, o.sweep_steps));
    }
    return r;
}

namespace {
std::string join_ids(const std::vector<std::uint32_t>& cands, const std::vector<std::string>& ids) {
    std::string s;
    for (std::uint32_t c : cands) s += (s.empty() ? "" : "; ") + ids[c];
    return s;
}

// The chart's name and language, checked before the overlay, so a refused output costs no
// work (prepare_score checks -o; the full list of inputs is checked again when writing).
void check_sensitivity_request(const SensitivityRequest& req) {
    if (!req.chart.empty()) {
        const std::string ext = std::filesystem::path(req.chart).extension().string();
        if (ext != ".svg" && ext != ".png" && ext != ".pdf") {
            throw Error(ErrorKind::usage, "--chart '" + req.chart + "' must end in .svg, .pdf or .png");
        }
        check_distinct_outputs({req.score.output, req.chart}, "--chart and -o name the same file",
                               "give the chart its own name");
    }
    if (req.lang != "nl" && req.lang != "en") throw Error(ErrorKind::usage, "--lang must be nl or en");
    if (!req.chart.empty())
        check_output_path(req.chart, req.score.overwrite,
                          {parse_source(req.score.candidates).path, req.score.profile_path});
    check_sensitivity_limits(req.options);
}

// rank_intervals: per candidate its profile rank, the median and 5-95 % interval over the
// draws and P(top K), in candidate-id order.
void write_rank_intervals(GDALDataset& ds, const std::string& path, const ScoreInputs& in, const Scores& base,
                          const SensitivityResult& r, const std::vector<std::string>& ids) {
    OGRLayer* ri = create_layer(ds, path, "rank_intervals", wkbMultiPolygon,
                                "Rank per candidate over " + std::to_string(r.draws) +
                                    " weight draws: median, 5-95 % interval, P(top " + std::to_string(r.top_k) + ")");
    const bool int_ids = std::holds_alternative<std::int64_t>(in.table.ids.front());
    add_field(*ri, path, "candidate_id", int_ids ? OFTInteger64 : OFTString);
    add_field(*ri, path, "excluded", OFTInteger, OFSTBoolean);
    add_field(*ri, path, "score", OFTReal);
    add_field(*ri, path, "rank", OFTInteger64);
    for (const char* name : {"rank_median", "rank_p05", "rank_p95", "rank_width", "p_top"})
        add_field(*ri, path, name, OFTReal);
    std::vector<std::size_t> by_id(base.score.size());
    std::iota(by_id.begin(), by_id.end(), std::size_t{0});
    std::sort(by_id.begin(), by_id.end(),
              [&](std::size_t a, std::size_t b) { return id_less(in.table.ids[a], in.table.ids[b]); });
    geos::Context ctx;
    for (std::size_t c : by_id) {
        OGRFeature feat(ri->GetLayerDefn());
        if (const auto* i = std::get_if<std::int64_t>(&in.table.ids[c])) feat.SetField(0, static_cast<GIntBig>(*i));
        else feat.SetField(0, ids[c].c_str());
        feat.SetField(1, base.excluded[c] ? 1 : 0);
        feat.SetField(2, base.score[c]);
        if (base.rank[c] > 0) {
            feat.SetField(3, static_cast<GIntBig>(base.rank[c]));
            feat.SetField(4, r.median_rank[c]);
            feat.SetField(5, r.rank_p05[c]);
            feat.SetField(6, r.rank_p95[c]);
            feat.SetField(7, r.rank_p95[c] - r.rank_p05[c]);
            feat.SetField(8, r.p_top[c]);
        }
        feat.SetGeometryDirectly(to_ogr_multipolygon(ctx, in.candidates.features[c].geom.get(),
                                                     in.candidates.place(in.candidates.features[c].fid))
                                     .release());
        write_feature(*ri, path, feat);
    }
}

// oat_sweep and oat_steps: per factor, where the top K changes and the top K per step.
void write_sweeps(GDALDataset& ds, const std::string& path, const Scores& base, const SensitivityResult& r,
                  const std::vector<std::string>& ids) {
    const std::string k = std::to_string(r.top_k);
    OGRLayer* sw = create_layer(ds, path, "oat_sweep", wkbNone,
                                "One-at-a-time: per factor, the weights where the top " + k + " changes");
    OGRLayer* st =
        create_layer(ds, path, "oat_steps", wkbNone, "One-at-a-time: the top " + k + " per factor and weight");
    for (const char* name : {"factor", "weight", "stable_from", "stable_to", "change_below", "change_above",
                             "enter_below", "leave_below", "enter_above", "leave_above"}) {
        const bool text = name == std::string("factor") || std::string(name).find("enter") == 0 ||
                          std::string(name).find("leave") == 0;
        add_field(*sw, path, name, text ? OFTString : OFTReal);
    }
    add_field(*st, path, "factor", OFTString);
    add_field(*st, path, "weight", OFTReal);
    add_field(*st, path, "same_as_profile", OFTInteger, OFSTBoolean);
    add_field(*st, path, "top", OFTString);
    std::vector<std::uint32_t> base_set;
    for (std::size_t c = 0; c < base.rank.size(); ++c) {
        if (base.rank[c] > 0 && static_cast<std::size_t>(base.rank[c]) <= r.top_k)
            base_set.push_back(static_cast<std::uint32_t>(c));
    }
    for (const WeightSweep& s : r.sweeps) {
        OGRFeature feat(sw->GetLayerDefn());
        feat.SetField(0, s.factor.c_str());
        feat.SetField(1, s.base_weight);
        feat.SetField(2, s.stable_from);
        feat.SetField(3, s.stable_to);
        if (s.change_below) feat.SetField(4, *s.change_below);
        if (s.change_above) feat.SetField(5, *s.change_above);
        feat.SetField(6, join_ids(s.enter_below, ids).c_str());
        feat.SetField(7, join_ids(s.leave_below, ids).c_str());
        feat.SetField(8, join_ids(s.enter_above, ids).c_str());
        feat.SetField(9, join_ids(s.leave_above, ids).c_str());
        write_feature(*sw, path, feat);
        for (const auto& [t, top] : s.steps) {
            OGRFeature step(st->GetLayerDefn());
            step.SetField(0, s.factor.c_str());
            step.SetField(1, t);
            std::vector<std::uint32_t> sorted = top;
            std::sort(sorted.begin(), sorted.end());
            step.SetField(2, sorted == base_set ? 1 : 0);
            step.SetField(3, join_ids(top, ids).c_str());
            write_feature(*st, path, step);
        }
    }
}

// weight_draws: per factor the profile's weight and the spread of the drawn weights.
void write_weight_draws(GDALDataset& ds, const std::string& path, const Profile& profile, const SensitivityResult& r) {
    OGRLayer* wd = create_layer(ds, path, "weight_draws", wkbNone,
                                "Per factor: the profile's weight and the spread of the drawn weights");
    for (const char* name : {"factor", "weight", "draw_p05", "draw_median", "draw_p95"})
        add_field(*wd, path, name, name == std::string("factor") ? OFTString : OFTReal);
    for (std::size_t f = 0; f < profile.factors.size(); ++f) {
        OGRFeature feat(wd->GetLayerDefn());
        feat.SetField(0, profile.factors[f].name.c_str());
        feat.SetField(1, r.weight[f]);
        feat.SetField(2, r.weight_p05[f]);
        feat.SetField(3, r.weight_median[f]);
        feat.SetField(4, r.weight_p95[f]);
        write_feature(*wd, path, feat);
    }
}

std::string draw_settings(const SensitivityOptions& o) {
    return "draws=" + std::to_string(o.draws) + " seed=" + std::to_string(o.seed) +
           (o.method == WeightDraw::dirichlet ? " method=dirichlet concentration=" + fixed(o.concentration, 6)
                                              : " method=uniform spread=" + fixed(o.spread, 6)) +
           " top=" + std::to_string(o.top_k) + " sweep_steps=" + std::to_string(o.sweep_steps);
}

// The candidates' names beside their ids: field naam, else name; "" when there is none.
std::vector<std::string> candidate_names(const FeatureLayer& candidates) {
    int f = candidates.field_index("naam");
    if (f < 0) f = candidates.field_index("name");
    std::vector<std::string> names;
    for (const Feature& feat : candidates.features)
        names.push_back(f >= 0 && !candidates.field_is_null(feat, f) ? candidates.field_as_string(feat, f) : "");
    return names;
}

// "145 Zuidrand Rotterd…": the ids with the names cut to `chars` characters (UTF-8), so a
// chart label stays in its margin.
std::vector<std::string> ids_with_names(const std::vector<std::string>& ids, const std::vector<std::string>& names,
                                        std::size_t chars) {
    std::vector<std::string> out = ids;
    for (std::size_t c = 0; c < out.size() && c < names.size(); ++c) {
        if (names[c].empty()) continue;
        std::string name = names[c];
        std::size_t count = 0;
        for (std::size_t i = 0; i < name.size(); ++i) {
            if ((static_cast<unsigned char>(name[i]) & 0xC0) == 0x80) continue;
            if (count++ == chars) {
                name = name.substr(0, i) + "…";
                break;
            }
        }
        out[c] += " " + name;
    }
    return out;
}

// The rank-interval chart (--chart): the K candidates with the best median rank.
RankChart rank_chart(const SensitivityRequest& req, const Profile& profile, const Scores& base,
                     const SensitivityResult& r, const std::vector<std::string>& ids) {
    const bool nl = req.lang == "nl";
    RankChart chart;
    const std::string k = std::to_string(r.top_k);
    chart.title = nl ? "Rangintervallen van de top " + k + " (" + profile.name + ")"
                     : "Rank intervals of the top " + k + " (" + profile.name + ")";
    const SensitivityOptions& o = req.options;
    const std::string how =
        o.method == WeightDraw::dirichlet
            ? (nl ? "Dirichlet, concentratie " : "Dirichlet, concentration ") + fixed(o.concentration, 0)
            : "uniform ±" + fixed(100 * o.spread, 0) + " %";
    chart.subtitle = std::to_string(r.draws) + (nl ? " trekkingen van de gewichten, " : " weight draws, ") + how +
                     ", seed " + std::to_string(o.seed);
    chart.axis = nl ? "rang (1 = beste)" : "rank (1 = best)";
    chart.legend_interval = nl ? "5-95 % van de trekkingen" : "5-95 % of the draws";
    chart.legend_median = nl ? "mediaan" : "median";
    chart.legend_base = nl ? "rang met de gewichten van het profiel" : "rank with the profile's weights";
    // Ties of the median rank: profile rank.
    std::vector<std::size_t> shown;
    for (std::size_t c = 0; c < base.rank.size(); ++c)
        if (base.rank[c] > 0) shown.push_back(c);
    std::sort(shown.begin(), shown.end(), [&](std::size_t a, std::size_t b) {
        if (r.median_rank[a] != r.median_rank[b]) return r.median_rank[a] < r.median_rank[b];
        return base.rank[a] < base.rank[b];
    });
    if (shown.size() > r.top_k) shown.resize(r.top_k);
    for (std::size_t c : shown) {
        chart.rows.push_back({ids[c] + "  (P top " + k + " " + fixed(100 * r.p_top[c], 0) + " %)",
                              static_cast<double>(base.rank[c]), r.median_rank[c], r.rank_p05[c], r.rank_p95[c],
                              r.p_top[c]});
    }
    return chart;
}

// The GeoPackage (rank_intervals, oat_sweep, oat_steps, weight_draws) and the chart, committed
// together, the GeoPackage last.
void write_sensitivity_outputs(const SensitivityRequest& req, const ScoreInputs& in, const Scores& base,
                               const SensitivityResult& r, const std::vector<std::string>& ids) {
    const Profile& profile = in.profile;
    const std::string& path = req.score.output;
    RunOutput out(path, req.score.overwrite, in.input_paths, "");
    GDALDataset& ds = out.dataset();
    begin_transaction(ds, path);
    write_rank_intervals(ds, path, in, base, r, ids);
    write_sweeps(ds, path, base, r, ids);
    write_weight_draws(ds, path, profile, r);
    commit_transaction(ds, path);
    out.stamp(req.score.command_line);
    out.metadata(schema::kMetaProfilePath, profile.path);
    out.metadata(schema::kMetaProfile, profile.text);
    out.metadata("RUIMTE_SENSITIVITY", draw_settings(req.options));
    if (profile.ahp) out.metadata("RUIMTE_AHP_CR", fixed(profile.ahp->cr, 6));
    out.close(run_timestamp(""), std::nullopt);  // with the default style of rank_intervals
    if (!req.chart.empty()) {
        write_rank_chart(rank_chart(req, profile, base, r, ids_with_names(ids, candidate_names(in.candidates), 16)),
                         out.secondary(req.chart), std::filesystem::path(req.chart).extension() == ".svg", req.chart);
    }
    out.commit();
}

}  // namespace

SensitivitySummary run_sensitivity(const SensitivityRequest& req) {
    using clock = std::chrono::steady_clock;
    check_sensitivity_request(req);
    ScoreInputs in = prepare_score(req.score);
    SensitivitySummary summary;
    summary.seconds = in.seconds;
    auto t0 = clock::now();
    const Scores base = score_candidates(in.profile, in.index_ptrs, in.overlay, in.table);
    summary.seconds.emplace_back("score", std::chrono::duration<double>(clock::now() - t0).count());

    t0 = clock::now();
    SensitivityOptions options = req.options;
    options.control = req.score.control;
    options.control.progress = [&](std::size_t d, std::size_t t) { req.score.stage("draws", d, t); };
    summary.result = analyse_sensitivity(in.profile, base, in.table.ids, options);
    summary.seconds.emplace_back("draws", std::chrono::duration<double>(clock::now() - t0).count());

    t0 = clock::now();
    summary.candidates = base.score.size();
    for (char e : base.excluded) summary.excluded += e ? 1 : 0;
    for (const auto& id : in.table.ids) summary.ids.push_back(to_string(id));
    summary.names = candidate_names(in.candidates);
    for (const auto& f : in.profile.factors) summary.factor_names.push_back(f.name);
    write_sensitivity_outputs(req, in, base, summary.result, summary.ids);
    summary.seconds.emplace_back("write", std::chrono::duration<double>(clock::now() - t0).count());
    return summary;
}

}  // namespace ruimte
