#include "spatial/output/attribution.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>

#include "ruimte/version.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"

namespace ruimte {

namespace {

bool synthetic(const std::string& d) {
    return d.find("SYNTHETIC") != std::string::npos;
}
bool cbs(const std::string& d) {
    return d.find("CBS") != std::string::npos || d.find("Kadaster") != std::string::npos;
}

// A manifest's input path as written on the command line: relative to the folder the run
// started in, unknown here. Tried as is (the same folder), then from the GeoPackage's folder
// and up to three folders above it; empty when not found.
std::string locate_input(const std::string& input, const std::string& gpkg) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(input, ec)) return input;
    const fs::path rel(input);
    if (rel.is_absolute()) return {};
    fs::path dir = fs::absolute(gpkg, ec).parent_path();
    for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
        if (fs::exists(dir / rel, ec)) return (dir / rel).string();
        if (dir == dir.parent_path()) break;
    }
    return {};
}

// Any input GeoPackage named in the manifest with a layer described as SYNTHETIC, or (an
// earlier ruimte output, e.g. a score output read by select) whose own manifest names one.
bool manifest_synthetic(const std::string& gpkg, int depth = 0) {
    const auto json = read_manifest(gpkg);
    if (!json) return false;
    std::size_t pos = 0;
    while ((pos = json->find("\"path\": \"", pos)) != std::string::npos) {
        pos += 9;
        const std::size_t end = json->find('"', pos);
        const std::string f = json->substr(pos, end - pos);
        if (f.size() > 5 && f.substr(f.size() - 5) == ".gpkg") {
            const std::string found = locate_input(f, gpkg);
            DatasetPtr ds(found.empty() ? nullptr
                                        : GDALDataset::Open(found.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                                            nullptr, nullptr));
            for (int i = 0; ds && i < ds->GetLayerCount(); ++i) {
                const char* d = ds->GetLayer(i)->GetMetadataItem("DESCRIPTION");
                if (d && synthetic(d)) return true;
            }
            if (ds && depth < 4 && manifest_synthetic(found, depth + 1)) return true;
        }
    }
    return false;
}

}  // namespace

std::string attribution_line(const std::string& main_gpkg, const std::vector<std::string>& descriptions, bool english) {
    bool is_synthetic = !main_gpkg.empty() && manifest_synthetic(main_gpkg);
    bool is_cbs = false;
    for (const std::string& d : descriptions) {
        is_synthetic = is_synthetic || synthetic(d);
        is_cbs = is_cbs || cbs(d);
    }
    std::string a;
    if (is_cbs) a += english ? "Boundaries: CBS, Kadaster (CC-BY 4.0)" : "Grenzen: CBS, Kadaster (CC-BY 4.0)";
    if (is_synthetic) {
        a += a.empty() ? "" : "  |  ";
        a += english ? "Data: synthetic sample data, not for decisions"
                     : "Gegevens: synthetisch (voorbeelddata, niet voor besluiten)";
    }
    a += a.empty() ? "" : "  |  ";
    a += (english ? "Map: ruimte " : "Kaart: ruimte ") + std::string(version) + ", EPSG:28992";
    return a;
}

}  // namespace ruimte
