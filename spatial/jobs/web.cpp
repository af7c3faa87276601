#include "spatial/jobs/web.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <utility>

#include "spatial/core/error.hpp"
#include "spatial/criteria/explain.hpp"
#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/read_check.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/attribution.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte::web_assets {
// web/page.html, web/app.js and OpenLayers, embedded at build time (web/embed.cmake).
extern const bool page_html_present, app_js_present, ol_js_present, ol_css_present;
extern const std::size_t page_html_size, app_js_size, ol_js_size, ol_css_size;
extern const unsigned char page_html[], app_js[], ol_js[], ol_css[];
}  // namespace ruimte::web_assets

namespace ruimte {

namespace {

using nlohmann::json;

std::string asset(const unsigned char* bytes, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(bytes), size);
}

// A geometry for the screen: simplified with GEOS's topology-preserving simplifier (rings stay
// rings, holes stay inside, nothing collapses), coordinates rounded to whole metres, as
// polygons of rings, each ring [x0, y0, dx1, dy1, ...] (the first point, then steps).
struct Encoder {
    geos::Context ctx;
    double tolerance = 1;
    std::size_t vertices_in = 0, vertices_out = 0;
    std::size_t steps = 0;  // features seen, for the Ctrl-C checks

    json ring(const GEOSGeometry* r) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(ctx.handle(), r);
        unsigned int n = 0;
        GEOSCoordSeq_getSize_r(ctx.handle(), seq, &n);
        json out = json::array();
        long long px = 0, py = 0;
        for (unsigned int i = 0; i < n; ++i) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(ctx.handle(), seq, i, &x, &y);
            const long long qx = std::llround(x), qy = std::llround(y);
            if (i > 0 && qx == px && qy == py) continue;
            out.push_back(i == 0 ? qx : qx - px);
            out.push_back(i == 0 ? qy : qy - py);
            px = qx;
            py = qy;
            ++vertices_out;
        }
        return out;
    }

    json polygon(const GEOSGeometry* p) {
        json out = json::array();
        out.push_back(ring(GEOSGetExteriorRing_r(ctx.handle(), p)));
        const int holes = GEOSGetNumInteriorRings_r(ctx.handle(), p);
        for (int h = 0; h < holes; ++h) out.push_back(ring(GEOSGetInteriorRingN_r(ctx.handle(), p, h)));
        return out;
    }

    // Polygons and multipolygons as a list of polygons; lines and points are left out (empty).
    // `anchor`, when given, gets a point on the surface (GEOS PointOnSurface, whole metres),
    // where the page draws a small candidate's marker and its rank.
    json encode(const unsigned char* wkb, std::size_t size, json* anchor = nullptr) {
        json out = json::array();
        if (size == 0) {
            if (anchor) *anchor = json::array({0, 0});
            return out;
        }
        const geos::Geom g = geos::from_wkb(ctx, wkb, size);
        if (anchor) {
            const geos::Geom p = geos::own(ctx, GEOSPointOnSurface_r(ctx.handle(), g.get()), "point on surface");
            double x = 0, y = 0;
            if (!geos::is_empty(ctx, p.get())) {
                GEOSGeomGetX_r(ctx.handle(), p.get(), &x);
                GEOSGeomGetY_r(ctx.handle(), p.get(), &y);
            }
            *anchor = json::array({std::llround(x), std::llround(y)});
        }
        vertices_in += geos::num_points(ctx, g.get());
        const geos::Geom s =
            geos::own(ctx, GEOSTopologyPreserveSimplify_r(ctx.handle(), g.get(), tolerance), "simplify for the screen");
        const int type = GEOSGeomTypeId_r(ctx.handle(), s.get());
        if (type == GEOS_POLYGON) {
            out.push_back(polygon(s.get()));
        } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
            for (int i = 0; i < GEOSGetNumGeometries_r(ctx.handle(), s.get()); ++i) {
                const GEOSGeometry* part = GEOSGetGeometryN_r(ctx.handle(), s.get(), i);
                if (GEOSGeomTypeId_r(ctx.handle(), part) == GEOS_POLYGON) out.push_back(polygon(part));
            }
        }
        return out;
    }
};

struct OpenLayer {
    std::unique_ptr<GDALDataset> ds;
    OGRLayer* layer = nullptr;
    std::string path, name;
};

OpenLayer open_vector(const std::string& source, const char* default_layer) {
    ensure_gdal();
    const SourceSpec spec = parse_source(source);
    OpenLayer out;
    out.path = spec.path;
    out.ds.reset(GDALDataset::Open(spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!out.ds) {
        throw Error(ErrorKind::input, "cannot open: " + gdal_last_error(), ErrorPlace::at(spec.path, spec.layer),
                    "check the path; give FILE[:LAYER]");
    }
    const std::string want = spec.layer.empty() && default_layer ? default_layer : spec.layer;
    if (!want.empty()) out.layer = out.ds->GetLayerByName(want.c_str());
    for (int i = 0; want.empty() && i < out.ds->GetLayerCount() && !out.layer; ++i) {
        if (out.ds->GetLayer(i)->GetGeomType() != wkbNone) out.layer = out.ds->GetLayer(i);
    }
    if (!out.layer) {
        throw Error(ErrorKind::input, "no layer '" + want + "'", ErrorPlace::at(spec.path, want),
                    "name a layer as FILE:LAYER (ruimte info FILE lists them)");
    }
    out.name = out.layer->GetName();
    return out;
}

std::string description_of(OGRLayer& l) {
    const char* d = l.GetMetadataItem("DESCRIPTION");
    return d ? d : "";
}

// A context layer: its features in EPSG:28992, simplified, with the name in `naam` if any.
json read_context(const std::string& source, Encoder& enc, std::vector<std::string>& descriptions, std::size_t& count) {
    OpenLayer l = open_vector(source, nullptr);
    descriptions.push_back(description_of(*l.layer));
    std::unique_ptr<OGRCoordinateTransformation> ct;
    if (const OGRSpatialReference* srs = l.layer->GetSpatialRef(); srs && !srs->IsSame(&rd_new())) {
        OGRSpatialReference src(*srs);
        src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        ct.reset(OGRCreateCoordinateTransformation(&src, &rd_new()));
    }
    const int f_name = l.layer->GetLayerDefn()->GetFieldIndex("naam");
    json names = json::array(), geoms = json::array();
    l.layer->ResetReading();
    LayerReadCheck read_check(*l.layer, l.ds.get(), l.layer->GetFeatureCount(FALSE), ErrorPlace::at(l.path, l.name));
    for (auto& f : *l.layer) {
        if (++enc.steps % 256 == 0) throw_if_cancelled();
        read_check.feature(f->GetFID());
        OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        std::unique_ptr<OGRGeometry> copy(g->clone());
        if (ct && copy->transform(ct.get()) != OGRERR_NONE) {
            throw Error(ErrorKind::input, "cannot reproject the feature to EPSG:28992",
                        ErrorPlace::at(l.path, l.name, f->GetFID()), "check the layer's CRS");
        }
        std::vector<unsigned char> wkb(copy->WkbSize());
        copy->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
        geoms.push_back(enc.encode(wkb.data(), wkb.size()));
        names.push_back(f_name >= 0 ? f->GetFieldAsString(f_name) : "");
        ++count;
    }
    read_check.end();
    return json{{"name", l.name}, {"source", source}, {"names", names}, {"geom", geoms}};
}

// The robust selection's frequencies (table selection_frequency of `select --draws` or
// `--weight-sets`), into freq by the scored file's rows; false when the file has no such table.
bool read_frequency_table(GDALDataset& ds, const std::string& path, const std::map<std::string, std::size_t>& row,
                          json& freq) {
    OGRLayer* layer = ds.GetLayerByName(schema::kSelectionFrequency);
    if (!layer) return false;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int f_id = defn->GetFieldIndex(schema::selection_frequency::kCandidateId),
              f_freq = defn->GetFieldIndex(schema::selection_frequency::kFrequency);
    if (f_id < 0 || f_freq < 0) return false;
    layer->ResetReading();
    LayerReadCheck read_check(*layer, &ds, layer->GetFeatureCount(FALSE),
                              ErrorPlace::at(path, schema::kSelectionFrequency));
    for (auto& f : *layer) {
        read_check.feature(f->GetFID());
        const auto it = row.find(f->GetFieldAsString(f_id));
        if (it != row.end() && f->IsFieldSetAndNotNull(f_freq)) freq[it->second] = f->GetFieldAsDouble(f_freq);
    }
    read_check.end();
    return true;
}

// The selection: per candidate (in the scored file's order) selected 0/1 and, when the file
// has it, the selection frequency (robust selection).
json read_selection(const std::string& source, const ScoredRun& run, std::size_t& selected) {
    OpenLayer l = open_vector(source, schema::kCandidatesSelected);
    OGRFeatureDefn* defn = l.layer->GetLayerDefn();
    const int f_id = defn->GetFieldIndex(schema::scored::kCandidateId),
              f_sel = defn->GetFieldIndex(schema::selected::kSelected);
    int f_freq = defn->GetFieldIndex(schema::selected::kSelectionFrequency);
    if (f_freq < 0) f_freq = defn->GetFieldIndex(schema::selection_frequency::kFrequency);
    if (f_id < 0 || (f_sel < 0 && f_freq < 0)) {
        throw Error(ErrorKind::input, "no columns candidate_id and selected (or selection_frequency)",
                    ErrorPlace::at(l.path, l.name), "give the output of `ruimte select`");
    }
    std::map<std::string, std::size_t> row;
    for (std::size_t r = 0; r < run.ids.size(); ++r) row.emplace(run.ids[r], r);
    json sel = json::array(), freq = json::array();
    for (std::size_t r = 0; r < run.ids.size(); ++r) {
        sel.push_back(0);
        freq.push_back(nullptr);
    }
    l.layer->ResetReading();
    LayerReadCheck read_check(*l.layer, l.ds.get(), l.layer->GetFeatureCount(FALSE), ErrorPlace::at(l.path, l.name));
    for (auto& f : *l.layer) {
        read_check.feature(f->GetFID());
        const auto it = row.find(f->GetFieldAsString(f_id));
        if (it == row.end()) continue;
        const bool s = f_sel >= 0 && f->GetFieldAsInteger(f_sel) != 0;
        sel[it->second] = s ? 1 : 0;
        selected += s ? 1 : 0;
        if (f_freq >= 0 && f->IsFieldSetAndNotNull(f_freq)) freq[it->second] = f->GetFieldAsDouble(f_freq);
    }
    read_check.end();
    const bool table = f_freq < 0 && read_frequency_table(*l.ds, l.path, row, freq);
    return json{{"source", source}, {"selected", sel}, {"frequency", f_freq >= 0 || table ? freq : json(nullptr)}};
}

// Per candidate the position of its id in id order (numeric ids numerically, text ids
// bytewise), the tie-break of `score`'s ranking (id_less).
std::vector<std::size_t> id_positions(const ScoredRun& run) {
    std::vector<std::size_t> order(run.ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<long long> num(run.ids.size(), 0);
    if (run.integer_ids) {
        for (std::size_t i = 0; i < run.ids.size(); ++i) num[i] = std::stoll(run.ids[i]);
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return run.integer_ids ? num[a] < num[b] : run.ids[a] < run.ids[b];
    });
    std::vector<std::size_t> pos(order.size());
    for (std::size_t k = 0; k < order.size(); ++k) pos[order[k]] = k;
    return pos;
}

json profile_json(const Profile& p) {
    json factors = json::array();
    for (const auto& f : p.factors) {
        const char* kind = f.kind == FactorKind::classes  ? "classes"
                           : f.kind == FactorKind::linear ? "linear"
                                                          : "distance_decay";
        factors.push_back({{"name", f.name}, {"kind", kind}, {"weight_given", f.weight_given}, {"weight", f.weight}});
    }
    return json{{"name", p.name},
                {"path", p.path},
                {"aggregation", p.aggregation == Aggregation::minimum ? "minimum" : "weighted_sum"},
                {"ahp", p.ahp.has_value()},
                {"text", p.text},
                {"factors", factors}};
}

// The text columns of candidates_scored the page shows (name and municipality, when there).
void read_labels(const std::string& path, std::size_t n, json& names, json& municipalities) {
    OpenLayer l = open_vector(path, schema::kCandidatesScored);
    OGRFeatureDefn* defn = l.layer->GetLayerDefn();
    const int f_name = defn->GetFieldIndex("naam"), f_gem = defn->GetFieldIndex("gemeente");
    names = json::array();
    municipalities = json::array();
    l.layer->ResetReading();
    for (auto& f : *l.layer) {
        names.push_back(f_name >= 0 ? f->GetFieldAsString(f_name) : "");
        municipalities.push_back(f_gem >= 0 ? f->GetFieldAsString(f_gem) : "");
    }
    if (names.size() != n) {
        throw Error(ErrorKind::input, "the layer changed while it was read",
                    ErrorPlace::at(path, schema::kCandidatesScored), "run again when no other program writes the file");
    }
}

double default_tolerance(const ScoredRun& run, Encoder& enc) {
    double xmin = HUGE_VAL, ymin = HUGE_VAL, xmax = -HUGE_VAL, ymax = -HUGE_VAL;
    for (const auto& w : run.wkb) {
        if (++enc.steps % 256 == 0) throw_if_cancelled();
        if (w.empty()) continue;
        const geos::Geom g = geos::from_wkb(enc.ctx, w.data(), w.size());
        const geos::Box b = geos::envelope(enc.ctx, g.get());
        xmin = std::min(xmin, b.xmin);
        ymin = std::min(ymin, b.ymin);
        xmax = std::max(xmax, b.xmax);
        ymax = std::max(ymax, b.ymax);
    }
    if (!(xmax > xmin)) return 1;
    return std::max(1.0, std::max(xmax - xmin, ymax - ymin) / 2000.0);
}

// The candidates: ids, labels, exclusion, the stored score and rank, factor values, geometry.
json candidates_json(const ScoredRun& run, const std::string& lang, Encoder& enc, WebSummary& summary) {
    const std::size_t n = run.ids.size();
    json c;
    c["integer_ids"] = run.integer_ids;
    json ids = json::array();
    for (std::size_t r = 0; r < n; ++r) {
        if (run.integer_ids) ids.push_back(std::stoll(run.ids[r]));
        else ids.push_back(run.ids[r]);
    }
    c["id"] = std::move(ids);
    const std::vector<std::size_t> pos = id_positions(run);
    c["id_order"] = pos;
    c["excluded"] = run.excluded;
    c["reasons"] = run.reasons;
    c["score"] = run.score;
    c["rank"] = run.rank;
    json metrics = json::array();  // [candidate][factor]: what was measured, as `ruimte explain` says
    for (std::size_t r = 0; r < n; ++r) {
        if (r % 256 == 0) throw_if_cancelled();
        json m = json::array();
        for (const auto& f : explain_candidate_row(run, r, lang).factors) m.push_back(f.metric);
        metrics.push_back(std::move(m));
    }
    c["metric"] = std::move(metrics);
    json values = json::array();  // [candidate][factor], as `score` wrote them (f_<name>_value)
    for (std::size_t r = 0; r < n; ++r) {
        if (r % 256 == 0) throw_if_cancelled();
        json v = json::array();
        for (const auto& f : run.profile.factors) {
            const double x = run.value(schema::scored::factor_value(f.name), r);
            if (std::isnan(x)) {
                throw Error(ErrorKind::input, "no value in column " + schema::scored::factor_value(f.name),
                            ErrorPlace::at(run.path, schema::kCandidatesScored),
                            "give the GeoPackage written by `ruimte score` with this profile");
            }
            v.push_back(x);
        }
        values.push_back(std::move(v));
        summary.excluded += run.excluded[r] ? 1 : 0;
    }
    c["values"] = std::move(values);
    json geom = json::array(), anchors = json::array();
    for (const auto& w : run.wkb) {
        if (++enc.steps % 256 == 0) throw_if_cancelled();
        json anchor;
        geom.push_back(enc.encode(w.data(), w.size(), &anchor));
        anchors.push_back(std::move(anchor));
    }
    c["geom"] = std::move(geom);
    c["anchor"] = std::move(anchors);
    summary.candidates = n;
    summary.factors = run.profile.factors.size();
    return c;
}

// JSON inside <script type="application/json">: '<' escaped so that no "</script>" ends it. The
// text is made by nlohmann's serializer straight into this adapter, which escapes as it goes
// and looks at Ctrl-C every megabyte (a page of 160,000 candidates is some hundred MB of JSON).
class ScriptSafeJson : public nlohmann::detail::output_adapter_protocol<char> {
  public:
    explicit ScriptSafeJson(std::string& out) : out_(out) {}
    void write_character(char c) override { write_characters(&c, 1); }
    void write_characters(const char* s, std::size_t n) override {
        for (std::size_t i = 0; i < n; ++i) {
            if (s[i] == '<') out_ += "\\u003c";
            else out_ += s[i];
        }
        if ((since_check_ += n) >= (1u << 20)) {
            since_check_ = 0;
            throw_if_cancelled();
        }
    }

  private:
    std::string& out_;
    std::size_t since_check_ = 0;
};

std::string script_safe_json(const json& data) {
    std::string out;
    nlohmann::detail::serializer<json> serializer(std::make_shared<ScriptSafeJson>(out), ' ');
    serializer.dump(data, false, false, 0);
    return out;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += ch;
        }
    }
    return out;
}

// The template with every marker replaced, in one pass over the template only: text put in
// (a title, the data) is never searched for markers itself.
std::string fill_template(const std::string& tpl, const std::vector<std::pair<std::string, std::string>>& fills) {
    std::string out;
    std::size_t at = 0;
    std::vector<bool> used(fills.size(), false);
    while (true) {
        std::size_t best = std::string::npos, which = 0;
        for (std::size_t i = 0; i < fills.size(); ++i) {
            const std::size_t p = tpl.find(fills[i].first, at);
            if (p < best) {
                best = p;
                which = i;
            }
        }
        if (best == std::string::npos) break;
        out.append(tpl, at, best - at);
        out += fills[which].second;
        used[which] = true;
        at = best + fills[which].first.size();
    }
    out.append(tpl, at, std::string::npos);
    for (std::size_t i = 0; i < fills.size(); ++i) {
        if (!used[i]) throw Error(ErrorKind::internal, "the page template has no " + fills[i].first);
    }
    return out;
}

// OpenLayers without its source-map comment (a request DevTools would make).
std::string openlayers_js() {
    std::string js = asset(web_assets::ol_js, web_assets::ol_js_size);
    const std::size_t map = js.rfind("//# sourceMappingURL=");
    if (map != std::string::npos) js.erase(map);
    return js;
}

std::string make_page(const WebRequest& req, const json& data, const std::string& title) {
    return fill_template(asset(web_assets::page_html, web_assets::page_html_size),
                         {{"@RUIMTE_LANG@", req.lang},
                          {"@RUIMTE_TITLE@", html_escape(title)},
                          {"/*@RUIMTE_OL_CSS@*/", asset(web_assets::ol_css, web_assets::ol_css_size)},
                          {"/*@RUIMTE_OL_JS@*/", openlayers_js()},
                          {"/*@RUIMTE_APP_JS@*/", asset(web_assets::app_js, web_assets::app_js_size)},
                          {"@RUIMTE_DATA@", script_safe_json(data)}});
}

void write_page(const WebRequest& req, const std::string& page, const std::vector<std::string>& inputs) {
    AtomicOutput out(req.output, req.overwrite, inputs);
    std::FILE* f = std::fopen(out.temp_path().c_str(), "wb");
    const bool ok = f && std::fwrite(page.data(), 1, page.size(), f) == page.size();
    if (f && std::fclose(f) != 0) f = nullptr;
    if (!ok || !f) {
        throw Error(ErrorKind::output, "cannot write the page", ErrorPlace::at(req.output),
                    "check free disk space and write permission in the output folder");
    }
    if (req.control.cancel && req.control.cancel->load())
        throw Error(ErrorKind::cancelled, "interrupted; no page was written");
    out.commit();
}

void check_cancel(const WebRequest& req) {
    if (req.control.cancel && req.control.cancel->load())
        throw Error(ErrorKind::cancelled, "interrupted; no page was written");
}

}  // namespace

WebSummary run_web(const WebRequest& req) {
    if (!web_assets::ol_js_present || !web_assets::page_html_present) {
        throw Error(ErrorKind::internal, "this ruimte was built without OpenLayers (web/node_modules)",
                    ErrorPlace::at(req.output), "run scripts/setup.sh (it runs npm ci in web/), then rebuild");
    }
    std::vector<std::string> inputs{req.scored};
    for (const auto& c : req.context) inputs.push_back(parse_source(c).path);
    if (!req.selection.empty()) inputs.push_back(parse_source(req.selection).path);
    check_output_path(req.output, req.overwrite, inputs);

    WebSummary summary;
    const ScoredRun run = read_scored_run(req.scored, true);
    check_cancel(req);
    Encoder enc;
    enc.tolerance = req.tolerance_m > 0 ? req.tolerance_m : default_tolerance(run, enc);
    summary.tolerance_m = enc.tolerance;

    json data;
    data["lang"] = req.lang;
    data["source"] = req.scored;
    data["tolerance_m"] = enc.tolerance;
    data["profile"] = profile_json(run.profile);
    json candidates = candidates_json(run, req.lang, enc, summary);
    read_labels(req.scored, run.ids.size(), candidates["name"], candidates["gemeente"]);
    data["candidates"] = std::move(candidates);
    check_cancel(req);

    std::vector<std::string> descriptions;
    {
        OpenLayer main = open_vector(req.scored, schema::kCandidatesScored);
        descriptions.push_back(description_of(*main.layer));
    }
    json context = json::array();
    for (const auto& c : req.context) context.push_back(read_context(c, enc, descriptions, summary.context_features));
    data["context"] = std::move(context);
    data["selection"] = req.selection.empty() ? json(nullptr) : read_selection(req.selection, run, summary.selected);
    const std::optional<std::string> manifest = read_manifest(req.scored);
    data["manifest"] = manifest ? json::parse(*manifest, nullptr, false) : json(nullptr);
    const std::string attribution = attribution_line(req.scored, descriptions, req.lang == "en");
    summary.synthetic = attribution.find("synthe") != std::string::npos;
    data["attribution"] = attribution;
    data["synthetic"] = summary.synthetic;
    summary.vertices_in = enc.vertices_in;
    summary.vertices_out = enc.vertices_out;
    check_cancel(req);

    const std::string title = req.title.empty() ? "ruimte - " + run.profile.name : req.title;
    data["title"] = title;
    const std::string page = make_page(req, data, title);
    summary.bytes = page.size();
    write_page(req, page, inputs);
    return summary;
}

}  // namespace ruimte
