#pragma once
// GEOS polygons to OGR multipolygons for writing with GDAL, by copying coordinates (no WKB
// round trip). Safe to call from several threads on different geometries.
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <vector>

#include <ogr_geometry.h>

#include "error.hpp"
#include "geos.hpp"

namespace ruimte {

// A Polygon or MultiPolygon becomes an OGRMultiPolygon with the same rings and XY coordinates
// (Z and M are dropped, as the engine works in 2D); any other type goes through WKB and OGR's
// forceToMultiPolygon. Throws Error(internal) naming `where` when the conversion fails.
std::unique_ptr<OGRGeometry> to_ogr_multipolygon(const geos::Context& ctx, const GEOSGeometry* g, const ErrorPlace& where = {});

// Output geometries for a writer that takes them in order 0, 1, ..., n-1: another thread makes
// them a batch ahead (GEOS to OGR) while the writer's thread writes the previous batch, and
// only two batches live at a time.
class OgrGeometryStream {
public:
    using Source = std::function<const GEOSGeometry*(std::size_t)>;
    using Place = std::function<ErrorPlace(std::size_t)>;  // names geometry i in an error
    OgrGeometryStream(std::size_t n, Source source, Place place = {});
    ~OgrGeometryStream();
    OgrGeometryStream(const OgrGeometryStream&) = delete;
    OgrGeometryStream& operator=(const OgrGeometryStream&) = delete;

    // Geometry i; i must be one more than the last call's (starting at 0).
    std::unique_ptr<OGRGeometry> take(std::size_t i);

private:
    using Batch = std::vector<std::unique_ptr<OGRGeometry>>;
    Batch make(std::size_t from) const;
    static constexpr std::size_t kBatch = 4096;
    std::size_t n_;
    Source source_;
    Place place_;
    Batch batch_;
    std::future<Batch> next_;
};

}  // namespace ruimte
