#include "spatial/core/toml_limits.hpp"

#include <fstream>
#include <vector>

namespace ruimte {

namespace {

[[noreturn]] void breach(const std::string& path, int line, ErrorKind kind, const std::string& message) {
    ErrorPlace place;
    place.file = path;
    if (line > 0) place.line = line;
    throw Error(kind, message, place,
                "no profile or matrix needs this; check that the right file was given (limits: docs/reliability.md)");
}

}  // namespace

// A small lexer that knows just enough TOML to find keys and nesting: comments, the four kinds of
// string, [headers], keys before '=', arrays and inline tables. It never rejects what toml++ would
// accept within the limits; syntax errors are left to toml++.
void check_toml_limits(std::string_view text, const std::string& path, ErrorKind kind, const std::string& what) {
    if (text.size() > TomlLimits::max_bytes) {
        breach(path, 0, kind, what + " is larger than " + std::to_string(TomlLimits::max_bytes / 1024) + " KiB");
    }
    enum class Mode { line_start, key, header, value, rest_of_line };
    struct Open {
        char bracket;
        int depth;
    };
    std::vector<Open> open;
    Mode mode = Mode::line_start;
    int line = 1, key_line = 1;
    int header_depth = 0;  // parts of the last [table] header
    int parts = 0;         // parts of the key being read
    std::size_t key_bytes = 0;
    int value_depth = 0;
    const std::size_t n = text.size();
    auto base = [&] { return open.empty() ? header_depth : open.back().depth; };
    auto too_deep = [&](int depth, int at) {
        if (depth > TomlLimits::max_depth) {
            breach(path, at, kind,
                   what + " nests keys or values " + std::to_string(depth) + "+ levels deep (the limit is " +
                       std::to_string(TomlLimits::max_depth) + ")");
        }
    };
    auto key_char = [&](std::size_t count) {
        key_bytes += count;
        if (key_bytes > TomlLimits::max_key_bytes) {
            breach(path, key_line, kind,
                   what + " has a key longer than " + std::to_string(TomlLimits::max_key_bytes) + " bytes");
        }
    };
    auto start_key = [&](Mode m) {
        mode = m;
        parts = 1;
        key_bytes = 0;
        key_line = line;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            if (open.empty() || mode == Mode::rest_of_line) mode = Mode::line_start;
            continue;
        }
        if (c == '#') {
            while (i + 1 < n && text[i + 1] != '\n') ++i;
            continue;
        }
        if (c == '"' || c == '\'') {
            // A string: skip it, counting lines; in a key its bytes count towards the key's length.
            const bool triple = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
            const std::size_t start = i;
            if (mode == Mode::line_start) start_key(Mode::key);
            if (mode == Mode::key && parts == 0) start_key(Mode::key);
            if (triple) {
                i += 3;
                while (i < n && !(text[i] == c && i + 2 < n && text[i + 1] == c && text[i + 2] == c)) {
                    if (c == '"' && text[i] == '\\') ++i;
                    else if (text[i] == '\n') ++line;
                    ++i;
                }
                i += 2;  // on the last quote (or past the end: the loop ends)
            } else {
                ++i;
                while (i < n && text[i] != c && text[i] != '\n') {
                    if (c == '"' && text[i] == '\\') ++i;
                    ++i;
                }
                if (i < n && text[i] == '\n') {
                    --i;  // unterminated: let the newline be seen (toml++ reports it)
                }
            }
            if (mode == Mode::key || mode == Mode::header) key_char(i - start + 1);
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') continue;
        switch (mode) {
            case Mode::line_start:
                if (c == '[' && open.empty()) {
                    start_key(Mode::header);
                    if (i + 1 < n && text[i + 1] == '[') ++i;
                } else {
                    start_key(Mode::key);
                    key_char(1);
                }
                break;
            case Mode::key:
            case Mode::header:
                if (c == '}' && mode == Mode::key && !open.empty() && open.back().bracket == '{') {
                    open.pop_back();  // an empty inline table, or a trailing comma (toml++ reports that)
                    value_depth = base();
                    mode = open.empty() ? Mode::rest_of_line : Mode::value;
                } else if (c == '.') {
                    ++parts;
                    too_deep((mode == Mode::header ? 0 : base()) + parts, key_line);
                    key_char(1);
                } else if (c == '=' && mode == Mode::key) {
                    value_depth = base() + parts;
                    too_deep(value_depth, key_line);
                    mode = Mode::value;
                } else if (c == ']' && mode == Mode::header) {
                    header_depth = parts;
                    too_deep(header_depth, key_line);
                    mode = Mode::rest_of_line;
                } else {
                    key_char(1);
                }
                break;
            case Mode::value:
                if (c == '[' || c == '{') {
                    open.push_back(Open{c, value_depth + 1});
                    too_deep(value_depth + 1, line);
                    value_depth += 1;
                    if (c == '{') start_key(Mode::key), parts = 0;
                } else if (c == ']' || c == '}') {
                    if (!open.empty()) open.pop_back();
                    value_depth = base();
                    if (open.empty()) mode = Mode::rest_of_line;
                } else if (c == ',' && !open.empty() && open.back().bracket == '{') {
                    start_key(Mode::key);
                    parts = 0;
                }
                break;
            case Mode::rest_of_line: break;
        }
        // In an inline table the key starts at its first character (after '{' or ',').
        if (mode == Mode::key && parts == 0 && c != '{' && c != ',') {
            parts = 1;
            key_bytes = 0;
            key_line = line;
            key_char(1);
        }
    }
}

bool read_toml_file(const std::string& path, ErrorKind kind, const std::string& what, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    text.assign(TomlLimits::max_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > TomlLimits::max_bytes) {
        breach(path, 0, kind, what + " is larger than " + std::to_string(TomlLimits::max_bytes / 1024) + " KiB");
    }
    return true;
}

}  // namespace ruimte
