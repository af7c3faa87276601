#include "support.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ruimte::test {

std::vector<const GEOSGeometry*> borrowed(const std::vector<geos::Geom>& owned) {
    std::vector<const GEOSGeometry*> out;
    out.reserve(owned.size());
    for (const auto& g : owned) out.push_back(g.get());
    return out;
}

FeatureLayer layer_from_wkt(const geos::Context& ctx, const std::vector<std::string>& wkts) {
    FeatureLayer l;
    l.source = {"memory", "test"};
    l.layer_name = "test";
    std::int64_t fid = 1;
    for (const auto& w : wkts) {
        Feature f;
        f.fid = fid++;
        f.geom = geos::from_wkt(ctx, w);
        l.features.push_back(std::move(f));
    }
    return l;
}

TempDir::TempDir(const std::string& name)
    : path_(std::filesystem::temp_directory_path() / ("ruimte-test-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string source_dir() { return RUIMTE_SOURCE_DIR; }

}  // namespace ruimte::test
