#include "spatial/core/error.hpp"

#include <sstream>

namespace ruimte {

std::string render_error(const ErrorPlace& place, const std::string& message,
                         const std::string& hint) {
    std::ostringstream out;
    bool any = false;
    auto sep = [&] { out << (any ? ", " : ""); any = true; };
    if (!place.file.empty()) { sep(); out << "file '" << place.file << "'"; }
    if (place.line) { sep(); out << "line " << *place.line; }
    if (!place.layer.empty()) { sep(); out << "layer '" << place.layer << "'"; }
    if (place.feature_id) { sep(); out << "feature " << *place.feature_id; }
    if (!place.key.empty()) { sep(); out << "key '" << place.key << "'"; }
    if (any) out << ": ";
    out << message;
    if (!hint.empty()) out << ". Fix: " << hint;
    return out.str();
}

Error::Error(ErrorKind kind, std::string message, ErrorPlace place, std::string hint)
    : std::runtime_error(render_error(place, message, hint)),
      kind_(kind),
      place_(std::move(place)),
      message_(std::move(message)),
      hint_(std::move(hint)) {}

}  // namespace ruimte
