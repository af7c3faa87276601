#include "spatial/output/attribution.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

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
            DatasetPtr ds(GDALDataset::Open(f.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
            for (int i = 0; ds && i < ds->GetLayerCount(); ++i) {
                const char* d = ds->GetLayer(i)->GetMetadataItem("DESCRIPTION");
                if (d && synthetic(d)) return true;
            }
            if (ds && depth < 4 && manifest_synthetic(f, depth + 1)) return true;
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
