#pragma once
// The Dutch layer catalogue: the classes of each national layer kind, their order of
// severity, Dutch and English labels and colours. One place, so every run, map and report
// means the same thing by `ja_mits_groot` or `red`. See ../shared/DOMAIN.md for the sources.
#include <string>
#include <string_view>
#include <vector>

namespace ruimte::layers {

struct ClassInfo {
    std::string code;      // the value ruimte uses, e.g. "ja_mits_klein"
    std::string label_nl;  // for maps and reports in Dutch
    std::string label_en;
    std::string colour;    // "#rrggbb"
    int severity = 0;      // 0 = no constraint; higher is more severe
};

struct LayerKindInfo {
    std::string kind;      // "wbs", "netcongestie", ...
    std::string title_nl;
    std::string title_en;
    std::vector<ClassInfo> classes;  // in order of severity, mildest first
};

// All layer kinds ruimte knows.
const std::vector<LayerKindInfo>& catalogue();
// The kind with that name, or nullptr.
const LayerKindInfo* find_kind(std::string_view kind);

}  // namespace ruimte::layers
