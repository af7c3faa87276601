#include "layers/capaciteitskaart.hpp"

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "spatial/core/error.hpp"
#include "spatial/io/source.hpp"

namespace ruimte::layers {

namespace {

using json = nlohmann::json;

// Validates one JSON document against the im-capaciteitskaart v1.3.0 rules ruimte relies on.
class Validator {
  public:
    explicit Validator(std::string path) : path_(std::move(path)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& message, const std::string& hint) const {
        ErrorPlace place;
        place.file = path_;
        place.key = where.empty() ? "/" : where;
        throw Error(ErrorKind::input, "not a valid im-capaciteitskaart v1.3.0 file: " + message, place,
                    hint.empty() ? "compare the file with the schema im_capaciteitskaart.schema.json (v1.3.0)" : hint);
    }

    static std::string kind(const json& v) {
        switch (v.type()) {
            case json::value_t::null: return "null";
            case json::value_t::object: return "an object";
            case json::value_t::array: return "an array";
            case json::value_t::string: return "a string";
            case json::value_t::boolean: return "a boolean";
            case json::value_t::number_integer:
            case json::value_t::number_unsigned: return "an integer";
            case json::value_t::number_float: return "a number";
            default: return "a value";
        }
    }

    const json& object(const json& parent, const std::string& where) const {
        if (!parent.is_object()) fail(where, "must be an object, not " + kind(parent), "");
        return parent;
    }

    void required(const json& obj, const std::string& where, std::initializer_list<const char*> keys) const {
        for (const char* k : keys) {
            if (!obj.contains(k))
                fail(where, "missing required field '" + std::string(k) + "'", "add '" + std::string(k) + "'");
        }
    }

    void only(const json& obj, const std::string& where, std::initializer_list<const char*> keys) const {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            if (std::find_if(keys.begin(), keys.end(), [&](const char* k) { return it.key() == k; }) == keys.end()) {
                std::string all;
                for (const char* k : keys) all += (all.empty() ? "" : ", ") + std::string(k);
                fail(where + "/" + it.key(), "unknown field '" + it.key() + "'", "the schema allows only: " + all);
            }
        }
    }

    std::optional<std::string> string(const json& obj, const std::string& where, const char* key) const {
        if (!obj.contains(key)) return std::nullopt;
        const json& v = obj.at(key);
        if (!v.is_string()) fail(where + "/" + key, "'" + std::string(key) + "' must be a string, not " + kind(v), "");
        return v.get<std::string>();
    }

    std::optional<double> number(const json& obj, const std::string& where, const char* key, bool non_negative) const {
        if (!obj.contains(key)) return std::nullopt;
        const json& v = obj.at(key);
        if (!v.is_number()) fail(where + "/" + key, "'" + std::string(key) + "' must be a number, not " + kind(v), "");
        const double d = v.get<double>();
        if (non_negative && d < 0)
            fail(where + "/" + key, "'" + std::string(key) + "' is " + std::to_string(d) + ", below the minimum 0", "");
        return d;
    }

    std::optional<std::int64_t> integer(const json& obj, const std::string& where, const char* key,
                                        bool non_negative) const {
        if (!obj.contains(key)) return std::nullopt;
        const json& v = obj.at(key);
        if (!v.is_number_integer())
            fail(where + "/" + key, "'" + std::string(key) + "' must be an integer, not " + kind(v), "");
        const auto i = v.get<std::int64_t>();
        if (non_negative && i < 0)
            fail(where + "/" + key, "'" + std::string(key) + "' is " + std::to_string(i) + ", below the minimum 0", "");
        return i;
    }

    std::optional<std::string> enumeration(const json& obj, const std::string& where, const char* key,
                                           std::initializer_list<const char*> allowed, const char* enum_name) const {
        const auto s = string(obj, where, key);
        if (!s) return s;
        if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return *s == a; }) == allowed.end()) {
            std::string all;
            for (const char* a : allowed) all += (all.empty() ? "" : ", ") + std::string(a);
            fail(where + "/" + key, "'" + std::string(key) + "' is '" + *s + "', not a " + enum_name + " value",
                 "use one of: " + all);
        }
        return s;
    }

    std::optional<RAGKind> rag(const json& obj, const std::string& where, const char* key) const {
        const auto s = enumeration(obj, where, key, {"transparant", "red", "amber", "yellow"}, "RAGKind");
        if (!s) return std::nullopt;
        return rag_kind(*s);
    }

    const json& array(const json& obj, const std::string& where, const char* key) const {
        const json& v = obj.at(key);
        if (!v.is_array()) fail(where + "/" + key, "'" + std::string(key) + "' must be an array, not " + kind(v), "");
        return v;
    }

  private:
    std::string path_;
};

}  // namespace

Capaciteitskaart parse_capaciteitskaart(const std::string& text, const std::string& path) {
    Validator v(path);
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(ErrorKind::input, std::string("not JSON: ") + e.what(), ErrorPlace::at(path),
                    "give the capaciteitskaart data product as published (im-capaciteitskaart v1.3.0 JSON)");
    }
    v.object(doc, "");
    // HeatmapDataSet: additionalProperties true at the top level.
    v.required(doc, "", {"conforms_to", "creator", "identifier", "issued", "energy_areas"});
    Capaciteitskaart k;
    k.path = path;
    k.conforms_to = *v.string(doc, "", "conforms_to");
    k.creator = *v.string(doc, "", "creator");
    k.identifier = *v.string(doc, "", "identifier");
    k.issued = *v.string(doc, "", "issued");
    for (const char* key :
         {"contributor", "coverage", "date", "description", "format", "language", "publisher", "rights", "title"}) {
        v.string(doc, "", key);
    }
    if (doc.contains("updated")) {
        const json& updated = v.array(doc, "", "updated");
        for (std::size_t i = 0; i < updated.size(); ++i) {
            const std::string where = "/updated/" + std::to_string(i);
            v.object(updated[i], where);
            v.required(updated[i], where, {"date", "type"});
            v.string(updated[i], where, "date");
            v.enumeration(updated[i], where, "type", {"KI", "ATC", "BTC", "WR", "NU", "JC"}, "UpdateInfoKind");
        }
    }
    const json& areas = v.array(doc, "", "energy_areas");
    for (std::size_t i = 0; i < areas.size(); ++i) {
        const std::string where = "/energy_areas/" + std::to_string(i);
        const json& a = v.object(areas[i], where);
        v.required(a, where, {"short_code", "works"});
        v.only(a, where,
               {"demand_alleviation_year",
                "demand_available_capacity",
                "demand_capacity_in_queue",
                "demand_constraint",
                "demand_energy_area_short_code",
                "demand_forecast_capacity",
                "demand_quoted_capacity",
                "demand_requests_in_queue",
                "description",
                "generation_alleviation_year",
                "generation_available_capacity",
                "generation_capacity_in_queue",
                "generation_constraint",
                "generation_energy_area_short_code",
                "generation_forecast_capacity",
                "generation_quoted_capacity",
                "generation_requests_in_queue",
                "m_rid",
                "names",
                "postcode_areas",
                "short_code",
                "type",
                "works"});
        EnergyArea e;
        e.short_code = *v.string(a, where, "short_code");
        e.type = v.enumeration(a, where, "type", {"energy_area", "congestion_area"}, "EnergyAreaKind").value_or("");
        e.description = v.string(a, where, "description").value_or("");
        v.string(a, where, "m_rid");
        v.string(a, where, "demand_energy_area_short_code");
        v.string(a, where, "generation_energy_area_short_code");
        e.afname = v.rag(a, where, "demand_constraint");
        e.invoeding = v.rag(a, where, "generation_constraint");
        e.afname_available_mw = v.number(a, where, "demand_available_capacity", true);
        e.afname_queue_mw = v.number(a, where, "demand_capacity_in_queue", true);
        e.afname_requests_in_queue = v.integer(a, where, "demand_requests_in_queue", true);
        e.afname_alleviation_year = v.integer(a, where, "demand_alleviation_year", false);
        e.invoeding_available_mw = v.number(a, where, "generation_available_capacity", true);
        e.invoeding_queue_mw = v.number(a, where, "generation_capacity_in_queue", true);
        e.invoeding_requests_in_queue = v.integer(a, where, "generation_requests_in_queue", true);
        e.invoeding_alleviation_year = v.integer(a, where, "generation_alleviation_year", false);
        for (const char* key : {"demand_forecast_capacity", "demand_quoted_capacity", "generation_forecast_capacity",
                                "generation_quoted_capacity"}) {
            v.number(a, where, key, true);
        }
        const json& works = v.array(a, where, "works");
        for (std::size_t w = 0; w < works.size(); ++w) {
            const std::string ww = where + "/works/" + std::to_string(w);
            v.object(works[w], ww);
            v.required(works[w], ww, {"project_name", "time_schedules"});
            v.string(works[w], ww, "project_name");
            v.enumeration(works[w], ww, "status_kind", {"cancelled", "completed", "inProgress", "scheduled"},
                          "WorkStatusKind");
            const json& ts = v.array(works[w], ww, "time_schedules");
            for (std::size_t t = 0; t < ts.size(); ++t) {
                const std::string tw = ww + "/time_schedules/" + std::to_string(t);
                v.object(ts[t], tw);
                v.required(ts[t], tw, {"schedule_interval"});
                v.object(ts[t].at("schedule_interval"), tw + "/schedule_interval");
            }
        }
        e.works = works.size();
        if (a.contains("postcode_areas")) {
            const json& pcs = v.array(a, where, "postcode_areas");
            for (std::size_t p = 0; p < pcs.size(); ++p) {
                const std::string pw = where + "/postcode_areas/" + std::to_string(p);
                const json& pc = v.object(pcs[p], pw);
                v.required(pc, pw, {"postcode", "demand_constraint", "generation_constraint"});
                v.only(pc, pw,
                       {"demand_constraint", "description", "generation_constraint", "m_rid", "names", "postcode",
                        "substation_short_code"});
                PostcodeConstraint c;
                c.postcode = *v.string(pc, pw, "postcode");
                c.afname = *v.rag(pc, pw, "demand_constraint");
                c.invoeding = *v.rag(pc, pw, "generation_constraint");
                c.substation = v.string(pc, pw, "substation_short_code").value_or("");
                e.postcodes.push_back(std::move(c));
            }
        }
        k.areas.push_back(std::move(e));
    }
    return k;
}

Capaciteitskaart load_capaciteitskaart(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::input, "cannot open the capaciteitskaart file", ErrorPlace::at(path),
                    "check the path and read permission");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return parse_capaciteitskaart(s.str(), path);
}

bool looks_like_capaciteitskaart(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    const auto first = head.find_first_not_of(" \t\r\n");
    return first != std::string::npos && head[first] == '{' && head.find("\"energy_areas\"") != std::string::npos &&
           head.find("\"FeatureCollection\"") == std::string::npos;
}

std::string normalise_postcode(const std::string& pc) {
    std::string out;
    for (unsigned char ch : pc) {
        if (std::isalnum(ch) && ch < 128) out += static_cast<char>(std::toupper(ch));
    }
    return out;
}

Voedingsgebieden dissolve_voedingsgebieden(const geos::Context& ctx, const Capaciteitskaart& kaart,
                                           const std::vector<std::pair<std::string, const GEOSGeometry*>>& pc6) {
    std::map<std::string, std::vector<const GEOSGeometry*>> polygons;
    for (const auto& [code, g] : pc6) polygons[normalise_postcode(code)].push_back(g);

    using Key = std::tuple<std::string, RAGKind, RAGKind>;
    std::map<Key, std::vector<std::string>> groups;
    std::set<std::string> missing;
    Voedingsgebieden out;
    for (const EnergyArea& a : kaart.areas) {
        if (a.postcodes.empty()) {
            out.areas_without_postcodes.push_back(a.short_code);
            continue;
        }
        for (const PostcodeConstraint& pc : a.postcodes) {
            const std::string code = normalise_postcode(pc.postcode);
            if (!polygons.count(code)) {
                missing.insert(pc.postcode);
                continue;
            }
            groups[{a.short_code, pc.afname, pc.invoeding}].push_back(code);
        }
    }
    for (auto& [key, codes] : groups) {
        std::sort(codes.begin(), codes.end());
        codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
        std::vector<const GEOSGeometry*> parts;
        for (const auto& c : codes) {
            for (const GEOSGeometry* g : polygons[c]) parts.push_back(g);
        }
        VoedingsgebiedPart p;
        p.short_code = std::get<0>(key);
        p.afname = std::get<1>(key);
        p.invoeding = std::get<2>(key);
        p.postcodes = codes;
        p.geom = geos::polygonal_part(ctx, geos::union_all(ctx, parts).get());
        out.parts.push_back(std::move(p));
    }
    out.missing_postcodes.assign(missing.begin(), missing.end());
    std::sort(out.areas_without_postcodes.begin(), out.areas_without_postcodes.end());
    return out;
}

Voedingsgebieden dissolve_voedingsgebieden(const geos::Context& ctx, const Capaciteitskaart& kaart,
                                           const FeatureLayer& pc6, const std::string& postcode_field) {
    const int field = pc6.field_index(postcode_field);
    if (field < 0) {
        std::string fields;
        for (int i = 0; pc6.defn && i < pc6.defn->GetFieldCount(); ++i) {
            fields += (i ? ", " : "") + std::string(pc6.defn->GetFieldDefn(i)->GetNameRef());
        }
        throw Error(ErrorKind::input,
                    "the PC6 layer has no postcode field '" + postcode_field +
                        "'; its fields are: " + (fields.empty() ? "(none)" : fields),
                    ErrorPlace::at(pc6.source.path, pc6.layer_name), "name the field that holds the PC6 code");
    }
    std::vector<std::pair<std::string, const GEOSGeometry*>> pairs;
    for (const Feature& f : pc6.features) {
        if (pc6.field_is_null(f, field)) continue;
        pairs.emplace_back(pc6.field_as_string(f, field), f.geom.get());
    }
    return dissolve_voedingsgebieden(ctx, kaart, pairs);
}

}  // namespace ruimte::layers
