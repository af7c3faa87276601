// libFuzzer target: the class mapping of the layer catalogue (layers/catalogue.hpp): source
// spellings ("Ja, mits", "JA MITS", 3, ...) through normalise_value, class_of and map_values.
// Input: first byte picks the layer kind, the rest is newline-separated source values.
// Checks: normalise_value is idempotent; map_values agrees with class_of value by value, or
// refuses with ruimte::Error(input) exactly when some value maps to no class.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "layers/catalogue.hpp"
#include "spatial/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto& kinds = ruimte::layers::catalogue();
    const auto& kind = kinds[data[0] % kinds.size()];
    std::vector<std::string> values;
    std::vector<std::int64_t> fids;
    std::string cur;
    for (std::size_t i = 1; i <= size; ++i) {
        if (i == size || data[i] == '\n') {
            values.push_back(cur);
            fids.push_back(static_cast<std::int64_t>(values.size()));
            cur.clear();
        } else {
            cur.push_back(static_cast<char>(data[i]));
        }
    }
    bool all_mapped = true;
    for (const auto& v : values) {
        const std::string once = ruimte::layers::normalise_value(v);
        if (ruimte::layers::normalise_value(once) != once) std::abort();
        all_mapped = all_mapped && ruimte::layers::class_of(kind, v).has_value();
    }
    try {
        const auto mapped =
            ruimte::layers::map_values(kind, values, fids, {}, ruimte::ErrorPlace::at("fuzz", "fuzz"), "klasse");
        if (!all_mapped || mapped.size() != values.size()) std::abort();
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (mapped[i] != *ruimte::layers::class_of(kind, values[i])) std::abort();
        }
    } catch (const ruimte::Error& e) {
        if (all_mapped || e.kind() != ruimte::ErrorKind::input) std::abort();
    }
    return 0;
}
