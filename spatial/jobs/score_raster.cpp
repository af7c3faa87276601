#include "spatial/jobs/score_raster.hpp"

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>

#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/schema.hpp"

namespace ruimte {

namespace {
void put_id(GpkgRowWriter& rows, int field, const CandidateId& id) {
    if (const auto* i = std::get_if<std::int64_t>(&id)) rows.integer(field, *i);
    else rows.text(field, std::get<std::string>(id));
}
}  // namespace

std::vector<std::string> used_raster_metrics(const Profile& profile) {
    std::vector<std::string> out;
    auto use = [&](const std::string& metric, int line, const char* key) {
        const MetricName m = parse_metric(metric, profile, line, key);
        if (m.kind != MetricName::Kind::raster) return;
        const std::string name = m.layer + "." + m.klass;
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    for (const auto& e : profile.exclusions) use(e.metric, e.line, "exclusions.metric");
    for (const auto& f : profile.factors) {
        if (f.kind == FactorKind::linear) use(f.metric, f.line, "factors.metric");
    }
    return out;
}

std::string raster_column(const std::string& metric) {
    return schema::scored::raster_metric(column_part(metric));
}

std::vector<RasterLayerResult> score_rasters(const Profile& profile, const FeatureLayer& candidates,
                                             const std::vector<double>& candidate_area_m2, CandidateTable& table,
                                             const std::string& assume_crs, const RunControl& control,
                                             const std::function<void(const std::string&)>& notice) {
    std::vector<RasterLayerResult> out;
    if (profile.rasters.empty()) return out;
    const std::vector<const GEOSGeometry*> geoms = candidates.geometries();
    for (const RasterLayerSpec& spec : profile.rasters) {
        out.push_back(compute_raster_layer(spec, geoms, candidate_area_m2, assume_crs, control));
        const RasterLayerResult& r = out.back();
        for (std::size_t s = 0; s < r.stats.size(); ++s)
            table.raster_metrics[spec.name + "." + r.stats[s]] = r.values[s];
        if (!notice) continue;
        if (r.info.reprojected) {
            notice("layer " + spec.name + ": candidates transformed from EPSG:28992 to the raster's CRS " + r.info.crs +
                   " with '" + r.info.operation + "' (accuracy " +
                   (r.info.accuracy_m >= 0 ? fixed(r.info.accuracy_m, 2) + " m" : std::string("unknown")) + ")");
        }
        if (r.overlapping == 0) {
            notice("warning: layer " + spec.name + ": the raster " + spec.path +
                   " overlaps none of the candidates; its statistics are empty (nodata_share 1) and its metrics "
                   "exclude nothing");
        }
    }
    // A class metric of a layer whose classes come from the data: a class not found covers 0.
    for (const std::string& metric : used_raster_metrics(profile)) {
        if (!table.raster_metrics.count(metric)) table.raster_metrics[metric].assign(candidate_area_m2.size(), 0.0);
    }
    return out;
}

void write_raster_stats(GDALDataset& ds, const std::string& output, const std::vector<RasterLayerResult>& rasters,
                        const std::vector<CandidateId>& ids, const std::vector<std::size_t>& order) {
    if (rasters.empty()) return;
    const bool int_ids = !ids.empty() && std::holds_alternative<std::int64_t>(ids.front());
    OGRLayer* layer =
        create_layer(ds, output, schema::kRasterStats, wkbNone,
                     "Statistics of each candidate on each raster layer, cells weighted by exact coverage fractions");
    namespace col = schema::raster_stats;
    add_field(*layer, output, col::kCandidateId, int_ids ? OFTInteger64 : OFTString);
    add_field(*layer, output, col::kLayer, OFTString);
    add_field(*layer, output, col::kStatistic, OFTString);
    add_field(*layer, output, col::kValue, OFTReal);
    GpkgRowWriter rows(ds, *layer, output);
    for (std::size_t c : order) {
        for (const RasterLayerResult& r : rasters) {
            for (std::size_t s = 0; s < r.stats.size(); ++s) {
                put_id(rows, 0, ids[c]);
                rows.text(1, r.name);
                rows.text(2, r.stats[s]);
                rows.real(3, r.values[s][c]);
                rows.insert();
            }
        }
    }
    rows.finish();
}

void append_raster_class_rows(GpkgRowWriter& rows, const std::vector<RasterLayerResult>& rasters,
                              const std::vector<CandidateId>& ids, const std::vector<std::size_t>& order) {
    for (std::size_t c : order) {
        for (const RasterLayerResult& r : rasters) {
            for (std::size_t k = 0; k < r.classes.size(); ++k) {
                const double share = r.values[k][c];
                const double area = r.values[r.classes.size() + k][c];
                if (!(area > 0)) continue;
                put_id(rows, 0, ids[c]);
                rows.text(1, r.name);
                rows.text(2, r.classes[k]);
                rows.real(3, area);
                rows.real(4, share);
                rows.insert();
            }
        }
    }
}

CrsReport raster_crs_report(const raster::RasterInfo& info) {
    CrsReport crs;
    crs.source_crs = info.crs;
    crs.assumed = info.crs_assumed;
    crs.reprojected = info.reprojected;
    crs.operation = info.reprojected ? "candidates EPSG:28992 -> raster CRS: " + info.operation : info.operation;
    crs.accuracy_m = info.accuracy_m;
    return crs;
}

std::string raster_input_line(const RasterLayerResult& r) {
    const raster::RasterInfo& i = r.info;
    return i.path + " | band " + std::to_string(i.band) + " " + i.data_type + " | cell " + fixed(i.grid.cell_w, 6) +
           " x " + fixed(i.grid.cell_height(), 6) + " | nodata " + (i.nodata ? fixed(*i.nodata, 6) : "none") +
           " | CRS " + i.crs + (i.crs_assumed ? " (assumed)" : "") + " | operation " + raster_crs_report(i).operation +
           " | accuracy_m " + (i.accuracy_m >= 0 ? fixed(i.accuracy_m, 3) : std::string("unknown"));
}

}  // namespace ruimte
