#pragma once
// The one RAII layer over the reentrant GEOS C API. Nothing outside this file and geos.cpp
// calls GEOSGeom_destroy_r or GEOSPreparedGeom_destroy_r.
//
// Threading contract: one Context per thread. A geometry built in one thread may be read
// by several threads at once only after warm_envelopes() ran on it, because GEOS 3.11 caches
// envelopes lazily (a data race otherwise). Prepared geometries build their indexes lazily
// too, so they are never shared between threads.
#include <geos_c.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ruimte::geos {

class Context {
  public:
    Context();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    GEOSContextHandle_t handle() const noexcept { return handle_; }
    // The last error GEOS reported in this context (empty when none).
    const std::string& last_error() const noexcept { return last_error_; }

  private:
    static void on_error(const char* message, void* self);
    GEOSContextHandle_t handle_;
    std::string last_error_;
};

// Geometries and prepared geometries are destroyed through one process-wide handle that is
// never freed, not through the context that made them: a worker's context ends with
// parallel_for, while what it made lives on (destroying only reads the handle).
struct GeomDeleter {
    void operator()(GEOSGeometry* g) const noexcept;
};
using Geom = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
    void operator()(const GEOSPreparedGeometry* g) const noexcept;
};
using Prepared = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

// Takes ownership of a geometry a GEOS call returned; throws ruimte::Error(internal) on null.
Geom own(const Context& ctx, GEOSGeometry* g, std::string_view what);
Prepared prepare(const Context& ctx, const GEOSGeometry* g);
Geom clone(const Context& ctx, const GEOSGeometry* g);

struct Box {
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
    bool contains(const Box& o) const noexcept {
        return xmin <= o.xmin && ymin <= o.ymin && xmax >= o.xmax && ymax >= o.ymax;
    }
    bool intersects(const Box& o) const noexcept {
        return xmin <= o.xmax && o.xmin <= xmax && ymin <= o.ymax && o.ymin <= ymax;
    }
};
Box envelope(const Context& ctx, const GEOSGeometry* g);

double area(const Context& ctx, const GEOSGeometry* g);
// Area of a ∩ b; 0 when they do not overlap. Throws on a GEOS failure.
double intersection_area(const Context& ctx, const GEOSGeometry* a, const GEOSGeometry* b);
Geom intersection(const Context& ctx, const GEOSGeometry* a, const GEOSGeometry* b);
// Union of the geometries (the inputs are cloned, not consumed).
Geom union_all(const Context& ctx, const std::vector<const GEOSGeometry*>& parts);

// Polygonal parts of g (Polygon/MultiPolygon/GeometryCollection) as one MultiPolygon, or
// an empty result when there are none. Lines and points are dropped.
Geom polygonal_part(const Context& ctx, const GEOSGeometry* g);
// GEOS MakeValid's two methods. structure (ruimte's default): the shell's area minus its holes'.
// linework (PostGIS ST_MakeValid's and GDAL's default): the rings' lines are noded and the faces
// inside an odd number of rings are kept. They differ where rings overlap: a 10 x 10 m shell
// whose hole sticks out by half gives 75 m2 (structure) or 150 m2 (linework); issue 25 measured
// up to 0.1 % on bow-ties. See docs/reliability.md.
enum class MakeValidMethod { structure, linework };
const char* to_string(MakeValidMethod m);

// A valid polygonal geometry made from an invalid one: MakeValid (`method`, collapsed
// parts dropped), its polygonal part, and where that is still not valid (GEOS 3.11's MakeValid
// can leave a ring that touches itself) a zero-width buffer of it. Null when no valid result
// comes out; the caller reports the feature.
Geom make_valid_polygonal(const Context& ctx, const GEOSGeometry* g,
                          MakeValidMethod method = MakeValidMethod::structure);
std::size_t num_points(const Context& ctx, const GEOSGeometry* g);
bool is_empty(const Context& ctx, const GEOSGeometry* g);
std::string type_name(const Context& ctx, const GEOSGeometry* g);

// Forces GEOS's lazily cached envelopes of g and of every component and ring, so that g can
// afterwards be read from several threads at once.
void warm_envelopes(const Context& ctx, const GEOSGeometry* g);

// WKB in and out. Reading takes polygonal_from_ndr_wkb's path where it can, GEOS's reader for
// everything else.
Geom from_wkb(const Context& ctx, const unsigned char* wkb, std::size_t size);
// Little-endian 2D ISO WKB of a Polygon or MultiPolygon, the form read_polygon_layer hands
// over (GDAL's exportToWkb(wkbNDR) of a flat polygonal geometry), made through GEOS's
// coordinate buffers: about twice as fast as its WKB reader (100,000 candidates: 0.125 s
// instead of 0.29 s). Null for anything else (another type or byte order, Z or M, no rings or
// parts, a ring with fewer than 4 points or not closed, sizes that do not add up), which
// GEOS's reader then reads or refuses as before.
Geom polygonal_from_ndr_wkb(const Context& ctx, const unsigned char* wkb, std::size_t size);
std::vector<unsigned char> to_wkb(const Context& ctx, const GEOSGeometry* g);
Geom from_wkt(const Context& ctx, std::string_view wkt);
// Coordinates closer to 0 than this are no real coordinates, and products of them underflow:
// the area kernel's exact predicates and GEOS's own both go wrong on them (found by fuzzing).
inline constexpr double kTinyCoordinate = 1e-100;
// g with every coordinate closer to 0 than kTinyCoordinate set to 0.
Geom zero_tiny_coordinates(const Context& ctx, const GEOSGeometry* g);
// A LinearRing from a closed coordinate list (x0, y0, ..., x0, y0), in reverse order if asked;
// null if GEOS refuses it.
Geom linear_ring(const Context& ctx, const std::vector<double>& closed_xy, bool reversed);
std::string to_wkt(const Context& ctx, const GEOSGeometry* g, int decimals = 3);

}  // namespace ruimte::geos
