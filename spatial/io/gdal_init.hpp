#pragma once
#include <string>

namespace ruimte {
// Registers GDAL's drivers once and keeps GDAL from printing: its messages are collected
// and surface through ruimte::Error instead. Safe to call many times.
void ensure_gdal();
// GDAL's last error message, or `fallback` when GDAL recorded none.
std::string gdal_last_error(const std::string& fallback = "unknown GDAL error");
}  // namespace ruimte
