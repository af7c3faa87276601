#include "spatial/jobs/check_map.hpp"

#include <geos_c.h>

#include <algorithm>

#include "layers/catalogue.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/render/overview_map.hpp"

namespace ruimte {

namespace {

constexpr const char* kUnknownColour = "#bbbbbb";

// The polygons of a (multi)polygon, each as its rings.
void add_polygons(const geos::Context& ctx, const GEOSGeometry* g, std::vector<OverviewRings>& polygons) {
    GEOSContextHandle_t h = ctx.handle();
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; ++i) add_polygons(ctx, GEOSGetGeometryN_r(h, g, i), polygons);
        return;
    }
    if (type != GEOS_POLYGON) return;
    polygons.emplace_back();
    OverviewRings& out = polygons.back();
    auto ring = [&](const GEOSGeometry* r) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, r);
        unsigned int size = 0;
        if (seq == nullptr || GEOSCoordSeq_getSize_r(h, seq, &size) == 0) return;
        std::vector<double> xy;
        xy.reserve(2 * size);
        for (unsigned int i = 0; i < size; ++i) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
            xy.push_back(x);
            xy.push_back(y);
        }
        out.push_back(std::move(xy));
    };
    ring(GEOSGetExteriorRing_r(h, g));
    const int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int i = 0; i < holes; ++i) ring(GEOSGetInteriorRingN_r(h, g, i));
}

int rank(const std::optional<std::size_t>& v) {
    return v ? static_cast<int>(*v) : -1;
}

}  // namespace

std::vector<std::string> check_overview_maps(const geos::Context& ctx, const CheckResult& result,
                                             const std::vector<const GEOSGeometry*>& unit_geoms,
                                             const std::vector<std::pair<std::string, geos::Geom>>& group_areas,
                                             const std::string& lang) {
    const layers::LayerKindInfo& wbs = layers::kind_or_throw("wbs");
    const bool en = lang == "en";
    const std::vector<CheckUnit>& units = result.has_groups ? result.parts : result.whole;
    const std::vector<std::string> groups = result.has_groups ? result.groups : std::vector<std::string>{""};
    std::vector<std::string> maps;
    for (const std::string& g : groups) {
        throw_if_cancelled();  // Ctrl-C between maps
        OverviewMap m;
        m.title = (g.empty() ? std::string(en ? "All locations" : "Alle locaties") : g) +
                  (en ? ": locations by verdict" : ": locaties naar oordeel");
        for (const auto& [name, geom] : group_areas) {
            if (name != g || !geom) continue;
            std::vector<OverviewRings> polygons;
            add_polygons(ctx, geom.get(), polygons);
            for (auto& p : polygons)
                for (auto& r : p) m.area.push_back(std::move(r));
        }
        std::vector<std::size_t> in_group;
        for (std::size_t i = 0; i < units.size(); ++i) {
            if (units[i].group == g) in_group.push_back(i);
        }
        // The most severe drawn last (on top) and labelled first.
        std::stable_sort(in_group.begin(), in_group.end(),
                         [&](std::size_t a, std::size_t b) { return rank(units[a].verdict) < rank(units[b].verdict); });
        std::vector<bool> seen(wbs.classes.size() + 1, false);
        for (std::size_t i : in_group) {
            const CheckUnit& u = units[i];
            OverviewShape s;
            add_polygons(ctx, unit_geoms[i], s.polygons);
            s.fill = u.verdict ? wbs.classes[*u.verdict].colour : kUnknownColour;
            s.label = result.locations[u.location].id;
            m.shapes.push_back(std::move(s));
            seen[u.verdict ? *u.verdict : wbs.classes.size()] = true;
        }
        for (std::size_t k = wbs.classes.size(); k-- > 0;) {
            if (seen[k]) m.legend.emplace_back(wbs.classes[k].colour, verdict_label(k, lang));
        }
        if (seen.back()) m.legend.emplace_back(kUnknownColour, verdict_label(std::nullopt, lang));
        maps.push_back(render_overview_map(m).png);
    }
    return maps;
}

}  // namespace ruimte
