#pragma once
// The claim kinds ruimte knows (meervoudig ruimtegebruik, DOMAIN.md) and the default
// compatibility matrix between them, as TOML text in the format of docs/claims.md.
#include <string>
#include <string_view>
#include <vector>

namespace ruimte::layers {

struct ClaimKindInfo {
    std::string kind;      // "wonen", "natuur", ...
    std::string label_nl;  // for maps and reports in Dutch
    std::string label_en;
};

// The eight claim kinds, in the order of the default matrix.
const std::vector<ClaimKindInfo>& claim_kinds();

// The built-in compatibility matrix (TOML). A starting point for a workshop, not policy:
// each programme should pass its own with --compat.
std::string_view default_claims_compat_toml();

}  // namespace ruimte::layers
