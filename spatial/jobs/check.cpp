#include "spatial/jobs/check.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "spatial/output/atomic_output.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/output/styles.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/core/error.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/output/styles.hpp"
#include "spatial/geometry/overlay.hpp"
#include "ruimte/version.hpp"
#include "spatial/io/source.hpp"

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
    if (!verdict) return lang == "en" ? "unknown (not covered by the WBS map)" : "onbekend (niet gedekt door de WBS-kaart)";
    const auto& c = layers::kind_or_throw("wbs").classes.at(*verdict);
    return lang == "en" ? c.label_en : c.label_nl;
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
    std::vector<geos::Box> boxes;  // per feature (shared by all fields of the layer)
};

std::string group_outside(const std::string& lang) { return lang == "en" ? "(outside every group)" : "(buiten de indeling)"; }

OGRGeometry* to_ogr(const geos::Context& ctx, const GEOSGeometry* g, const FeatureLayer& l, std::int64_t fid) {
    return to_ogr_multipolygon(ctx, g, l.place(fid)).release();
}

}  // namespace

CheckResult run_check(const CheckRequest& req) {
    const std::string timestamp = run_timestamp(req.timestamp);  // checked before any work
    auto stage = [&](const std::string& name, std::size_t done, std::size_t total) {
        if (req.progress) req.progress(name, done, total);
    };
    const layers::LayerKindInfo& wbs_kind = layers::kind_or_throw("wbs");
    const std::size_t n_classes = wbs_kind.classes.size();

    // 1. Options, sources and output paths, before any geometry is read.
    if (req.lang != "nl" && req.lang != "en") {
        throw Error(ErrorKind::usage, "--lang '" + req.lang + "' is not supported", {}, "use nl or en");
    }
    if (!(req.sliver.share >= 0 && req.sliver.share < 1) || !(req.sliver.m2 >= 0) || !std::isfinite(req.sliver.m2)) {
        throw Error(ErrorKind::usage, "the sliver limits must be a share in [0, 1) and a finite area >= 0 m2", {},
                    "for example --sliver-share 0.01 --sliver-m2 100");
    }
    const layers::AliasMap aliases = layers::check_aliases(wbs_kind, req.aliases);
    const SourceSpec loc_spec = parse_source(req.locations);
    const SourceSpec wbs_spec = parse_source(req.wbs);
    std::vector<SourceSpec> theme_specs;
    for (const auto& t : req.themes) theme_specs.push_back(parse_source(t));
    SourceSpec by_spec;
    std::string by_field;
    if (!req.by.empty()) {
        const auto colon = req.by.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == req.by.size()) {
            throw Error(ErrorKind::usage, "--by '" + req.by + "' is not FILE[:LAYER]:FIELD", {},
                        "for example --by waterschappen.gpkg:waterschappen:naam");
        }
        by_spec = parse_source(req.by.substr(0, colon));
        by_field = req.by.substr(colon + 1);
    }
    std::vector<std::string> inputs = {loc_spec.path, wbs_spec.path};
    for (const auto& s : theme_specs) inputs.push_back(s.path);
    if (!by_spec.path.empty()) inputs.push_back(by_spec.path);
    check_output_path(req.output, req.overwrite, inputs);
    ReportFormat format = ReportFormat::markdown;
    if (!req.report.empty()) {
        const std::string ext = std::filesystem::path(req.report).extension().string();
        if (ext == ".html" || ext == ".htm") format = ReportFormat::html;
        else if (ext == ".md") format = ReportFormat::markdown;
        else throw Error(ErrorKind::usage, "--report '" + req.report + "' must end in .html or .md", {}, "name the report OUT.html or OUT.md");
        check_output_path(req.report, req.overwrite, inputs);
        check_distinct_outputs({req.output, req.report}, "--report and -o name the same file", "give the report its own name");
    }

    // 2. Read.
    geos::Context ctx;
    ReadOptions read;
    read.assume_crs = req.assume_crs;
    read.skip_invalid = req.skip_invalid;
    auto reading = [&](const std::string& role, const SourceSpec& spec) {
        read.progress = [&](std::size_t d, std::size_t t) { stage("read " + role, d, t); };
        FeatureLayer l = read_polygon_layer(spec, read);
        if (req.notice) {
            if (!l.hygiene.repaired.empty()) req.notice(role + " (" + spec.display() + "): repaired " + std::to_string(l.hygiene.repaired.size()) + " features");
            if (!l.hygiene.skipped.empty()) req.notice(role + " (" + spec.display() + "): skipped " + std::to_string(l.hygiene.skipped.size()) + " features");
            for (const auto& n : l.notices) req.notice(role + " (" + spec.display() + "): " + n);
        }
        return l;
    };
    const FeatureLayer locs = reading("locations", loc_spec);
    if (locs.features.empty()) {
        throw Error(ErrorKind::input, "the location layer has no usable features", locs.place(),
                    "check the layer; features with null, empty or zero-area geometry are skipped");
    }
    const FeatureLayer wbs = reading("wbs", wbs_spec);
    std::vector<FeatureLayer> theme_layers;
    theme_layers.reserve(theme_specs.size());
    for (const auto& s : theme_specs) theme_layers.push_back(reading("themes", s));
    std::optional<FeatureLayer> by_layer;
    if (!by_spec.path.empty()) by_layer = reading("groups", by_spec);

    CheckResult result;
    result.inputs.push_back(loc_spec.display());
    result.inputs.push_back(wbs_spec.display());
    for (const auto& s : theme_specs) result.inputs.push_back(s.display());
    if (by_layer) result.inputs.push_back(by_spec.display() + ":" + by_field);
    result.outside_group = group_outside(req.lang);
    result.by_field = by_field;
    result.has_groups = by_layer.has_value();

    // 3. Locations: id, name, homes; sorted by id.
    int id_field = -1;
    if (!req.id_field.empty()) {
        id_field = locs.field_index(req.id_field);
        if (id_field < 0) {
            throw Error(ErrorKind::input, "no id field '" + req.id_field + "'; the fields are: " + locs.field_names(), locs.place(),
                        "name an existing field with --id-field");
        }
    } else {
        id_field = locs.field_index("id");
    }
    int name_field = req.name_field.empty() ? locs.field_index("naam") : locs.field_index(req.name_field);
    if (!req.name_field.empty() && name_field < 0) {
        throw Error(ErrorKind::input, "no name field '" + req.name_field + "'; the fields are: " + locs.field_names(), locs.place(),
                    "name an existing field with --name-field");
    }
    const int homes_field = req.homes_field.empty() ? -1 : locs.field_index(req.homes_field);
    if (homes_field >= 0 && !numeric(locs, homes_field)) {
        throw Error(ErrorKind::input, "homes field '" + req.homes_field + "' is not numeric", locs.place(),
                    "name a numeric field with --homes-field");
    }
    result.has_homes = homes_field >= 0;
    std::vector<CheckLocation> unsorted;
    const bool int_ids = id_field < 0 || locs.defn->GetFieldDefn(id_field)->GetType() == OFTInteger ||
                         locs.defn->GetFieldDefn(id_field)->GetType() == OFTInteger64;
    for (const Feature& f : locs.features) {
        CheckLocation l;
        l.fid = f.fid;
        if (id_field < 0) {
            l.int_id = f.fid;
        } else if (locs.field_is_null(f, id_field)) {
            throw Error(ErrorKind::input, "the location has no id", locs.place(f.fid), "give every location an id, or choose another --id-field");
        } else if (int_ids) {
            l.int_id = f.attributes->GetFieldAsInteger64(id_field);
        }
        l.id = l.int_id ? std::to_string(*l.int_id) : locs.field_as_string(f, id_field);
        if (name_field >= 0) l.name = locs.field_as_string(f, name_field);
        if (homes_field >= 0) l.homes = locs.field_as_double(f, homes_field);
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
            throw Error(ErrorKind::input, "duplicate location id '" + unsorted[order[i]].id + "' (also on feature " +
                                              std::to_string(unsorted[order[i - 1]].fid) + ")",
                        locs.place(unsorted[order[i]].fid), "make the ids unique or choose another --id-field");
        }
    }
    for (std::size_t i : order) result.locations.push_back(unsorted[i]);
    std::vector<const GEOSGeometry*> loc_geom;
    for (std::size_t i : order) loc_geom.push_back(locs.features[i].geom.get());

    // 4. The WBS classes, through the catalogue.
    const int class_field = wbs.field_index(req.class_field);
    if (class_field < 0) {
        throw Error(ErrorKind::input, "the WBS layer has no class field '" + req.class_field + "'; its fields are: " + wbs.field_names(),
                    wbs.place(), "name the class attribute with --class-field");
    }
    std::vector<std::string> values;
    std::vector<std::int64_t> fids;
    for (const Feature& f : wbs.features) {
        if (wbs.field_is_null(f, class_field)) {
            throw Error(ErrorKind::input, "the feature has no value in class field '" + req.class_field + "'", wbs.place(f.fid),
                        "give every WBS feature a class, or remove it");
        }
        values.push_back(wbs.field_as_string(f, class_field));
        fids.push_back(f.fid);
    }
    std::vector<std::uint32_t> feature_class = layers::map_values(wbs_kind, values, fids, aliases, wbs.place(), req.class_field);
    std::vector<std::string> codes;
    for (const auto& c : wbs_kind.classes) codes.push_back(c.code);
    stage("index wbs", 0, 1);
    IndexOptions index_options;
    const LayerIndex wbs_index("wbs", LayerKind::classes, wbs.geometries(), std::move(feature_class), codes, index_options, req.control);
    if (!wbs_index.overlapping_features().empty() && req.notice) {
        req.notice("wbs: " + std::to_string(wbs_index.overlapping_features().size()) +
                   " pairs of features overlap each other; overlapping area is counted once per class");
    }

    // 5. Parts per group: the locations cut by the dissolved --by features.
    struct PartGeom {
        std::size_t location;
        std::string group;
        geos::Geom geom;
    };
    std::vector<PartGeom> part_geoms;
    if (by_layer) {
        const int gf = by_layer->field_index(by_field);
        if (gf < 0) {
            throw Error(ErrorKind::input, "the --by layer has no field '" + by_field + "'; its fields are: " + by_layer->field_names(),
                        by_layer->place(), "write --by FILE[:LAYER]:FIELD with one of these fields");
        }
        std::map<std::string, std::vector<const GEOSGeometry*>> members;
        for (const Feature& f : by_layer->features) {
            const std::string g = by_layer->field_is_null(f, gf) ? std::string("(leeg)") : by_layer->field_as_string(f, gf);
            members[g].push_back(f.geom.get());
        }
        std::vector<std::pair<std::string, geos::Geom>> groups;
        for (const auto& [name, geoms] : members) {
            groups.emplace_back(name, geoms.size() == 1 ? geos::clone(ctx, geoms[0]) : geos::union_all(ctx, geoms));
        }
        std::vector<geos::Box> group_box;
        for (const auto& g : groups) group_box.push_back(geos::envelope(ctx, g.second.get()));
        geos::Geom all_groups;  // their union, made when needed
        for (std::size_t l = 0; l < loc_geom.size(); ++l) {
            stage("groups", l, loc_geom.size());
            const double loc_area = geos::area(ctx, loc_geom[l]);
            const geos::Box box = geos::envelope(ctx, loc_geom[l]);
            std::vector<PartGeom> kept;
            double kept_m2 = 0;
            PartGeom largest{l, "", geos::Geom()};
            double largest_m2 = 0;
            for (std::size_t g = 0; g < groups.size(); ++g) {
                if (!box.intersects(group_box[g])) continue;
                geos::Geom cut = geos::polygonal_part(ctx, geos::intersection(ctx, loc_geom[l], groups[g].second.get()).get());
                const double a = geos::is_empty(ctx, cut.get()) ? 0.0 : geos::area(ctx, cut.get());
                if (above_sliver(a, loc_area, req.sliver) || (a > 0 && a >= loc_area * (1 - 1e-9))) {
                    kept_m2 += a;
                    kept.push_back({l, groups[g].first, std::move(cut)});
                } else if (a > largest_m2) {
                    largest_m2 = a;
                    largest = {l, groups[g].first, std::move(cut)};
                }
            }
            // What lies in no group (beyond the sliver rule) is a part of its own.
            geos::Geom rest;
            if (above_sliver(loc_area - kept_m2, loc_area, req.sliver) || kept.empty()) {
                if (!all_groups) {
                    std::vector<const GEOSGeometry*> gs;
                    for (const auto& g : groups) gs.push_back(g.second.get());
                    all_groups = gs.empty() ? geos::from_wkt(ctx, "POLYGON EMPTY") : geos::union_all(ctx, gs);
                }
                rest = geos::polygonal_part(ctx, own(ctx, GEOSDifference_r(ctx.handle(), loc_geom[l], all_groups.get()), "difference").get());
                const double rest_m2 = geos::is_empty(ctx, rest.get()) ? 0.0 : geos::area(ctx, rest.get());
                if (!(above_sliver(rest_m2, loc_area, req.sliver) || (kept.empty() && rest_m2 > largest_m2))) rest.reset();
            }
            // A location smaller than the sliver limits still lands in the group with most of it.
            if (kept.empty() && !rest && largest.geom) kept.push_back(std::move(largest));
            for (auto& p : kept) part_geoms.push_back(std::move(p));
            if (rest) part_geoms.push_back({l, result.outside_group, std::move(rest)});
        }
    }

    // 6. Overlay every whole location and every part with the WBS classes.
    std::vector<const GEOSGeometry*> unit_geoms = loc_geom;
    for (const auto& p : part_geoms) unit_geoms.push_back(p.geom.get());
    RunControl control = req.control;
    control.progress = [&](std::size_t d, std::size_t t) { stage("overlay", d, t); };
    const OverlayResult ov = overlay(unit_geoms, {&wbs_index}, control);

    // 7. Themes: numeric fields of the WBS layer and of the theme layers.
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
            t.boxes = boxes;
            theme_fields.push_back(std::move(t));
        }
    };
    add_theme_fields(wbs, "wbs", class_field);
    for (std::size_t i = 0; i < theme_layers.size(); ++i) add_theme_fields(theme_layers[i], theme_specs[i].display(), -1);

    const std::size_t n_units = unit_geoms.size();
    std::vector<std::vector<ThemeStat>> stats(n_units);
    {
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
                ThemeStat s;
                s.field = t.name;
                s.source = t.source;
                s.theme = t.theme;
                double weighted = 0;
                bool any = false;
                for (const auto& [f, a] : hits) {
                    const auto v = t.layer->field_as_double(t.layer->features[f], t.field);
                    if (!v) continue;
                    s.valued_m2 += a;
                    weighted += a * *v;
                    if (*v > 0) s.present_m2 += a;
                    s.max = any ? std::max(s.max, *v) : *v;
                    any = true;
                }
                s.mean = s.valued_m2 > 0 ? weighted / s.valued_m2 : 0;
                out.push_back(std::move(s));
            }
            stats[u] = std::move(out);
        });
    }

    // 8. Units, verdicts, drivers.
    auto make_unit = [&](std::size_t u, std::size_t location, const std::string& group) {
        CheckUnit unit;
        unit.location = location;
        unit.group = group;
        unit.area_m2 = ov.candidate_area_m2[u];
        for (std::size_t k = 0; k < n_classes; ++k) unit.class_m2.push_back(ov.layers[0].area(u, k));
        unit.uncovered_m2 = std::max(0.0, unit.area_m2 - ov.layers[0].covered_m2[u]);
        unit.verdict = verdict_of(unit.class_m2, unit.area_m2, req.sliver);
        unit.themes = std::move(stats[u]);
        std::vector<std::size_t> drivers;
        for (std::size_t t = 0; t < unit.themes.size(); ++t) {
            if (above_sliver(unit.themes[t].present_m2, unit.area_m2, req.sliver)) drivers.push_back(t);
        }
        std::stable_sort(drivers.begin(), drivers.end(), [&](std::size_t a, std::size_t b) {
            return unit.themes[a].present_m2 > unit.themes[b].present_m2;
        });
        if (unit.verdict && *unit.verdict > 0) unit.drivers = std::move(drivers);
        return unit;
    };
    for (std::size_t l = 0; l < loc_geom.size(); ++l) {
        result.whole.push_back(make_unit(l, l, ""));
        result.whole.back().homes = result.locations[l].homes;
    }
    std::vector<double> grouped_m2(loc_geom.size(), 0.0);
    for (std::size_t p = 0; p < part_geoms.size(); ++p) grouped_m2[part_geoms[p].location] += ov.candidate_area_m2[loc_geom.size() + p];
    std::vector<CheckUnit> parts;
    for (std::size_t p = 0; p < part_geoms.size(); ++p) {
        CheckUnit unit = make_unit(loc_geom.size() + p, part_geoms[p].location, part_geoms[p].group);
        unit.part_share = unit.area_m2 / result.whole[unit.location].area_m2;
        if (const auto& h = result.locations[unit.location].homes) unit.homes = *h * unit.area_m2 / grouped_m2[unit.location];
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
    // Summary per group and verdict (nee first, onbekend last).
    const std::vector<CheckUnit>& units = by_layer ? result.parts : result.whole;
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
    std::vector<std::string> group_order = by_layer ? result.groups : std::vector<std::string>{""};
    for (const auto& g : group_order) {
        for (auto& [key, gv] : summary) {
            if (key.first == g) result.summary.push_back(gv);
        }
    }


    // 9. Write the GeoPackage, then the report (each to a temporary name, renamed at the end).
    stage("write", 0, 1);
    AtomicOutput out(req.output, req.overwrite, inputs);
    {
        const PinnedGpkgDate pinned(timestamp);
        DatasetPtr ds = create_gpkg(out.temp_path());
        const std::string& path = req.output;
        auto unit_layer = [&](const std::string& name, const std::string& what, bool is_part) {
            OGRLayer* l = create_layer(*ds, path, name, wkbMultiPolygon, what);
            add_field(*l, path, "location_id", int_ids ? OFTInteger64 : OFTString);
            add_field(*l, path, "naam", OFTString);
            if (is_part) add_field(*l, path, "groep", OFTString);
            add_field(*l, path, "area_ha", OFTReal);
            if (is_part) add_field(*l, path, "part_share", OFTReal);
            if (result.has_homes) add_field(*l, path, "woningen", OFTReal);
            for (const auto& c : wbs_kind.classes) add_field(*l, path, "share_" + c.code, OFTReal);
            add_field(*l, path, "share_uncovered", OFTReal);
            add_field(*l, path, "verdict", OFTString);
            add_field(*l, path, "verdict_label", OFTString);
            add_field(*l, path, "mits", OFTString);
            if (!is_part && result.has_groups) add_field(*l, path, "groepen", OFTString);
            return l;
        };
        OGRLayer* lay_loc = unit_layer("check_locations", "Water board check per location (WBS classes, verdict, mits) by ruimte " +
                                                              std::string(version), false);
        OGRLayer* lay_parts = result.has_groups
                                  ? unit_layer("check_parts", "Water board check per location part in each group (--by " + by_field + ")", true)
                                  : nullptr;
        OGRLayer* lay_themes = create_layer(*ds, path, "check_themes", wkbNone,
                                            "Theme values per location (and part): area where > 0, max, area-weighted mean");
        for (const auto& [n, t] : std::vector<std::pair<const char*, OGRFieldType>>{
                 {"location_id", int_ids ? OFTInteger64 : OFTString}, {"groep", OFTString}, {"theme", OFTString},
                 {"field", OFTString}, {"source", OFTString}, {"present_m2", OFTReal}, {"present_share", OFTReal},
                 {"valued_m2", OFTReal}, {"max", OFTReal}, {"mean", OFTReal}}) {
            add_field(*lay_themes, path, n, t);
        }
        OGRLayer* lay_groups = create_layer(*ds, path, "check_groups", wkbNone, "Locations, area and homes per group and verdict");
        for (const auto& [n, t] : std::vector<std::pair<const char*, OGRFieldType>>{
                 {"groep", OFTString}, {"verdict", OFTString}, {"verdict_label", OFTString}, {"locations", OFTInteger64},
                 {"area_ha", OFTReal}, {"woningen", OFTReal}, {"without_homes", OFTInteger64}}) {
            add_field(*lay_groups, path, n, t);
        }

        auto set_id = [&](OGRFeature& f, const char* field, const CheckLocation& l) {
            if (int_ids) f.SetField(field, static_cast<GIntBig>(*l.int_id));
            else f.SetField(field, l.id.c_str());
        };
        auto mits_codes = [&](const CheckUnit& u) {
            std::string s;
            for (std::size_t d : u.drivers) s += (s.empty() ? "" : "; ") + (u.themes[d].theme.empty() ? u.themes[d].field : u.themes[d].theme);
            return s;
        };
        auto write_unit = [&](OGRLayer* l, const CheckUnit& u, const GEOSGeometry* g, bool part) {
            const CheckLocation& loc = result.locations[u.location];
            OGRFeature f(l->GetLayerDefn());
            set_id(f, "location_id", loc);
            f.SetField("naam", loc.name.c_str());
            if (part) {
                f.SetField("groep", u.group.c_str());
                f.SetField("part_share", u.part_share);
            }
            f.SetField("area_ha", u.area_m2 / 1e4);
            if (result.has_homes && u.homes) f.SetField("woningen", *u.homes);
            for (std::size_t k = 0; k < n_classes; ++k) f.SetField(("share_" + wbs_kind.classes[k].code).c_str(), u.class_m2[k] / u.area_m2);
            f.SetField("share_uncovered", u.uncovered_m2 / u.area_m2);
            f.SetField("verdict", verdict_code(u.verdict).c_str());
            f.SetField("verdict_label", verdict_label(u.verdict, req.lang).c_str());
            f.SetField("mits", mits_codes(u).c_str());
            if (!part && result.has_groups) {
                std::string gs;
                for (const auto& p : result.parts) {
                    if (p.location == u.location) gs += (gs.empty() ? "" : "; ") + p.group;
                }
                f.SetField("groepen", gs.c_str());
            }
            f.SetGeometryDirectly(to_ogr(ctx, g, locs, loc.fid));
            write_feature(*l, path, f);
            for (const ThemeStat& t : u.themes) {
                if (!(t.valued_m2 > 0)) continue;
                OGRFeature tf(lay_themes->GetLayerDefn());
                set_id(tf, "location_id", loc);
                tf.SetField("groep", u.group.c_str());
                tf.SetField("theme", t.theme.c_str());
                tf.SetField("field", t.field.c_str());
                tf.SetField("source", t.source.c_str());
                tf.SetField("present_m2", t.present_m2);
                tf.SetField("present_share", t.present_m2 / u.area_m2);
                tf.SetField("valued_m2", t.valued_m2);
                tf.SetField("max", t.max);
                tf.SetField("mean", t.mean);
                write_feature(*lay_themes, path, tf);
            }
        };
        begin_transaction(*ds, path);
        for (std::size_t l = 0; l < result.whole.size(); ++l) write_unit(lay_loc, result.whole[l], loc_geom[l], false);
        for (std::size_t p = 0; p < result.parts.size(); ++p) write_unit(lay_parts, result.parts[p], part_geom_sorted[p], true);
        for (const GroupVerdict& g : result.summary) {
            OGRFeature f(lay_groups->GetLayerDefn());
            f.SetField("groep", g.group.c_str());
            f.SetField("verdict", verdict_code(g.verdict).c_str());
            f.SetField("verdict_label", verdict_label(g.verdict, req.lang).c_str());
            f.SetField("locations", static_cast<GIntBig>(g.count));
            f.SetField("area_ha", g.area_m2 / 1e4);
            if (result.has_homes) {
                f.SetField("woningen", g.homes);
                f.SetField("without_homes", static_cast<GIntBig>(g.without_homes));
            }
            write_feature(*lay_groups, path, f);
        }
        commit_transaction(*ds, path);
        out.start_writeback();
        ds->SetMetadataItem("RUIMTE_VERSION", version);
        ds->SetMetadataItem("RUIMTE_COMMAND", redact_secrets(req.command_line).c_str());
        ds->SetMetadataItem("RUIMTE_SLIVER", ("share > " + std::to_string(req.sliver.share) + " and m2 > " + std::to_string(req.sliver.m2)).c_str());
        styles::write_default_styles(*ds, path, timestamp);
        write_manifest(*ds, path, basic_manifest("check", req.command_line, timestamp, inputs));
        close_dataset(std::move(ds), path);
    }
    std::unique_ptr<AtomicOutput> report_out;
    if (!req.report.empty()) {
        report_out = std::make_unique<AtomicOutput>(req.report, req.overwrite, inputs);
        std::ofstream r(report_out->temp_path(), std::ios::binary);
        r << render_check_report(result, req, format);
        r.close();
        if (!r) {
            throw Error(ErrorKind::output, "cannot write the report", ErrorPlace{req.report, "", {}, "", {}},
                        "check free disk space and write permission in the output folder");
        }
    }
    commit_together({report_out.get(), &out});  // all or nothing, the GeoPackage last
    return result;
}

}  // namespace ruimte
