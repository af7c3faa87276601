#include "layers/claims_catalogue.hpp"

namespace ruimte::layers {

const std::vector<ClaimKindInfo>& claim_kinds() {
    static const std::vector<ClaimKindInfo> kinds = {
        {"wonen", "wonen", "housing"},
        {"werken", "werken", "work (business parks)"},
        {"landbouw", "landbouw", "agriculture"},
        {"natuur", "natuur", "nature"},
        {"water", "water", "water"},
        {"defensie", "defensie", "defence"},
        {"energie", "energie", "energy"},
        {"infrastructuur", "infrastructuur", "infrastructure"},
    };
    return kinds;
}

std::string_view default_claims_compat_toml() {
    // Keep in step with the table in docs/claims.md.
    static const std::string_view text =
        R"(# Default compatibility matrix of ruimte (docs/claims.md). A starting point, not policy.
# Every pair of kinds once (either order); the same pair twice must agree.
kinds = ["wonen", "werken", "landbouw", "natuur", "water", "defensie", "energie", "infrastructuur"]

[wonen]
werken = "voorwaardelijk"          # mixed urban areas; environmental zoning decides
landbouw = "conflict"
natuur = "conflict"
water = "voorwaardelijk"           # water-robust building, storage in the public space
defensie = "conflict"
energie = "voorwaardelijk"         # roofs and heat yes, wind turbines keep their distance
infrastructuur = "voorwaardelijk"  # noise and safety zones

[werken]
landbouw = "conflict"
natuur = "conflict"
water = "voorwaardelijk"
defensie = "conflict"
energie = "combineerbaar"          # solar on roofs of business parks
infrastructuur = "combineerbaar"

[landbouw]
natuur = "voorwaardelijk"          # nature-inclusive farming
water = "voorwaardelijk"           # water storage, higher water levels
defensie = "conflict"
energie = "voorwaardelijk"         # agri-PV, wind turbines in fields
infrastructuur = "conflict"

[natuur]
water = "combineerbaar"            # water storage with nature (Rijnenburg)
defensie = "voorwaardelijk"        # military training areas that are also nature
energie = "conflict"
infrastructuur = "conflict"

[water]
defensie = "voorwaardelijk"
energie = "voorwaardelijk"         # floating solar
infrastructuur = "voorwaardelijk"

[defensie]
energie = "conflict"               # wind turbines disturb radar and low flying
infrastructuur = "voorwaardelijk"

[energie]
infrastructuur = "combineerbaar"   # solar along roads, cables in road verges
)";
    return text;
}

}  // namespace ruimte::layers
