#pragma once
// Thin helpers for writing GeoPackages with GDAL: every failure becomes Error(output) naming
// the file and layer (a full disk shows up here).
#include <memory>
#include <string>

#include <ogr_core.h>

class GDALDataset;
class OGRLayer;
class OGRFeature;
class OGRSpatialReference;

namespace ruimte {

struct DatasetClose {
    void operator()(GDALDataset* ds) const noexcept;
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetClose>;

const OGRSpatialReference& rd_new();

DatasetPtr create_gpkg(const std::string& path);
// A spatial layer (geometry type other than wkbNone) in EPSG:28992, or an attribute table.
// The description goes into gpkg_contents. `fid_column` names the primary key (GDAL's default
// is "fid"; a table with a column of its own called fid needs another name).
OGRLayer* create_layer(GDALDataset& ds, const std::string& path, const std::string& name, OGRwkbGeometryType type,
                       const std::string& description, const char* fid_column = nullptr);
void add_field(OGRLayer& layer, const std::string& path, const std::string& name, OGRFieldType type,
               OGRFieldSubType subtype = OFSTNone);
void write_feature(OGRLayer& layer, const std::string& path, OGRFeature& feature);
void begin_transaction(GDALDataset& ds, const std::string& path);
void commit_transaction(GDALDataset& ds, const std::string& path);
// Builds the spatial index of every feature table that has none (create_layer leaves it to
// this), closes the dataset and reports a failure to flush (for example a full disk).
void close_dataset(DatasetPtr ds, const std::string& path);

}  // namespace ruimte
