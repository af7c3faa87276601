#pragma once
// What a source holds, for `ruimte info`: layers, CRS, feature count, extent, fields, invalid
// geometries, and the values of class-like fields with how the catalogue maps them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layers/capaciteitskaart.hpp"
#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"

namespace ruimte::layers {

struct ValueMapping {
    std::string value;
    std::size_t count = 0;
    std::string klass;  // the class it maps to, empty when unmapped
};

struct ClassFieldSummary {
    std::string field;
    std::string kind;                  // catalogue kind
    std::vector<ValueMapping> values;  // sorted by value
    std::size_t unmapped = 0;          // distinct values that map to no class
};

struct FieldSummary {
    std::string name;
    std::string type;  // OGR's name: String, Integer64, Real, ...
    std::size_t nulls = 0;
    std::size_t distinct = 0;        // capped at max_distinct + 1
    std::optional<double> min, max;  // numeric fields
};

struct LayerSummary {
    std::string name;
    std::string geometry_type;
    std::string crs;  // "Amersfoort / RD New (EPSG:28992)" or "(none)"
    std::int64_t features = 0;
    bool has_extent = false;
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;  // in the layer's CRS
    std::vector<FieldSummary> fields;
    std::size_t null_geometries = 0;
    std::size_t invalid_geometries = 0;
    std::vector<std::int64_t> invalid_fids;  // the first 10
    std::vector<ClassFieldSummary> class_fields;
    // The read ended early or was not whole (a damaged file: spatial/read_check.hpp); the
    // counts above are then of the features read.
    std::optional<Error> damage;
};

struct SourceSummary {
    std::string path;
    std::string driver;
    std::vector<LayerSummary> layers;
    std::optional<Capaciteitskaart> capaciteitskaart;  // when the file is one (JSON)
};

// `layer` empty: every layer. Distinct values are counted up to `max_distinct` per field.
// Throws Error(input) when the source cannot be opened or the layer does not exist.
SourceSummary summarise_source(const std::string& path, const std::string& layer = {}, const AliasMap& extra = {},
                               std::size_t max_distinct = 50);

}  // namespace ruimte::layers
