#include "spatial/core/text_format.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>

namespace ruimte {

std::string people_number(double v, int decimals, bool english, bool trim, bool group) {
    if (std::isnan(v)) return "-";
    if (std::fabs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0;  // no "-0" or "-0,0"
    std::string s = fixed(v, decimals);
    if (trim && s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    const bool negative = !s.empty() && s[0] == '-';
    const std::size_t dot = s.find('.');
    const std::size_t start = negative ? 1 : 0;
    const std::string whole = s.substr(start, (dot == std::string::npos ? s.size() : dot) - start);
    const std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    std::string grouped;
    for (std::size_t i = 0; i < whole.size(); ++i) {
        if (group && i && (whole.size() - i) % 3 == 0) grouped += english ? ',' : '.';
        grouped += whole[i];
    }
    return (negative ? "-" : "") + grouped + (frac.empty() ? "" : (english ? "." : ",") + frac);
}

std::string fixed(double v, int decimals) {
    std::string out;
    append_fixed(out, v, decimals);
    return out;
}

std::string status_number(double v) {
    const bool whole = std::fabs(v - std::round(v)) < 1e-6 && std::fabs(v) < 1e15;
    return fixed(v, whole ? 0 : 3);
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

namespace {

// A decimal number as a spreadsheet reads it (-5, +1.5, -2e3): a value, not a formula.
bool is_plain_number(const std::string& s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t digits_from = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    if (i == digits_from || (i == digits_from + 1 && s[digits_from] == '.')) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        const std::size_t exp_from = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        if (i == exp_from) return false;
    }
    return i == s.size();
}

}  // namespace

std::string csv_quote(const std::string& s) {
    // A text that a spreadsheet would run as a formula (= + - @, or a tab or CR before one)
    // gets a leading apostrophe, as OWASP advises; numbers stay numbers.
    const bool formula =
        !s.empty() && std::string_view("=+-@\t\r").find(s[0]) != std::string_view::npos && !is_plain_number(s);
    const std::string text = formula ? "'" + s : s;
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (char ch : text) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
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
            // Line breaks and tabs as character references (an attribute keeps them); other
            // control characters are not allowed in XML 1.0 at all: U+FFFD in their place.
            case '\t': out += "&#9;"; break;
            case '\n': out += "&#10;"; break;
            case '\r': out += "&#13;"; break;
            default:
                if (static_cast<unsigned char>(ch) < 0x20) out += "\xEF\xBF\xBD";
                else out += ch;
        }
    }
    return out;
}

}  // namespace ruimte
