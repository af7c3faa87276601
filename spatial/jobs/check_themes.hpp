#pragma once
// The water board check's theme rules: per WBS theme its scale (a measured quantity with a
// unit, or an ordinal class), the threshold above which it asks something of a plan, and the
// sentences that depend on how large the value is (0.45 m and 4.28 m of flood depth do not ask
// the same). Defaults are documented in docs/check.md; --threshold THEME=VALUE changes one.
// The published WBS data's thresholds are not confirmed (DOMAIN.md), hence configuration.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ruimte {

enum class ThemeScale { quantity, ordinal };

struct ThemeRule {
    std::string theme;  // catalogue theme code ("waterveiligheid"), or empty for a field of no theme
    ThemeScale scale = ThemeScale::quantity;
    std::string unit;                             // the rule's unit for a quantity: "m", "cm" or "" (none)
    double threshold = 0;                         // in `unit`; a value counts when it is strictly above it
    std::vector<double> bands;                    // quantity: upper edges (in `unit`) of the bands above the threshold
    std::vector<std::string> class_nl, class_en;  // ordinal: the names of classes 0, 1, ...
};

// The default rule of a catalogue theme (empty code: a field of no theme: quantity, no unit,
// threshold 0).
ThemeRule default_theme_rule(const std::string& theme);

// The rule with the request's thresholds applied: a key is a theme code or a field name (the
// field name wins). `field` is the source field's name.
ThemeRule theme_rule(const std::string& theme, const std::string& field,
                     const std::map<std::string, double>& thresholds);

// The unit a field's values are in: from its name's suffix (_m, _cm, _mm), else the rule's.
std::string field_unit(const std::string& field, const ThemeRule& rule);
// Factor from `from` to `to` for m, cm and mm (1 when either is empty or they are equal).
double unit_factor(const std::string& from, const std::string& to);

// Parses "THEME=VALUE" (a decimal number, point or comma); throws Error(usage).
std::pair<std::string, double> parse_threshold(const std::string& text);
// Throws Error(usage) when a key names neither a catalogue theme nor one of `fields`.
void check_threshold_keys(const std::map<std::string, double>& thresholds, const std::vector<std::string>& fields);

// The sentence for a quantity whose largest value is `max` (in the rule's unit), or for an
// ordinal theme whose highest class above the threshold is `max`; empty when the rule has no
// sentences (a field of no theme).
std::string magnitude_sentence(const ThemeRule& rule, double max, bool english);
// An ordinal class's name: "klasse 3 (groot)"; "klasse 3" for a class beyond the names.
std::string ordinal_class_name(const ThemeRule& rule, long cls, bool english);

}  // namespace ruimte
