#pragma once
// Errors the engine raises. The engine never prints and never exits: it throws ruimte::Error,
// and the CLI maps Error::kind to a documented exit code.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace ruimte {

enum class ErrorKind {
    usage,      // a command-line option is missing, malformed or contradictory
    profile,    // the criteria profile is not valid
    input,      // an input source cannot be read or holds data we refuse
    output,     // the output cannot be written (exists, unwritable, disk full)
    cancelled,  // the run was interrupted (SIGINT/SIGTERM)
    internal,   // a bug or an unexpected library failure
};

// Where an error happened. Every field is optional; what() renders those that are set.
struct ErrorPlace {
    std::string file;
    std::string layer;
    std::optional<std::int64_t> feature_id;
    std::string key;          // profile key, e.g. "factors[2].weight"
    std::optional<int> line;  // line in the profile file

    // A place in a file: its path, and optionally a layer and a feature id.
    static ErrorPlace at(std::string file, std::string layer = {}, std::optional<std::int64_t> feature_id = {}) {
        return ErrorPlace{std::move(file), std::move(layer), feature_id, {}, {}};
    }
    // A place in a configuration file (profile, compatibility matrix): its path, the dotted key
    // and, when known (> 0), the line.
    static ErrorPlace in_config(std::string file, std::string key, int line = 0) {
        ErrorPlace place{std::move(file), {}, {}, std::move(key), {}};
        if (line > 0) place.line = line;
        return place;
    }
};

// The message, place and hint are kept with every PostgreSQL password written as ***
// (redact_secrets in escape.hpp).
class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, std::string message, ErrorPlace place = {}, std::string hint = {});

    ErrorKind kind() const noexcept { return kind_; }
    const ErrorPlace& place() const noexcept { return place_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& hint() const noexcept { return hint_; }

  private:
    ErrorKind kind_;
    ErrorPlace place_;
    std::string message_;
    std::string hint_;
};

// Renders "file 'x', layer 'y', feature 12: message. Fix: hint" from the parts that are set.
std::string render_error(const ErrorPlace& place, const std::string& message, const std::string& hint);

}  // namespace ruimte
