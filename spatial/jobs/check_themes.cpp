#include "spatial/jobs/check_themes.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"

namespace ruimte {

namespace {

struct Band {
    const char* nl;
    const char* en;
};

// Sentences per band above the threshold (quantity) or per class (ordinal, index = class).
const std::vector<Band>& sentences(const std::string& theme) {
    static const std::vector<Band> none;
    static const std::vector<Band> flood = {
        {"ondiep water (tot 0,5 m): een vloerpeil boven de verwachte waterdiepte en waterbestendig bouwen volstaan "
         "meestal",
         "shallow water (up to 0.5 m): floor levels above the expected depth and water-resistant construction usually "
         "suffice"},
        {"aanzienlijke waterdiepte (0,5 tot 2 m): ophogen of aangepast bouwen (niet slapen op de begane grond), droge "
         "vluchtroutes en vitale functies boven de waterdiepte",
         "considerable depth (0.5 to 2 m): raise the ground or adapt the buildings (no sleeping on the ground floor), "
         "dry escape routes and vital functions above the water"},
        {"diep water (meer dan 2 m): levensgevaarlijk bij een doorbraak; alleen met verticale evacuatie, vitale "
         "functies op de verdiepingen en een zwaarwegende onderbouwing; overweeg een andere plek",
         "deep water (more than 2 m): life-threatening when a dike breaches; only with vertical evacuation, vital "
         "functions on upper floors and a strong justification; consider another site"},
    };
    static const std::vector<Band> subsidence = {
        {"matige bodemdaling (tot 30 cm): stem fundering en ophoging af op de zetting",
         "moderate subsidence (up to 30 cm): match foundations and raising of the ground to the settlement"},
        {"sterke bodemdaling (meer dan 30 cm, vaak veen): paalfundering, licht ophoogmateriaal en een plan voor "
         "herhaald ophogen van de openbare ruimte; weeg af of de plek geschikt is",
         "strong subsidence (more than 30 cm, often peat): pile foundations, light fill and a plan for raising the "
         "public space again and again; weigh whether the site is suitable"},
    };
    static const std::vector<Band> pluvial = {
        {"", ""},
        {"kleine kans op wateroverlast: vloerpeil boven straatpeil en regenwater naar groen afvoeren",
         "small chance of pluvial flooding: floor levels above street level and rainwater led to green space"},
        {"matige kans op wateroverlast: reserveer zichtbare waterberging in de wijk en afvoer over straat",
         "moderate chance of pluvial flooding: reserve visible water storage in the district and drainage over the "
         "street"},
        {"grote kans op wateroverlast: ruime waterberging en afvoerroutes inplannen, laaggelegen delen onbebouwd laten",
         "large chance of pluvial flooding: plan ample storage and drainage routes, keep low-lying parts unbuilt"},
    };
    static const std::vector<Band> drinking = {
        {"", ""},
        {"knelpunt in de drinkwatervoorziening: reken de vraag door met het drinkwaterbedrijf vóór de planvorming",
         "a bottleneck in the drinking water supply: work out the demand with the water company before planning"},
    };
    if (theme == "waterveiligheid") return flood;
    if (theme == "bodemdaling") return subsidence;
    if (theme == "wateroverlast") return pluvial;
    if (theme == "drinkwater") return drinking;
    return none;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

ThemeRule default_theme_rule(const std::string& theme) {
    ThemeRule r;
    r.theme = theme;
    if (theme == "waterveiligheid") {
        r.unit = "m";
        r.threshold = 0.2;
        r.bands = {0.5, 2.0};
    } else if (theme == "bodemdaling") {
        r.unit = "cm";
        r.threshold = 10;
        r.bands = {30};
    } else if (theme == "wateroverlast") {
        r.scale = ThemeScale::ordinal;
        r.class_nl = {"geen", "klein", "matig", "groot"};
        r.class_en = {"none", "small", "moderate", "large"};
    } else if (theme == "drinkwater") {
        r.scale = ThemeScale::ordinal;
        r.class_nl = {"geen knelpunt", "knelpunt"};
        r.class_en = {"no bottleneck", "bottleneck"};
    }
    return r;
}

ThemeRule theme_rule(const std::string& theme, const std::string& field,
                     const std::map<std::string, double>& thresholds) {
    ThemeRule r = default_theme_rule(theme);
    if (const auto it = thresholds.find(field); it != thresholds.end()) {
        r.threshold = it->second * unit_factor(field_unit(field, r), r.unit);  // a field's threshold is in its unit
    } else if (const auto t = thresholds.find(theme); !theme.empty() && t != thresholds.end()) {
        r.threshold = t->second;
    }
    return r;
}

std::string field_unit(const std::string& field, const ThemeRule& rule) {
    if (rule.scale == ThemeScale::ordinal) return "";
    std::string f;
    for (char c : field) f += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ends_with(f, "_mm")) return "mm";
    if (ends_with(f, "_cm")) return "cm";
    if (ends_with(f, "_m")) return "m";
    return rule.unit;
}

double unit_factor(const std::string& from, const std::string& to) {
    auto metres = [](const std::string& u) { return u == "m" ? 1.0 : u == "cm" ? 0.01 : u == "mm" ? 0.001 : 0.0; };
    const double a = metres(from), b = metres(to);
    return a > 0 && b > 0 ? a / b : 1.0;
}

std::pair<std::string, double> parse_threshold(const std::string& text) {
    const auto eq = text.rfind('=');
    std::string value = eq == std::string::npos ? "" : text.substr(eq + 1);
    for (char& c : value) {
        if (c == ',') c = '.';
    }
    char* end = nullptr;
    const double v = value.empty() ? 0 : std::strtod(value.c_str(), &end);
    if (eq == std::string::npos || eq == 0 || value.empty() || end == nullptr || *end != '\0' || !std::isfinite(v)) {
        throw Error(ErrorKind::usage, "--threshold '" + text + "' is not THEME=VALUE", {},
                    "for example --threshold waterveiligheid=0.3 (m) or --threshold bodemdaling=15 (cm)");
    }
    return {text.substr(0, eq), v};
}

void check_threshold_keys(const std::map<std::string, double>& thresholds, const std::vector<std::string>& fields) {
    const layers::LayerKindInfo& wbs = layers::kind_or_throw("wbs");
    for (const auto& [key, value] : thresholds) {
        bool known = false;
        for (const auto& t : wbs.themes) known = known || t.code == key;
        for (const auto& f : fields) known = known || f == key;
        if (!known) {
            std::string names;
            for (const auto& t : wbs.themes) names += (names.empty() ? "" : ", ") + t.code;
            for (const auto& f : fields) names += ", " + f;
            throw Error(ErrorKind::usage, "--threshold names '" + key + "', which is no theme and no theme field", {},
                        "use one of: " + names);
        }
    }
}

std::string magnitude_sentence(const ThemeRule& rule, double max, bool english) {
    const std::vector<Band>& s = sentences(rule.theme);
    if (s.empty()) return "";
    std::size_t i = 0;
    if (rule.scale == ThemeScale::ordinal) {
        i = max < 0 ? 0 : static_cast<std::size_t>(std::lround(max));
        if (i >= s.size()) i = s.size() - 1;
    } else {
        while (i < rule.bands.size() && max > rule.bands[i]) ++i;
        if (i >= s.size()) i = s.size() - 1;
    }
    return english ? s[i].en : s[i].nl;
}

std::string ordinal_class_name(const ThemeRule& rule, long cls, bool english) {
    const auto& names = english ? rule.class_en : rule.class_nl;
    std::string s = std::string(english ? "class " : "klasse ") + std::to_string(cls);
    if (cls >= 0 && static_cast<std::size_t>(cls) < names.size())
        s += " (" + names[static_cast<std::size_t>(cls)] + ")";
    return s;
}

}  // namespace ruimte
