#include "spatial/output/gpkg_writer.hpp"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "spatial/core/error.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/output/gpkg_rtree.hpp"

namespace ruimte {

namespace {
ErrorPlace at(const std::string& path, const std::string& layer = {}) {
    ErrorPlace p;
    p.file = path;
    p.layer = layer;
    return p;
}
const char* kDiskHint = "check free disk space and write permission in the output folder";
}  // namespace

void DatasetClose::operator()(GDALDataset* ds) const noexcept {
    if (ds) GDALClose(ds);
}

const OGRSpatialReference& rd_new() {
    static const OGRSpatialReference srs = [] {
        OGRSpatialReference s;
        s.importFromEPSG(28992);
        s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        return s;
    }();
    return srs;
}

DatasetPtr create_gpkg(const std::string& path) {
    ensure_gdal();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (!driver) throw Error(ErrorKind::internal, "GDAL has no GPKG driver");
    CPLErrorReset();
    // 16 KiB pages instead of SQLite's 4 KiB: rows that carry candidate geometries (a few KB
    // each) share pages, so the national output is 21 % smaller and written faster. A user's
    // own OGR_SQLITE_PRAGMA wins.
    const bool user_pragma = CPLGetConfigOption("OGR_SQLITE_PRAGMA", nullptr) != nullptr;
    if (!user_pragma) CPLSetThreadLocalConfigOption("OGR_SQLITE_PRAGMA", "page_size=16384");
    GDALDataset* ds = driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (!user_pragma) CPLSetThreadLocalConfigOption("OGR_SQLITE_PRAGMA", nullptr);
    if (!ds) throw Error(ErrorKind::output, "cannot create GeoPackage: " + gdal_last_error(), at(path), kDiskHint);
    return DatasetPtr(ds);
}

OGRLayer* create_layer(GDALDataset& ds, const std::string& path, const std::string& name, OGRwkbGeometryType type,
                       const std::string& description, const char* fid_column) {
    CPLStringList options;
    options.SetNameValue("DESCRIPTION", description.c_str());
    if (fid_column) options.SetNameValue("FID", fid_column);
    if (type != wkbNone) {
        options.SetNameValue("GEOMETRY_NAME", "geom");
        options.SetNameValue("SPATIAL_INDEX", "NO");  // close_dataset() bulk-loads it (gpkg_rtree.hpp)
    }
    OGRSpatialReference* srs = nullptr;
    if (type != wkbNone) srs = rd_new().Clone();
    CPLErrorReset();
    OGRLayer* layer = ds.CreateLayer(name.c_str(), srs, type, options.List());
    if (srs) srs->Release();
    if (!layer) throw Error(ErrorKind::output, "cannot create layer: " + gdal_last_error(), at(path, name), kDiskHint);
    return layer;
}

void add_field(OGRLayer& layer, const std::string& path, const std::string& name, OGRFieldType type,
               OGRFieldSubType subtype) {
    OGRFieldDefn def(name.c_str(), type);
    def.SetSubType(subtype);
    if (layer.CreateField(&def) != OGRERR_NONE) {
        throw Error(ErrorKind::output, "cannot create field '" + name + "': " + gdal_last_error(),
                    at(path, layer.GetName()), kDiskHint);
    }
}

void write_feature(OGRLayer& layer, const std::string& path, OGRFeature& feature) {
    throw_if_cancelled();  // Ctrl-C while writing rows
    if (layer.CreateFeature(&feature) != OGRERR_NONE) {
        throw Error(ErrorKind::output, "cannot write a feature: " + gdal_last_error(), at(path, layer.GetName()),
                    kDiskHint);
    }
}

void begin_transaction(GDALDataset& ds, const std::string& path) {
    if (ds.StartTransaction() != OGRERR_NONE) {
        throw Error(ErrorKind::output, "cannot start a transaction: " + gdal_last_error(), at(path), kDiskHint);
    }
}

void commit_transaction(GDALDataset& ds, const std::string& path) {
    if (ds.CommitTransaction() != OGRERR_NONE) {
        throw Error(ErrorKind::output, "cannot commit: " + gdal_last_error(), at(path), kDiskHint);
    }
}

void close_dataset(DatasetPtr ds, const std::string& path) {
    if (ds) build_missing_spatial_indexes(*ds, path);
    CPLErrorReset();
    GDALDataset* raw = ds.release();
    GDALClose(raw);
    if (CPLGetLastErrorType() >= CE_Failure) {
        throw Error(ErrorKind::output, "cannot finish the GeoPackage: " + gdal_last_error(), at(path), kDiskHint);
    }
}

}  // namespace ruimte
