#include "spatial/jobs/compare.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"

namespace ruimte {

std::string to_string(TopChange c) {
    switch (c) {
        case TopChange::entry: return "entry";
        case TopChange::exit: return "exit";
        case TopChange::stays: return "stays";
        case TopChange::outside: return "outside";
        case TopChange::excluded: return "excluded";
        case TopChange::unmatched: return "unmatched";
    }
    return "?";
}

namespace {
// Numeric ids sort as numbers, text ids as text.
bool id_before(const std::string& x, const std::string& y, bool numeric) {
    if (numeric) {
        const long long a = std::stoll(x), b = std::stoll(y);
        if (a != b) return a < b;
    }
    return x < y;
}
}  // namespace

RunComparison compare_runs(const ScoredRun& a, const ScoredRun& b, std::size_t top_k) {
    if (top_k == 0) throw Error(ErrorKind::usage, "--top must be at least 1");
    RunComparison c;
    c.profile_a = a.profile.name;
    c.profile_b = b.profile.name;
    c.top_k = top_k;
    std::map<std::string, RankChangeRow> rows;
    for (std::size_t i = 0; i < a.ids.size(); ++i) {
        RankChangeRow& r = rows[a.ids[i]];
        r.id = a.ids[i];
        r.in_a = true;
        r.row_a = i;
        r.rank_a = a.rank[i];
        r.score_a = a.score[i];
    }
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
        RankChangeRow& r = rows[b.ids[i]];
        r.id = b.ids[i];
        r.in_b = true;
        r.row_b = i;
        r.rank_b = b.rank[i];
        r.score_b = b.score[i];
    }
    const auto k = static_cast<std::int64_t>(top_k);
    std::vector<std::pair<double, double>> both;
    for (auto& [id, r] : rows) {
        const bool top_a = r.rank_a > 0 && r.rank_a <= k, top_b = r.rank_b > 0 && r.rank_b <= k;
        if (!r.in_a || !r.in_b) r.change = TopChange::unmatched;
        else if (top_a && top_b) r.change = TopChange::stays;
        else if (top_b) r.change = TopChange::entry;
        else if (top_a) r.change = TopChange::exit;
        else if (r.rank_a == 0 || r.rank_b == 0) r.change = TopChange::excluded;
        else r.change = TopChange::outside;
        c.entries += r.change == TopChange::entry ? 1 : 0;
        c.exits += r.change == TopChange::exit ? 1 : 0;
        if (r.in_a && r.in_b && r.rank_a > 0 && r.rank_b > 0) {
            c.moved += r.rank_a != r.rank_b ? 1 : 0;
            both.emplace_back(static_cast<double>(r.rank_a), static_cast<double>(r.rank_b));
        }
        c.rows.push_back(r);
    }
    const bool numeric = a.integer_ids && b.integer_ids;
    std::sort(c.rows.begin(), c.rows.end(),
              [&](const RankChangeRow& x, const RankChangeRow& y) { return id_before(x.id, y.id, numeric); });
    // Spearman's rho on the ranks re-numbered within the common set (Pearson of the ranks).
    if (both.size() >= 2) {
        auto rerank = [&](bool first) {
            std::vector<std::size_t> idx(both.size());
            for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
            std::sort(idx.begin(), idx.end(), [&](std::size_t x, std::size_t y) {
                return first ? both[x].first < both[y].first : both[x].second < both[y].second;
            });
            std::vector<double> r(both.size());
            for (std::size_t i = 0; i < idx.size(); ++i) r[idx[i]] = static_cast<double>(i + 1);
            return r;
        };
        const std::vector<double> ra = rerank(true), rb = rerank(false);
        const double n = static_cast<double>(both.size());
        double d2 = 0;
        for (std::size_t i = 0; i < ra.size(); ++i) d2 += (ra[i] - rb[i]) * (ra[i] - rb[i]);
        c.spearman = 1.0 - 6.0 * d2 / (n * (n * n - 1.0));
    } else {
        c.spearman = std::nan("");
    }
    return c;
}

void write_comparison(const RunComparison& c, const ScoredRun& a, const ScoredRun& b, const std::string& output,
                      bool overwrite, const std::string& command_line) {
    // Not pinned: compare's output records when it was made (no --timestamp).
    RunOutput out(output, overwrite, {a.path, b.path}, "");
    {
        GDALDataset* ds = &out.dataset();
        const std::string k = std::to_string(c.top_k);
        OGRLayer* rc = create_layer(
            *ds, output, "rank_change", wkbMultiPolygon,
            "Rank in A ('" + c.profile_a + "') and B ('" + c.profile_b + "'); rank_change > 0: better in B");
        OGRLayer* tc = create_layer(*ds, output, "top_changes", wkbNone, "Entries into and exits from the top " + k);
        const bool int_ids = a.integer_ids && b.integer_ids;
        for (OGRLayer* l : {rc, tc}) {
            add_field(*l, output, "candidate_id", int_ids ? OFTInteger64 : OFTString);
            add_field(*l, output, "rank_a", OFTInteger64);
            add_field(*l, output, "rank_b", OFTInteger64);
            add_field(*l, output, "rank_change", OFTInteger64);
            add_field(*l, output, "score_a", OFTReal);
            add_field(*l, output, "score_b", OFTReal);
            add_field(*l, output, "change", OFTString);
        }
        add_field(*rc, output, "reasons_a", OFTString);
        add_field(*rc, output, "reasons_b", OFTString);
        auto fill = [&](OGRFeature& f, const RankChangeRow& r) {
            if (int_ids) f.SetField(0, static_cast<GIntBig>(std::stoll(r.id)));
            else f.SetField(0, r.id.c_str());
            if (r.rank_a > 0) f.SetField(1, static_cast<GIntBig>(r.rank_a));
            if (r.rank_b > 0) f.SetField(2, static_cast<GIntBig>(r.rank_b));
            if (r.rank_a > 0 && r.rank_b > 0) f.SetField(3, static_cast<GIntBig>(r.rank_a - r.rank_b));
            if (r.in_a) f.SetField(4, r.score_a);
            if (r.in_b) f.SetField(5, r.score_b);
            f.SetField(6, to_string(r.change).c_str());
        };
        begin_transaction(*ds, output);
        for (const RankChangeRow& r : c.rows) {
            OGRFeature f(rc->GetLayerDefn());
            fill(f, r);
            if (r.in_a) f.SetField(7, a.reasons[r.row_a].c_str());
            if (r.in_b) f.SetField(8, b.reasons[r.row_b].c_str());
            const std::vector<unsigned char>& wkb = r.in_b ? b.wkb.at(r.row_b) : a.wkb.at(r.row_a);
            if (!wkb.empty()) {
                OGRGeometry* g = nullptr;
                if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &g, wkb.size()) == OGRERR_NONE && g) {
                    f.SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(g));
                }
            }
            write_feature(*rc, output, f);
        }
        std::vector<const RankChangeRow*> moves;
        for (const auto& r : c.rows) {
            if (r.change == TopChange::entry || r.change == TopChange::exit) moves.push_back(&r);
        }
        std::stable_sort(moves.begin(), moves.end(), [](const RankChangeRow* x, const RankChangeRow* y) {
            const auto best = [](const RankChangeRow* r) {
                return std::min(r->rank_a > 0 ? r->rank_a : INT64_MAX, r->rank_b > 0 ? r->rank_b : INT64_MAX);
            };
            return best(x) < best(y);
        });
        for (const RankChangeRow* r : moves) {
            OGRFeature f(tc->GetLayerDefn());
            fill(f, *r);
            write_feature(*tc, output, f);
        }
        commit_transaction(*ds, output);
        out.start_writeback();
        out.stamp(command_line);
        out.metadata("RUIMTE_COMPARE_A", a.path);
        out.metadata("RUIMTE_COMPARE_B", b.path);
        out.metadata("RUIMTE_COMPARE_TOP", k);
    }
    out.close(run_timestamp(""), std::nullopt);  // with the default style of rank_change
    out.commit();
}

std::string render_run_comparison(const RunComparison& c, const std::string& lang) {
    const bool nl = lang != "en";
    char buf[256];
    std::string out;
    const std::string k = std::to_string(c.top_k);
    out += (nl ? "A: profiel " : "A: profile ") + c.profile_a + "\n" + (nl ? "B: profiel " : "B: profile ") +
           c.profile_b + "\n\n";
    out += (nl ? "Top " + k + " van B:\n" : "Top " + k + " of B:\n");
    std::snprintf(buf, sizeof buf, "  %-6s %-16s %-8s %-8s %s\n", nl ? "rang B" : "rank B", "id",
                  nl ? "rang A" : "rank A", nl ? "verschil" : "change", nl ? "status" : "status");
    out += buf;
    std::vector<const RankChangeRow*> top_b, exits;
    for (const auto& r : c.rows) {
        if (r.rank_b > 0 && r.rank_b <= static_cast<std::int64_t>(c.top_k)) top_b.push_back(&r);
        if (r.change == TopChange::exit) exits.push_back(&r);
    }
    std::sort(top_b.begin(), top_b.end(),
              [](const RankChangeRow* x, const RankChangeRow* y) { return x->rank_b < y->rank_b; });
    std::sort(exits.begin(), exits.end(),
              [](const RankChangeRow* x, const RankChangeRow* y) { return x->rank_a < y->rank_a; });
    auto status = [&](TopChange t) -> std::string {
        if (!nl)
            return t == TopChange::entry   ? "new in top " + k
                   : t == TopChange::exit  ? "left top " + k
                   : t == TopChange::stays ? "stays"
                                           : to_string(t);
        return t == TopChange::entry   ? "nieuw in top " + k
               : t == TopChange::exit  ? "uit top " + k
               : t == TopChange::stays ? "blijft"
                                       : to_string(t);
    };
    auto rank_or_dash = [](std::int64_t r) { return r > 0 ? std::to_string(r) : std::string("-"); };
    for (const auto* r : top_b) {
        const std::string change =
            r->rank_a > 0 ? (r->rank_a - r->rank_b > 0 ? "+" : "") + std::to_string(r->rank_a - r->rank_b) : "-";
        std::snprintf(buf, sizeof buf, "  %-6lld %-16s %-8s %-8s %s\n", static_cast<long long>(r->rank_b),
                      r->id.c_str(), rank_or_dash(r->rank_a).c_str(), change.c_str(), status(r->change).c_str());
        out += buf;
    }
    if (!exits.empty()) {
        out += nl ? "\nUit de top " + k + " van A:\n" : "\nLeft the top " + k + " of A:\n";
        for (const auto* r : exits) {
            std::snprintf(buf, sizeof buf, "  %-16s %s %-6s %s %s\n", r->id.c_str(), nl ? "rang A" : "rank A",
                          rank_or_dash(r->rank_a).c_str(), nl ? "-> rang B" : "-> rank B",
                          rank_or_dash(r->rank_b).c_str());
            out += buf;
        }
    }
    std::snprintf(
        buf, sizeof buf,
        nl ? "\n%zu nieuw in en %zu uit de top %zu; %zu kandidaten van rang veranderd; Spearman rho %.3f\n"
           : "\n%zu entries into and %zu exits from the top %zu; %zu candidates changed rank; Spearman rho %.3f\n",
        c.entries, c.exits, c.top_k, c.moved, c.spearman);
    out += buf;
    return out;
}

}  // namespace ruimte
