#include "spatial/render/png_meta.hpp"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>

namespace ruimte {

namespace {

std::string be32(std::uint32_t v) {
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
    return s;
}

// The PNG chunk CRC (ISO 3309 CRC-32 over type and data).
std::uint32_t crc32(const std::string& bytes) {
    std::uint32_t c = 0xffffffffu;
    for (unsigned char b : bytes) {
        c ^= b;
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

std::string chunk(const std::string& type, const std::string& data) {
    const std::string body = type + data;
    return be32(static_cast<std::uint32_t>(data.size())) + body + be32(crc32(body));
}

}  // namespace

bool png_add_metadata(const std::string& path, int dpi, const std::vector<std::pair<std::string, std::string>>& texts) {
    std::ifstream in(path, std::ios::binary);
    std::string png((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    if (png.size() < 33) return false;
    const auto ppm = static_cast<std::uint32_t>(std::lround(dpi / 0.0254));
    std::string extra = chunk("pHYs", be32(ppm) + be32(ppm) + std::string(1, '\1'));
    for (const auto& [key, text] : texts) extra += chunk("tEXt", key + std::string(1, '\0') + text);
    png.insert(33, extra);  // 8 signature + 25 IHDR
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << png;
    return static_cast<bool>(out);
}

}  // namespace ruimte
