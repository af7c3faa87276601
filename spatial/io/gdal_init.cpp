#include "spatial/io/gdal_init.hpp"

#include <cpl_error.h>
#include <gdal.h>

#include <mutex>

namespace ruimte {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(CPLQuietErrorHandler);
    });
}

std::string gdal_last_error(const std::string& fallback) {
    const char* msg = CPLGetLastErrorMsg();
    return (msg && *msg) ? std::string(msg) : fallback;
}

}  // namespace ruimte
