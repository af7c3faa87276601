#include "spatial/criteria/scoring.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>

#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"

namespace ruimte {

std::string to_string(const CandidateId& id) {
    if (const auto* i = std::get_if<std::int64_t>(&id)) return std::to_string(*i);
    return std::get<std::string>(id);
}

bool id_less(const CandidateId& a, const CandidateId& b) {
    return a < b;
}

std::string column_part(const std::string& s) {
    std::string out;
    for (unsigned char ch : s) {
        if (std::isalnum(ch) && ch < 128) out += static_cast<char>(std::tolower(ch));
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "x" : out;
}

double rank_key(double score) {
    return std::round(score * 1e12);
}

namespace {
std::size_t layer_position(const Profile& profile, const std::string& name) {
    for (std::size_t i = 0; i < profile.layers.size(); ++i) {
        if (profile.layers[i].name == name) return i;
    }
    throw Error(ErrorKind::internal, "unknown layer " + name);
}

std::size_t class_position(const LayerIndex& layer, const std::string& klass) {
    const auto& cls = layer.classes();
    const auto it = std::find(cls.begin(), cls.end(), klass);
    return it == cls.end() ? cls.size() : static_cast<std::size_t>(it - cls.begin());
}

// Four significant digits in fixed notation, trailing zeros dropped: 0.5908, 1, 0.00003636,
// 123457; never scientific notation (3.636e-05), which people misread in a reason.
std::string format_number(double v) {
    if (v == 0 || !std::isfinite(v)) {
        std::ostringstream s;
        s << v;
        return s.str();
    }
    const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(v))));
    const int decimals = std::clamp(3 - magnitude, 0, 15);
    std::string s = fixed(v, decimals);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s;
}
}  // namespace

double metric_value(const MetricName& m, std::size_t c, const Profile& profile,
                    const std::vector<const LayerIndex*>& layers, const OverlayResult& overlay,
                    const CandidateTable& table) {
    const double cand_area = overlay.candidate_area_m2[c];
    using K = MetricName::Kind;
    if (m.kind == K::area_ha) return cand_area / 1e4;
    if (m.kind == K::attribute) {
        for (std::size_t a = 0; a < table.attribute_names.size(); ++a) {
            if (table.attribute_names[a] == m.attribute) return table.attribute_values[a][c];
        }
        throw Error(ErrorKind::internal, "attribute metric not loaded: " + m.attribute);
    }
    if (m.kind == K::raster) {
        const auto it = table.raster_metrics.find(m.layer + "." + m.klass);
        if (it == table.raster_metrics.end())
            throw Error(ErrorKind::internal, "raster metric not computed: " + m.layer);
        return it->second[c];
    }
    const std::size_t l = layer_position(profile, m.layer);
    const LayerOverlay& lo = overlay.layers[l];
    switch (m.kind) {
        case K::share:
        case K::area_m2: {
            const std::size_t k = class_position(*layers[l], m.klass);
            const double a = k < lo.class_count ? lo.area(c, k) : 0.0;  // class absent from the data
            return m.kind == K::area_m2 ? a : a / cand_area;
        }
        case K::covered_share: return lo.covered_m2[c] / cand_area;
        case K::uncovered_share: return std::max(0.0, 1.0 - lo.covered_m2[c] / cand_area);
        case K::covered_m2: return lo.covered_m2[c];
        case K::distance_m: return lo.distance_m[c];
        case K::count_within: return lo.count_within[c];
        case K::length_m: return lo.length_m[c];
        case K::length_within_m: return lo.length_within_m[c];
        default: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

namespace {
// What scoring needs of the profile, resolved once: the metrics of the exclusions and linear
// factors, and per factor its layer's position and, for a classes factor, the value of each
// class in the layer's class order.
struct ResolvedFactors {
    std::vector<MetricName> exclusion_metrics;
    std::vector<MetricName> factor_metrics;
    std::vector<std::size_t> factor_layer;
    std::vector<std::vector<double>> class_values;
};

ResolvedFactors resolve_factors(const Profile& profile, const std::vector<const LayerIndex*>& layers, std::size_t n) {
    const std::size_t nf = profile.factors.size();
    ResolvedFactors r;
    for (const auto& e : profile.exclusions) {
        r.exclusion_metrics.push_back(parse_metric(e.metric, profile, e.line, "exclusions.metric"));
    }
    r.factor_metrics.resize(nf);
    for (std::size_t f = 0; f < nf; ++f) {
        if (profile.factors[f].kind == FactorKind::linear) {
            r.factor_metrics[f] =
                parse_metric(profile.factors[f].metric, profile, profile.factors[f].line, "factors.metric");
        }
    }
    r.factor_layer.assign(nf, 0);
    r.class_values.resize(nf);
    for (std::size_t f = 0; f < nf && n > 0; ++f) {
        const Factor& fac = profile.factors[f];
        if (fac.kind == FactorKind::linear) continue;
        r.factor_layer[f] = layer_position(profile, fac.layer);
        if (fac.kind != FactorKind::classes) continue;
        for (const auto& cls : layers[r.factor_layer[f]]->classes()) r.class_values[f].push_back(fac.values.at(cls));
    }
    return r;
}

// The reasons candidate c is excluded (empty: not excluded), one per rule it meets.
std::vector<std::string> exclusion_reasons(std::size_t c, const Profile& profile, const ResolvedFactors& r,
                                           const std::vector<const LayerIndex*>& layers, const OverlayResult& overlay,
                                           const CandidateTable& table) {
    std::vector<std::string> reasons;
    for (std::size_t e = 0; e < profile.exclusions.size(); ++e) {
        const Exclusion& ex = profile.exclusions[e];
        const double v = metric_value(r.exclusion_metrics[e], c, profile, layers, overlay, table);
        if (compare(v, ex.op, ex.value)) {
            const std::string rule =
                ex.metric + " = " + format_number(v) + " " + to_string(ex.op) + " " + format_number(ex.value);
            reasons.push_back(ex.reason.empty() ? rule : ex.reason + " (" + rule + ")");
        }
    }
    return reasons;
}

// The share-weighted class value of candidate c on a classes factor.
double classes_value(const Factor& fac, const LayerOverlay& lo, double area, const std::vector<double>& values,
                     std::size_t c) {
    double v = 0;
    double covered_share = 0;
    for (std::size_t k = 0; k < values.size(); ++k) {
        const double share = lo.area(c, k) / area;
        covered_share += share;
        v += share * values[k];
    }
    // Where classes overlap each other the shares may add up past 1; the uncovered part is
    // what no feature covers.
    const double uncovered = std::max(0.0, 1.0 - lo.covered_m2[c] / area);
    v += uncovered * fac.uncovered;
    if (covered_share > 1.0) v /= (covered_share + uncovered);
    return v;
}

// The standardised value (0..1) of factor f for candidate c.
double factor_value(std::size_t f, std::size_t c, const Profile& profile, const ResolvedFactors& r,
                    const std::vector<const LayerIndex*>& layers, const OverlayResult& overlay,
                    const CandidateTable& table) {
    const Factor& fac = profile.factors[f];
    double v = 0;
    switch (fac.kind) {
        case FactorKind::classes:
            v = classes_value(fac, overlay.layers[r.factor_layer[f]], overlay.candidate_area_m2[c], r.class_values[f],
                              c);
            break;
        case FactorKind::linear: {
            const double x = metric_value(r.factor_metrics[f], c, profile, layers, overlay, table);
            if (std::isnan(x)) {
                v = 0;
                break;
            }
            const double t = std::clamp((x - fac.lower) / (fac.upper - fac.lower), 0.0, 1.0);
            v = fac.direction == Direction::rising ? t : 1.0 - t;
            break;
        }
        case FactorKind::distance_decay: {
            const double d = overlay.layers[r.factor_layer[f]].distance_m[c];
            if (std::isnan(d)) {
                v = 0;
                break;
            }
            v = fac.shape == DecayShape::linear ? std::max(0.0, 1.0 - d / fac.distance_m)
                                                : std::pow(0.5, d / fac.distance_m);
            break;
        }
    }
    return std::clamp(v, 0.0, 1.0);
}

// The score of one candidate from its factor values, writing each factor's contribution.
double aggregate(const Profile& profile, const double* value, double* contribution) {
    const std::size_t nf = profile.factors.size();
    double score = 0;
    if (profile.aggregation == Aggregation::weighted_sum) {
        for (std::size_t f = 0; f < nf; ++f) {
            const double contrib = profile.factors[f].weight * value[f];
            contribution[f] = contrib;
            score += contrib;
        }
        return score;
    }
    // Weakest link over the factors that carry weight: the binding factor's value is the score
    // and its whole contribution; the others contribute nothing.
    std::size_t binding = nf;
    for (std::size_t f = 0; f < nf; ++f) {
        if (profile.factors[f].weight <= 0) continue;
        if (binding == nf || value[f] < value[binding]) binding = f;
    }
    if (binding < nf) {
        score = value[binding];
        contribution[binding] = score;
    }
    return score;
}

}  // namespace

Scores score_candidates(const Profile& profile, const std::vector<const LayerIndex*>& layers,
                        const OverlayResult& overlay, const CandidateTable& table) {
    const std::size_t n = overlay.candidate_area_m2.size();
    const std::size_t nf = profile.factors.size();
    Scores s;
    s.factor_count = nf;
    s.value.assign(n * nf, 0.0);
    s.contribution.assign(n * nf, 0.0);
    s.score.assign(n, 0.0);
    s.excluded.assign(n, 0);
    s.reasons.assign(n, {});
    s.rank.assign(n, 0);

    const ResolvedFactors resolved = resolve_factors(profile, layers, n);
    for (std::size_t c = 0; c < n; ++c) {
        s.reasons[c] = exclusion_reasons(c, profile, resolved, layers, overlay, table);
        s.excluded[c] = s.reasons[c].empty() ? 0 : 1;
        for (std::size_t f = 0; f < nf; ++f) {
            s.value[c * nf + f] = factor_value(f, c, profile, resolved, layers, overlay, table);
        }
        s.score[c] = aggregate(profile, s.value.data() + c * nf, s.contribution.data() + c * nf);
    }
    s.rank = rank_by_score(s.score, s.excluded,
                           [&](std::size_t a, std::size_t b) { return id_less(table.ids[a], table.ids[b]); });
    return s;
}

}  // namespace ruimte
