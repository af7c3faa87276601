#pragma once
// Test helpers: layers built from WKT, temporary folders, and files written by real GDAL.
#include <filesystem>
#include <string>
#include <vector>

#include "spatial/geos.hpp"
#include "spatial/source.hpp"

namespace ruimte::test {

// A FeatureLayer with the given polygons (WKT, EPSG:28992), FIDs 1..n, no attributes.
FeatureLayer layer_from_wkt(const geos::Context& ctx, const std::vector<std::string>& wkts);

// A fresh empty folder under the build tree, removed when the object goes.
class TempDir {
public:
    explicit TempDir(const std::string& name);
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

// The geometries of `owned`, borrowed (for GEOS calls that take a list).
std::vector<const GEOSGeometry*> borrowed(const std::vector<geos::Geom>& owned);

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);
std::string source_dir();  // the repository root

}  // namespace ruimte::test
