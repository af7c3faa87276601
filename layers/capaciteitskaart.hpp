#pragma once
// The official capaciteitskaart data product of Netbeheer Nederland (im-capaciteitskaart
// v1.3.0, JSON): energy areas (voedingsgebieden) with demand (afname) and generation
// (invoeding) constraints, either per area or per PC6 postcode area. The data product has no
// geometry: a voedingsgebied is a set of PC6 postcodes, so its polygons are made by
// dissolving PC6 polygons that the user supplies.
//
// Validation follows the schema's rules for what ruimte reads: required fields, types,
// enum values (RAGKind, EnergyAreaKind, UpdateInfoKind, WorkStatusKind), minimum 0 of the
// capacities and queues, and no unknown fields inside energy areas and postcode areas
// (the schema sets additionalProperties false there). Every error names the JSON path.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "layers/catalogue.hpp"
#include "spatial/geometry/geos.hpp"

namespace ruimte {
struct FeatureLayer;
}

namespace ruimte::layers {

struct PostcodeConstraint {
    std::string postcode;                      // PC6, as written in the file ("1234AC")
    RAGKind afname = RAGKind::transparant;     // demand_constraint
    RAGKind invoeding = RAGKind::transparant;  // generation_constraint
    std::string substation;                    // substation_short_code (optional)
};

struct EnergyArea {
    std::string short_code;
    std::string type;  // "energy_area", "congestion_area" or empty
    std::string description;
    std::optional<RAGKind> afname;     // area-level demand_constraint
    std::optional<RAGKind> invoeding;  // area-level generation_constraint
    std::optional<double> afname_available_mw, afname_queue_mw;
    std::optional<std::int64_t> afname_requests_in_queue, afname_alleviation_year;
    std::optional<double> invoeding_available_mw, invoeding_queue_mw;
    std::optional<std::int64_t> invoeding_requests_in_queue, invoeding_alleviation_year;
    std::vector<PostcodeConstraint> postcodes;
    std::size_t works = 0;
};

struct Capaciteitskaart {
    std::string path;
    std::string conforms_to;
    std::string identifier;
    std::string creator;
    std::string issued;
    std::vector<EnergyArea> areas;  // in file order
};

// Parses and validates; `path` names the file in errors. Throws Error(input).
Capaciteitskaart parse_capaciteitskaart(const std::string& text, const std::string& path);
Capaciteitskaart load_capaciteitskaart(const std::string& path);
// True when the text looks like a capaciteitskaart (a JSON object with energy_areas).
bool looks_like_capaciteitskaart(const std::string& path);

// One dissolved polygon: the PC6 polygons of one voedingsgebied that share their afname and
// invoeding constraint (a voedingsgebied whose postcodes all share them is one part).
struct VoedingsgebiedPart {
    std::string short_code;
    RAGKind afname = RAGKind::transparant;
    RAGKind invoeding = RAGKind::transparant;
    std::vector<std::string> postcodes;  // sorted
    geos::Geom geom;                     // valid, polygonal
};

struct Voedingsgebieden {
    std::vector<VoedingsgebiedPart> parts;             // sorted by short_code, afname, invoeding
    std::vector<std::string> missing_postcodes;        // listed in the JSON, absent from the PC6 layer
    std::vector<std::string> areas_without_postcodes;  // energy areas with no postcode_areas
};

// `pc6` pairs a PC6 code (any case or spacing: "1234 ac" matches "1234AC") with its
// polygon; a code may appear more than once (its polygons are unioned).
Voedingsgebieden dissolve_voedingsgebieden(const geos::Context& ctx, const Capaciteitskaart& kaart,
                                           const std::vector<std::pair<std::string, const GEOSGeometry*>>& pc6);
// The same from a polygon layer read with read_polygon_layer; `postcode_field` names the PC6
// attribute (throws Error(input) listing the fields when it is missing).
Voedingsgebieden dissolve_voedingsgebieden(const geos::Context& ctx, const Capaciteitskaart& kaart,
                                           const FeatureLayer& pc6, const std::string& postcode_field);

// "1234 ac" -> "1234AC".
std::string normalise_postcode(const std::string& pc);

}  // namespace ruimte::layers
