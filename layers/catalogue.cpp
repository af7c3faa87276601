#include "layers/catalogue.hpp"
#include <cctype>

#include <ogrsf_frmts.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "spatial/core/error.hpp"
#include "spatial/io/source.hpp"

namespace ruimte::layers {

const std::vector<LayerKindInfo>& catalogue() {
    // Colours: not official (DOMAIN.md: official colours are unconfirmed); chosen as an
    // ordered, colour-blind-safe sequence from green (no constraint) to purple (most severe).
    //
    // WBS aliases: the published map's spelling is unconfirmed (DOMAIN.md), so the common
    // ways of writing the classes map here, and configuration adds more. Codes 1-5 follow
    // the order of severity. A bare "ja, mits" (no small/large effort given) maps to
    // ja_mits_groot: a check must never understate what a location asks.
    static const std::vector<LayerKindInfo> kinds = {
        {"wbs",
         "Water en bodem sturend",
         "Water and soil as guiding principle",
         {
             {"ja", "ja", "yes", "#1a9850", 0, {"1", "yes", "ja_geen_opgave", "geen_opgave"}},
             {"ja_mits_klein",
              "ja, mits (kleine opgave)",
              "yes, provided (small effort)",
              "#a6d96a",
              1,
              {"2", "ja_mits_kleine_opgave", "ja_mits_kleine", "ja_mits_klein_opgave", "kleine_opgave",
               "yes_provided_small", "yes_provided_small_effort"}},
             {"ja_mits_groot",
              "ja, mits (grote opgave)",
              "yes, provided (large effort)",
              "#fee08b",
              2,
              {"3", "ja_mits", "ja_mits_grote_opgave", "ja_mits_grote", "ja_mits_groot_opgave", "grote_opgave",
               "yes_provided", "yes_provided_large", "yes_provided_large_effort"}},
             {"nee_tenzij", "nee, tenzij", "no, unless", "#f46d43", 3, {"4", "no_unless"}},
             {"nee", "nee", "no", "#762a83", 4, {"5", "no"}},
         },
         {
             {"waterveiligheid",
              "waterveiligheid (overstroming)",
              "flood safety",
              "beperk de gevolgen van een overstroming: vloerpeil, vluchtroutes en vitale functies boven de "
              "verwachte waterdiepte",
              "limit the consequences of a flood: floor level, escape routes and vital functions above the "
              "expected water depth",
              {"waterveiligheid", "overstroming", "overstroming_m", "overstromingsdiepte", "overstromingsdiepte_m",
               "waterdiepte_m", "flood_depth_m"}},
             {"wateroverlast",
              "wateroverlast (extreme neerslag)",
              "pluvial flooding",
              "maak ruimte voor waterberging en afvoer bij extreme neerslag; kies een vloerpeil boven het "
              "straatpeil",
              "make room for storage and drainage of extreme rainfall; keep floor levels above street level",
              {"wateroverlast", "water_overlast", "pluvial_flooding"}},
             {"bodemdaling",
              "bodemdaling",
              "subsidence",
              "stem fundering, ophoging en inrichting van de openbare ruimte af op de zettingsgevoelige bodem",
              "match foundations, raising of the ground and public-space design to the subsiding soil",
              {"bodemdaling", "bodemdaling_cm", "bodemdaling_mm", "subsidence", "subsidence_cm"}},
             {"drinkwater",
              "drinkwaterbeschikbaarheid",
              "drinking water availability",
              "beperk het drinkwatergebruik en stem de vraag vroeg af met het drinkwaterbedrijf",
              "limit drinking water use and agree the demand early with the water company",
              {"drinkwater", "drinkwaterbeschikbaarheid", "drinking_water"}},
         }},
        {"netcongestie",
         "Netcongestie (capaciteitskaart)",
         "Grid congestion (capacity map)",
         {
             {"transparant",
              "capaciteit beschikbaar",
              "capacity available",
              "#f7f7f7",
              0,
              {"transparent", "capaciteit_beschikbaar", "geen_congestie", "wit", "white"}},
             {"yellow", "beperkte capaciteit", "limited capacity", "#fee08b", 1, {"geel", "beperkt"}},
             {"amber",
              "in onderzoek, wachtrij",
              "under investigation, queue",
              "#fdae61",
              2,
              {"oranje", "orange", "wachtrij"}},
             {"red",
              "transportschaarste, wachtrij",
              "transport capacity shortage, queue",
              "#d73027",
              3,
              {"rood", "transportschaarste"}},
         },
         {}},
    };
    return kinds;
}

const LayerKindInfo* find_kind(std::string_view kind) {
    for (const auto& k : catalogue()) {
        if (k.kind == kind) return &k;
    }
    return nullptr;
}

const LayerKindInfo& kind_or_throw(std::string_view kind) {
    if (const LayerKindInfo* k = find_kind(kind)) return *k;
    std::string names;
    for (const auto& k : catalogue()) names += (names.empty() ? "" : ", ") + k.kind;
    throw Error(ErrorKind::usage, "no layer kind '" + std::string(kind) + "' in the catalogue", {},
                "use one of: " + names);
}

std::string_view to_string(RAGKind k) {
    switch (k) {
        case RAGKind::transparant: return "transparant";
        case RAGKind::yellow: return "yellow";
        case RAGKind::amber: return "amber";
        case RAGKind::red: return "red";
    }
    return "?";
}

std::optional<RAGKind> rag_kind(std::string_view exact) {
    for (RAGKind k : {RAGKind::transparant, RAGKind::yellow, RAGKind::amber, RAGKind::red}) {
        if (to_string(k) == exact) return k;
    }
    return std::nullopt;
}

std::string_view to_string(GridDirection d) {
    return d == GridDirection::afname ? "afname" : "invoeding";
}

std::string normalise_value(std::string_view value) {
    std::string s(value);
    // Typographic dashes (UTF-8) as in "ja, mits — kleine opgave" are separators too.
    for (const char* dash : {"\xE2\x80\x94", "\xE2\x80\x93"}) {
        for (auto pos = s.find(dash); pos != std::string::npos; pos = s.find(dash)) s.replace(pos, 3, "-");
    }
    std::string out;
    for (unsigned char ch : s) {
        const bool sep = ch == ' ' || ch == '\t' || ch == '-' || ch == '_' || ch == ',' || ch == '.' || ch == '/' ||
                         ch == '(' || ch == ')' || ch == ';' || ch == ':' || ch == '\'' || ch == '"';
        if (sep) {
            if (!out.empty() && out.back() != '_') out += '_';
        } else {
            out += static_cast<char>(ch < 128 ? std::tolower(ch) : ch);
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    // A whole number, also written with a zero fraction or leading zeros ("3", "3.0", "03",
    // "+3"), is that number's digits. Decided on the text (no conversion to a number, so no
    // overflow), and on the normalised text, so that normalising twice changes nothing.
    std::size_t i = out.size() > 0 && out[0] == '+' ? 1 : 0;
    const std::size_t digits_begin = i;
    while (i < out.size() && std::isdigit(static_cast<unsigned char>(out[i]))) ++i;
    const std::size_t digits_end = i;
    bool integer = digits_end > digits_begin;
    if (integer && i < out.size()) {
        integer = out[i] == '_' && i + 1 < out.size() && out.find_first_not_of('0', i + 1) == std::string::npos;
    }
    if (integer) {
        std::string digits = out.substr(digits_begin, digits_end - digits_begin);
        const auto first = digits.find_first_not_of('0');
        return first == std::string::npos ? "0" : digits.substr(first);
    }
    return out;
}

std::optional<std::size_t> class_of(const LayerKindInfo& kind, std::string_view value, const AliasMap& extra) {
    const std::string v = normalise_value(value);
    for (const auto& [from, to] : extra) {
        if (normalise_value(from) != v) continue;
        for (std::size_t k = 0; k < kind.classes.size(); ++k) {
            if (kind.classes[k].code == to) return k;
        }
    }
    for (std::size_t k = 0; k < kind.classes.size(); ++k) {
        const ClassInfo& c = kind.classes[k];
        if (c.code == v || std::find(c.aliases.begin(), c.aliases.end(), v) != c.aliases.end()) return k;
    }
    return std::nullopt;
}

AliasMap check_aliases(const LayerKindInfo& kind, const AliasMap& extra) {
    for (const auto& [from, to] : extra) {
        const bool known = std::any_of(kind.classes.begin(), kind.classes.end(),
                                       [&code = to](const ClassInfo& c) { return c.code == code; });
        if (!known) {
            std::string codes;
            for (const auto& c : kind.classes) codes += (codes.empty() ? "" : ", ") + c.code;
            throw Error(ErrorKind::usage,
                        "alias '" + from + "=" + to + "': '" + to + "' is not a " + kind.kind + " class", {},
                        "map to one of: " + codes);
        }
    }
    return extra;
}

std::vector<std::uint32_t> map_values(const LayerKindInfo& kind, const std::vector<std::string>& values,
                                      const std::vector<std::int64_t>& feature_ids, const AliasMap& extra,
                                      const ErrorPlace& place, const std::string& field) {
    std::vector<std::uint32_t> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto k = class_of(kind, values[i], extra);
        if (k) {
            out[i] = static_cast<std::uint32_t>(*k);
            continue;
        }
        std::map<std::string, std::size_t> found;
        for (const auto& v : values) ++found[v];
        std::string found_list;
        for (const auto& [v, n] : found) {
            found_list += (found_list.empty() ? "'" : ", '") + v + "' (" + std::to_string(n) + "x" +
                          (class_of(kind, v, extra) ? " -> " + kind.classes[*class_of(kind, v, extra)].code
                                                    : std::string(", unmapped")) +
                          ")";
        }
        std::string allowed;
        for (const auto& c : kind.classes) allowed += (allowed.empty() ? "" : ", ") + c.code;
        ErrorPlace p = place;
        if (i < feature_ids.size()) p.feature_id = feature_ids[i];
        throw Error(ErrorKind::input,
                    "value '" + values[i] + "' in field '" + field + "' maps to no " + kind.kind +
                        " class (allowed: " + allowed + "); values found: " + found_list,
                    p,
                    "fix the data, or map the value to a class (`ruimte check --alias 'VALUE=CLASS'`); `ruimte layers` "
                    "lists the spellings ruimte knows");
    }
    return out;
}

const ThemeInfo* theme_for_field(const LayerKindInfo& kind, std::string_view field) {
    const std::string f = normalise_value(field);
    for (const auto& t : kind.themes) {
        if (std::find(t.field_hints.begin(), t.field_hints.end(), f) != t.field_hints.end()) return &t;
    }
    return nullptr;
}

// Names from the NOVEX guide (Bijlage 1) and PDOK; homes from the BZK-credited list quoted in
// DOMAIN.md (horizon unclear; none where the list has none).
const std::vector<NamedPlace>& novex_gebieden() {
    static const std::vector<NamedPlace> list = {
        {"Amsterdam Noordzeekanaalgebied", {}, ""},
        {"Regio Schiphol", {}, ""},
        {"Verstedelijkingsgebied MRA", {}, ""},
        {"Verstedelijkingsgebied Zuidelijke Randstad", {}, ""},
        {"Rotterdamse haven", {}, ""},
        {"Het Groene Hart", {}, ""},
        {"Verstedelijkingsgebied Utrecht-Amersfoort", {}, ""},
        {"Arnhem-Nijmegen-Foodvalley", {}, ""},
        {"North Sea Port District", {}, ""},
        {"Stedelijk Brabant", {}, ""},
        {"De Peel", {}, ""},
        {"Zuid-Limburg", {}, ""},
        {"Regio Zwolle", {}, ""},
        {"NOVEX-gebied Groningen", {}, ""},
        {"Verstedelijkingsgebied Groningen-Assen", {}, ""},
        {"Lelylijn", {}, ""},
    };
    return list;
}

const std::vector<NamedPlace>& novex_woningbouwlocaties() {
    static const std::vector<NamedPlace> list = {
        {"Groningen Eemskanaalzone/Stadshavens", 10000, "Groningen"},
        {"Groningen Suikerzijde/Westflank", 10000, "Groningen"},
        {"Zwolle Spoorzone en Binnenstad", 4000, "Zwolle"},
        {"Spoorzone Arnhem-Oost", {}, "Arnhem"},
        {"Nijmegen Stationsgebied", 3500, "Nijmegen"},
        {"Nijmegen Kanaalzone", 5000, "Nijmegen"},
        {"Foodvalley (Ede-Zuidoost/Kernhem, Veenendaal-Centrum, Barneveld-Noord)", {}, "Ede, Veenendaal, Barneveld"},
        {"Amersfoort Spoor- en A1-zone", 16000, "Amersfoort"},
        {"Utrecht Groot Merwede", 20000, "Utrecht"},
        {"Amsterdam Havenstad", 75000, "Amsterdam"},
        {"MRA-Oost (Zeeburg/IJburg, Zuidoost, Almere-Centrum, Pampus)", 100000, "Amsterdam, Almere"},
        {"MRA-West (Hoofddorp stationsgebied, Lisserbroek-West)", 38000, "Haarlemmermeer"},
        {"Den Haag CID-Binckhorst", 33000, "'s-Gravenhage"},
        {"Rotterdam Oostflank", 30000, "Rotterdam"},
        {"Oude Lijn Leiden-Dordrecht", 70000, "Leiden tot Dordrecht"},
        {"Eindhoven Internationale Knoop XL", 9000, "Eindhoven"},
        {"Brabantse Stedenrij (Breda, Den Bosch, Tilburg)", 17000, "Breda, 's-Hertogenbosch, Tilburg"},
    };
    return list;
}

// gemeente.nu (2022): 20 focus areas in 19 municipalities. The Woontop text (Afspraak 5)
// speaks of 18 areas in 17 municipalities; the longer list is kept so no area is missed.
const std::vector<NamedPlace>& nplv_focusgebieden() {
    static const std::vector<NamedPlace> list = {
        {"Leeuwarden-Oost", {}, "Leeuwarden"},
        {"Groningen Noord", {}, "Groningen"},
        {"Arnhem Oost", {}, "Arnhem"},
        {"Heerlen Noord", {}, "Heerlen"},
        {"Breda Noord", {}, "Breda"},
        {"Eindhoven Woensel-Zuid", {}, "Eindhoven"},
        {"Tilburg Noordwest", {}, "Tilburg"},
        {"Schiedam Nieuwland-Oost", {}, "Schiedam"},
        {"Rotterdam-Zuid", {}, "Rotterdam"},
        {"Den Haag Zuidwest", {}, "'s-Gravenhage"},
        {"Amsterdam Zuidoost", {}, "Amsterdam"},
        {"Amsterdam Nieuw-West", {}, "Amsterdam"},
        {"Zaandam Oost", {}, "Zaanstad"},
        {"Lelystad Oost", {}, "Lelystad"},
        {"Utrecht Overvecht", {}, "Utrecht"},
        {"Nieuwegein Centrale-As", {}, "Nieuwegein"},
        {"Vlaardingen West", {}, "Vlaardingen"},
        {"Delft West", {}, "Delft"},
        {"Dordrecht West", {}, "Dordrecht"},
        {"Roosendaal-stad", {}, "Roosendaal"},
    };
    return list;
}

const std::vector<NamedPlace>* places(std::string_view list) {
    if (list == "novex_gebieden") return &novex_gebieden();
    if (list == "novex_locaties") return &novex_woningbouwlocaties();
    if (list == "nplv") return &nplv_focusgebieden();
    return nullptr;
}

PlaceMatch match_places(const FeatureLayer& layer, const std::string& name_field, const std::vector<NamedPlace>& list) {
    const int field = layer.field_index(name_field);
    if (field < 0) {
        std::string fields;
        for (int i = 0; layer.defn && i < layer.defn->GetFieldCount(); ++i) {
            fields += (i ? ", " : "") + std::string(layer.defn->GetFieldDefn(i)->GetNameRef());
        }
        throw Error(ErrorKind::input,
                    "no name field '" + name_field + "'; the fields are: " + (fields.empty() ? "(none)" : fields),
                    ErrorPlace::at(layer.source.path, layer.layer_name), "name the field that holds the place names");
    }
    std::map<std::string, std::size_t> by_name;
    for (std::size_t i = 0; i < list.size(); ++i) by_name[normalise_value(list[i].name)] = i;
    PlaceMatch m;
    std::vector<bool> seen(list.size(), false);
    std::set<std::string> unknown;
    for (const Feature& f : layer.features) {
        const std::string name = layer.field_as_string(f, field);
        const auto it = by_name.find(normalise_value(name));
        if (it == by_name.end()) {
            m.place_of_feature.emplace_back(std::nullopt);
            unknown.insert(name);
        } else {
            m.place_of_feature.emplace_back(it->second);
            seen[it->second] = true;
        }
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (!seen[i]) m.missing.push_back(list[i].name);
    }
    m.unknown.assign(unknown.begin(), unknown.end());
    return m;
}

}  // namespace ruimte::layers
