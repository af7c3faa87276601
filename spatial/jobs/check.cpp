#include "spatial/jobs/check.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/io/source.hpp"
#include "spatial/jobs/check_map.hpp"
#include "spatial/jobs/check_raster_themes.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/schema.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte {

bool above_sliver(double class_m2, double area_m2, const SliverRule& rule) {
    return class_m2 > rule.m2 && class_m2 > rule.share * area_m2;
}

std::optional<std::size_t> verdict_of(const std::vector<double>& class_m2, double area_m2, const SliverRule& rule) {
    std::optional<std::size_t> v;
    for (std::size_t k = 0; k < class_m2.size(); ++k) {
        if (above_sliver(class_m2[k], area_m2, rule)) v = k;  // classes are in order of severity
    }
    return v;
}

std::string verdict_code(const std::optional<std::size_t>& verdict) {
    if (!verdict) return "onbekend";
    return layers::kind_or_throw("wbs").classes.at(*verdict).code;
}

std::string verdict_label(const std::optional<std::size_t>& verdict, const std::string& lang) {
    if (!verdict) return lang == "en" ? "unknown" : "onbekend";
    const auto& c = layers::kind_or_throw("wbs").classes.at(*verdict);
    return lang == "en" ? c.label_en : c.label_nl;
}

std::string unit_verdict_label(const CheckUnit& u, const SliverRule& sliver, const std::string& lang) {
    if (u.verdict) return verdict_label(u.verdict, lang);
    const bool en = lang == "en";
    double covered = 0;
    for (double a : u.class_m2) covered += a;
    if (!(covered > 0.005))
        return en ? "unknown (not covered by the WBS map)" : "onbekend (niet gedekt door de WBS-kaart)";
    if (!(u.area_m2 > sliver.m2)) {
        return en ? "unknown (smaller than the sliver limit for a verdict)"
                  : "onbekend (kleiner dan de snippergrens voor een oordeel)";
    }
    return en ? "unknown (only slivers covered by the WBS map)" : "onbekend (alleen snippers gedekt door de WBS-kaart)";
}

namespace {

bool numeric(const FeatureLayer& l, int field) {
    const OGRFieldType t = l.defn->GetFieldDefn(field)->GetType();
    return t == OFTInteger || t == OFTInteger64 || t == OFTReal;
}

// One numeric field of a theme source.
struct ThemeField {
    const FeatureLayer* layer = nullptr;
    int field = -1;
    std::string name;
    std::string source;
    std::string theme;
    ThemeRule rule;
    std::string unit;              // the field's unit
    double threshold = 0;          // in the field's unit
    bool ordinal = false;          // an ordinal rule on an integer field
    std::vector<geos::Box> boxes;  // per feature (shared by all fields of the layer)
};

std::string group_outside(const std::string& lang) {
    return lang == "en" ? "(outside every group)" : "(buiten de indeling)";
}

OGRGeometry* to_ogr(const geos::Context& ctx, const GEOSGeometry* g, const FeatureLayer& l, std::int64_t fid) {
    return to_ogr_multipolygon(ctx, g, l.place(fid)).release();
}

}  // namespace

namespace {

using Stage = std::function<void(const std::string&, std::size_t, std::size_t)>;

// What the request names, checked before any geometry is read.
struct CheckPlan {
    SourceSpec locations, wbs, by;
    std::vector<SourceSpec> themes;
    std::string by_field;
    std::vector<std::string> inputs;  // every input file (outputs must not be one of them)
    ReportFormat format = ReportFormat::markdown;
    layers::AliasMap aliases;  // --alias, checked against the catalogue
};

CheckPlan plan_check(const CheckRequest& req) {
    if (req.lang != "nl" && req.lang != "en") {
        throw Error(ErrorKind::usage, "--lang '" + req.lang + "' is not supported", {}, "use nl or en");
    }
    if (!(req.sliver.share >= 0 && req.sliver.share < 1) || !(req.sliver.m2 >= 0) || !std::isfinite(req.sliver.m2)) {
        throw Error(ErrorKind::usage, "the sliver limits must be a share in [0, 1) and a finite area >= 0 m2", {},
                    "for example --sliver-share 0.01 --sliver-m2 100");
    }
    CheckPlan plan;
    plan.aliases = layers::check_aliases(layers::kind_or_throw("wbs"), req.aliases);
    plan.locations = parse_source(req.locations);
    plan.wbs = parse_source(req.wbs);
    for (const auto& t : req.themes) plan.themes.push_back(parse_source(t));
    if (!req.by.empty()) {
        const auto colon = req.by.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == req.by.size()) {
            throw Error(ErrorKind::usage, "--by '" + req.by + "' is not FILE[:LAYER]:FIELD", {},
                        "for example --by waterschappen.gpkg:waterschappen:naam");
        }
        plan.by = parse_source(req.by.substr(0, colon));
        plan.by_field = req.by.substr(colon + 1);
    }
    plan.inputs = {plan.locations.path, plan.wbs.path};
    for (const auto& s : plan.themes) plan.inputs.push_back(s.path);
    for (const auto& r : req.raster_themes) plan.inputs.push_back(parse_raster_theme(r).path);
    if (!plan.by.path.empty()) plan.inputs.push_back(plan.by.path);
    check_output_path(req.output, req.overwrite, plan.inputs);
    if (!req.report.empty()) {
        const std::string ext = std::filesystem::path(req.report).extension().string();
        if (ext == ".html" || ext == ".htm") plan.format = ReportFormat::html;
        else if (ext == ".md") plan.format = ReportFormat::markdown;
        else
            throw Error(ErrorKind::usage, "--report '" + req.report + "' must end in .html or .md", {},
                        "name the report OUT.html or OUT.md");
        check_output_path(req.report, req.overwrite, plan.inputs);
        check_distinct_outputs({req.output, req.report}, "--report and -o name the same file",
                               "give the report its own name");
    }
    return plan;
}

struct CheckSources {
    FeatureLayer locations, wbs;
    std::vector<FeatureLayer> themes;
    std::optional<FeatureLayer> by;
};

CheckSources read_check_sources(const CheckRequest& req, const CheckPlan& plan, const Stage& stage) {
    ReadOptions read;
    read.assume_crs = req.assume_crs;
    read.skip_invalid = req.skip_invalid;
    read.control = req.control;  // threads, and Ctrl-C while reading
    auto reading = [&](const std::string& role, const SourceSpec& spec) {
        read.progress = [&](std::size_t d, std::size_t t) { stage("read " + role, d, t); };
        FeatureLayer l = read_polygon_layer(spec, read);
        for (const std::string& note : l.hygiene_notes(role)) req.tell(note);
        return l;
    };
    CheckSources src;
    src.locations = reading("locations", plan.locations);
    if (src.locations.features.empty()) {
        throw Error(ErrorKind::input, "the location layer has no usable features", src.locations.place(),
                    "check the layer; features with null, empty or zero-area geometry are skipped");
    }
    src.wbs = reading("wbs", plan.wbs);
    src.themes.reserve(plan.themes.size());
    for (const auto& s : plan.themes) src.themes.push_back(reading("themes", s));
    if (!plan.by.path.empty()) src.by = reading("groups", plan.by);
    return src;
}

// The locations' id, name and homes fields, checked.
struct LocationFields {
    int id = -1, name = -1, homes = -1;
    bool int_ids = true;
};

LocationFields location_fields(const CheckRequest& req, const FeatureLayer& locs) {
    LocationFields lf;
    if (!req.id_field.empty()) {
        lf.id = locs.field_index(req.id_field);
        if (lf.id < 0) {
            throw Error(ErrorKind::input, "no id field '" + req.id_field + "'; the fields are: " + locs.field_names(),
                        locs.place(), "name an existing field with --id-field");
        }
    } else {
        lf.id = locs.field_index("id");
    }
    lf.name = req.name_field.empty() ? locs.field_index("naam") : locs.field_index(req.name_field);
    if (!req.name_field.empty() && lf.name < 0) {
        throw Error(ErrorKind::input, "no name field '" + req.name_field + "'; the fields are: " + locs.field_names(),
                    locs.place(), "name an existing field with --name-field");
    }
    lf.homes = req.homes_field.empty() ? -1 : locs.field_index(req.homes_field);
    if (lf.homes >= 0 && !numeric(locs, lf.homes)) {
        throw Error(ErrorKind::input, "homes field '" + req.homes_field + "' is not numeric", locs.place(),
                    "name a numeric field with --homes-field");
    }
    lf.int_ids = lf.id < 0 || locs.defn->GetFieldDefn(lf.id)->GetType() == OFTInteger ||
                 locs.defn->GetFieldDefn(lf.id)->GetType() == OFTInteger64;
    return lf;
}

// The locations (id, name, homes) sorted by id into result.locations; returns their
// geometries in that order. Duplicate ids are refused.
std::vector<const GEOSGeometry*> collect_locations(const FeatureLayer& locs, const LocationFields& lf,
                                                   CheckResult& result) {
    std::vector<CheckLocation> unsorted;
    for (const Feature& f : locs.features) {
        CheckLocation l;
        l.fid = f.fid;
        if (lf.id < 0) {
            l.int_id = f.fid;
        } else if (locs.field_is_null(f, lf.id)) {
            throw Error(ErrorKind::input, "the location has no id", locs.place(f.fid),
                        "give every location an id, or choose another --id-field");
        } else if (lf.int_ids) {
            l.int_id = f.attributes->GetFieldAsInteger64(lf.id);
        }
        l.id = l.int_id ? std::to_string(*l.int_id) : locs.field_as_string(f, lf.id);
        if (lf.name >= 0) l.name = locs.field_as_string(f, lf.name);
        if (lf.homes >= 0) l.homes = locs.field_as_double(f, lf.homes);
        unsorted.push_back(std::move(l));
    }
    std::vector<std::size_t> order(unsorted.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (unsorted[a].int_id && unsorted[b].int_id) return *unsorted[a].int_id < *unsorted[b].int_id;
        return unsorted[a].id < unsorted[b].id;
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (unsorted[order[i]].id == unsorted[order[i - 1]].id) {
            throw Error(ErrorKind::input,
                        "duplicate location id '" + unsorted[order[i]].id + "' (also on feature " +
                            std::to_string(unsorted[order[i - 1]].fid) + ")",
                        locs.place(unsorted[order[i]].fid), "make the ids unique or choose another --id-field");
        }
    }
    for (std::size_t i : order) result.locations.push_back(unsorted[i]);
    std::vector<const GEOSGeometry*> loc_geom;
    for (std::size_t i : order) loc_geom.push_back(locs.features[i].geom.get());
    return loc_geom;
}

// The WBS layer indexed by catalogue class (its class field's values mapped through the
// catalogue and the request's aliases).
std::unique_ptr<LayerIndex> index_wbs(const CheckRequest& req, const layers::AliasMap& aliases, const FeatureLayer& wbs,
                                      int class_field, const layers::LayerKindInfo& wbs_kind, const Stage& stage) {
    std::vector<std::string> values;
    std::vector<std::int64_t> fids;
    for (const Feature& f : wbs.features) {
        if (wbs.field_is_null(f, class_field)) {
            throw Error(ErrorKind::input, "the feature has no value in class field '" + req.class_field + "'",
                        wbs.place(f.fid), "give every WBS feature a class, or remove it");
        }
        values.push_back(wbs.field_as_string(f, class_field));
        fids.push_back(f.fid);
    }
    std::vector<std::uint32_t> feature_class =
        layers::map_values(wbs_kind, values, fids, aliases, wbs.place(), req.class_field);
    std::vector<std::string> codes;
    for (const auto& c : wbs_kind.classes) codes.push_back(c.code);
    stage("index wbs", 0, 1);
    IndexOptions index_options;
    auto index = std::make_unique<LayerIndex>("wbs", LayerKind::classes, wbs.geometries(), std::move(feature_class),
                                              codes, index_options, req.control);
    if (!index->overlapping_features().empty() && req.notice) {
        req.notice("wbs: " + std::to_string(index->overlapping_features().size()) +
                   " pairs of features overlap each other; overlapping area is counted once per class");
    }
    return index;
}

// A location's part in one group.
struct PartGeom {
    std::size_t location;
    std::string group;
    geos::Geom geom;
};

// The --by features dissolved per value of the group field, in the field's order.
std::vector<std::pair<std::string, geos::Geom>> dissolve_groups(const geos::Context& ctx, const FeatureLayer& by,
                                                                const std::string& by_field) {
    const int gf = by.field_index(by_field);
    if (gf < 0) {
        throw Error(ErrorKind::input,
                    "the --by layer has no field '" + by_field + "'; its fields are: " + by.field_names(), by.place(),
                    "write --by FILE[:LAYER]:FIELD with one of these fields");
    }
    std::map<std::string, std::vector<const GEOSGeometry*>> members;
    for (const Feature& f : by.features) {
        const std::string g = by.field_is_null(f, gf) ? std::string("(leeg)") : by.field_as_string(f, gf);
        members[g].push_back(f.geom.get());
    }
    std::vector<std::pair<std::string, geos::Geom>> groups;
    for (const auto& [name, geoms] : members) {
        throw_if_cancelled();  // Ctrl-C between unions
        groups.emplace_back(name, geoms.size() == 1 ? geos::clone(ctx, geoms[0]) : geos::union_all(ctx, geoms));
    }
    return groups;
}

// The locations cut by the dissolved groups. A part smaller than the sliver rule is dropped;
// what lies in no group (beyond the sliver rule) is a part of its own; a location smaller
// than the sliver limits still lands in the group with most of it.
std::vector<PartGeom> cut_by_groups(const geos::Context& ctx, const CheckRequest& req,
                                    const std::vector<std::pair<std::string, geos::Geom>>& groups,
                                    const std::vector<const GEOSGeometry*>& loc_geom, const std::string& outside_group,
                                    const Stage& stage) {
    std::vector<geos::Box> group_box;
    for (const auto& g : groups) group_box.push_back(geos::envelope(ctx, g.second.get()));
    std::vector<PartGeom> part_geoms;
    geos::Geom all_groups;  // their union, made when needed
    for (std::size_t l = 0; l < loc_geom.size(); ++l) {
        stage("groups", l, loc_geom.size());
        if (l % 64 == 0) throw_if_cancelled(&req.control);
        const double loc_area = geos::area(ctx, loc_geom[l]);
        const geos::Box box = geos::envelope(ctx, loc_geom[l]);
        std::vector<PartGeom> kept;
        double kept_m2 = 0;
        PartGeom largest{l, "", geos::Geom()};
        double largest_m2 = 0;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            if (!box.intersects(group_box[g])) continue;
            geos::Geom cut =
                geos::polygonal_part(ctx, geos::intersection(ctx, loc_geom[l], groups[g].second.get()).get());
            const double a = geos::is_empty(ctx, cut.get()) ? 0.0 : geos::area(ctx, cut.get());
            if (above_sliver(a, loc_area, req.sliver) || (a > 0 && a >= loc_area * (1 - 1e-9))) {
                kept_m2 += a;
                kept.push_back({l, groups[g].first, std::move(cut)});
            } else if (a > largest_m2) {
                largest_m2 = a;
                largest = {l, groups[g].first, std::move(cut)};
            }
        }
        geos::Geom rest;
        if (above_sliver(loc_area - kept_m2, loc_area, req.sliver) || kept.empty()) {
            if (!all_groups) {
                std::vector<const GEOSGeometry*> gs;
                for (const auto& g : groups) gs.push_back(g.second.get());
                all_groups = gs.empty() ? geos::from_wkt(ctx, "POLYGON EMPTY") : geos::union_all(ctx, gs);
            }
            rest = geos::polygonal_part(
                ctx, own(ctx, GEOSDifference_r(ctx.handle(), loc_geom[l], all_groups.get()), "difference").get());
            const double rest_m2 = geos::is_empty(ctx, rest.get()) ? 0.0 : geos::area(ctx, rest.get());
            if (!(above_sliver(rest_m2, loc_area, req.sliver) || (kept.empty() && rest_m2 > largest_m2))) rest.reset();
        }
        if (kept.empty() && !rest && largest.geom) kept.push_back(std::move(largest));
        for (auto& p : kept) part_geoms.push_back(std::move(p));
        if (rest) part_geoms.push_back({l, outside_group, std::move(rest)});
    }
    return part_geoms;
}

// Themes: the numeric fields of the WBS layer (but its class field) and of the theme layers.
std::vector<ThemeField> collect_theme_fields(const geos::Context& ctx, const CheckRequest& req, const CheckSources& src,
                                             const CheckPlan& plan, int class_field,
                                             const layers::LayerKindInfo& wbs_kind) {
    std::vector<ThemeField> theme_fields;
    auto add_theme_fields = [&](const FeatureLayer& l, const std::string& source, int skip) {
        std::vector<geos::Box> boxes;
        for (const Feature& f : l.features) {
            geos::warm_envelopes(ctx, f.geom.get());
            boxes.push_back(geos::envelope(ctx, f.geom.get()));
        }
        for (int i = 0; i < l.defn->GetFieldCount(); ++i) {
            if (i == skip || !numeric(l, i)) continue;
            ThemeField t;
            t.layer = &l;
            t.field = i;
            t.name = l.defn->GetFieldDefn(i)->GetNameRef();
            t.source = source;
            if (const auto* info = layers::theme_for_field(wbs_kind, t.name)) t.theme = info->code;
            t.rule = theme_rule(t.theme, t.name, req.thresholds);
            const OGRFieldType type = l.defn->GetFieldDefn(i)->GetType();
            t.ordinal = t.rule.scale == ThemeScale::ordinal && (type == OFTInteger || type == OFTInteger64);
            if (!t.ordinal) t.rule.scale = ThemeScale::quantity;  // an ordinal theme in a real field: a quantity
            t.unit = field_unit(t.name, t.rule);
            t.threshold = t.rule.threshold * unit_factor(t.rule.unit, t.unit);
            t.boxes = boxes;
            theme_fields.push_back(std::move(t));
        }
    };
    add_theme_fields(src.wbs, "wbs", class_field);
    for (std::size_t i = 0; i < src.themes.size(); ++i) add_theme_fields(src.themes[i], plan.themes[i].display(), -1);
    std::vector<std::string> names;
    for (const auto& t : theme_fields) names.push_back(t.name);
    for (const auto& r : req.raster_themes) names.push_back(parse_raster_theme(r).field);
    check_threshold_keys(req.thresholds, names);
    return theme_fields;
}

// One theme field's statistics over one unit, from the unit's intersections with the
// field's layer (feature, area).
ThemeStat theme_stat(const ThemeField& t, const std::vector<std::pair<std::size_t, double>>& hits) {
    ThemeStat s;
    s.field = t.name;
    s.source = t.source;
    s.theme = t.theme;
    s.rule = t.rule;
    s.unit = t.unit;
    s.threshold = t.threshold;
    double weighted = 0;
    bool any = false;
    for (const auto& [f, a] : hits) {
        const auto v = t.layer->field_as_double(t.layer->features[f], t.field);
        if (!v) continue;
        s.valued_m2 += a;
        weighted += a * *v;
        if (*v > t.threshold) s.present_m2 += a;
        if (t.ordinal && *v >= 0 && *v < 100) {
            const auto k = static_cast<std::size_t>(std::lround(*v));
            if (s.class_m2.size() <= k) s.class_m2.resize(k + 1, 0.0);
            s.class_m2[k] += a;
        }
        s.max = any ? std::max(s.max, *v) : *v;
        any = true;
    }
    s.mean = s.valued_m2 > 0 ? weighted / s.valued_m2 : 0;
    return s;
}

// Per unit, the statistics of every theme field (in parallel over the units).
std::vector<std::vector<ThemeStat>> theme_statistics(const geos::Context& ctx, const CheckRequest& req,
                                                     const std::vector<ThemeField>& theme_fields,
                                                     const std::vector<const GEOSGeometry*>& unit_geoms,
                                                     const Stage& stage) {
    const std::size_t n_units = unit_geoms.size();
    std::vector<std::vector<ThemeStat>> stats(n_units);
    std::vector<geos::Box> unit_box(n_units);
    for (std::size_t u = 0; u < n_units; ++u) {
        geos::warm_envelopes(ctx, unit_geoms[u]);
        unit_box[u] = geos::envelope(ctx, unit_geoms[u]);
    }
    RunControl tc = req.control;
    tc.progress = [&](std::size_t d, std::size_t t) { stage("themes", d, t); };
    parallel_for(n_units, tc, [&](const geos::Context& c, std::size_t u) {
        std::vector<ThemeStat> out;
        // Intersections per feature once per layer, shared by that layer's fields.
        const FeatureLayer* cached_layer = nullptr;
        std::vector<std::pair<std::size_t, double>> hits;
        for (const ThemeField& t : theme_fields) {
            if (t.layer != cached_layer) {
                cached_layer = t.layer;
                hits.clear();
                for (std::size_t f = 0; f < t.layer->features.size(); ++f) {
                    if (!unit_box[u].intersects(t.boxes[f])) continue;
                    const double a = geos::intersection_area(c, unit_geoms[u], t.layer->features[f].geom.get());
                    if (a > 0) hits.emplace_back(f, a);
                }
            }
            out.push_back(theme_stat(t, hits));
        }
        stats[u] = std::move(out);
    });
    return stats;
}

// One unit (a whole location or a part): its WBS classes, verdict, themes and the themes
// that drive a verdict above 'ja' (largest first).
CheckUnit make_unit(const OverlayResult& ov, std::vector<std::vector<ThemeStat>>& stats, std::size_t u,
                    std::size_t location, const std::string& group, std::size_t n_classes, const SliverRule& sliver) {
    CheckUnit unit;
    unit.location = location;
    unit.group = group;
    unit.area_m2 = ov.candidate_area_m2[u];
    for (std::size_t k = 0; k < n_classes; ++k) unit.class_m2.push_back(ov.layers[0].area(u, k));
    unit.uncovered_m2 = std::max(0.0, unit.area_m2 - ov.layers[0].covered_m2[u]);
    unit.verdict = verdict_of(unit.class_m2, unit.area_m2, sliver);
    unit.themes = std::move(stats[u]);
    std::vector<std::size_t> drivers;
    for (std::size_t t = 0; t < unit.themes.size(); ++t) {
        if (above_sliver(unit.themes[t].present_m2, unit.area_m2, sliver)) drivers.push_back(t);
    }
    std::stable_sort(drivers.begin(), drivers.end(), [&](std::size_t a, std::size_t b) {
        return unit.themes[a].present_m2 > unit.themes[b].present_m2;
    });
    if (unit.verdict && *unit.verdict > 0) unit.drivers = std::move(drivers);
    return unit;
}

// The parts into result.parts, ordered by group (the outside group last) then location;
// returns their geometries in that order.
std::vector<const GEOSGeometry*> decide_parts(const OverlayResult& ov, std::vector<std::vector<ThemeStat>>& stats,
                                              const std::vector<PartGeom>& part_geoms, std::size_t n_locations,
                                              std::size_t n_classes, const SliverRule& sliver, CheckResult& result) {
    std::vector<double> grouped_m2(n_locations, 0.0);
    for (std::size_t p = 0; p < part_geoms.size(); ++p)
        grouped_m2[part_geoms[p].location] += ov.candidate_area_m2[n_locations + p];
    std::vector<CheckUnit> parts;
    for (std::size_t p = 0; p < part_geoms.size(); ++p) {
        CheckUnit unit =
            make_unit(ov, stats, n_locations + p, part_geoms[p].location, part_geoms[p].group, n_classes, sliver);
        unit.part_share = unit.area_m2 / result.whole[unit.location].area_m2;
        if (const auto& h = result.locations[unit.location].homes)
            unit.homes = *h * unit.area_m2 / grouped_m2[unit.location];
        parts.push_back(std::move(unit));
    }
    std::vector<std::size_t> part_order(parts.size());
    for (std::size_t i = 0; i < part_order.size(); ++i) part_order[i] = i;
    std::stable_sort(part_order.begin(), part_order.end(), [&](std::size_t ia, std::size_t ib) {
        const CheckUnit& a = parts[ia];
        const CheckUnit& b = parts[ib];
        const bool ao = a.group == result.outside_group, bo = b.group == result.outside_group;
        if (ao != bo) return bo;
        if (a.group != b.group) return a.group < b.group;
        return a.location < b.location;
    });
    std::vector<const GEOSGeometry*> part_geom_sorted;
    for (std::size_t i : part_order) {
        result.parts.push_back(std::move(parts[i]));
        part_geom_sorted.push_back(part_geoms[i].geom.get());
    }
    for (const auto& p : result.parts) {
        if (result.groups.empty() || result.groups.back() != p.group) result.groups.push_back(p.group);
    }
    return part_geom_sorted;
}

// Summary per group and verdict (nee first, onbekend last).
void summarise_groups(CheckResult& result, bool by_groups) {
    const std::vector<CheckUnit>& units = by_groups ? result.parts : result.whole;
    std::map<std::pair<std::string, int>, GroupVerdict> summary;
    for (const CheckUnit& u : units) {
        const int key = u.verdict ? -static_cast<int>(*u.verdict) : 1;
        GroupVerdict& g = summary[{u.group, key}];
        g.group = u.group;
        g.verdict = u.verdict;
        ++g.count;
        g.area_m2 += u.area_m2;
        if (u.homes) g.homes += *u.homes;
        else ++g.without_homes;
    }
    std::vector<std::string> group_order = by_groups ? result.groups : std::vector<std::string>{""};
    for (const auto& g : group_order) {
        for (auto& [key, gv] : summary) {
            if (key.first == g) result.summary.push_back(gv);
        }
    }
}

// The check's GeoPackage: its layers and fields, and the rows of every unit and group.
class CheckWriter {
  public:
    CheckWriter(GDALDataset& ds, const std::string& path, const CheckRequest& req, const CheckResult& result,
                const std::string& by_field, bool int_ids, const FeatureLayer& locs, const geos::Context& ctx)
        : ds_(ds),
          path_(path),
          req_(req),
          result_(result),
          int_ids_(int_ids),
          locs_(locs),
          ctx_(ctx),
          wbs_kind_(layers::kind_or_throw("wbs")) {
        lay_loc_ = unit_layer(
            schema::kCheckLocations,
            "Water board check per location (WBS classes, verdict, mits) by ruimte " + std::string(version), false);
        lay_parts_ = result.has_groups
                         ? unit_layer(schema::kCheckParts,
                                      "Water board check per location part in each group (--by " + by_field + ")", true)
                         : nullptr;
        lay_themes_ = create_layer(ds, path, schema::kCheckThemes, wkbNone,
                                   "Theme values per location (and part): area where > 0, max, area-weighted mean");
        for (const auto& [n, t] :
             std::vector<std::pair<const char*, OGRFieldType>>{{"location_id", int_ids ? OFTInteger64 : OFTString},
                                                               {"groep", OFTString},
                                                               {"theme", OFTString},
                                                               {"field", OFTString},
                                                               {"source", OFTString},
                                                               {"present_m2", OFTReal},
                                                               {"present_share", OFTReal},
                                                               {"valued_m2", OFTReal},
                                                               {"max", OFTReal},
                                                               {"mean", OFTReal},
                                                               {"unit", OFTString},
                                                               {"threshold", OFTReal},
                                                               {"class_shares", OFTString}}) {
            add_field(*lay_themes_, path, n, t);
        }
        lay_groups_ =
            create_layer(ds, path, schema::kCheckGroups, wkbNone, "Locations, area and homes per group and verdict");
        for (const auto& [n, t] : std::vector<std::pair<const char*, OGRFieldType>>{{"groep", OFTString},
                                                                                    {"verdict", OFTString},
                                                                                    {"verdict_label", OFTString},
                                                                                    {"locations", OFTInteger64},
                                                                                    {"area_ha", OFTReal},
                                                                                    {"woningen", OFTReal},
                                                                                    {"without_homes", OFTInteger64}}) {
            add_field(*lay_groups_, path, n, t);
        }
    }

    void write_rows(const std::vector<const GEOSGeometry*>& loc_geom,
                    const std::vector<const GEOSGeometry*>& part_geoms) {
        begin_transaction(ds_, path_);
        for (std::size_t l = 0; l < result_.whole.size(); ++l)
            write_unit(lay_loc_, result_.whole[l], loc_geom[l], false);
        for (std::size_t p = 0; p < result_.parts.size(); ++p)
            write_unit(lay_parts_, result_.parts[p], part_geoms[p], true);
        for (const GroupVerdict& g : result_.summary) write_group(g);
        commit_transaction(ds_, path_);
    }

  private:
    OGRLayer* unit_layer(const std::string& name, const std::string& what, bool is_part) {
        OGRLayer* l = create_layer(ds_, path_, name, wkbMultiPolygon, what);
        add_field(*l, path_, "location_id", int_ids_ ? OFTInteger64 : OFTString);
        add_field(*l, path_, "naam", OFTString);
        if (is_part) add_field(*l, path_, "groep", OFTString);
        add_field(*l, path_, "area_ha", OFTReal);
        if (is_part) add_field(*l, path_, "part_share", OFTReal);
        if (result_.has_homes) add_field(*l, path_, "woningen", OFTReal);
        for (const auto& c : wbs_kind_.classes) add_field(*l, path_, "share_" + c.code, OFTReal);
        add_field(*l, path_, "share_uncovered", OFTReal);
        add_field(*l, path_, "verdict", OFTString);
        add_field(*l, path_, "verdict_label", OFTString);
        add_field(*l, path_, "mits", OFTString);
        if (!is_part && result_.has_groups) add_field(*l, path_, "groepen", OFTString);
        return l;
    }
    void set_id(OGRFeature& f, const char* field, const CheckLocation& l) const {
        if (int_ids_) f.SetField(field, static_cast<GIntBig>(*l.int_id));
        else f.SetField(field, l.id.c_str());
    }
    static std::string mits_codes(const CheckUnit& u) {
        std::string s;
        for (std::size_t d : u.drivers)
            s += (s.empty() ? "" : "; ") + (u.themes[d].theme.empty() ? u.themes[d].field : u.themes[d].theme);
        return s;
    }
    void write_unit(OGRLayer* l, const CheckUnit& u, const GEOSGeometry* g, bool part) {
        const CheckLocation& loc = result_.locations[u.location];
        OGRFeature f(l->GetLayerDefn());
        set_id(f, "location_id", loc);
        f.SetField("naam", loc.name.c_str());
        if (part) {
            f.SetField("groep", u.group.c_str());
            f.SetField("part_share", u.part_share);
        }
        f.SetField("area_ha", u.area_m2 / 1e4);
        if (result_.has_homes && u.homes) f.SetField("woningen", *u.homes);
        for (std::size_t k = 0; k < wbs_kind_.classes.size(); ++k) {
            f.SetField(("share_" + wbs_kind_.classes[k].code).c_str(), u.class_m2[k] / u.area_m2);
        }
        f.SetField("share_uncovered", u.uncovered_m2 / u.area_m2);
        f.SetField("verdict", verdict_code(u.verdict).c_str());
        f.SetField("verdict_label", unit_verdict_label(u, req_.sliver, req_.lang).c_str());
        f.SetField("mits", mits_codes(u).c_str());
        if (!part && result_.has_groups) {
            std::string gs;
            for (const auto& p : result_.parts) {
                if (p.location == u.location) gs += (gs.empty() ? "" : "; ") + p.group;
            }
            f.SetField("groepen", gs.c_str());
        }
        f.SetGeometryDirectly(to_ogr(ctx_, g, locs_, loc.fid));
        write_feature(*l, path_, f);
        for (const ThemeStat& t : u.themes) {
            if (t.valued_m2 > 0) write_theme(loc, u, t);
        }
    }
    void write_theme(const CheckLocation& loc, const CheckUnit& u, const ThemeStat& t) {
        OGRFeature tf(lay_themes_->GetLayerDefn());
        set_id(tf, "location_id", loc);
        tf.SetField("groep", u.group.c_str());
        tf.SetField("theme", t.theme.c_str());
        tf.SetField("field", t.field.c_str());
        tf.SetField("source", t.source.c_str());
        tf.SetField("present_m2", t.present_m2);
        tf.SetField("present_share", t.present_m2 / u.area_m2);
        tf.SetField("valued_m2", t.valued_m2);
        tf.SetField("max", t.max);
        tf.SetField("unit", t.unit.c_str());
        tf.SetField("threshold", t.threshold);
        if (t.rule.scale == ThemeScale::ordinal) {  // classes, never averaged: "3=0.625;2=0.375"
            std::string shares;
            for (std::size_t k = t.class_m2.size(); k-- > 0;) {
                if (t.class_m2[k] > 0)
                    shares +=
                        (shares.empty() ? "" : ";") + std::to_string(k) + "=" + fixed(t.class_m2[k] / u.area_m2, 4);
            }
            tf.SetField("class_shares", shares.c_str());
        } else {
            tf.SetField("mean", t.mean);
        }
        write_feature(*lay_themes_, path_, tf);
    }
    void write_group(const GroupVerdict& g) {
        OGRFeature f(lay_groups_->GetLayerDefn());
        f.SetField("groep", g.group.c_str());
        f.SetField("verdict", verdict_code(g.verdict).c_str());
        f.SetField("verdict_label", verdict_label(g.verdict, req_.lang).c_str());
        f.SetField("locations", static_cast<GIntBig>(g.count));
        f.SetField("area_ha", g.area_m2 / 1e4);
        if (result_.has_homes) {
            f.SetField("woningen", g.homes);
            f.SetField("without_homes", static_cast<GIntBig>(g.without_homes));
        }
        write_feature(*lay_groups_, path_, f);
    }

    GDALDataset& ds_;
    const std::string& path_;
    const CheckRequest& req_;
    const CheckResult& result_;
    bool int_ids_;
    const FeatureLayer& locs_;
    const geos::Context& ctx_;
    const layers::LayerKindInfo& wbs_kind_;
    OGRLayer* lay_loc_ = nullptr;
    OGRLayer* lay_parts_ = nullptr;
    OGRLayer* lay_themes_ = nullptr;
    OGRLayer* lay_groups_ = nullptr;
};

void write_secondary(RunOutput& out, const std::string& path, const std::string& bytes) {
    std::ofstream r(out.secondary(path), std::ios::binary);
    r << bytes;
    r.close();
    if (!r) {
        throw Error(ErrorKind::output, "cannot write the report", ErrorPlace::at(path),
                    "check free disk space and write permission in the output folder");
    }
}

// Writes the GeoPackage, then the report and its maps (each to a temporary name), and commits
// them all at the end, the GeoPackage last.
// The WBS source's name and date for the report: --wbs-name and --wbs-date, else the layer's
// identifier and description and, for a GeoPackage, gpkg_contents.last_change, else the
// file's modification date. A PostgreSQL source has no date unless given.
void describe_wbs(const CheckRequest& req, const SourceSpec& spec, const FeatureLayer& wbs, CheckResult& result) {
    result.wbs_name = req.wbs_name;
    result.wbs_date = req.wbs_date;
    if (!req.wbs_date.empty()) result.wbs_date_from = "option";
    const bool postgres = spec.path.rfind("PG:", 0) == 0 || spec.path.rfind("postgres", 0) == 0;
    if (postgres || (!result.wbs_name.empty() && !result.wbs_date.empty())) {
        if (result.wbs_name.empty()) result.wbs_name = wbs.layer_name;
        return;
    }
    std::unique_ptr<GDALDataset> ds(
        GDALDataset::Open(spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    OGRLayer* layer = ds ? ds->GetLayerByName(wbs.layer_name.c_str()) : nullptr;
    if (result.wbs_name.empty()) {
        const char* id = layer ? layer->GetMetadataItem("IDENTIFIER") : nullptr;
        const char* desc = layer ? layer->GetMetadataItem("DESCRIPTION") : nullptr;
        result.wbs_name = id && *id ? id : wbs.layer_name;
        if (desc && *desc) result.wbs_name += std::string(" (") + desc + ")";
    }
    if (!result.wbs_date.empty()) return;
    if (ds && layer && EQUAL(ds->GetDriverName(), "GPKG")) {
        std::string quoted;
        for (char c : wbs.layer_name) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        OGRLayer* q = ds->ExecuteSQL(
            ("SELECT last_change FROM gpkg_contents WHERE table_name = '" + quoted + "'").c_str(), nullptr, nullptr);
        if (q) {
            if (auto f = std::unique_ptr<OGRFeature>(q->GetNextFeature()); f && f->IsFieldSetAndNotNull(0)) {
                int y = 0, mo = 0, d = 0, h = 0, mi = 0, tz = 0;
                float sec = 0;
                if (f->GetFieldAsDateTime(0, &y, &mo, &d, &h, &mi, &sec, &tz) && y > 0) {
                    char buf[48];
                    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, mo, d);
                    result.wbs_date = buf;
                    result.wbs_date_from = "gpkg";
                }
            }
            ds->ReleaseResultSet(q);
        }
    }
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(spec.path, ec);
    if (result.wbs_date.empty() && !ec) {
        const auto sys = std::chrono::time_point_cast<std::chrono::seconds>(
            mtime - std::filesystem::file_time_type::clock::now() + std::chrono::system_clock::now());
        const std::time_t t = std::chrono::system_clock::to_time_t(sys);
        std::tm tm{};
        gmtime_r(&t, &tm);
        char buf[16];
        std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
        result.wbs_date = buf;
        result.wbs_date_from = "file";
    }
}

void write_check(const CheckRequest& req, const CheckPlan& plan, const CheckResult& result,
                 const std::string& timestamp, bool int_ids, const FeatureLayer& locs, const geos::Context& ctx,
                 const std::vector<const GEOSGeometry*>& loc_geom, const std::vector<const GEOSGeometry*>& part_geoms) {
    RunOutput out(req.output, req.overwrite, plan.inputs, timestamp);
    CheckWriter writer(out.dataset(), out.path(), req, result, plan.by_field, int_ids, locs, ctx);
    writer.write_rows(loc_geom, part_geoms);
    out.start_writeback();
    out.stamp(req.command_line);
    out.metadata("RUIMTE_SLIVER",
                 "share > " + std::to_string(req.sliver.share) + " and m2 > " + std::to_string(req.sliver.m2));
    out.close(timestamp, basic_manifest("check", req.command_line, timestamp, plan.inputs));
    if (!req.report.empty()) {
        std::vector<std::string> map_files;
        if (plan.format == ReportFormat::markdown) {
            map_files = check_map_files(req.report, result.maps_png.size());
            for (std::size_t i = 0; i < map_files.size(); ++i) {
                const std::string path = (std::filesystem::path(req.report).parent_path() / map_files[i]).string();
                check_output_path(path, req.overwrite, plan.inputs);
                write_secondary(out, path, result.maps_png[i]);
            }
        }
        write_secondary(out, req.report, render_check_report(result, req, plan.format, map_files));
    }
    out.commit();  // all or nothing, the GeoPackage last
}

}  // namespace

CheckResult run_check(const CheckRequest& req) {
    const std::string timestamp = run_timestamp(req.timestamp);  // checked before any work
    const Stage stage = [&](const std::string& name, std::size_t done, std::size_t total) {
        req.stage(name, done, total);
    };
    const layers::LayerKindInfo& wbs_kind = layers::kind_or_throw("wbs");
    const CheckPlan plan = plan_check(req);
    geos::Context ctx;
    const CheckSources src = read_check_sources(req, plan, stage);

    CheckResult result;
    result.inputs.push_back(plan.locations.display());
    result.inputs.push_back(plan.wbs.display());
    for (const auto& s : plan.themes) result.inputs.push_back(s.display());
    if (src.by) result.inputs.push_back(plan.by.display() + ":" + plan.by_field);
    result.outside_group = group_outside(req.lang);
    result.by_field = plan.by_field;
    result.has_groups = src.by.has_value();

    const LocationFields lf = location_fields(req, src.locations);
    result.has_homes = lf.homes >= 0;
    const std::vector<const GEOSGeometry*> loc_geom = collect_locations(src.locations, lf, result);

    const int class_field = src.wbs.field_index(req.class_field);
    if (class_field < 0) {
        throw Error(
            ErrorKind::input,
            "the WBS layer has no class field '" + req.class_field + "'; its fields are: " + src.wbs.field_names(),
            src.wbs.place(), "name the class attribute with --class-field");
    }
    throw_if_cancelled(&req.control);  // Ctrl-C between the steps, as within them
    const std::unique_ptr<LayerIndex> wbs_index = index_wbs(req, plan.aliases, src.wbs, class_field, wbs_kind, stage);
    std::vector<PartGeom> part_geoms;
    std::vector<std::pair<std::string, geos::Geom>> group_areas;
    if (src.by) {
        group_areas = dissolve_groups(ctx, *src.by, plan.by_field);
        part_geoms = cut_by_groups(ctx, req, group_areas, loc_geom, result.outside_group, stage);
    }

    // Overlay every whole location and every part with the WBS classes, then the themes.
    std::vector<const GEOSGeometry*> unit_geoms = loc_geom;
    for (const auto& p : part_geoms) unit_geoms.push_back(p.geom.get());
    RunControl control = req.control;
    control.progress = [&](std::size_t d, std::size_t t) { stage("overlay", d, t); };
    const OverlayResult ov = overlay(unit_geoms, {wbs_index.get()}, control);
    const std::vector<ThemeField> theme_fields = collect_theme_fields(ctx, req, src, plan, class_field, wbs_kind);
    throw_if_cancelled(&req.control);
    std::vector<std::vector<ThemeStat>> stats = theme_statistics(ctx, req, theme_fields, unit_geoms, stage);
    throw_if_cancelled(&req.control);
    const std::vector<std::string> rasters = add_raster_theme_stats(req, unit_geoms, ov.candidate_area_m2, stats);
    result.inputs.insert(result.inputs.begin() + static_cast<std::ptrdiff_t>(2 + plan.themes.size()), rasters.begin(),
                         rasters.end());

    // Units, verdicts, drivers.
    const std::size_t n_classes = wbs_kind.classes.size();
    for (std::size_t l = 0; l < loc_geom.size(); ++l) {
        result.whole.push_back(make_unit(ov, stats, l, l, "", n_classes, req.sliver));
        result.whole.back().homes = result.locations[l].homes;
    }
    const std::vector<const GEOSGeometry*> part_geom_sorted =
        decide_parts(ov, stats, part_geoms, loc_geom.size(), n_classes, req.sliver, result);
    summarise_groups(result, src.by.has_value());
    result.run_date = timestamp;
    describe_wbs(req, plan.wbs, src.wbs, result);
    if (!req.report.empty() && req.maps) {
        stage("maps", 0, 1);
        result.maps_png = check_overview_maps(ctx, result, src.by ? part_geom_sorted : loc_geom, group_areas, req.lang);
    }

    throw_if_cancelled(&req.control);
    stage("write", 0, 1);
    write_check(req, plan, result, timestamp, lf.int_ids, src.locations, ctx, loc_geom, part_geom_sorted);
    return result;
}

}  // namespace ruimte
