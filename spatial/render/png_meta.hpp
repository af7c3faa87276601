#pragma once
// PNG metadata written after cairo: the resolution (pHYs, so viewers and printers know the dpi)
// and text chunks (tEXt) such as the map's georeference. See docs/outputs.md.
#include <string>
#include <utility>
#include <vector>

namespace ruimte {

// Rewrites the PNG at `path` with a pHYs chunk of `dpi` and one tEXt chunk per (key, text)
// after the IHDR chunk. Keys are 1-79 Latin-1 characters; texts are written as given.
// Returns false when the file cannot be read or written.
bool png_add_metadata(const std::string& path, int dpi, const std::vector<std::pair<std::string, std::string>>& texts);

}  // namespace ruimte
