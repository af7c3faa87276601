#include "spatial/criteria/explain.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/core/toml_limits.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/read_check.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte {

namespace sc = schema::scored;

std::size_t ScoredRun::row(const std::string& id) const {
    const auto it = std::find(ids.begin(), ids.end(), id);
    if (it == ids.end()) {
        std::string some;
        for (std::size_t i = 0; i < ids.size() && i < 5; ++i) some += (i ? ", " : "") + ids[i];
        throw Error(ErrorKind::usage, "no candidate with id '" + id + "'",
                    ErrorPlace::at(path, schema::kCandidatesScored),
                    "give a value of column candidate_id (for example " + some + ")");
    }
    return static_cast<std::size_t>(it - ids.begin());
}

double ScoredRun::value(const std::string& column, std::size_t r) const {
    for (std::size_t i = 0; i < column_names.size(); ++i) {
        if (column_names[i] == column) return column_values[i][r];
    }
    return std::numeric_limits<double>::quiet_NaN();
}

std::string ScoredRun::id_and_name(std::size_t r) const {
    return r < names.size() && !names[r].empty() ? ids[r] + " " + names[r] : ids[r];
}

std::size_t ScoredRun::ranked_count() const {
    return static_cast<std::size_t>(std::count_if(rank.begin(), rank.end(), [](std::int64_t r) { return r > 0; }));
}

ScoredRun read_scored_run(const std::string& path, bool with_geometry) {
    ensure_gdal();
    ScoredRun run;
    run.path = path;
    const ErrorPlace place = ErrorPlace::at(path, schema::kCandidatesScored);
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds)
        throw Error(ErrorKind::input, "cannot open as a GeoPackage", ErrorPlace::at(path),
                    "give the output of `ruimte score`");
    OGRLayer* layer = ds->GetLayerByName(schema::kCandidatesScored);
    const char* text = ds->GetMetadataItem(schema::kMetaProfile);
    if (!layer || !text) {
        throw Error(ErrorKind::input,
                    "not a `ruimte score` output (no layer candidates_scored or no RUIMTE_PROFILE metadata)",
                    ErrorPlace::at(path), "give the GeoPackage written by `ruimte score`");
    }
    // The profile as it was; its layer sources may have moved since, so they point here.
    const char* profile_path = ds->GetMetadataItem(schema::kMetaProfilePath);
    SourceOverrides here;
    check_toml_limits(text, path, ErrorKind::input, "the profile stored in this GeoPackage");
    try {
        const toml::table t = toml::parse(text, profile_path ? profile_path : path);
        if (const toml::table* layers = t["layers"].as_table()) {
            for (auto&& [k, v] : *layers) here[std::string(k.str())] = path;
        }
    } catch (const toml::parse_error& e) {
        throw Error(ErrorKind::input, "the stored profile is not valid TOML: " + std::string(e.description()), place);
    }
    run.profile = parse_profile(text, profile_path ? profile_path : path, here);

    OGRFeatureDefn* defn = layer->GetLayerDefn();
    auto field = [&](const char* name) {
        const int i = defn->GetFieldIndex(name);
        if (i < 0)
            throw Error(ErrorKind::input, std::string("no column '") + name + "'", place,
                        "give the GeoPackage written by `ruimte score`");
        return i;
    };
    const int f_id = field(sc::kCandidateId), f_score = field(sc::kScore), f_rank = field(sc::kRank),
              f_excl = field(sc::kExcluded), f_reasons = field(sc::kReasons);
    int f_name = defn->GetFieldIndex("naam");
    if (f_name < 0) f_name = defn->GetFieldIndex("name");
    run.integer_ids =
        defn->GetFieldDefn(f_id)->GetType() == OFTInteger64 || defn->GetFieldDefn(f_id)->GetType() == OFTInteger;
    std::vector<int> numeric;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldType t = defn->GetFieldDefn(i)->GetType();
        if (t == OFTReal || t == OFTInteger || t == OFTInteger64) {
            numeric.push_back(i);
            run.column_names.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
            run.column_values.emplace_back();
        }
    }
    const GIntBig declared = layer->GetFeatureCount(FALSE);
    layer->ResetReading();
    LayerReadCheck read_check(*layer, ds.get(), declared, place);  // a damaged file is refused, not read in part
    for (auto& feat : *layer) {
        if (run.ids.size() % 256 == 0) throw_if_cancelled();  // Ctrl-C while reading
        read_check.feature(feat->GetFID());
        run.ids.emplace_back(feat->GetFieldAsString(f_id));
        run.names.emplace_back(f_name >= 0 && feat->IsFieldSetAndNotNull(f_name) ? feat->GetFieldAsString(f_name) : "");
        run.score.push_back(feat->GetFieldAsDouble(f_score));
        run.rank.push_back(feat->IsFieldSetAndNotNull(f_rank) ? feat->GetFieldAsInteger64(f_rank) : 0);
        run.excluded.push_back(feat->GetFieldAsInteger(f_excl) ? 1 : 0);
        run.reasons.emplace_back(feat->GetFieldAsString(f_reasons));
        for (std::size_t k = 0; k < numeric.size(); ++k) {
            run.column_values[k].push_back(feat->IsFieldSetAndNotNull(numeric[k])
                                               ? feat->GetFieldAsDouble(numeric[k])
                                               : std::numeric_limits<double>::quiet_NaN());
        }
        if (with_geometry) {
            std::vector<unsigned char> bytes;
            if (const OGRGeometry* g = feat->GetGeometryRef()) {
                bytes.resize(g->WkbSize());
                g->exportToWkb(wkbNDR, bytes.data(), wkbVariantIso);
            }
            run.wkb.push_back(std::move(bytes));
        }
    }
    read_check.end();
    if (run.ids.empty()) throw Error(ErrorKind::input, "the layer has no candidates", place);
    return run;
}

namespace {

// Fixed decimals, not grouped; a decimal comma in Dutch (nl), a point in English.
std::string num(double v, int decimals, bool nl) {
    return people_number(v, decimals, !nl, false, false);
}

std::string percent(double share, bool nl) {
    return std::fabs(share) < 0.005 ? "0 %" : num(100 * share, 0, nl) + " %";
}

// The catalogue kind of a class layer: its `catalogue`, else the kind whose codes hold every
// one of its `classes` (the sample profiles list wbs and netcongestie codes); or nullptr.
const layers::LayerKindInfo* catalogue_kind(const LayerSpec* spec, const std::vector<std::string>& classes) {
    if (spec && !spec->catalogue.empty()) return layers::find_kind(spec->catalogue);
    if (classes.empty()) return nullptr;
    for (const auto& kind : layers::catalogue()) {
        const bool all = std::all_of(classes.begin(), classes.end(), [&](const std::string& c) {
            return std::any_of(kind.classes.begin(), kind.classes.end(),
                               [&](const layers::ClassInfo& k) { return k.code == c; });
        });
        if (all) return &kind;
    }
    return nullptr;
}

// A class by the catalogue's label ("transportschaarste, wachtrij" for red) when the layer's
// classes are the catalogue's, else its code.
std::string class_label(const layers::LayerKindInfo* kind, const std::string& code, bool nl) {
    if (kind) {
        for (const auto& c : kind->classes) {
            if (c.code == code) return nl ? c.label_nl : c.label_en;
        }
    }
    return code;
}

// What a factor measured for the candidate in `row`, from the columns `score` wrote.
std::string describe_metric(const ScoredRun& run, const Factor& f, std::size_t row, bool nl) {
    const Profile& p = run.profile;
    auto metric_text = [&](const std::string& metric) {
        if (metric == sc::kAreaHa) return metric + " = " + num(run.value(sc::kAreaHa, row), 2, nl);
        if (metric.rfind("attr.", 0) == 0) return metric + " = " + num(run.value(metric.substr(5), row), 3, nl);
        const auto dot = metric.find('.');
        const std::string layer = metric.substr(0, dot), rest = metric.substr(dot + 1), lc = column_part(layer);
        if (p.raster(layer)) {  // a raster metric the profile uses has a column of its own
            const double rv = run.value(schema::scored::raster_metric(column_part(metric)), row);
            return metric + " = " + num(rv, rest.find("m2") != std::string::npos ? 0 : 3, nl);
        }
        const LayerSpec* spec = p.layer(layer);
        const bool classes = spec && spec->kind == LayerKind::classes;
        const double area_m2 = run.value(sc::kAreaHa, row) * 1e4;
        double covered =
            classes ? 1.0 - run.value(sc::uncovered_share(lc), row) : run.value(sc::overlap_share(lc), row);
        double v = std::numeric_limits<double>::quiet_NaN();
        if (rest.rfind("share.", 0) == 0) v = run.value(sc::class_share(lc, column_part(rest.substr(6))), row);
        else if (rest.rfind("area_m2.", 0) == 0)
            v = run.value(sc::class_share(lc, column_part(rest.substr(8))), row) * area_m2;
        else if (rest == "covered_share") v = covered;
        else if (rest == "uncovered_share") v = 1.0 - covered;
        else if (rest == "covered_m2") v = covered * area_m2;
        else if (rest == "distance_m") v = run.value(sc::distance_m(lc), row);
        else if (rest == "count_within") v = run.value(sc::count_within(lc), row);  // points and lines layers
        else if (rest == "length_m") v = run.value(sc::length_m(lc), row);
        else if (rest == "length_within_m") v = run.value(sc::length_within_m(lc), row);
        const bool whole = rest.find("m2") != std::string::npos || rest == "distance_m" || rest == "count_within" ||
                           rest.rfind("length_", 0) == 0;
        return metric + " = " + num(v, whole ? 0 : 3, nl);
    };
    switch (f.kind) {
        case FactorKind::classes: {
            const LayerSpec* spec = p.layer(f.layer);
            std::vector<std::string> classes = spec ? spec->classes : std::vector<std::string>{};
            if (classes.empty())
                for (const auto& [k, v] : f.values) classes.push_back(k);
            const layers::LayerKindInfo* kind = catalogue_kind(spec, classes);
            std::string s;  // "; " between classes: a label may hold a comma
            for (const auto& c : classes) {
                const double share = run.value(sc::class_share(column_part(f.layer), column_part(c)), row);
                if (share > 0.0005) s += (s.empty() ? "" : "; ") + class_label(kind, c, nl) + " " + percent(share, nl);
            }
            const double outside = run.value(sc::uncovered_share(column_part(f.layer)), row);
            if (outside > 0.0005)
                s += (s.empty() ? "" : "; ") + std::string(nl ? "buiten de laag " : "outside the layer ") +
                     percent(outside, nl);
            return f.layer + ": " + (s.empty() ? "-" : s);
        }
        case FactorKind::linear:
            return metric_text(f.metric) + " (" + num(f.lower, 2, nl) + ".." + num(f.upper, 2, nl) + ", " +
                   (f.direction == Direction::rising ? (nl ? "stijgend" : "rising") : (nl ? "dalend" : "falling")) +
                   ")";
        case FactorKind::distance_decay: {
            const double d = run.value(sc::distance_m(column_part(f.layer)), row);
            return f.layer + ".distance_m = " + (std::isnan(d) ? std::string("-") : num(d, 0, nl) + " m") + " (" +
                   (f.shape == DecayShape::linear ? (nl ? "lineair tot " : "linear to ")
                                                  : (nl ? "halvering per " : "half per ")) +
                   num(f.distance_m, 0, nl) + " m)";
        }
    }
    return "";
}

std::vector<std::string> split_reasons(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find("; ", start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.push_back(s.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

CandidateExplanation explain_row(const ScoredRun& run, std::size_t row, bool nl) {
    CandidateExplanation e;
    e.id = run.ids[row];
    e.name = row < run.names.size() ? run.names[row] : "";
    e.profile = run.profile.name;
    e.aggregation = run.profile.aggregation;
    e.score = run.score[row];
    e.rank = run.rank[row];
    e.ranked_count = run.ranked_count();
    e.excluded = run.excluded[row] != 0;
    e.reasons = split_reasons(run.reasons[row]);
    for (const Factor& f : run.profile.factors) {
        FactorExplanation fe;
        fe.name = f.name;
        fe.metric = describe_metric(run, f, row, nl);
        fe.value = run.value(sc::factor_value(f.name), row);
        fe.contribution = run.value(sc::factor_contrib(f.name), row);
        if (std::isnan(fe.value) || std::isnan(fe.contribution)) {
            throw Error(ErrorKind::input,
                        "no column " + sc::factor_value(f.name) + " or " + sc::factor_contrib(f.name) +
                            " for factor '" + f.name + "' of the stored profile",
                        ErrorPlace::at(run.path, schema::kCandidatesScored),
                        "the file was changed after `ruimte score`; score again");
        }
        fe.weight = f.weight;
        e.contribution_sum += fe.contribution;
        e.factors.push_back(std::move(fe));
    }
    return e;
}

}  // namespace

CandidateExplanation explain_candidate(const ScoredRun& run, const std::string& id, const std::string& lang) {
    return explain_row(run, run.row(id), lang != "en");
}

CandidateExplanation explain_candidate_row(const ScoredRun& run, std::size_t row, const std::string& lang) {
    return explain_row(run, row, lang != "en");
}

CandidateComparison compare_candidates(const ScoredRun& run, const std::string& a, const std::string& b,
                                       const std::string& lang) {
    CandidateComparison c;
    c.a = explain_candidate(run, a, lang);
    c.b = explain_candidate(run, b, lang);
    c.gap = c.a.score - c.b.score;
    for (std::size_t f = 0; f < c.a.factors.size(); ++f) {
        FactorDifference d;
        d.name = c.a.factors[f].name;
        d.value_a = c.a.factors[f].value;
        d.value_b = c.b.factors[f].value;
        d.contribution_a = c.a.factors[f].contribution;
        d.contribution_b = c.b.factors[f].contribution;
        d.difference = d.contribution_a - d.contribution_b;
        d.share = std::fabs(c.gap) > 1e-12 ? d.difference / c.gap : std::numeric_limits<double>::quiet_NaN();
        c.factors.push_back(d);
    }
    std::stable_sort(c.factors.begin(), c.factors.end(), [](const FactorDifference& x, const FactorDifference& y) {
        return std::fabs(x.difference) > std::fabs(y.difference);
    });
    return c;
}

namespace {
std::string pad(const std::string& s, std::size_t width) {
    // Width in characters (UTF-8 continuation bytes do not count).
    std::size_t chars = 0;
    for (unsigned char ch : s) chars += (ch & 0xC0) != 0x80 ? 1 : 0;
    return chars >= width ? s + " " : s + std::string(width - chars, ' ');
}

// "17 Westrand 's-Gravenhage 2": the id, and the name beside it when there is one.
std::string who(const CandidateExplanation& e) {
    return e.name.empty() ? e.id : e.id + " " + e.name;
}

std::string rank_text(const CandidateExplanation& e, bool nl) {
    if (e.rank <= 0) return nl ? "geen rang (uitgesloten)" : "no rank (excluded)";
    return (nl ? "rang " : "rank ") + std::to_string(e.rank) + (nl ? " van " : " of ") + std::to_string(e.ranked_count);
}
}  // namespace

std::string render_explanation(const CandidateExplanation& e, const std::string& lang) {
    const bool nl = lang != "en";
    std::string out;
    out += (nl ? "Kandidaat " : "Candidate ") + who(e) + " (" + (nl ? "profiel " : "profile ") + e.profile +
           "): score " + num(e.score, 4, nl) + ", " + rank_text(e, nl) + "\n\n";
    std::size_t w_name = nl ? 10 : 10, w_metric = nl ? 7 : 7;
    for (const auto& f : e.factors) {
        w_name = std::max(w_name, f.name.size() + 2);
        w_metric = std::max(w_metric, f.metric.size() + 2);
    }
    out += pad(nl ? "criterium" : "criterion", w_name) + pad(nl ? "meting" : "metric", w_metric) +
           pad(nl ? "waarde" : "value", 8) + pad(nl ? "gewicht" : "weight", 9) + (nl ? "bijdrage" : "contribution") +
           "\n";
    for (const auto& f : e.factors) {
        out += pad(f.name, w_name) + pad(f.metric, w_metric) + pad(num(f.value, 3, nl), 8) +
               pad(num(f.weight, 3, nl), 9) + num(f.contribution, 4, nl) + "\n";
    }
    out += pad(nl ? "som van de bijdragen" : "sum of the contributions", w_name + w_metric + 17) +
           num(e.contribution_sum, 4, nl) + (nl ? "  (= score)" : "  (= score)") + "\n";
    if (e.aggregation == Aggregation::minimum) {
        out += nl ? "Aggregatie 'minimum': de zwakste factor bepaalt de score en draagt die geheel bij.\n"
                  : "Aggregation 'minimum': the weakest factor sets the score and carries all of it.\n";
    }
    out += "\n";
    if (e.reasons.empty()) {
        out += nl ? "Uitgesloten: nee\n" : "Excluded: no\n";
    } else {
        out += nl ? "Uitgesloten, omdat:\n" : "Excluded, because:\n";
        for (const auto& r : e.reasons) out += "  - " + r + "\n";
    }
    return out;
}

std::string render_comparison(const CandidateComparison& c, const std::string& lang) {
    const bool nl = lang != "en";
    std::string out;
    auto sign = [nl](double v, int d) { return (v > 0 ? "+" : "") + num(v, d, nl); };
    out += (nl ? "Kandidaat " : "Candidate ") + c.a.id + (nl ? " tegenover " : " versus ") + c.b.id + " (" +
           (nl ? "profiel " : "profile ") + c.a.profile + ")\n";
    out += "  " + who(c.a) + ": score " + num(c.a.score, 4, nl) + ", " + rank_text(c.a, nl) + "\n";
    out += "  " + who(c.b) + ": score " + num(c.b.score, 4, nl) + ", " + rank_text(c.b, nl) + "\n";
    out += (nl ? "  verschil in score: " : "  score difference: ") + sign(c.gap, 4) + "\n\n";
    std::size_t w = 12;
    for (const auto& f : c.factors) w = std::max(w, f.name.size() + 2);
    const std::string va = (nl ? "waarde " : "value ") + c.a.id, vb = (nl ? "waarde " : "value ") + c.b.id;
    const std::string ca = (nl ? "bijdrage " : "contrib. ") + c.a.id, cb = (nl ? "bijdrage " : "contrib. ") + c.b.id;
    const std::size_t wv = std::max<std::size_t>(10, std::max(va.size(), vb.size()) + 2),
                      wc = std::max<std::size_t>(12, std::max(ca.size(), cb.size()) + 2);
    out += pad(nl ? "criterium" : "criterion", w) + pad(va, wv) + pad(vb, wv) + pad(ca, wc) + pad(cb, wc) +
           pad(nl ? "verschil" : "difference", 12) + (nl ? "aandeel" : "share") + "\n";
    for (const auto& f : c.factors) {
        out += pad(f.name, w) + pad(num(f.value_a, 3, nl), wv) + pad(num(f.value_b, 3, nl), wv) +
               pad(num(f.contribution_a, 4, nl), wc) + pad(num(f.contribution_b, 4, nl), wc) +
               pad(sign(f.difference, 4), 12) + (std::isnan(f.share) ? "-" : percent(f.share, nl)) + "\n";
    }
    out += "\n";
    // Per side, the criteria that favour it, by how much (contribution points).
    std::string for_a, for_b;
    for (const auto& f : c.factors) {
        if (std::fabs(f.difference) < 5e-5) continue;
        std::string& list = f.difference > 0 ? for_a : for_b;
        list += (list.empty() ? "" : ", ") + f.name + " (" + num(std::fabs(f.difference), 4, nl) + ")";
    }
    if (for_a.empty() && for_b.empty())
        out += nl ? "De criteria geven geen verschil.\n" : "The criteria make no difference.\n";
    const bool a_first = c.gap >= 0;
    for (const auto* side : {a_first ? &c.a : &c.b, a_first ? &c.b : &c.a}) {
        const std::string& list = side == &c.a ? for_a : for_b;
        if (!list.empty()) out += (nl ? "In het voordeel van " : "In favour of ") + who(*side) + ": " + list + "\n";
    }
    if (c.a.excluded || c.b.excluded) {
        for (const auto* e : {&c.a, &c.b}) {
            if (!e->excluded) continue;
            out += (nl ? "Kandidaat " : "Candidate ") + who(*e) + (nl ? " is uitgesloten: " : " is excluded: ");
            for (std::size_t i = 0; i < e->reasons.size(); ++i) out += (i ? "; " : "") + e->reasons[i];
            out += "\n";
        }
    }
    return out;
}

}  // namespace ruimte
