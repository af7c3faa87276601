#include "spatial/core/escape.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "spatial/core/error.hpp"

namespace ruimte {

namespace {

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

bool starts_with_nocase(std::string_view s, std::size_t at, std::string_view word) {
    if (s.size() - at < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[at + i])) != word[i]) return false;
    }
    return true;
}

// The password of postgresql://USER:PASSWORD@HOST... as ***.
std::string redact_uri_passwords(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t scheme = 0;
        if (starts_with_nocase(s, i, "postgresql://")) scheme = 13;
        else if (starts_with_nocase(s, i, "postgres://")) scheme = 11;
        if (scheme == 0) {
            out += s[i++];
            continue;
        }
        const std::size_t start = i + scheme;
        std::size_t end = start;
        while (end < s.size() && s[end] != '/' && s[end] != '?' && s[end] != '#' && s[end] != '"' && s[end] != '\'' &&
               !std::isspace(static_cast<unsigned char>(s[end]))) {
            ++end;
        }
        const std::string_view authority = s.substr(start, end - start);
        const std::size_t at = authority.rfind('@');
        const std::size_t colon =
            at == std::string_view::npos ? std::string_view::npos : authority.substr(0, at).find(':');
        out.append(s.substr(i, scheme));
        if (colon == std::string_view::npos) {
            out.append(authority);
        } else {
            out.append(authority.substr(0, colon + 1));
            out += "***";
            out.append(authority.substr(at));
        }
        i = end;
    }
    return out;
}

// The value of every keyword=value whose keyword ends in "password" as ***.
std::string redact_keyword_passwords(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!starts_with_nocase(s, i, "password")) {
            out += s[i++];
            continue;
        }
        std::size_t j = i + 8;
        while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
        if (j >= s.size() || s[j] != '=') {
            out.append(s.substr(i, j - i));
            i = j;
            continue;
        }
        ++j;
        while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
        // In a URI's query string (?password= or &password=) the value ends at '&'.
        std::size_t k = i;
        while (k > 0 && std::isalpha(static_cast<unsigned char>(s[k - 1]))) --k;
        const bool in_uri = k > 0 && (s[k - 1] == '?' || s[k - 1] == '&');
        out.append(s.substr(i, j - i));
        if (j < s.size() && s[j] == '\'') {
            // libpq's quoted value: backslash escapes, up to the closing quote.
            std::size_t e = j + 1;
            while (e < s.size() && s[e] != '\'') e += s[e] == '\\' ? 2 : 1;
            out += "'***'";
            i = e < s.size() ? e + 1 : s.size();
            continue;
        }
        std::size_t e = j;
        while (e < s.size() && !std::isspace(static_cast<unsigned char>(s[e])) && s[e] != '"' &&
               !(in_uri && (s[e] == '&' || s[e] == '#'))) {
            if (s[e] == '\\') {
                // \" ends the value (an escaped quote of the text around it, TOML or a shell);
                // any other backslash escapes the next character, as libpq reads it.
                if (e + 1 < s.size() && s[e + 1] == '"') break;
                e += 2;
                continue;
            }
            ++e;
        }
        e = std::min(e, s.size());
        if (e > j) out += "***";
        i = e;
    }
    return out;
}

void append_code(std::string& out, unsigned value, bool unicode) {
    char buf[16];
    if (unicode) std::snprintf(buf, sizeof buf, "\\u{%04X}", value);
    else std::snprintf(buf, sizeof buf, "\\x%02x", value);
    out += buf;
}

}  // namespace

std::string markdown_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        if (is_control(static_cast<unsigned char>(ch))) {
            if (ch == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;  // CR LF: one space
            out += ' ';
        } else if (ch == '<') {
            out += "&lt;";
        } else if (ch == ']' && i + 1 < s.size() && (s[i + 1] == '(' || s[i + 1] == '[')) {
            out += "]\\";
        } else {
            if (ch == '\\' || ch == '|' || ch == '*' || ch == '_' || ch == '`') out += '\\';
            out += ch;
        }
    }
    return out;
}

std::string terminal_text(std::string_view s, bool keep_newlines) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (is_control(c)) {
            if (keep_newlines && (c == '\n' || c == '\t')) out += static_cast<char>(c);
            else append_code(out, c, false);
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
            append_code(out, static_cast<unsigned char>(s[i + 1]), true);  // C1 control, U+0080..U+009F
            ++i;
        } else if (c == 0xE2 && i + 2 < s.size()) {
            const auto b1 = static_cast<unsigned char>(s[i + 1]), b2 = static_cast<unsigned char>(s[i + 2]);
            const unsigned cp = 0x2000u + ((b1 & 0x3Fu) << 6) + (b2 & 0x3Fu);
            if ((b1 == 0x80 && b2 >= 0xAA && b2 <= 0xAE) || (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9)) {
                append_code(out, cp, true);  // U+202A..U+202E, U+2066..U+2069: bidirectional overrides
                i += 2;
            } else {
                out += s[i];
            }
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string redact_secrets(std::string_view s) {
    // Cheap test first: most text holds neither.
    bool any = false;
    for (std::size_t i = 0; i < s.size() && !any; ++i) {
        any = starts_with_nocase(s, i, "password") || starts_with_nocase(s, i, "postgres");
    }
    if (!any) return std::string(s);
    return redact_keyword_passwords(redact_uri_passwords(s));
}

std::string ogr_layer_source(const std::string& path, const std::string& layer_name, int layer_index) {
    for (char ch : path) {
        if (ch == '|' || is_control(static_cast<unsigned char>(ch))) {
            throw Error(ErrorKind::input,
                        "the path holds '|' or a control character, which a QGIS data source cannot hold",
                        ErrorPlace::at(path, layer_name), "rename the file or its folder");
        }
    }
    bool plain = !layer_name.empty();
    for (char ch : layer_name) {
        if (ch == '|' || is_control(static_cast<unsigned char>(ch))) plain = false;
    }
    return plain ? path + "|layername=" + layer_name : path + "|layerid=" + std::to_string(layer_index);
}

}  // namespace ruimte
