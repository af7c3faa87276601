#pragma once
// Bounds on TOML text (criteria profiles, compatibility matrices, the profile stored in a scored
// GeoPackage) checked BEFORE toml++ sees it. toml++ builds and frees tables recursively, so a key
// with tens of thousands of dotted parts ("a.a.a....") overflowed the stack (SIGSEGV); a file read
// from /dev/zero allocated until std::bad_alloc. No input may crash the reader: these limits are
// far above any real profile and are listed in docs/reliability.md.
#include <cstddef>
#include <string>
#include <string_view>

#include "spatial/core/error.hpp"

namespace ruimte {

struct TomlLimits {
    static constexpr std::size_t max_bytes = 1024 * 1024;  // the whole text
    static constexpr int max_depth = 64;                   // dotted key parts + [header] parts + nesting
    static constexpr std::size_t max_key_bytes = 1024;     // one (dotted) key
};

// Throws Error(kind) naming `path`, the line and the limit when `text` passes one of TomlLimits;
// `what` names the text ("the profile", "the compatibility matrix").
void check_toml_limits(std::string_view text, const std::string& path, ErrorKind kind, const std::string& what);

// Reads at most TomlLimits::max_bytes from `path` (a FIFO or /dev/zero included); throws
// Error(kind) when the file holds more. Returns false when the file cannot be opened.
bool read_toml_file(const std::string& path, ErrorKind kind, const std::string& what, std::string& text);

}  // namespace ruimte
