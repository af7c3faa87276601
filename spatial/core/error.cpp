#include "spatial/core/error.hpp"

#include <sstream>

#include "spatial/core/escape.hpp"

namespace ruimte {

std::string render_error(const ErrorPlace& place, const std::string& message, const std::string& hint) {
    std::ostringstream out;
    bool any = false;
    auto sep = [&] {
        out << (any ? ", " : "");
        any = true;
    };
    if (!place.file.empty()) {
        sep();
        out << "file '" << place.file << "'";
    }
    if (place.line) {
        sep();
        out << "line " << *place.line;
    }
    if (!place.layer.empty()) {
        sep();
        out << "layer '" << place.layer << "'";
    }
    if (place.feature_id) {
        sep();
        out << "feature " << *place.feature_id;
    }
    if (!place.key.empty()) {
        sep();
        out << "key '" << place.key << "'";
    }
    if (any) out << ": ";
    out << message;
    if (!hint.empty()) out << ". Fix: " << hint;
    return out.str();
}

namespace {
// No password of a PostgreSQL connection in an error (escape.hpp).
ErrorPlace redacted(ErrorPlace place) {
    place.file = redact_secrets(place.file);
    place.layer = redact_secrets(place.layer);
    return place;
}
}  // namespace

Error::Error(ErrorKind kind, std::string message, ErrorPlace place, std::string hint)
    : std::runtime_error(render_error(redacted(place), redact_secrets(message), redact_secrets(hint))),
      kind_(kind),
      place_(redacted(std::move(place))),
      message_(redact_secrets(message)),
      hint_(redact_secrets(hint)) {}

}  // namespace ruimte
