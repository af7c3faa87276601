// The QGIS project written beside an output (--qgis-project): layers with their default
// styles, EPSG:28992 as project CRS, relative paths, an A3 print layout of the whole result and,
// with a context layer of regions, an atlas layout with a page per region that holds results.
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/attribution.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/styles.hpp"

namespace ruimte::styles {

namespace {

std::uint32_t crc32_of(const std::string& bytes) {
    std::uint32_t c = 0xffffffffu;
    for (unsigned char b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

// A zip archive with one stored (uncompressed) entry: all QGIS needs from a .qgz.
std::string stored_zip(const std::string& name, const std::string& data) {
    auto le16 = [](std::uint32_t v) {
        return std::string{static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff)};
    };
    auto le32 = [&](std::uint32_t v) { return le16(v & 0xffff) + le16(v >> 16); };
    const std::uint32_t crc = crc32_of(data), size = static_cast<std::uint32_t>(data.size());
    const std::uint32_t name_len = static_cast<std::uint32_t>(name.size());
    const std::uint32_t dos_time = 0, dos_date = (46u << 9) | (1u << 5) | 1u;  // 2026-01-01
    std::string local = le32(0x04034b50) + le16(20) + le16(0) + le16(0) + le16(dos_time) + le16(dos_date) + le32(crc) +
                        le32(size) + le32(size) + le16(name_len) + le16(0) + name;
    std::string central = le32(0x02014b50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(dos_time) + le16(dos_date) +
                          le32(crc) + le32(size) + le32(size) + le16(name_len) + le16(0) + le16(0) + le16(0) + le16(0) +
                          le32(0) + le32(0) + name;
    const std::uint32_t central_at = static_cast<std::uint32_t>(local.size() + data.size());
    std::string end = le32(0x06054b50) + le16(0) + le16(0) + le16(1) + le16(1) +
                      le32(static_cast<std::uint32_t>(central.size())) + le32(central_at) + le16(0);
    return local + data + central + end;
}

// The renderer and labeling elements of a style (the body of its QML).
std::string qml_body(const StyleSpec& spec) {
    const std::string q = qml_for(spec);
    const std::size_t start = q.find('\n', q.find("<qgis ")) + 1;
    const std::size_t end = q.find("  <layerGeometryType>");
    return q.substr(start, end - start);
}

// EPSG:28992 as QGIS stores a CRS: the WKT (WKT2 2019, as QGIS 3.22 writes it; an empty WKT
// leaves the project without a CRS), PROJ string and ids. From the PROJ database via GDAL.
std::string rd_new_srs() {
    static const std::string xml = [] {
        OGRSpatialReference srs;
        std::string wkt, proj4;
        if (srs.importFromEPSG(28992) == OGRERR_NONE) {
            char* text = nullptr;
            const char* const options[] = {"FORMAT=WKT2_2019", "MULTILINE=NO", nullptr};
            if (srs.exportToWkt(&text, options) == OGRERR_NONE && text) wkt = text;
            CPLFree(text);
            text = nullptr;
            if (srs.exportToProj4(&text) == OGRERR_NONE && text) proj4 = text;
            CPLFree(text);
        }
        return "<spatialrefsys><wkt>" + xml_escape(wkt) + "</wkt><proj4>" + xml_escape(proj4) +
               "</proj4><srsid>2517</srsid><srid>28992</srid><authid>EPSG:28992</authid><description>Amersfoort / RD "
               "New</description><projectionacronym>sterea</projectionacronym><ellipsoidacronym>EPSG:7004"
               "</ellipsoidacronym><geographicflag>false</geographicflag></spatialrefsys>";
    }();
    return xml;
}

std::string num(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string item(const std::string& type, const std::string& uuid, const std::string& id, double x, double y, double w,
                 double h, const std::string& extra_attrs, const std::string& children, int z) {
    char pos[128], size[128];
    std::snprintf(pos, sizeof pos, "%.1f,%.1f,mm", x, y);
    std::snprintf(size, sizeof size, "%.1f,%.1f,mm", w, h);
    return "    <LayoutItem type=\"" + type + "\" uuid=\"" + uuid + "\" id=\"" + xml_escape(id) + "\" position=\"" +
           pos + "\" positionOnPage=\"" + pos + "\" size=\"" + size + "\" zValue=\"" + std::to_string(z) +
           "\" visibility=\"1\" frame=\"false\" background=\"false\" referencePoint=\"0\" itemRotation=\"0\" "
           "opacity=\"1\" "
           "positionLock=\"false\" excludeFromExports=\"0\" blendMode=\"0\" " +
           extra_attrs + ">\n" + children + "    </LayoutItem>\n";
}

// A layer of the project: its id, name, OGR data source and style.
struct ProjectLayer {
    std::string id, name, source;
    StyleSpec style;
    bool context = false;
    std::string name_field;  // the names of its features (the atlas's page names); empty: none
};

// The layers of the project, top first (the result's styled spatial layers, then the context
// layers as grey outlines), with the descriptions of every layer drawn (for the attribution)
// and the result's extent.
struct ProjectLayers {
    std::vector<ProjectLayer> entries;
    std::vector<std::string> descriptions;
    OGREnvelope extent;
};

// Data sources relative to the project's folder ("./result.gpkg"), so the folder can be moved
// or shared; absolute only where no relative path exists.
std::string source_path(const std::string& display_path, const std::string& path) {
    namespace fs = std::filesystem;
    const fs::path project_dir = fs::absolute(display_path).lexically_normal().parent_path();
    const fs::path abs = fs::absolute(path).lexically_normal();
    const fs::path rel = abs.lexically_relative(project_dir);
    if (rel.empty()) return abs.string();
    const std::string r = rel.string();
    return r.rfind("..", 0) == 0 ? r : "./" + r;
}

// A context layer is drawn as grey outlines, unlabelled (the result carries the labels).
void as_context(StyleSpec& s, const std::string& name) {
    s.renderer = Renderer::single;
    s.classes = {{"", 0, 0, name, name, ""}};
    s.outline = "#737373";
    s.outline_mm = 0.3;
    s.label_field.clear();
    s.excluded_field.clear();
    s.markers_when_small = false;
}

// Adds the spatial layers of `path` (only `layer_name` when given), read from `read_path`.
void add_layers(ProjectLayers& out, const std::string& display_path, const std::string& path,
                const std::string& layer_name, bool is_context, const std::string& read_path) {
    ensure_gdal();
    DatasetPtr ds(GDALDataset::Open(read_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds) {
        throw Error(ErrorKind::input, "cannot open for the QGIS project: " + gdal_last_error(),
                    ErrorPlace::at(path, layer_name), "check the path");
    }
    for (int i = 0; i < ds->GetLayerCount(); ++i) {
        OGRLayer* l = ds->GetLayer(i);
        if (l->GetGeomType() == wkbNone || (!layer_name.empty() && layer_name != l->GetName())) continue;
        std::optional<StyleSpec> s = default_style(*l);
        if (!s) continue;
        const std::string name_field = s->label_field;
        if (is_context) {
            as_context(*s, l->GetName());
        } else {
            OGREnvelope e;
            if (l->GetExtent(&e, TRUE) == OGRERR_NONE) out.extent.Merge(e);
        }
        const char* description = l->GetMetadataItem("DESCRIPTION");
        out.descriptions.emplace_back(description ? description : "");
        out.entries.push_back({"ruimte_" + std::to_string(out.entries.size()) + "_" + l->GetName(), l->GetName(),
                               ogr_layer_source(source_path(display_path, path), l->GetName(), i), std::move(*s),
                               is_context, name_field});
    }
}

ProjectLayers project_layers(const std::string& display_path, const std::string& gpkg_path,
                             const std::string& gpkg_file, const std::vector<std::string>& context) {
    ProjectLayers out;
    add_layers(out, display_path, gpkg_path, "", false, gpkg_file);
    for (const auto& c : context) {
        const SourceSpec spec = parse_source(c);
        add_layers(out, display_path, spec.path, spec.layer, true, spec.path);
    }
    return out;
}

// The project's layer tree, its map layers (with their styles) and the drawing order.
std::string layers_xml(const std::vector<ProjectLayer>& entries) {
    std::string tree, layers, order, layerorder;
    for (const ProjectLayer& e : entries) {
        tree +=
            "    <layer-tree-layer id=\"" + xml_escape(e.id) + "\" name=\"" + xml_escape(e.name) + "\" source=\"" +
            xml_escape(e.source) +
            "\" providerKey=\"ogr\" checked=\"Qt::Checked\" expanded=\"1\"><customproperties/></layer-tree-layer>\n";
        order += "      <item>" + xml_escape(e.id) + "</item>\n";
        layers += "    <maplayer type=\"vector\" geometry=\"Polygon\" wkbType=\"MultiPolygon\" labelsEnabled=\"" +
                  std::string(e.style.label_field.empty() ? "0" : "1") +
                  "\" styleCategories=\"AllStyleCategories\">\n"
                  "      <id>" +
                  xml_escape(e.id) + "</id>\n      <datasource>" + xml_escape(e.source) +
                  "</datasource>\n"
                  "      <layername>" +
                  xml_escape(e.name) + "</layername>\n      <srs>" + rd_new_srs() +
                  "</srs>\n"
                  "      <provider encoding=\"UTF-8\">ogr</provider>\n" +
                  qml_body(e.style) + "    </maplayer>\n";
        layerorder += "    <layer id=\"" + xml_escape(e.id) + "\"/>\n";
    }
    return "  <layer-tree-group>\n    <customproperties/>\n" + tree + "    <custom-order enabled=\"0\">\n" + order +
           "    </custom-order>\n  </layer-tree-group>\n  <projectlayers>\n" + layers +
           "  </projectlayers>\n"
           "  <layerorder>\n" +
           layerorder + "  </layerorder>\n";
}

// The project's properties: relative paths, and EPSG:28992 as the project CRS with
// 'on the fly' reprojection on (so a basemap in another CRS lines up).
std::string properties_xml() {
    return "  <properties>\n"
           "    <Paths><Absolute type=\"bool\">false</Absolute></Paths>\n"
           "    <SpatialRefSys>\n"
           "      <ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>\n"
           "      <ProjectCrs type=\"QString\">EPSG:28992</ProjectCrs>\n"
           "    </SpatialRefSys>\n"
           "    <Measurement><DistanceUnits type=\"QString\">meters</DistanceUnits>"
           "<AreaUnits type=\"QString\">ha</AreaUnits></Measurement>\n"
           "  </properties>\n";
}

// What the layouts share: the page, their texts and the map item's place on the page.
struct LayoutFrame {
    std::string name, title, attribution;
    bool english = false;
    double map_w = 300, map_h = 258;
    std::string uuid_prefix;  // distinct item ids per layout
};

// The extent with the map item's aspect ratio (QGIS resizes the item to the extent's), and a
// scale bar segment of a round number of km of about 15 mm.
std::pair<std::string, double> map_extent(const OGREnvelope& extent, const LayoutFrame& f) {
    const double pad = 0.04 * std::max(extent.MaxX - extent.MinX, extent.MaxY - extent.MinY);
    double ew = extent.MaxX - extent.MinX + 2 * pad, eh = extent.MaxY - extent.MinY + 2 * pad;
    if (ew / eh > f.map_w / f.map_h) eh = ew * f.map_h / f.map_w;
    else ew = eh * f.map_w / f.map_h;
    const double cx = (extent.MinX + extent.MaxX) / 2, cy = (extent.MinY + extent.MaxY) / 2;
    char ext[256];
    std::snprintf(ext, sizeof ext, "<Extent xmin=\"%.3f\" ymin=\"%.3f\" xmax=\"%.3f\" ymax=\"%.3f\"/>", cx - ew / 2,
                  cy - eh / 2, cx + ew / 2, cy + eh / 2);
    const double raw = 15 * ew / f.map_w / 1000, decade = std::pow(10.0, std::floor(std::log10(raw)));
    double segment_km = decade;
    for (double m : {5.0, 2.0, 1.0}) {
        if (m * decade <= raw) {
            segment_km = m * decade;
            break;
        }
    }
    return {ext, segment_km};
}

std::string label_font(int size, bool bold) {
    return "<LabelFont description=\"DejaVu Sans," + std::to_string(size) + ",-1,5," + (bold ? "75" : "50") +
           ",0,0,0,0,0\" style=\"\"/>";
}

std::string page_xml(const LayoutFrame& f) {
    return "    <PageCollection>\n"
           "      <symbol type=\"fill\" name=\"\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\"><layer "
           "class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\"><Option name=\"color\" "
           "type=\"QString\" value=\"255,255,255,255\"/><Option name=\"style\" type=\"QString\" value=\"solid\"/>"
           "<Option name=\"outline_style\" type=\"QString\" value=\"no\"/></Option></layer></symbol>\n" +
           item("65638", f.uuid_prefix + "0000}", "", 0, 0, 420, 297, "", "", 0) +
           "      <GuideCollection visible=\"1\"/>\n    </PageCollection>\n";
}

// Legend (only what the map shows), scale bar, north arrow, title and attribution around the
// map item `map_uuid`. The scale bar has segments of `segment_km`; 0: QGIS fits them to 40-70 mm
// (an atlas page's scale changes with its region).
std::string furniture_xml(const LayoutFrame& f, const std::string& map_uuid, double segment_km) {
    const char* legend = f.english ? "Legend" : "Legenda";
    std::string s;
    s += item("65642", f.uuid_prefix + "0002}", legend, 318, 24, 92, 160,
              "map_uuid=\"" + map_uuid + "\" title=\"" + std::string(legend) +
                  "\" legendFilterByMap=\"1\" resizeToContents=\"1\" columnCount=\"1\" "
                  "symbolWidth=\"8\" symbolHeight=\"5\" wrapChar=\"\" titleAlignment=\"1\"",
              "", 2);
    s += item("65646", f.uuid_prefix + "0003}", "Schaalstok", 318, 262, 80, 14,
              "mapUuid=\"" + map_uuid +
                  "\" style=\"Single Box\" unitType=\"km\" unitLabel=\"km\" numSegments=\"4\" "
                  "numSegmentsLeft=\"0\" numUnitsPerSegment=\"" +
                  num(segment_km, 3) + "\" numMapUnitsPerScaleBarUnit=\"1\" segmentSizeMode=\"" +
                  (segment_km > 0 ? "0" : "1") +
                  "\" "
                  "minBarWidth=\"40\" maxBarWidth=\"70\" height=\"3\" labelBarSpace=\"2\" boxContentSpace=\"1\" "
                  "alignment=\"0\"",
              "", 3);
    s += item("65640", f.uuid_prefix + "0004}", "Noordpijl", 390, 232, 14, 22,
              "file=\":/images/north_arrows/layout_default_north_arrow.svg\" pictureRotation=\"0\" mapUuid=\"" +
                  map_uuid +
                  "\" northMode=\"0\" northOffset=\"0\" resizeMode=\"0\" anchorPoint=\"0\" svgFillColor=\"0,0,0,255\" "
                  "svgBorderColor=\"255,255,255,255\" svgBorderWidth=\"0.2\" mode=\"1\"",
              "", 4);
    s += item("65641", f.uuid_prefix + "0005}", "Titel", 10, 8, 400, 12,
              "labelText=\"" + xml_escape(f.title) +
                  "\" htmlState=\"0\" marginX=\"0\" marginY=\"0\" halign=\"1\" valign=\"128\"",
              "      " + label_font(20, true) + "\n", 5);
    s += item("65641", f.uuid_prefix + "0006}", "Bronvermelding", 10, 285, 400, 8,
              "labelText=\"" + xml_escape(f.attribution) +
                  "\" htmlState=\"0\" marginX=\"0\" marginY=\"0\" halign=\"1\" valign=\"128\"",
              "      " + label_font(8, false) + "\n", 6);
    return s;
}

// The A3 print layout of the whole result: map, legend, scale bar, north arrow, title and
// attribution. At national scale the result's small polygons are drawn as markers (their
// style) and only labelled where their style says.
std::string layout_xml(const OGREnvelope& extent, const LayoutFrame& f) {
    const std::string map_uuid = f.uuid_prefix + "0001}";
    const auto [ext, segment_km] = map_extent(extent, f);
    return "  <Layout name=\"" + xml_escape(f.name) + "\" units=\"mm\" worldFileMap=\"\" printResolution=\"300\">\n" +
           page_xml(f) +
           item("65639", map_uuid, "Kaart", 10, 24, f.map_w, f.map_h,
                "keepLayerSet=\"false\" followPreset=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\" "
                "labelMargin=\"0,mm\" mapFlags=\"1\"",
                "      " + ext + "\n      <LayerSet/>\n      <crs>" + rd_new_srs() + "</crs>\n", 1) +
           furniture_xml(f, map_uuid, segment_km) + "  </Layout>\n";
}

// The regions of the atlas: the first context layer with a name field, restricted to the
// regions that hold a feature of the result's first layer.
struct AtlasSource {
    const ProjectLayer* regions = nullptr;
    const ProjectLayer* result = nullptr;
    std::string name_field;
};

AtlasSource atlas_source(const std::vector<ProjectLayer>& entries) {
    AtlasSource a;
    for (const ProjectLayer& e : entries) {
        if (!e.context && !a.result) a.result = &e;
        if (e.context && !a.regions && !e.name_field.empty()) {
            a.regions = &e;
            a.name_field = e.name_field;
        }
    }
    return a;
}

// An atlas layout: one A3 page per region that holds results, the map zoomed to the region
// (10 % margin), the region's name in the title.
std::string atlas_layout_xml(const AtlasSource& a, const OGREnvelope& extent, LayoutFrame f) {
    const std::string map_uuid = f.uuid_prefix + "0001}";
    const std::string ext = map_extent(extent, f).first;  // the first page's; each page zooms to its region
    const std::string name = "[% \"" + a.name_field + "\" %]";
    f.title += " - " + name;
    const std::string filter = "aggregate(layer:='" + a.result->id +
                               "', aggregate:='count', expression:=1, filter:=intersects($geometry, "
                               "geometry(@parent))) > 0";
    return "  <Layout name=\"" + xml_escape(f.name) + "\" units=\"mm\" worldFileMap=\"\" printResolution=\"300\">\n" +
           page_xml(f) +
           item("65639", map_uuid, "Kaart", 10, 24, f.map_w, f.map_h,
                "keepLayerSet=\"false\" followPreset=\"false\" drawCanvasItems=\"true\" mapRotation=\"0\" "
                "labelMargin=\"0,mm\" mapFlags=\"1\"",
                "      " + ext + "\n      <LayerSet/>\n      <crs>" + rd_new_srs() +
                    "</crs>\n      <AtlasMap atlasDriven=\"1\" scalingMode=\"2\" margin=\"0.1\"/>\n",
                1) +
           furniture_xml(f, map_uuid, 0) + "    <Atlas enabled=\"1\" coverageLayer=\"" + xml_escape(a.regions->id) +
           "\" coverageLayerName=\"" + xml_escape(a.regions->name) + "\" coverageLayerSource=\"" +
           xml_escape(a.regions->source) + "\" coverageLayerProvider=\"ogr\" hideCoverage=\"0\" pageNameExpression=\"" +
           xml_escape(a.name_field) + "\" filenamePattern=\"'" + (f.english ? "region" : "regio") +
           "_'||@atlas_featurenumber\" sortFeatures=\"1\" sortKey=\"" + xml_escape(a.name_field) +
           "\" sortAscending=\"1\" filterFeatures=\"1\" featureFilter=\"" + xml_escape(filter) + "\"/>\n  </Layout>\n";
}

std::string layouts_xml(const ProjectLayers& layers, const std::string& title, const std::string& attribution,
                        bool english) {
    LayoutFrame national;
    national.name = "ruimte A3";
    national.title = title;
    national.attribution = attribution;
    national.english = english;
    national.uuid_prefix = "{6f1b8a52-0000-4000-8000-00000000";
    std::string s = "  <Layouts>\n" + layout_xml(layers.extent, national);
    const AtlasSource a = atlas_source(layers.entries);
    if (a.regions && a.result) {
        LayoutFrame regional = national;
        regional.name = english ? "ruimte A3 per region" : "ruimte A3 per regio";
        regional.uuid_prefix = "{6f1b8a52-0000-4000-8000-00000001";
        s += atlas_layout_xml(a, layers.extent, regional);
    }
    return s + "  </Layouts>\n";
}

void write_qgz(const std::string& qgz_path, const std::string& display_path, const std::string& qgs) {
    namespace fs = std::filesystem;
    const std::string stem = fs::path(display_path).stem().string();
    std::ofstream out(qgz_path, std::ios::binary | std::ios::trunc);
    out << stored_zip(stem + ".qgs", qgs);
    out.close();
    if (!out) {
        throw Error(ErrorKind::output, "cannot write the QGIS project", ErrorPlace::at(display_path),
                    "check free disk space and write permission in the output folder");
    }
}

}  // namespace

void write_qgis_project(const std::string& qgz_path, const std::string& display_path, const std::string& gpkg_path,
                        const std::vector<std::string>& context, const std::string& title, bool english,
                        const std::string& gpkg_read_path) {
    namespace fs = std::filesystem;
    const std::string& gpkg_file = gpkg_read_path.empty() ? gpkg_path : gpkg_read_path;  // where it is now
    const ProjectLayers layers = project_layers(display_path, gpkg_path, gpkg_file, context);
    const std::string attribution = attribution_line(fs::absolute(gpkg_file).string(), layers.descriptions, english) +
                                    "  |  " + fs::path(gpkg_path).filename().string();
    const std::string qgs = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis projectname=\"" +
                            xml_escape(title) + "\" version=\"3.22.0-Białowieża\">\n  <title>" + xml_escape(title) +
                            "</title>\n" + properties_xml() + "  <projectCrs>" + rd_new_srs() + "</projectCrs>\n" +
                            layers_xml(layers.entries) + layouts_xml(layers, title, attribution, english) + "</qgis>\n";
    write_qgz(qgz_path, display_path, qgs);
}

}  // namespace ruimte::styles
