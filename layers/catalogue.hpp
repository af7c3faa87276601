#pragma once
// The Dutch layer catalogue: the classes of each national layer kind, their order of
// severity, Dutch and English labels and colours, the spellings source files use for them,
// the WBS themes, and the named NOVEX and NPLV places. One place, so every run, map and
// report means the same thing by `ja_mits_groot` or `red`. See ../shared/DOMAIN.md for the
// sources. Nothing here reads files except load_named_places().
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ruimte {
struct FeatureLayer;
struct ErrorPlace;
}  // namespace ruimte

namespace ruimte::layers {

struct ClassInfo {
    std::string code;      // the value ruimte uses, e.g. "ja_mits_klein"
    std::string label_nl;  // for maps and reports in Dutch
    std::string label_en;
    std::string colour;  // "#rrggbb"
    int severity = 0;    // 0 = no constraint; higher is more severe
    // Built-in spellings, already normalised (normalise_value); the code itself always maps.
    std::vector<std::string> aliases;
};

// A theme that decides a WBS class (waterveiligheid, ...): what it is, what a 'mits' on it
// asks of a plan, and the source field names that usually carry it.
struct ThemeInfo {
    std::string code;  // "waterveiligheid"
    std::string label_nl;
    std::string label_en;
    std::string measure_nl;  // what must be addressed when the theme is present
    std::string measure_en;
    std::vector<std::string> field_hints;  // normalised field names that carry this theme
};

struct LayerKindInfo {
    std::string kind;  // "wbs", "netcongestie", ...
    std::string title_nl;
    std::string title_en;
    std::vector<ClassInfo> classes;  // in order of severity, mildest first
    std::vector<ThemeInfo> themes;   // empty for kinds without themes
};

// All layer kinds ruimte knows.
const std::vector<LayerKindInfo>& catalogue();
// The kind with that name, or nullptr.
const LayerKindInfo* find_kind(std::string_view kind);
// The kind with that name; throws Error(usage) listing the kinds when there is none.
const LayerKindInfo& kind_or_throw(std::string_view kind);

// The netcongestie constraint kinds of the capaciteitskaart (im-capaciteitskaart RAGKind),
// in order of severity. The catalogue kind "netcongestie" has the same codes in the same
// order, for afname (demand) and invoeding (generation) alike.
enum class RAGKind {
    transparant,  // capacity available
    yellow,       // limited capacity, no queue
    amber,        // supply area under investigation, queue
    red,          // shortage of transport capacity, queue
};
std::string_view to_string(RAGKind k);
std::optional<RAGKind> rag_kind(std::string_view exact);  // the exact schema value only
// The two directions of the capaciteitskaart, each with the RAGKind classes.
enum class GridDirection {
    afname,     // demand: new homes draw power
    invoeding,  // generation / teruglevering
};
std::string_view to_string(GridDirection d);

// Lower-case ASCII, every run of spaces, hyphens, dashes, commas, dots, slashes, brackets
// and underscores becomes one '_', trimmed; a number with a zero fraction loses it
// ("2.0" -> "2"). So "Ja, mits", "JA MITS" and "ja-mits" all become "ja_mits".
std::string normalise_value(std::string_view value);

// Extra spellings from configuration: source value (normalised on use) -> class code.
using AliasMap = std::map<std::string, std::string>;

// The class index in kind.classes of a source value, through `extra` first and then the
// built-in aliases; nullopt when the value maps to no class.
std::optional<std::size_t> class_of(const LayerKindInfo& kind, std::string_view value, const AliasMap& extra = {});

// Maps every value; an unmapped value throws Error(input) at `place` that lists every value
// found (with its count) and the classes allowed. `field` names the attribute in messages.
// feature_ids[i] is the FID of values[i] (for the error's place).
std::vector<std::uint32_t> map_values(const LayerKindInfo& kind, const std::vector<std::string>& values,
                                      const std::vector<std::int64_t>& feature_ids, const AliasMap& extra,
                                      const ErrorPlace& place, const std::string& field);

// Checks extra aliases against the kind's classes; throws Error(usage) on an unknown class.
AliasMap check_aliases(const LayerKindInfo& kind, const AliasMap& extra);

// The theme whose field hints include this (normalised) field name, or nullptr.
const ThemeInfo* theme_for_field(const LayerKindInfo& kind, std::string_view field);

// Named places: the NOVEX-gebieden, the NOVEX-woningbouwlocaties and the NPLV focus areas.
struct NamedPlace {
    std::string name;
    std::optional<std::int64_t> homes;  // planned homes where a source lists them
    std::string note;                   // municipality or remark
};
const std::vector<NamedPlace>& novex_gebieden();            // 16
const std::vector<NamedPlace>& novex_woningbouwlocaties();  // 17
const std::vector<NamedPlace>& nplv_focusgebieden();        // 20
// "novex_gebieden", "novex_locaties", "nplv"; nullptr for another name.
const std::vector<NamedPlace>* places(std::string_view list);

// Features of a real file matched to a list of named places by their name attribute
// (compared after normalise_value). Unknown names are kept and reported, not refused.
struct PlaceMatch {
    std::vector<std::optional<std::size_t>> place_of_feature;  // index into the list
    std::vector<std::string> missing;                          // catalogue names no feature carries
    std::vector<std::string> unknown;                          // feature names not in the catalogue (sorted, unique)
};
// Throws Error(input) naming the fields when `name_field` does not exist.
PlaceMatch match_places(const FeatureLayer& layer, const std::string& name_field, const std::vector<NamedPlace>& list);

}  // namespace ruimte::layers
