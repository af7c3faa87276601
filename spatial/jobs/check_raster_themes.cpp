#include "spatial/jobs/check_raster_themes.hpp"

#include <cmath>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"
#include "spatial/criteria/raster_layers.hpp"

namespace ruimte {

std::string RasterThemeSpec::display() const {
    return field + " = " + path + " (band " + std::to_string(band) + ")";
}

RasterThemeSpec parse_raster_theme(const std::string& text) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
        throw Error(ErrorKind::usage, "--raster-theme '" + text + "' is not FIELD=FILE[:BAND]", {},
                    "for example --raster-theme overstroming_m=data-samples/rasters/overstroming.tif");
    }
    RasterThemeSpec s;
    s.field = text.substr(0, eq);
    s.path = text.substr(eq + 1);
    const auto colon = s.path.rfind(':');
    if (colon != std::string::npos && colon + 1 < s.path.size() &&
        s.path.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
        const std::string band = s.path.substr(colon + 1);
        s.band = band.size() > 4 ? 0 : std::stoi(band);
        s.path = s.path.substr(0, colon);
        if (s.band < 1) {
            throw Error(ErrorKind::usage, "--raster-theme '" + text + "': band " + band + " does not exist", {},
                        "bands count from 1");
        }
    }
    return s;
}

namespace {

// The theme's rule as for a real-valued field of that name: a quantity in the field's unit.
ThemeStat raster_theme_base(const RasterThemeSpec& spec, const CheckRequest& req) {
    ThemeStat s;
    s.field = spec.field;
    s.source = spec.path;
    s.raster = true;
    if (const auto* info = layers::theme_for_field(layers::kind_or_throw("wbs"), spec.field)) s.theme = info->code;
    s.rule = theme_rule(s.theme, s.field, req.thresholds);
    s.rule.scale = ThemeScale::quantity;  // a raster's cells are measured values, never averaged classes
    s.unit = field_unit(s.field, s.rule);
    s.threshold = s.rule.threshold * unit_factor(s.rule.unit, s.unit);
    return s;
}

std::string describe(const RasterThemeSpec& spec, const raster::RasterInfo& info, bool english) {
    std::string d = spec.display() + ", " + info.data_type + ", " + info.crs;
    if (info.reprojected) {
        d += english ? "; the locations were transformed into its CRS (" : "; de locaties zijn omgezet naar dit CRS (";
        d += info.operation + ")";
    }
    return d;
}

}  // namespace

std::vector<std::string> add_raster_theme_stats(const CheckRequest& req,
                                                const std::vector<const GEOSGeometry*>& unit_geoms,
                                                const std::vector<double>& unit_area_m2,
                                                std::vector<std::vector<ThemeStat>>& stats) {
    std::vector<std::string> described;
    for (const std::string& text : req.raster_themes) {
        const RasterThemeSpec spec = parse_raster_theme(text);
        const ThemeStat base = raster_theme_base(spec, req);
        RasterLayerSpec layer;
        layer.name = spec.field;
        layer.path = spec.path;
        layer.band = spec.band;
        layer.kind = RasterKind::values;
        layer.unit = base.unit;
        layer.thresholds = {base.threshold};
        const RasterLayerResult r = compute_raster_layer(layer, unit_geoms, unit_area_m2, req.assume_crs, req.control);
        const std::string above = "area_m2_above_" + threshold_text(base.threshold);
        for (std::size_t u = 0; u < unit_geoms.size(); ++u) {
            ThemeStat s = base;
            const double nodata = r.stat("nodata_share")[u];
            s.valued_m2 = std::isfinite(nodata) ? (1.0 - nodata) * unit_area_m2[u] : 0.0;
            if (s.valued_m2 > 0) {
                s.present_m2 = r.stat(above)[u];
                s.max = r.stat("max")[u];
                s.mean = r.stat("mean")[u];
                if (!std::isfinite(s.present_m2)) s.present_m2 = 0;
            }
            stats[u].push_back(std::move(s));
        }
        described.push_back(describe(spec, r.info, req.lang == "en"));
    }
    return described;
}

}  // namespace ruimte
