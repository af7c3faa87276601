// libFuzzer target: the criteria profile parser (spatial/profile.hpp parse_profile) on
// arbitrary bytes. A profile error (ruimte::Error) is the expected answer to bad input; any
// other exception, a crash or a sanitizer report is a finding. An accepted profile must
// satisfy the documented invariants: at least one factor, weights normalised to sum 1.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "spatial/core/error.hpp"
#include "spatial/criteria/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const ruimte::Profile p = ruimte::parse_profile(text, "/nonexistent/fuzz/profile.toml");
        double total = 0;
        for (const auto& f : p.factors) {
            if (!(f.weight >= 0 && f.weight <= 1)) std::abort();
            total += f.weight;
        }
        if (p.factors.empty() || std::fabs(total - 1.0) > 1e-9) std::abort();
    } catch (const ruimte::Error&) {
        // a refused profile: fine
    }
    return 0;
}
