#pragma once
// The criteria profile: which layers to overlay, which candidates to exclude, how each factor
// is standardised to 0..1, the weights and the aggregation. Format: TOML, see docs/criteria.md.
// load_profile() validates the whole profile before any geometry is read; every error names
// the file, the line and the key.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spatial/criteria/ahp.hpp"
#include "spatial/criteria/raster_spec.hpp"
#include "spatial/geometry/overlay.hpp"
#include "spatial/io/source.hpp"

namespace ruimte {

struct LayerSpec {
    std::string name;   // the key in [layers.NAME]
    SourceSpec source;  // resolved against the profile's folder
    LayerKind kind = LayerKind::classes;
    std::string field;                 // class attribute (classes) or name attribute (presence)
    std::vector<std::string> classes;  // declared classes in order; empty: taken from the data
    // "wbs" or "netcongestie": source values are read through the layer catalogue's spellings
    // ("Ja, mits", "JA MITS", 3 ...) before the class check; classes default to the catalogue's.
    std::string catalogue;
    int line = 0;
};

enum class CompareOp { gt, ge, lt, le, eq, ne };
std::string to_string(CompareOp op);
bool compare(double lhs, CompareOp op, double rhs);

struct Exclusion {
    std::string metric;  // e.g. "wbs.share.nee"
    CompareOp op = CompareOp::gt;
    double value = 0;
    std::string reason;  // words for people; generated from the rule when empty
    int line = 0;
};

enum class FactorKind {
    classes,         // area-weighted mean of a value per class of a class layer
    linear,          // linear membership of a numeric metric between lower and upper
    distance_decay,  // 1 at distance 0 from a presence layer, falling with distance
};
enum class Direction { rising, falling };
enum class DecayShape {
    linear,       // 1 - d / distance_m, 0 beyond distance_m
    exponential,  // 0.5^(d / distance_m): distance_m is the half-value distance
};

struct Factor {
    std::string name;
    FactorKind kind = FactorKind::classes;
    double weight = 0;  // normalised: the weights of all factors sum to 1
    double weight_given = 0;
    std::string layer;                     // classes, distance_decay
    std::map<std::string, double> values;  // classes: value per class in 0..1
    double uncovered = 0;                  // classes: value of the part outside the layer
    std::string metric;                    // linear
    double lower = 0, upper = 1;           // linear
    Direction direction = Direction::rising;
    double distance_m = 1000;  // distance_decay
    DecayShape shape = DecayShape::linear;
    int line = 0;
};

enum class Aggregation {
    weighted_sum,  // score = sum of weight x value
    minimum,       // score = the lowest factor value (weakest link, 'nergens een 4')
};

struct Profile {
    std::string path;  // the file it came from
    std::string text;  // its full text (for the run manifest)
    std::string name;
    std::string description;
    Aggregation aggregation = Aggregation::weighted_sum;
    std::string id_field;  // candidate id attribute; empty: "id" if present, else the FID
    std::vector<LayerSpec> layers;
    std::vector<RasterLayerSpec> rasters;  // type = raster_values / raster_classes (raster_layers.hpp)
    std::vector<Exclusion> exclusions;
    std::vector<Factor> factors;
    // Set when [weights] method = "ahp": the factors' weights are its eigenvector (docs/weights.md).
    std::optional<AhpResult> ahp;
    // Things the user should be told (an AHP consistency ratio above 0.1); errors with --strict.
    std::vector<std::string> warnings;

    const LayerSpec* layer(const std::string& name) const;
    const RasterLayerSpec* raster(const std::string& name) const;
};

// Layer sources given on the command line (NAME -> FILE[:LAYER], relative to the working
// directory) replace the profile's `source` of that layer.
using SourceOverrides = std::map<std::string, std::string>;

Profile load_profile(const std::string& path, const SourceOverrides& overrides = {});
// `path` is used in messages and to resolve relative sources.
Profile parse_profile(const std::string& text, const std::string& path, const SourceOverrides& overrides = {});

// A metric name split into its parts; see docs/criteria.md for the list.
struct MetricName {
    enum class Kind {
        area_ha,
        attribute,
        share,
        area_m2,
        covered_share,
        uncovered_share,
        covered_m2,
        distance_m,
        raster
    };
    Kind kind = Kind::area_ha;
    std::string layer;      // layer metrics
    std::string klass;      // share / area_m2; raster: the statistic ("mean", "share_above_0.5", "share.ja")
    std::string attribute;  // attribute
};
// Parses and checks a metric name against the profile's layers; throws Error(profile).
MetricName parse_metric(const std::string& metric, const Profile& profile, int line, const std::string& key);

}  // namespace ruimte
