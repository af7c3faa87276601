#include "layers/source_info.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <map>
#include <memory>

#include "spatial/core/error.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/read_check.hpp"

namespace ruimte::layers {

namespace {

std::string crs_name(const OGRSpatialReference* srs) {
    if (!srs) return "(none)";
    std::string out = srs->GetName() ? srs->GetName() : "?";
    const char* auth = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (auth && code) out += " (" + std::string(auth) + ":" + code + ")";
    return out;
}

LayerSummary summarise_layer(GDALDataset& ds, OGRLayer& l, const AliasMap& extra, std::size_t max_distinct) {
    LayerSummary s;
    s.name = l.GetName();
    s.geometry_type = OGRGeometryTypeToName(l.GetGeomType());
    s.crs = crs_name(l.GetSpatialRef());
    OGREnvelope env;
    if (l.GetExtent(&env, TRUE) == OGRERR_NONE) {
        s.has_extent = true;
        s.xmin = env.MinX;
        s.ymin = env.MinY;
        s.xmax = env.MaxX;
        s.ymax = env.MaxY;
    }
    OGRFeatureDefn* defn = l.GetLayerDefn();
    const int n = defn->GetFieldCount();
    std::vector<std::map<std::string, std::size_t>> distinct(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        FieldSummary f;
        f.name = defn->GetFieldDefn(i)->GetNameRef();
        f.type = OGRFieldDefn::GetFieldTypeName(defn->GetFieldDefn(i)->GetType());
        s.fields.push_back(f);
    }
    const GIntBig declared = l.GetFeatureCount(FALSE);
    l.ResetReading();
    std::optional<LayerReadCheck> read_check;
    read_check.emplace(l, &ds, declared, ErrorPlace::at(ds.GetDescription(), s.name));
    for (auto& feat : l) {
        try {
            read_check->feature(feat->GetFID());
        } catch (const Error& e) {  // shown with what was read before it
            s.damage = e;
            read_check.reset();
            break;
        }
        ++s.features;
        const OGRGeometry* g = feat->GetGeometryRef();
        if (!g || g->IsEmpty()) {
            ++s.null_geometries;
        } else if (!g->IsValid()) {
            ++s.invalid_geometries;
            if (s.invalid_fids.size() < 10) s.invalid_fids.push_back(feat->GetFID());
        }
        for (int i = 0; i < n; ++i) {
            FieldSummary& f = s.fields[static_cast<std::size_t>(i)];
            if (!feat->IsFieldSetAndNotNull(i)) {
                ++f.nulls;
                continue;
            }
            const OGRFieldType t = defn->GetFieldDefn(i)->GetType();
            if (t == OFTInteger || t == OFTInteger64 || t == OFTReal) {
                const double v = feat->GetFieldAsDouble(i);
                f.min = f.min ? std::min(*f.min, v) : v;
                f.max = f.max ? std::max(*f.max, v) : v;
            }
            auto& d = distinct[static_cast<std::size_t>(i)];
            if (d.size() <= max_distinct) ++d[feat->GetFieldAsString(i)];
        }
    }
    if (read_check) s.damage = read_check->finding();
    for (int i = 0; i < n; ++i) {
        const auto& d = distinct[static_cast<std::size_t>(i)];
        FieldSummary& f = s.fields[static_cast<std::size_t>(i)];
        f.distinct = d.size();
        const OGRFieldType t = defn->GetFieldDefn(i)->GetType();
        if (d.empty() || d.size() > max_distinct || t == OFTReal) continue;
        // A class-like field: show it for a kind when every value maps, or (text fields) when
        // some do, so a user sees which spellings are missing.
        for (const LayerKindInfo& kind : catalogue()) {
            ClassFieldSummary c;
            c.field = f.name;
            c.kind = kind.kind;
            std::size_t mapped = 0;
            for (const auto& [value, count] : d) {
                const auto k = class_of(kind, value, extra);
                c.values.push_back({value, count, k ? kind.classes[*k].code : std::string()});
                if (k) ++mapped;
                else ++c.unmapped;
            }
            const bool text = t == OFTString;
            if (mapped == d.size() || (text && mapped > 0)) s.class_fields.push_back(std::move(c));
        }
    }
    return s;
}

}  // namespace

SourceSummary summarise_source(const std::string& path, const std::string& layer, const AliasMap& extra,
                               std::size_t max_distinct) {
    SourceSummary out;
    out.path = path;
    if (looks_like_capaciteitskaart(path)) {
        out.driver = "im-capaciteitskaart JSON";
        out.capaciteitskaart = load_capaciteitskaart(path);
        return out;
    }
    ensure_gdal();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) {
        throw Error(ErrorKind::input, "cannot open as a vector source: " + gdal_last_error(), ErrorPlace::at(path),
                    "check that it is a Shapefile, GeoPackage, GeoJSON, FlatGeobuf or a capaciteitskaart JSON file");
    }
    out.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "?";
    if (!layer.empty()) {
        OGRLayer* l = ds->GetLayerByName(layer.c_str());
        if (!l) {
            std::string names;
            for (auto* x : ds->GetLayers()) names += (names.empty() ? "" : ", ") + std::string(x->GetName());
            throw Error(ErrorKind::input, "no layer '" + layer + "'", ErrorPlace::at(path, layer),
                        "use one of: " + names);
        }
        out.layers.push_back(summarise_layer(*ds, *l, extra, max_distinct));
    } else {
        for (auto* l : ds->GetLayers()) out.layers.push_back(summarise_layer(*ds, *l, extra, max_distinct));
    }
    return out;
}

}  // namespace ruimte::layers
