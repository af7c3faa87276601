#include "spatial/core/text_format.hpp"

#include <algorithm>
#include <charconv>

namespace ruimte {

std::string fixed(double v, int decimals) {
    std::string out;
    append_fixed(out, v, decimals);
    return out;
}

void append_fixed(std::string& out, double v, int decimals) {
    // At most 309 digits before the point (DBL_MAX), a sign and the point: room for every
    // double.
    const std::size_t room = 312 + static_cast<std::size_t>(std::max(decimals, 0));
    if (room <= 400) {
        char buf[400];
        const auto r = std::to_chars(buf, buf + room, v, std::chars_format::fixed, decimals);
        out.append(buf, r.ptr);
        return;
    }
    const std::size_t at = out.size();
    out.resize(at + room);
    const auto r = std::to_chars(out.data() + at, out.data() + out.size(), v, std::chars_format::fixed, decimals);
    out.resize(static_cast<std::size_t>(r.ptr - out.data()));
}

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

std::string xml_escape(const std::string& s, bool keep_apostrophes) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += keep_apostrophes ? "'" : "&apos;"; break;
            default: out += ch;
        }
    }
    return out;
}

}  // namespace ruimte
