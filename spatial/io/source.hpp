#pragma once
// Reading polygon layers from any OGR vector source into GEOS geometries in EPSG:28992,
// with geometry hygiene (repair, skip, report) and the CRS operation recorded.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/parallel.hpp"

class OGRSpatialReference;

class OGRFeature;
class OGRFeatureDefn;

namespace ruimte {

// FILE[:LAYER]. The layer part is split off only when FILE alone is not an existing path.
struct SourceSpec {
    std::string path;
    std::string layer;  // empty: the source's only layer
    std::string display() const { return layer.empty() ? path : path + ":" + layer; }
};
// `base_dir` resolves relative paths (a profile resolves against its own folder).
SourceSpec parse_source(std::string_view spec, const std::string& base_dir = {});

struct GeometryIssue {
    std::int64_t fid;
    std::string what;
};

struct HygieneReport {
    std::vector<GeometryIssue> repaired;  // kept after a repair (MakeValid, rings closed, ...)
    std::vector<GeometryIssue> skipped;   // not used: null, empty, collapsed, non-polygon
    std::size_t curves_linearised = 0;
    std::size_t zm_dropped = 0;
};

struct CrsReport {
    std::string source_crs;  // e.g. "WGS 84 (EPSG:4326)"
    bool assumed = false;    // the source had no CRS and --assume-crs named one
    bool reprojected = false;
    std::string operation;   // PROJ's description of the operation used
    double accuracy_m = -1;  // PROJ's stated accuracy; -1 when unknown
};

struct Feature {
    std::int64_t fid = 0;
    geos::Geom geom;                         // valid, polygonal, EPSG:28992
    std::unique_ptr<OGRFeature> attributes;  // the source's attributes; no geometry
    Feature();
    Feature(Feature&&) noexcept;
    Feature& operator=(Feature&&) noexcept;
    ~Feature();
};

struct DefnRelease {
    void operator()(OGRFeatureDefn* d) const noexcept;
};

struct FeatureLayer {
    SourceSpec source;
    std::string layer_name;
    std::shared_ptr<OGRFeatureDefn> defn;  // attribute schema (geometry fields ignored)
    std::vector<Feature> features;
    HygieneReport hygiene;
    CrsReport crs;
    std::vector<std::string> notices;  // things a user should know, e.g. Z dropped

    // Where an error about this layer (and one of its features) happened.
    ErrorPlace place(std::optional<std::int64_t> fid = std::nullopt) const;
    // The attribute names, comma-separated (for messages), or "(none)".
    std::string field_names() const;
    // What a user should know about this layer's reading, one line each, prefixed with
    // "ROLE (SOURCE): ": repaired and skipped features (the first 10 fids, then `more_note`
    // after the count of the rest), the reader's notes, and the reprojection with its accuracy.
    std::vector<std::string> hygiene_notes(const std::string& role, const std::string& more_note = "") const;
    // The features' geometries, in feature order (what LayerIndex indexes).
    std::vector<const GEOSGeometry*> geometries() const;

    // Index of a field by name (case-insensitive as OGR does), or -1.
    int field_index(std::string_view name) const;
    std::string field_as_string(const Feature& f, int field) const;
    std::optional<double> field_as_double(const Feature& f, int field) const;
    bool field_is_null(const Feature& f, int field) const;
};

// What a layer must hold: polygons (candidates, class and presence layers), or points or lines
// (points and lines layers; their multi- forms too). spatial/io/point_line_read.hpp.
enum class ReadGeometry { polygons, points, lines };

// The largest coordinate (in metres from RD New's origin, after reprojection) a feature may have:
// no place in the Netherlands is near it (the earth's circumference is 4e7 m), and from about
// 1e150 on areas overflow, or stay finite while overlays, partitions and repairs lose the
// feature; so every reader refuses a feature beyond it (exit 4 naming it; --skip-invalid skips it).
inline constexpr double kMaxCoordinate = 1e9;

struct ReadOptions {
    ReadGeometry geometry = ReadGeometry::polygons;
    std::string assume_crs;     // CRS for sources that have none, e.g. "EPSG:28992"
    bool skip_invalid = false;  // skip non-polygon / unrepairable features instead of failing
    bool keep_attributes = true;
    geos::MakeValidMethod make_valid = geos::MakeValidMethod::structure;  // how invalid polygons are repaired
    // A feature with a coordinate (after reprojection to EPSG:28992) farther than this from 0
    // is unusable (an error, or skipped with skip_invalid), checked before any repair; 0: no
    // limit. Every reader has kMaxCoordinate (docs/reliability.md).
    double max_abs_coordinate = kMaxCoordinate;
    RunControl control;  // threads for the GEOS work (validation, repair, reprojection)
    // Called every few thousand features with (done, total); total may be 0 if unknown.
    std::function<void(std::size_t, std::size_t)> progress;
};

// A CRS for people and the manifest: its name and authority code, "RD New (EPSG:28992)".
std::string describe_crs(const OGRSpatialReference& srs);

// Reads polygons, or points or lines when options.geometry says so.
FeatureLayer read_polygon_layer(const SourceSpec& spec, const ReadOptions& options);

// The same in chunks of at most `chunk_features` usable features, each handed to `on_chunk`
// in source order (a FeatureLayer whose features are that chunk's; its hygiene report so far)
// and freed after it, so that memory holds one chunk. Returns the layer without features: its
// schema, CRS, notices and the whole hygiene report. The vertex limit per layer holds per chunk.
using ChunkFn = std::function<void(FeatureLayer&)>;
FeatureLayer read_polygon_layer_chunks(const SourceSpec& spec, const ReadOptions& options, std::size_t chunk_features,
                                       const ChunkFn& on_chunk);

// Layer names of a source (for messages and `ruimte info`).
std::vector<std::string> list_layers(const std::string& path);

}  // namespace ruimte
