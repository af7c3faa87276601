#include "layers/catalogue.hpp"

namespace ruimte::layers {

const std::vector<LayerKindInfo>& catalogue() {
    // Colours: not official (DOMAIN.md: official colours are unconfirmed); chosen as an
    // ordered, colour-blind-safe sequence from green (no constraint) to purple (most severe).
    static const std::vector<LayerKindInfo> kinds = {
        {"wbs",
         "Water en bodem sturend",
         "Water and soil as guiding principle",
         {
             {"ja", "ja", "yes", "#1a9850", 0},
             {"ja_mits_klein", "ja, mits (kleine opgave)", "yes, provided (small effort)", "#a6d96a", 1},
             {"ja_mits_groot", "ja, mits (grote opgave)", "yes, provided (large effort)", "#fee08b", 2},
             {"nee_tenzij", "nee, tenzij", "no, unless", "#f46d43", 3},
             {"nee", "nee", "no", "#762a83", 4},
         }},
        {"netcongestie",
         "Netcongestie (capaciteitskaart)",
         "Grid congestion (capacity map)",
         {
             {"transparant", "capaciteit beschikbaar", "capacity available", "#f7f7f7", 0},
             {"yellow", "beperkte capaciteit", "limited capacity", "#fee08b", 1},
             {"amber", "in onderzoek, wachtrij", "under investigation, queue", "#fdae61", 2},
             {"red", "transportschaarste, wachtrij", "transport capacity shortage, queue", "#d73027", 3},
         }},
    };
    return kinds;
}

const LayerKindInfo* find_kind(std::string_view kind) {
    for (const auto& k : catalogue()) {
        if (k.kind == kind) return &k;
    }
    return nullptr;
}

}  // namespace ruimte::layers
