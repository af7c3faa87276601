#include "spatial/claims/claims.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <toml++/toml.h>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <variant>

#include "layers/claims_catalogue.hpp"
#include "ruimte/version.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/stopwatch.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/core/toml_limits.hpp"
#include "spatial/geometry/area_kernel.hpp"
#include "spatial/geometry/coverage.hpp"
#include "spatial/geometry/polygonize.hpp"
#include "spatial/io/ogr_geometry.hpp"
#include "spatial/output/atomic_output.hpp"
#include "spatial/output/gpkg_rows.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "spatial/output/run_output.hpp"
#include "spatial/output/schema.hpp"
#include "spatial/output/styles.hpp"

namespace fs = std::filesystem;
namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace ruimte {

// ====================================================================== compatibility matrix

std::string to_string(Compat c) {
    switch (c) {
        case Compat::combineerbaar: return "combineerbaar";
        case Compat::voorwaardelijk: return "voorwaardelijk";
        case Compat::conflict: return "conflict";
    }
    return "?";
}

std::optional<std::size_t> CompatMatrix::index_of(std::string_view kind) const {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (kinds[i] == kind) return i;
    }
    return std::nullopt;
}

std::string CompatMatrix::kind_list() const {
    std::string out;
    for (const auto& k : kinds) out += (out.empty() ? "" : ", ") + k;
    return out;
}

namespace {

constexpr const char* status_hint = "use \"combineerbaar\", \"voorwaardelijk\" or \"conflict\"";

[[noreturn]] void matrix_fail(const std::string& path, const std::string& key, int line, const std::string& message,
                              const std::string& hint) {
    throw Error(ErrorKind::profile, message, ErrorPlace::in_config(path, key, line), hint);
}

int line_of(const toml::node& n) {
    return static_cast<int>(n.source().begin.line);
}

std::optional<Compat> parse_status(std::string_view s) {
    if (s == "combineerbaar") return Compat::combineerbaar;
    if (s == "voorwaardelijk") return Compat::voorwaardelijk;
    if (s == "conflict") return Compat::conflict;
    return std::nullopt;
}

}  // namespace

CompatMatrix parse_compat_matrix(const std::string& text, const std::string& path) {
    toml::table root;
    check_toml_limits(text, path, ErrorKind::profile, "the compatibility matrix");
    try {
        root = toml::parse(text, path);
    } catch (const toml::parse_error& e) {
        matrix_fail(path, "", static_cast<int>(e.source().begin.line),
                    "not valid TOML: " + std::string(e.description()),
                    "see docs/claims.md for the format of a compatibility matrix");
    }
    CompatMatrix m;
    m.path = path;
    m.text = text;
    const toml::node* kn = root.get("kinds");
    if (!kn) {
        matrix_fail(path, "kinds", 1, "missing the list of claim kinds",
                    "start the file with kinds = [\"wonen\", \"natuur\", ...] (see docs/claims.md)");
    }
    if (!kn->is_array() || kn->as_array()->empty()) {
        matrix_fail(path, "kinds", line_of(*kn), "kinds must be a non-empty list of names",
                    "for example kinds = [\"wonen\", \"natuur\"]");
    }
    for (const toml::node& e : *kn->as_array()) {
        if (!e.is_string() || e.as_string()->get().empty()) {
            matrix_fail(path, "kinds", line_of(e), "every kind must be a non-empty string",
                        "for example kinds = [\"wonen\", \"natuur\"]");
        }
        const std::string k = e.as_string()->get();
        if (m.index_of(k))
            matrix_fail(path, "kinds", line_of(e), "kind '" + k + "' is listed twice", "list every kind once");
        m.kinds.push_back(k);
    }
    const std::size_t n = m.kinds.size();
    std::vector<int> given(n * n, 0);  // line where the pair was given; 0: not given
    m.status.assign(n * n, Compat::combineerbaar);

    // toml++ iterates keys in sorted order; errors must follow the file's order, so the
    // entries are collected first and visited by line.
    struct Entry {
        int line;
        std::string a, b;
        const toml::node* value;
    };
    std::vector<Entry> entries;
    for (auto&& [k, v] : root) {
        const std::string a(k.str());
        if (a == "kinds") continue;
        const auto ia = m.index_of(a);
        if (!ia) {
            matrix_fail(path, a, line_of(v), "unknown kind '" + a + "' (not in kinds)",
                        "fix the name or add it to kinds; the kinds are: " + m.kind_list());
        }
        if (!v.is_table()) {
            matrix_fail(path, a, line_of(v), "'" + a + "' must be a table of statuses, [" + a + "]",
                        "write [" + a + "] followed by lines such as other_kind = \"conflict\"");
        }
        for (auto&& [k2, v2] : *v.as_table()) entries.push_back({line_of(v2), a, std::string(k2.str()), &v2});
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) { return x.line < y.line; });
    for (const Entry& en : entries) {
        const std::string& a = en.a;
        const std::string& b = en.b;
        const toml::node& v2 = *en.value;
        const auto ia = m.index_of(a);
        {
            const std::string key = a + "." + b;
            const auto ib = m.index_of(b);
            if (!ib) {
                matrix_fail(path, key, line_of(v2), "unknown kind '" + b + "' (not in kinds)",
                            "fix the name or add it to kinds; the kinds are: " + m.kind_list());
            }
            if (*ib == *ia) {
                matrix_fail(path, key, line_of(v2), "kind '" + a + "' is paired with itself",
                            "remove the line: polygons of one claim never conflict with each other");
            }
            if (!v2.is_string()) matrix_fail(path, key, line_of(v2), "the status must be a string", status_hint);
            const auto st = parse_status(v2.as_string()->get());
            if (!st) {
                matrix_fail(path, key, line_of(v2), "unknown status '" + std::string(v2.as_string()->get()) + "'",
                            status_hint);
            }
            const std::size_t ab = *ia * n + *ib, ba = *ib * n + *ia;
            if (given[ab] && m.status[ab] != *st) {
                matrix_fail(path, key, line_of(v2),
                            "asymmetric entries: " + key + " = \"" + to_string(*st) + "\" but " + b + "." + a +
                                " = \"" + to_string(m.status[ab]) + "\" on line " + std::to_string(given[ab]),
                            "give the pair one status; once, in either order, is enough");
            }
            m.status[ab] = m.status[ba] = *st;
            given[ab] = given[ba] = line_of(v2);
        }
    }
    for (std::size_t a = 0; a < n; ++a) {
        for (std::size_t b = a + 1; b < n; ++b) {
            if (!given[a * n + b]) {
                const toml::node* t = root.get(m.kinds[a]);
                matrix_fail(path, m.kinds[a] + "." + m.kinds[b], t ? line_of(*t) : 0,
                            "missing pair: no status for " + m.kinds[a] + " and " + m.kinds[b],
                            "add " + m.kinds[b] + " = \"...\" under [" + m.kinds[a] + "] (or " + m.kinds[a] +
                                " under [" + m.kinds[b] + "]); " + status_hint);
            }
        }
    }
    return m;
}

CompatMatrix load_compat_matrix(const std::string& path) {
    std::string text;
    if (!read_toml_file(path, ErrorKind::profile, "the compatibility matrix", text)) {
        matrix_fail(path, "", 0, "cannot read the compatibility matrix", "check the path given with --compat");
    }
    return parse_compat_matrix(text, path);
}

CompatMatrix default_compat_matrix() {
    return parse_compat_matrix(std::string(layers::default_claims_compat_toml()), "(built-in)");
}

// ====================================================================== partition

namespace {

using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using Entry = std::pair<BBox, std::uint32_t>;
using RTree = bgi::rtree<Entry, bgi::quadratic<16>>;

BBox to_bbox(const geos::Box& b) {
    return BBox(BPoint(b.xmin, b.ymin), BPoint(b.xmax, b.ymax));
}

struct Item {
    const GEOSGeometry* geom;
    geos::Box box;
    ClaimMember member;
};

struct TileFace {
    geos::Geom geom;
    double area_m2 = 0;
    std::vector<ClaimMember> members;
    geos::Box box;
    unsigned open = 0;  // the inner tile edges it reaches (kWest, ...): it may continue there
};

constexpr unsigned kWest = 1, kEast = 2, kSouth = 4, kNorth = 8;

struct TileBox {
    geos::Box box;
    bool inner_west, inner_east, inner_south, inner_north;
};

struct TileResult {
    std::vector<TileFace> faces;
    std::size_t slivers = 0;
    double sliver_m2 = 0;
};

// A claim polygon cut to one tile (or the whole polygon when it lies inside the tile).
struct TilePiece {
    geos::Geom owned;
    const GEOSGeometry* g = nullptr;
    geos::Box box;
    ClaimMember member;
    geos::Prepared prepared;
};

std::vector<TilePiece> clip_to_tile(const geos::Context& ctx, const TileBox& tile, const std::vector<Item>& items,
                                    const std::vector<std::uint32_t>& item_ids) {
    GEOSContextHandle_t h = ctx.handle();
    std::vector<TilePiece> pieces;
    pieces.reserve(item_ids.size());
    geos::Geom rect;
    for (std::uint32_t id : item_ids) {
        const Item& it = items[id];
        TilePiece p;
        p.member = it.member;
        if (tile.box.contains(it.box)) {
            p.g = it.geom;
        } else {
            // GEOSIntersection, not GEOSClipByRect: its crossing points do not depend on the
            // direction of a segment, so two polygons that share an edge are cut at exactly the
            // same point and no sliver opens between them (ClipByRect leaves ~1e-9 m2 slivers).
            if (!rect) {
                rect = geos::own(
                    ctx, GEOSGeom_createRectangle_r(h, tile.box.xmin, tile.box.ymin, tile.box.xmax, tile.box.ymax),
                    "tile rectangle");
            }
            p.owned = geos::own(ctx, GEOSIntersection_r(h, it.geom, rect.get()), "clip to tile");
            const int type = GEOSGeomTypeId_r(h, p.owned.get());
            if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) p.owned = geos::polygonal_part(ctx, p.owned.get());
            if (geos::is_empty(ctx, p.owned.get()) || geos::area(ctx, p.owned.get()) <= 0) continue;
            p.g = p.owned.get();
        }
        p.box = geos::envelope(ctx, p.g);
        pieces.push_back(std::move(p));
    }
    return pieces;
}

geos::Box edge_box(const double* p) {
    return geos::Box{std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
}

// Whether the line through edge p may pass through the box (its corners are not all strictly
// on one side of it).
bool passes(const double* p, const geos::Box& box) {
    const int o1 = area::orientation(p[0], p[1], p[2], p[3], box.xmin, box.ymin);
    const int o2 = area::orientation(p[0], p[1], p[2], p[3], box.xmax, box.ymin);
    const int o3 = area::orientation(p[0], p[1], p[2], p[3], box.xmax, box.ymax);
    const int o4 = area::orientation(p[0], p[1], p[2], p[3], box.xmin, box.ymax);
    return !(o1 != 0 && o1 == o2 && o1 == o3 && o1 == o4);
}

// No edge of a meets an edge of b: runs of edges by their boxes first, then single edges (a
// long edge of b passes a box when the box's corners are not all on one side of it), then the
// exact orientation test on the pair. Touching or uncertain counts as meeting.
bool rings_apart(const area::Rings& a, const area::Rings& b) {
    for (const area::Ring& ra : a.rings) {
        for (std::size_t ka = 0; ka < ra.chunks.size(); ++ka) {
            const geos::Box& chunk_a = ra.chunks[ka];
            if (!chunk_a.intersects(b.box)) continue;
            const std::size_t a_end = std::min((ka + 1) * area::Ring::kChunk, ra.points() - 1);
            for (const area::Ring& rb : b.rings) {
                for (std::size_t kb = 0; kb < rb.chunks.size(); ++kb) {
                    if (!chunk_a.intersects(rb.chunks[kb])) continue;
                    const std::size_t b_end = std::min((kb + 1) * area::Ring::kChunk, rb.points() - 1);
                    for (std::size_t eb = kb * area::Ring::kChunk; eb < b_end; ++eb) {
                        const double* q = rb.xy.data() + 2 * eb;
                        if (!edge_box(q).intersects(chunk_a) || !passes(q, chunk_a)) continue;
                        for (std::size_t ea = ka * area::Ring::kChunk; ea < a_end; ++ea) {
                            const double* p = ra.xy.data() + 2 * ea;
                            if (edge_box(p).intersects(edge_box(q)) && area::segments_meet(p, q)) return false;
                        }
                    }
                }
            }
        }
    }
    return true;
}

geos::Geom collection_of(const geos::Context& ctx, std::vector<GEOSGeometry*>& gs) {
    return geos::own(
        ctx,
        GEOSGeom_createCollection_r(ctx.handle(), GEOS_GEOMETRYCOLLECTION, gs.data(), static_cast<unsigned>(gs.size())),
        "collection of rings");
}

// The pieces' boundaries, noded. A piece that is one polygon without holes (one ring), whose
// ring no other piece's ring comes near (no two runs of edges with meeting boxes), needs no
// noding and goes to the faces as it is. In the claims of a province most candidate areas lie
// inside one cell of each coverage, so this spares the noder most of its work.
geos::Geom noded_boundaries(const geos::Context& ctx, const std::vector<TilePiece>& pieces, const RTree& tree) {
    GEOSContextHandle_t h = ctx.handle();
    std::vector<area::Rings> piece_rings(pieces.size());
    for (std::size_t i = 0; i < pieces.size(); ++i) piece_rings[i] = area::rings_of(ctx, pieces[i].g);
    std::vector<Entry> near;
    std::vector<GEOSGeometry*> to_node, as_is;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        bool alone = piece_rings[i].rings.size() == 1;  // one polygon, no holes
        if (alone) {
            near.clear();
            tree.query(bgi::intersects(to_bbox(pieces[i].box)), std::back_inserter(near));
            for (const Entry& e : near) {
                if (e.second != i && !rings_apart(piece_rings[i], piece_rings[e.second])) {
                    alone = false;
                    break;
                }
            }
        }
        (alone ? as_is : to_node).push_back(geos::own(ctx, GEOSBoundary_r(h, pieces[i].g), "boundary").release());
    }
    const geos::Geom lines = collection_of(ctx, to_node);
    // GEOS's noder is much cheaper than a full overlay union; where floating-point noding
    // fails it returns null, and the union (with its snap-rounding fallback) takes over.
    GEOSGeometry* fast = GEOSNode_r(h, lines.get());
    geos::Geom noded_part = fast ? geos::own(ctx, fast, "noding of the rings")
                                 : geos::own(ctx, GEOSUnaryUnion_r(h, lines.get()), "noding of the rings");
    std::vector<GEOSGeometry*> all{noded_part.release()};
    all.insert(all.end(), as_is.begin(), as_is.end());
    return collection_of(ctx, all);
}

// The faces of the noded lines: ruimte's face walk, or GEOS's polygonizer where the walk
// cannot prove its rings simple (spatial/geometry/polygonize.hpp).
struct Faces {
    std::optional<std::vector<geos::Geom>> walked;
    geos::Geom polygonized;
    std::vector<const GEOSGeometry*> list;
};

Faces faces_of(const geos::Context& ctx, const GEOSGeometry* noded) {
    GEOSContextHandle_t h = ctx.handle();
    Faces faces;
    faces.walked = polygonize_noded(ctx, noded);
    if (faces.walked) {
        for (const auto& f : *faces.walked) faces.list.push_back(f.get());
    } else {
        const GEOSGeometry* const to_polygonize[] = {noded};
        faces.polygonized = geos::own(ctx, GEOSPolygonize_r(h, to_polygonize, 1), "polygonize");
        for (int i = 0; i < GEOSGetNumGeometries_r(h, faces.polygonized.get()); ++i)
            faces.list.push_back(GEOSGetGeometryN_r(h, faces.polygonized.get(), i));
    }
    return faces;
}

// The claims a face lies in: the pieces that hold a point on its surface (empty for a hole
// or a gap between claims).
std::vector<ClaimMember> members_at(const geos::Context& ctx, const GEOSGeometry* pt, std::vector<TilePiece>& pieces,
                                    const RTree& tree, double x, double y) {
    GEOSContextHandle_t h = ctx.handle();
    std::vector<Entry> hits;
    tree.query(bgi::intersects(BPoint(x, y)), std::back_inserter(hits));
    std::vector<ClaimMember> members;
    for (const Entry& e : hits) {
        TilePiece& p = pieces[e.second];
        if (!p.prepared) p.prepared = geos::prepare(ctx, p.g);
        const char r = GEOSPreparedIntersects_r(h, p.prepared.get(), pt);
        if (r == 2) throw Error(ErrorKind::internal, "GEOS point test failed: " + ctx.last_error());
        if (r == 1) members.push_back(p.member);
    }
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    return members;
}

void partition_tile(const geos::Context& ctx, const TileBox& tile, const std::vector<Item>& items,
                    const std::vector<std::uint32_t>& item_ids, double min_face_m2, TileResult& out) {
    GEOSContextHandle_t h = ctx.handle();
    std::vector<TilePiece> pieces = clip_to_tile(ctx, tile, items, item_ids);
    if (pieces.empty()) return;
    std::vector<Entry> entries;
    entries.reserve(pieces.size());
    for (std::size_t i = 0; i < pieces.size(); ++i)
        entries.emplace_back(to_bbox(pieces[i].box), static_cast<std::uint32_t>(i));
    const RTree tree(entries.begin(), entries.end());
    const geos::Geom noded = noded_boundaries(ctx, pieces, tree);
    const Faces faces = faces_of(ctx, noded.get());

    for (const GEOSGeometry* f : faces.list) {
        const double a = geos::area(ctx, f);
        if (!(a > 0)) continue;
        if (a < min_face_m2) {
            ++out.slivers;
            out.sliver_m2 += a;
            continue;
        }
        const geos::Geom pt = geos::own(ctx, GEOSPointOnSurface_r(h, f), "point on surface");
        if (geos::is_empty(ctx, pt.get())) continue;
        double x = 0, y = 0;
        GEOSGeomGetX_r(h, pt.get(), &x);
        GEOSGeomGetY_r(h, pt.get(), &y);
        TileFace face;
        face.members = members_at(ctx, pt.get(), pieces, tree, x, y);
        if (face.members.empty()) continue;  // a hole or a gap between claims
        face.geom = geos::clone(ctx, f);
        face.area_m2 = a;
        const geos::Box b = geos::envelope(ctx, f);
        face.box = b;
        // Crossing points on a tile edge may lie an ulp off it: compare with a margin.
        const double eps = 1e-6;
        face.open = (tile.inner_west && b.xmin <= tile.box.xmin + eps ? kWest : 0U) |
                    (tile.inner_east && b.xmax >= tile.box.xmax - eps ? kEast : 0U) |
                    (tile.inner_south && b.ymin <= tile.box.ymin + eps ? kSouth : 0U) |
                    (tile.inner_north && b.ymax >= tile.box.ymax - eps ? kNorth : 0U);
        out.faces.push_back(std::move(face));
    }
}

void collect_polygons(const geos::Context& ctx, const GEOSGeometry* g, std::vector<const GEOSGeometry*>& out) {
    const int type = GEOSGeomTypeId_r(ctx.handle(), g);
    if (type == GEOS_POLYGON) {
        if (!geos::is_empty(ctx, g)) out.push_back(g);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.handle(), g);
        for (int i = 0; i < n; ++i) collect_polygons(ctx, GEOSGetGeometryN_r(ctx.handle(), g, i), out);
    }
}

}  // namespace

namespace {

// Every claim polygon as an item with its box; the extent and vertex count of them all.
struct Items {
    std::vector<Item> items;
    std::size_t vertices = 0;
    geos::Box extent{1e300, 1e300, -1e300, -1e300};
};

Items collect_items(const geos::Context& ctx, const std::vector<ClaimLayer>& claims) {
    Items all;
    for (std::size_t c = 0; c < claims.size(); ++c) {
        const auto& features = claims[c].layer->features;
        for (std::size_t i = 0; i < features.size(); ++i) {
            const GEOSGeometry* g = features[i].geom.get();
            if (!g || geos::is_empty(ctx, g)) continue;
            geos::warm_envelopes(ctx, g);
            Item it{g, geos::envelope(ctx, g), {static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(i)}};
            all.extent.xmin = std::min(all.extent.xmin, it.box.xmin);
            all.extent.ymin = std::min(all.extent.ymin, it.box.ymin);
            all.extent.xmax = std::max(all.extent.xmax, it.box.xmax);
            all.extent.ymax = std::max(all.extent.ymax, it.box.ymax);
            all.vertices += geos::num_points(ctx, g);
            all.items.push_back(it);
        }
    }
    return all;
}

// The tile grid: edges computed once, so neighbours share exactly the same coordinates.
struct TileGrid {
    std::size_t nx = 1, ny = 1;
    std::vector<double> xs, ys;  // nx + 1 and ny + 1 edges
};

// A tile size given by hand is refused when it cuts the extent into more tiles than the limit
// (--tile-size 1 ran 25-57 s and took 1.9 GB on the samples).
void check_tile_size(double cell, double w, double hgt) {
    auto tiles_of = [&](double c) { return std::max(1.0, std::ceil(w / c)) * std::max(1.0, std::ceil(hgt / c)); };
    const double tiles = tiles_of(cell);
    if (tiles <= static_cast<double>(PartitionOptions::max_tiles)) return;
    double smallest = std::sqrt(std::max(w * hgt, 1.0) / static_cast<double>(PartitionOptions::max_tiles));
    while (tiles_of(std::ceil(smallest)) > static_cast<double>(PartitionOptions::max_tiles)) smallest *= 1.01;
    char buf[160];
    std::snprintf(
        buf, sizeof buf,
        "--tile-size %g m cuts the claims' extent (%.0f x %.0f m) into %.0f tiles, more than the limit of %zu", cell, w,
        hgt, tiles, PartitionOptions::max_tiles);
    throw Error(ErrorKind::usage, buf, {},
                "give --tile-size " + std::to_string(static_cast<long long>(std::ceil(smallest))) +
                    " or more, or leave it out (then it is chosen from the vertex count)");
}

TileGrid tile_grid(const Items& all, const PartitionOptions& options) {
    const geos::Box& extent = all.extent;
    const double w = extent.xmax - extent.xmin, hgt = extent.ymax - extent.ymin;
    double cell = options.tile_size_m;
    if (!(cell > 0)) {
        const double tiles_wanted =
            std::max(1.0, static_cast<double>(all.vertices) /
                              static_cast<double>(std::max<std::size_t>(1, options.tile_vertices)));
        cell = std::sqrt(std::max(w * hgt, 1.0) / tiles_wanted);
    } else {
        check_tile_size(cell, w, hgt);
    }
    TileGrid grid;
    grid.nx = static_cast<std::size_t>(std::clamp(std::ceil(w / cell), 1.0, 4096.0));
    grid.ny = static_cast<std::size_t>(std::clamp(std::ceil(hgt / cell), 1.0, 4096.0));
    grid.xs.resize(grid.nx + 1);
    grid.ys.resize(grid.ny + 1);
    for (std::size_t i = 0; i <= grid.nx; ++i)
        grid.xs[i] =
            i == grid.nx ? extent.xmax : extent.xmin + static_cast<double>(i) * (w / static_cast<double>(grid.nx));
    for (std::size_t i = 0; i <= grid.ny; ++i)
        grid.ys[i] =
            i == grid.ny ? extent.ymax : extent.ymin + static_cast<double>(i) * (hgt / static_cast<double>(grid.ny));
    return grid;
}

// Per tile, the items whose box meets the tile's open box.
std::vector<std::vector<std::uint32_t>> assign_to_tiles(const TileGrid& grid, const std::vector<Item>& items) {
    std::vector<std::vector<std::uint32_t>> tile_items(grid.nx * grid.ny);
    auto first_tile = [](const std::vector<double>& edges, double lo) {
        return static_cast<std::size_t>(std::upper_bound(edges.begin() + 1, edges.end() - 1, lo) - (edges.begin() + 1));
    };
    auto last_tile = [](const std::vector<double>& edges, double hi) {
        const auto it = std::lower_bound(edges.begin() + 1, edges.end() - 1, hi);
        return static_cast<std::size_t>(it - (edges.begin() + 1));
    };
    for (std::uint32_t id = 0; id < items.size(); ++id) {
        const geos::Box& b = items[id].box;
        const std::size_t ix0 = first_tile(grid.xs, b.xmin), ix1 = last_tile(grid.xs, b.xmax);
        const std::size_t iy0 = first_tile(grid.ys, b.ymin), iy1 = last_tile(grid.ys, b.ymax);
        for (std::size_t iy = iy0; iy <= iy1 && iy < grid.ny; ++iy) {
            for (std::size_t ix = ix0; ix <= ix1 && ix < grid.nx; ++ix) tile_items[iy * grid.nx + ix].push_back(id);
        }
    }
    return tile_items;
}

ClaimFace to_face(TileFace& f) {
    ClaimFace cf;
    cf.geom = std::move(f.geom);
    cf.area_m2 = f.area_m2;
    cf.members = std::move(f.members);
    return cf;
}

struct OpenFace {
    TileFace* face;
    std::size_t ix, iy;
};

// Groups of open tile faces that are one face: the same members, open towards each other
// across one tile edge, their extents along that edge overlapping (union-find; groups keyed by
// their root, so the order is deterministic).
std::map<std::uint32_t, std::vector<TileFace*>> connected_open_faces(const std::vector<OpenFace>& open_faces,
                                                                     std::size_t nx) {
    // Per tile edge (the east edge of tile t: 2t, its north edge: 2t + 1), the faces on its
    // two sides.
    std::map<std::size_t, std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>> edges;
    for (std::uint32_t i = 0; i < open_faces.size(); ++i) {
        const auto& [f, ix, iy] = open_faces[i];
        const std::size_t t = iy * nx + ix;
        if (f->open & kEast) edges[2 * t].first.push_back(i);
        if (f->open & kWest) edges[2 * (t - 1)].second.push_back(i);
        if (f->open & kNorth) edges[2 * t + 1].first.push_back(i);
        if (f->open & kSouth) edges[2 * (t - nx) + 1].second.push_back(i);
    }
    std::vector<std::uint32_t> parent(open_faces.size());
    std::iota(parent.begin(), parent.end(), 0U);
    auto root = [&](std::uint32_t i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    };
    const double eps = 1e-6;
    for (const auto& [edge, sides] : edges) {
        const bool vertical = edge % 2 == 0;
        for (std::uint32_t a : sides.first) {
            const TileFace& fa = *open_faces[a].face;
            for (std::uint32_t b : sides.second) {
                const TileFace& fb = *open_faces[b].face;
                if (fa.members != fb.members) continue;
                const bool overlap = vertical ? fa.box.ymin <= fb.box.ymax + eps && fb.box.ymin <= fa.box.ymax + eps
                                              : fa.box.xmin <= fb.box.xmax + eps && fb.box.xmin <= fa.box.xmax + eps;
                if (overlap) parent[root(a)] = root(b);
            }
        }
    }
    std::map<std::uint32_t, std::vector<TileFace*>> components;
    for (std::uint32_t i = 0; i < open_faces.size(); ++i) components[root(i)].push_back(open_faces[i].face);
    return components;
}

// Each group of tile faces merged into one face (or more, if they do not all touch). Tile
// faces are cut at the same points on both sides of a tile edge, so they usually form a
// coverage and merge by dropping their shared edges; else (or if the result would not be one
// simple polygon) GEOS's union.
void merge_groups(const std::vector<std::vector<TileFace*>*>& groups, const PartitionOptions& options,
                  const RunControl& control, std::vector<ClaimFace>& faces) {
    std::vector<std::vector<ClaimFace>> merged(groups.size());
    RunControl quiet = control;
    quiet.progress = nullptr;
    parallel_for(
        groups.size(), quiet,
        [&](const geos::Context& tctx, std::size_t g) {
            const auto& list = *groups[g];
            std::vector<const GEOSGeometry*> parts;
            for (const TileFace* f : list) parts.push_back(f->geom.get());
            geos::Geom u = dissolve_coverage(tctx, parts);
            if (!u) u = geos::union_all(tctx, parts);
            std::vector<const GEOSGeometry*> polys;
            collect_polygons(tctx, u.get(), polys);
            for (const GEOSGeometry* p : polys) {
                ClaimFace cf;
                cf.area_m2 = geos::area(tctx, p);
                if (cf.area_m2 < options.min_face_m2) continue;  // cannot happen for unions of faces above it
                cf.geom = geos::clone(tctx, p);
                cf.members = list.front()->members;
                merged[g].push_back(std::move(cf));
            }
        },
        4);
    for (auto& list : merged) {
        for (auto& cf : list) faces.push_back(std::move(cf));
    }
}

// The faces that cross tile edges merged: two tile faces are one face when they have the same
// members and share a stretch of the tile edge between them (faces that meet only at a point
// stay apart, as in a union); each connected group is unioned on its own.
std::vector<ClaimFace> merge_tiles(std::vector<TileResult>& per_tile, const std::vector<std::size_t>& busy,
                                   std::size_t nx, const PartitionOptions& options, const RunControl& control,
                                   Partition& result) {
    std::vector<ClaimFace> faces;
    std::vector<OpenFace> open_faces;
    for (std::size_t k = 0; k < per_tile.size(); ++k) {
        auto& tile = per_tile[k];
        result.slivers += tile.slivers;
        result.sliver_m2 += tile.sliver_m2;
        for (auto& f : tile.faces) {
            if (f.open) open_faces.push_back({&f, busy[k] % nx, busy[k] / nx});
            else faces.push_back(to_face(f));
        }
    }
    std::map<std::uint32_t, std::vector<TileFace*>> components = connected_open_faces(open_faces, nx);
    std::vector<std::vector<TileFace*>*> groups;
    for (auto& [r, list] : components) {
        if (list.size() == 1) {
            faces.push_back(to_face(*list[0]));
        } else {
            groups.push_back(&list);
            result.merged_faces += list.size();
        }
    }
    merge_groups(groups, options, control, faces);
    return faces;
}

// Deterministic order: claim set, then position.
void sort_faces(const geos::Context& ctx, std::vector<ClaimFace>& faces, Partition& result) {
    struct Key {
        std::vector<std::uint32_t> claims;
        geos::Box box;
        double area;
    };
    std::vector<Key> keys(faces.size());
    for (std::size_t i = 0; i < faces.size(); ++i) {
        auto& f = faces[i];
        for (const auto& m : f.members) {
            f.claims |= std::uint64_t{1} << m.first;
            if (keys[i].claims.empty() || keys[i].claims.back() != m.first) keys[i].claims.push_back(m.first);
        }
        keys[i].box = geos::envelope(ctx, f.geom.get());
        keys[i].area = f.area_m2;
    }
    std::vector<std::size_t> order(faces.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const Key &ka = keys[a], &kb = keys[b];
        if (ka.claims.size() != kb.claims.size()) return ka.claims.size() < kb.claims.size();
        if (ka.claims != kb.claims) return ka.claims < kb.claims;
        if (ka.box.xmin != kb.box.xmin) return ka.box.xmin < kb.box.xmin;
        if (ka.box.ymin != kb.box.ymin) return ka.box.ymin < kb.box.ymin;
        if (ka.box.xmax != kb.box.xmax) return ka.box.xmax < kb.box.xmax;
        if (ka.box.ymax != kb.box.ymax) return ka.box.ymax < kb.box.ymax;
        if (ka.area != kb.area) return ka.area < kb.area;
        return faces[a].members < faces[b].members;
    });
    result.faces.reserve(faces.size());
    for (std::size_t i : order) result.faces.push_back(std::move(faces[i]));
}

}  // namespace

Partition build_partition(const geos::Context& ctx, const std::vector<ClaimLayer>& claims,
                          const PartitionOptions& options, const RunControl& control) {
    if (claims.size() > 64) {
        throw Error(ErrorKind::usage, "at most 64 claims can be overlaid at once, not " + std::to_string(claims.size()),
                    {}, "group claims of one kind into one layer");
    }
    Partition result;
    const Items all = collect_items(ctx, claims);
    if (all.items.empty()) return result;
    const TileGrid grid = tile_grid(all, options);
    const std::vector<std::vector<std::uint32_t>> tile_items = assign_to_tiles(grid, all.items);
    std::vector<std::size_t> busy;
    for (std::size_t t = 0; t < tile_items.size(); ++t) {
        if (!tile_items[t].empty()) busy.push_back(t);
    }
    result.tiles = busy.size();

    std::vector<TileResult> per_tile(busy.size());
    const std::size_t nx = grid.nx, ny = grid.ny;
    parallel_for(
        busy.size(), control,
        [&](const geos::Context& tctx, std::size_t k) {
            const std::size_t t = busy[k], ix = t % nx, iy = t / nx;
            TileBox tb{
                {grid.xs[ix], grid.ys[iy], grid.xs[ix + 1], grid.ys[iy + 1]}, ix > 0, ix + 1 < nx, iy > 0, iy + 1 < ny};
            partition_tile(tctx, tb, all.items, tile_items[t], options.min_face_m2, per_tile[k]);
            for (auto& f : per_tile[k].faces) geos::warm_envelopes(tctx, f.geom.get());
        },
        1);
    std::vector<ClaimFace> faces = merge_tiles(per_tile, busy, nx, options, control, result);
    per_tile.clear();
    sort_faces(ctx, faces, result);
    return result;
}

// ====================================================================== summaries

std::optional<Compat> worst_status(std::uint64_t claims, const std::vector<std::size_t>& kind_of,
                                   const CompatMatrix& matrix) {
    if (std::popcount(claims) < 2) return std::nullopt;
    Compat worst = Compat::combineerbaar;
    for (std::size_t a = 0; a < kind_of.size(); ++a) {
        if (!(claims >> a & 1)) continue;
        for (std::size_t b = a + 1; b < kind_of.size(); ++b) {
            if (!(claims >> b & 1)) continue;
            worst = std::max(worst, matrix.get(kind_of[a], kind_of[b]));
        }
    }
    return worst;
}

namespace {
std::string claims_label(std::uint64_t claims, const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (claims >> c & 1) out += (out.empty() ? "" : "+") + names[c];
    }
    return out;
}
}  // namespace

ClaimTotals summarise(const Partition& p, std::size_t claim_count, const std::vector<std::string>& names,
                      const std::vector<std::size_t>& kind_of, const CompatMatrix& matrix) {
    ClaimTotals t;
    t.claim_area_m2.assign(claim_count, 0);
    t.exclusive_area_m2.assign(claim_count, 0);
    std::map<std::uint64_t, CombinationArea> combos;
    std::vector<double> pair_m2(claim_count * claim_count, 0);
    for (const ClaimFace& f : p.faces) {
        const double a = f.area_m2;
        const int count = std::popcount(f.claims);
        t.claimed_m2 += a;
        t.claim_sum_m2 += a * count;
        if (count >= 2) t.multi_m2 += a;
        const auto worst = worst_status(f.claims, kind_of, matrix);
        if (worst == Compat::conflict) t.conflict_m2 += a;
        if (worst == Compat::voorwaardelijk) t.voorwaardelijk_m2 += a;
        for (std::size_t c = 0; c < claim_count; ++c) {
            if (!(f.claims >> c & 1)) continue;
            t.claim_area_m2[c] += a;
            if (count == 1) t.exclusive_area_m2[c] += a;
            for (std::size_t d = c + 1; d < claim_count; ++d) {
                if (f.claims >> d & 1) pair_m2[c * claim_count + d] += a;
            }
        }
        CombinationArea& ca = combos[f.claims];
        ca.claims = f.claims;
        ca.area_m2 += a;
        ca.faces += 1;
        ca.worst = worst;
        ca.claim_count = static_cast<std::size_t>(count);
    }
    for (auto& [mask, ca] : combos) {
        ca.label = claims_label(mask, names);
        t.combinations.push_back(ca);
    }
    std::sort(t.combinations.begin(), t.combinations.end(), [](const CombinationArea& a, const CombinationArea& b) {
        return a.claim_count != b.claim_count ? a.claim_count < b.claim_count : a.label < b.label;
    });
    for (std::size_t a = 0; a < claim_count; ++a) {
        for (std::size_t b = a + 1; b < claim_count; ++b) {
            t.pairs.push_back({static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b),
                               matrix.get(kind_of[a], kind_of[b]), pair_m2[a * claim_count + b]});
        }
    }
    return t;
}

std::vector<RegionFigures> region_balance(const Partition& p, std::size_t claim_count,
                                          const std::vector<std::optional<Compat>>& face_worst,
                                          const FeatureLayer& regions, int name_field, const RunControl& control) {
    geos::Context ctx;
    const std::size_t nr = regions.features.size();
    std::vector<RegionFigures> out(nr);
    std::vector<Entry> entries;
    for (std::size_t r = 0; r < nr; ++r) {
        const Feature& f = regions.features[r];
        out[r].fid = f.fid;
        out[r].name = name_field >= 0 ? regions.field_as_string(f, name_field) : std::to_string(f.fid);
        out[r].claim_m2.assign(claim_count, 0);
        geos::warm_envelopes(ctx, f.geom.get());
        out[r].region_m2 = geos::area(ctx, f.geom.get());
        entries.emplace_back(to_bbox(geos::envelope(ctx, f.geom.get())), static_cast<std::uint32_t>(r));
    }
    for (const ClaimFace& f : p.faces) geos::warm_envelopes(ctx, f.geom.get());
    const RTree tree(entries.begin(), entries.end());

    // Per face: (region, area of the face inside it).
    std::vector<std::vector<std::pair<std::uint32_t, double>>> parts(p.faces.size());
    std::vector<std::map<std::uint32_t, geos::Prepared>> caches(worker_count(p.faces.size(), control, 16));
    parallel_for_workers(
        p.faces.size(), control,
        [&](const geos::Context& tctx, std::size_t worker, std::size_t i) {
            const ClaimFace& f = p.faces[i];
            const geos::Box fb = geos::envelope(tctx, f.geom.get());
            std::vector<Entry> hits;
            tree.query(bgi::intersects(to_bbox(fb)), std::back_inserter(hits));
            std::sort(hits.begin(), hits.end(), [](const Entry& a, const Entry& b) { return a.second < b.second; });
            for (const Entry& e : hits) {
                const GEOSGeometry* rg = regions.features[e.second].geom.get();
                auto& prepared = caches[worker][e.second];
                if (!prepared) prepared = geos::prepare(tctx, rg);
                const char inside = GEOSPreparedContains_r(tctx.handle(), prepared.get(), f.geom.get());
                if (inside == 2) throw Error(ErrorKind::internal, "GEOS contains failed: " + tctx.last_error());
                if (inside == 1) {
                    parts[i].emplace_back(e.second, f.area_m2);
                    continue;
                }
                const char meets = GEOSPreparedIntersects_r(tctx.handle(), prepared.get(), f.geom.get());
                if (meets == 2) throw Error(ErrorKind::internal, "GEOS intersects failed: " + tctx.last_error());
                if (meets == 0) continue;
                const double a = geos::intersection_area(tctx, f.geom.get(), rg);
                if (a > 0) parts[i].emplace_back(e.second, a);
            }
        },
        16);
    caches.clear();
    for (std::size_t i = 0; i < p.faces.size(); ++i) {
        const ClaimFace& f = p.faces[i];
        const int count = std::popcount(f.claims);
        for (const auto& [r, a] : parts[i]) {
            RegionFigures& rf = out[r];
            rf.claimed_m2 += a;
            rf.claim_sum_m2 += a * count;
            if (count >= 2) rf.multi_m2 += a;
            if (face_worst[i] == Compat::conflict) rf.conflict_m2 += a;
            if (face_worst[i] == Compat::voorwaardelijk) rf.voorwaardelijk_m2 += a;
            for (std::size_t c = 0; c < claim_count; ++c) {
                if (f.claims >> c & 1) rf.claim_m2[c] += a;
            }
        }
    }
    return out;
}

std::string member_ids_text(const std::vector<ClaimMember>& members, const std::vector<ClaimLayer>& claims) {
    std::string out;
    std::size_t i = 0;
    while (i < members.size()) {
        const std::uint32_t c = members[i].first;
        std::vector<std::int64_t> fids;
        for (; i < members.size() && members[i].first == c; ++i)
            fids.push_back(claims[c].layer->features[members[i].second].fid);
        std::sort(fids.begin(), fids.end());
        out += (out.empty() ? "" : ";") + claims[c].name + ":";
        for (std::size_t k = 0; k < fids.size(); ++k) out += (k ? "," : "") + std::to_string(fids[k]);
    }
    return out;
}

// ====================================================================== the command

namespace {

void report_hygiene(const ClaimsRequest& req, const std::string& role, const FeatureLayer& l) {
    for (const std::string& note : l.hygiene_notes(role)) req.tell(note);
}

// A table as rows of cells, written both to the GeoPackage and to CSV.
struct Table {
    std::string name;
    std::string description;
    std::vector<std::pair<std::string, OGRFieldType>> columns;
    std::vector<std::vector<std::optional<std::string>>> text;  // per row, per column (numbers formatted for CSV)
    std::vector<std::vector<double>> numbers;                   // per row, per column (NaN for text)
};

void add_row(Table& t, const std::vector<std::variant<std::string, double, std::int64_t, std::nullopt_t>>& cells) {
    std::vector<std::optional<std::string>> txt;
    std::vector<double> num;
    for (const auto& c : cells) {
        if (const auto* s = std::get_if<std::string>(&c)) {
            txt.emplace_back(*s);
            num.push_back(std::nan(""));
        } else if (const auto* d = std::get_if<double>(&c)) {
            txt.emplace_back(fixed(*d, 6));
            num.push_back(*d);
        } else if (const auto* i = std::get_if<std::int64_t>(&c)) {
            txt.emplace_back(std::to_string(*i));
            num.push_back(static_cast<double>(*i));
        } else {
            txt.emplace_back(std::nullopt);
            num.push_back(std::nan(""));
        }
    }
    t.text.push_back(std::move(txt));
    t.numbers.push_back(std::move(num));
}

void write_table(GDALDataset& ds, const std::string& path, const Table& t) {
    OGRLayer* layer = create_layer(ds, path, t.name, wkbNone, t.description);
    for (const auto& [name, type] : t.columns) add_field(*layer, path, name, type);
    for (std::size_t r = 0; r < t.text.size(); ++r) {
        OGRFeature feat(layer->GetLayerDefn());
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const int field = static_cast<int>(c);
            if (!t.text[r][c]) continue;
            switch (t.columns[c].second) {
                case OFTReal: feat.SetField(field, t.numbers[r][c]); break;
                case OFTInteger:
                case OFTInteger64: feat.SetField(field, static_cast<GIntBig>(std::llround(t.numbers[r][c]))); break;
                default: feat.SetField(field, t.text[r][c]->c_str()); break;
            }
        }
        write_feature(*layer, path, feat);
    }
}

void write_csv(const std::string& final_path, const std::string& temp_path, const Table& t) {
    std::ofstream csv(temp_path, std::ios::binary);
    for (std::size_t c = 0; c < t.columns.size(); ++c) csv << (c ? "," : "") << csv_quote(t.columns[c].first);
    csv << '\n';
    for (std::size_t r = 0; r < t.text.size(); ++r) {
        const auto& row = t.text[r];
        for (std::size_t c = 0; c < row.size(); ++c) {
            std::string cell;
            if (row[c] && t.columns[c].second == OFTReal) {
                // hectares to the m2 (4 decimals), shares and ratios to 1e-9
                const std::string& name = t.columns[c].first;
                const bool ha = name.size() > 3 && name.compare(name.size() - 3, 3, "_ha") == 0;
                cell = fixed(t.numbers[r][c], ha ? 4 : 9);
            } else if (row[c]) {
                cell = csv_quote(*row[c]);
            }
            csv << (c ? "," : "") << cell;
        }
        csv << '\n';
    }
    csv.close();
    if (!csv) {
        throw Error(ErrorKind::output, "cannot write the CSV", ErrorPlace::at(final_path),
                    "check free disk space and write permission in the output folder");
    }
}

void set_geometry(OGRFeature& feat, const geos::Context& ctx, const GEOSGeometry* g) {
    feat.SetGeometryDirectly(to_ogr_multipolygon(ctx, g).release());
}

}  // namespace

namespace {

using Cell = std::variant<std::string, double, std::int64_t, std::nullopt_t>;

// Step 1: the claims, the matrix and the output paths, checked before any geometry is read.
struct ClaimsPlan {
    CompatMatrix matrix;
    std::vector<std::pair<std::string, std::string>> specs;  // NAME -> FILE[:LAYER], sorted by name
    std::vector<std::size_t> kind_of;                        // per claim, its kind in the matrix
    std::vector<SourceSpec> sources;
    std::vector<std::string> inputs;  // every input file (for the output path checks and the manifest)
    std::optional<SourceSpec> region_source;
    std::string region_field;
    std::vector<std::string> csv_paths;  // claim_totals.csv, ... in --csv's folder
};

void check_claim_kinds(ClaimsPlan& plan) {
    for (std::size_t i = 0; i < plan.specs.size(); ++i) {
        const std::string& name = plan.specs[i].first;
        if (i > 0 && plan.specs[i - 1].first == name) {
            throw Error(ErrorKind::usage, "claim '" + name + "' is given twice", {},
                        "give each claim once; put all its polygons in one layer");
        }
        const auto k = plan.matrix.index_of(name);
        if (!k) {
            throw Error(ErrorKind::usage,
                        "claim '" + name + "' is not a kind in the compatibility matrix " + plan.matrix.path +
                            " (kinds: " + plan.matrix.kind_list() + ")",
                        {},
                        "name the claim after one of these kinds, or pass a matrix that has it "
                        "with --compat");
        }
        plan.kind_of.push_back(*k);
    }
    if (plan.specs.size() > 64) {
        throw Error(ErrorKind::usage, "at most 64 claims", {}, "group claims of one kind into one layer");
    }
}

// --csv FOLDER: created when missing; each table's file checked like -o.
void plan_csv_files(const ClaimsRequest& req, ClaimsPlan& plan) {
    if (req.csv_dir.empty()) return;
    std::vector<std::string> names = {schema::kClaimTotals, schema::kClaimCombinations, schema::kClaimPairs};
    if (plan.region_source) names.push_back(schema::kRegionBalance);
    std::error_code ec;
    if (fs::exists(req.csv_dir, ec) && !fs::is_directory(req.csv_dir, ec)) {
        throw Error(ErrorKind::output, "--csv names a file, not a folder", ErrorPlace::at(req.csv_dir),
                    "give a folder; ruimte writes claim_totals.csv, claim_combinations.csv, ... in it");
    }
    if (!fs::exists(req.csv_dir, ec)) {
        fs::create_directory(req.csv_dir, ec);
        if (ec) {
            throw Error(ErrorKind::output, "cannot create the CSV folder: " + ec.message(), ErrorPlace::at(req.csv_dir),
                        "create it yourself, or check that its parent folder exists and is writable");
        }
    }
    for (const auto& n : names) {
        plan.csv_paths.push_back((fs::path(req.csv_dir) / (n + ".csv")).string());
        check_output_path(plan.csv_paths.back(), req.overwrite, plan.inputs);
        check_distinct_outputs({req.output, plan.csv_paths.back()}, "-o is one of the CSV files --csv writes",
                               "give -o a name of its own or another --csv folder");
    }
}

ClaimsPlan plan_claims(const ClaimsRequest& req) {
    if (req.claims.empty()) {
        throw Error(ErrorKind::usage, "no claims given", {},
                    "give each claim as --claim NAME=FILE[:LAYER], for example --claim natuur=natuur.gpkg");
    }
    ClaimsPlan plan{req.compat_path.empty() ? default_compat_matrix() : load_compat_matrix(req.compat_path),
                    req.claims,
                    {},
                    {},
                    {},
                    {},
                    {},
                    {}};
    std::sort(plan.specs.begin(), plan.specs.end());
    check_claim_kinds(plan);
    for (const auto& [name, spec] : plan.specs) {
        plan.sources.push_back(parse_source(spec));
        plan.inputs.push_back(plan.sources.back().path);
    }
    if (!req.compat_path.empty()) plan.inputs.push_back(req.compat_path);
    if (!req.regions.empty()) {
        const auto colon = req.regions.rfind(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == req.regions.size()) {
            throw Error(ErrorKind::usage, "--regions '" + req.regions + "' is not FILE[:LAYER]:FIELD", {},
                        "for example --regions data-samples/gemeenten.gpkg:gemeenten:naam");
        }
        plan.region_field = req.regions.substr(colon + 1);
        plan.region_source = parse_source(req.regions.substr(0, colon));
        plan.inputs.push_back(plan.region_source->path);
    }
    check_output_path(req.output, req.overwrite, plan.inputs);
    plan_csv_files(req, plan);
    return plan;
}

// Step 2: the claim layers and the regions, read (the disk starts on every file meanwhile).
struct ClaimsData {
    std::vector<FeatureLayer> layers;  // per claim
    std::vector<ClaimLayer> claims;    // per claim: its name and layer
    std::vector<std::string> names;
    std::optional<FeatureLayer> regions;
    int name_field = -1;  // the regions' name field
};

void read_regions(const ClaimsRequest& req, const ClaimsPlan& plan, ReadOptions read, ClaimsData& data) {
    read.keep_attributes = true;
    read.progress = [&](std::size_t d, std::size_t t) { req.stage("read regions", d, t); };
    data.regions = read_polygon_layer(*plan.region_source, read);
    report_hygiene(req, "regions", *data.regions);
    data.name_field = data.regions->field_index(plan.region_field);
    if (data.name_field >= 0) return;
    std::string fields;
    for (int i = 0; i < data.regions->defn->GetFieldCount(); ++i)
        fields += (i ? ", " : "") + std::string(data.regions->defn->GetFieldDefn(i)->GetNameRef());
    throw Error(ErrorKind::input,
                "the region layer has no field '" + plan.region_field +
                    "'; its fields are: " + (fields.empty() ? "(none)" : fields),
                data.regions->place(), "end --regions with one of these fields, e.g. FILE:LAYER:naam");
}

ClaimsData read_claims(const ClaimsRequest& req, const ClaimsPlan& plan) {
    std::vector<std::string> source_files;
    for (const auto& src : plan.sources) {
        for (auto& f : files_of_source(src.display())) source_files.push_back(std::move(f));
    }
    if (plan.region_source) {
        for (auto& f : files_of_source(plan.region_source->display())) source_files.push_back(std::move(f));
    }
    const FilePrefetch prefetch(std::move(source_files));
    ReadOptions read;
    read.assume_crs = req.assume_crs;
    read.skip_invalid = req.skip_invalid;
    read.keep_attributes = false;
    read.max_abs_coordinate = kMaxClaimCoordinate;
    read.control = req.control;  // threads, and Ctrl-C while reading
    ClaimsData data;
    data.layers.reserve(plan.sources.size());
    for (std::size_t i = 0; i < plan.sources.size(); ++i) {
        const std::string& name = plan.specs[i].first;
        read.progress = [&](std::size_t d, std::size_t t) { req.stage("read " + name, d, t); };
        data.layers.push_back(read_polygon_layer(plan.sources[i], read));
        report_hygiene(req, "claim " + name, data.layers.back());
        if (data.layers.back().features.empty()) {
            throw Error(ErrorKind::input, "claim '" + name + "' has no usable polygons", data.layers.back().place(),
                        "check the layer; features with null, empty or zero-area geometry are skipped");
        }
    }
    for (std::size_t i = 0; i < data.layers.size(); ++i) {
        data.claims.push_back({plan.specs[i].first, &data.layers[i]});
        data.names.push_back(plan.specs[i].first);
    }
    if (plan.region_source) read_regions(req, plan, read, data);
    return data;
}

// Step 5: the tables, both for the GeoPackage and for --csv.
struct ClaimTables {
    Table totals, combos, pairs, regions;
};

Table totals_table(const Partition& part, const ClaimsData& data, const ClaimTotals& tot,
                   const std::vector<std::optional<Compat>>& face_worst) {
    const std::size_t n = data.claims.size();
    const double claimed = tot.claimed_m2 > 0 ? tot.claimed_m2 : 1;
    std::vector<double> claim_voorw(n, 0), claim_conflict(n, 0);
    for (std::size_t i = 0; i < part.faces.size(); ++i) {
        for (std::size_t c = 0; c < n; ++c) {
            if (!(part.faces[i].claims >> c & 1)) continue;
            if (face_worst[i] == Compat::conflict) claim_conflict[c] += part.faces[i].area_m2;
            if (face_worst[i] == Compat::voorwaardelijk) claim_voorw[c] += part.faces[i].area_m2;
        }
    }
    Table totals{schema::kClaimTotals,
                 "Area per claim (ha): total, alone, shared with other claims, under conditions, "
                 "in conflict; last row: all claims",
                 {{"claim", OFTString},
                  {"area_ha", OFTReal},
                  {"exclusive_ha", OFTReal},
                  {"shared_ha", OFTReal},
                  {"voorwaardelijk_ha", OFTReal},
                  {"conflict_ha", OFTReal},
                  {"share_of_claimed", OFTReal}},
                 {},
                 {}};
    for (std::size_t c = 0; c < n; ++c) {
        add_row(totals, {data.names[c], tot.claim_area_m2[c] / 1e4, tot.exclusive_area_m2[c] / 1e4,
                         (tot.claim_area_m2[c] - tot.exclusive_area_m2[c]) / 1e4, claim_voorw[c] / 1e4,
                         claim_conflict[c] / 1e4, tot.claim_area_m2[c] / claimed});
    }
    add_row(totals, {std::string("(alle claims)"), tot.claimed_m2 / 1e4, (tot.claimed_m2 - tot.multi_m2) / 1e4,
                     tot.multi_m2 / 1e4, tot.voorwaardelijk_m2 / 1e4, tot.conflict_m2 / 1e4, 1.0});
    return totals;
}

Table combinations_table(const ClaimTotals& tot) {
    const double claimed = tot.claimed_m2 > 0 ? tot.claimed_m2 : 1;
    Table combos{schema::kClaimCombinations,
                 "Area (ha) per combination of claims, with its worst pair status",
                 {{"combination", OFTString},
                  {"claim_count", OFTInteger},
                  {"faces", OFTInteger64},
                  {"area_ha", OFTReal},
                  {"share_of_claimed", OFTReal},
                  {"worst_status", OFTString}},
                 {},
                 {}};
    for (const auto& ca : tot.combinations) {
        add_row(combos,
                {ca.label, static_cast<std::int64_t>(ca.claim_count), static_cast<std::int64_t>(ca.faces),
                 ca.area_m2 / 1e4, ca.area_m2 / claimed, ca.worst ? Cell(to_string(*ca.worst)) : Cell(std::nullopt)});
    }
    return combos;
}

Table pairs_table(const ClaimTotals& tot, const std::vector<std::string>& names) {
    const double claimed = tot.claimed_m2 > 0 ? tot.claimed_m2 : 1;
    Table pairs{schema::kClaimPairs,
                "Area (ha) claimed by both claims of each pair, with the pair's status in the "
                "compatibility matrix",
                {{"claim_a", OFTString},
                 {"claim_b", OFTString},
                 {"status", OFTString},
                 {"area_ha", OFTReal},
                 {"share_of_claimed", OFTReal}},
                {},
                {}};
    for (const auto& pa : tot.pairs) {
        add_row(pairs, {names[pa.a], names[pa.b], to_string(pa.status), pa.area_m2 / 1e4, pa.area_m2 / claimed});
    }
    return pairs;
}

Table region_table(const std::vector<RegionFigures>& balance, const std::vector<std::string>& names) {
    Table regions{schema::kRegionBalance,
                  "",
                  {{"region_fid", OFTInteger64},
                   {"region", OFTString},
                   {"region_ha", OFTReal},
                   {"claimed_ha", OFTReal},
                   {"claim_sum_ha", OFTReal},
                   {"claim_pressure", OFTReal},
                   {"multi_claimed_ha", OFTReal},
                   {"voorwaardelijk_ha", OFTReal},
                   {"conflict_ha", OFTReal}},
                  {},
                  {}};
    for (const auto& n : names) regions.columns.emplace_back(n + "_ha", OFTReal);
    for (const auto& rf : balance) {
        std::vector<Cell> row = {
            rf.fid,        rf.name,           rf.region_m2 / 1e4,         rf.claimed_m2 / 1e4, rf.claim_sum_m2 / 1e4,
            rf.pressure(), rf.multi_m2 / 1e4, rf.voorwaardelijk_m2 / 1e4, rf.conflict_m2 / 1e4};
        for (double a : rf.claim_m2) row.emplace_back(a / 1e4);
        add_row(regions, row);
    }
    return regions;
}

// What step 6 writes, gathered.
struct ClaimsResult {
    const ClaimsPlan& plan;
    const ClaimsData& data;
    const Partition& part;
    const std::vector<std::optional<Compat>>& face_worst;
    const std::vector<RegionFigures>& balance;
    const ClaimTables& tables;
};

void write_claim_faces(GDALDataset& ds, OGRLayer& lf, const std::string& output, const ClaimsResult& r,
                       const geos::Context& ctx) {
    const std::vector<std::string>& names = r.data.names;
    const std::size_t n = r.data.claims.size();
    GpkgRowWriter rows(ds, lf, output);
    for (std::size_t i = 0; i < r.part.faces.size(); ++i) {
        const ClaimFace& f = r.part.faces[i];
        rows.integer(0, static_cast<std::int64_t>(i + 1));
        rows.text(1, claims_label(f.claims, names));
        rows.integer(2, std::popcount(f.claims));
        rows.text(3, member_ids_text(f.members, r.data.claims));
        if (r.face_worst[i]) rows.text(4, to_string(*r.face_worst[i]));
        std::string conflicts;
        for (std::size_t a = 0; a < n; ++a) {
            for (std::size_t b = a + 1; b < n; ++b) {
                if ((f.claims >> a & 1) && (f.claims >> b & 1) &&
                    r.plan.matrix.get(r.plan.kind_of[a], r.plan.kind_of[b]) == Compat::conflict) {
                    conflicts += (conflicts.empty() ? "" : "; ") + names[a] + "/" + names[b];
                }
            }
        }
        rows.text(5, conflicts);
        rows.real(6, f.area_m2);
        rows.geometry(gpkg_multipolygon(ctx, f.geom.get(), rows.srs_id()));
        rows.insert();
    }
    rows.finish();
}

void write_region_layer(OGRLayer& lr, const std::string& output, const ClaimsResult& r, const geos::Context& ctx) {
    const Table& t = r.tables.regions;
    for (std::size_t row = 0; row < r.balance.size(); ++row) {
        OGRFeature feat(lr.GetLayerDefn());
        for (std::size_t c = 0; c < t.columns.size(); ++c) {
            const int field = static_cast<int>(c);
            if (t.columns[c].second == OFTString) feat.SetField(field, t.text[row][c]->c_str());
            else if (t.columns[c].second == OFTInteger64)
                feat.SetField(field, static_cast<GIntBig>(r.balance[row].fid));
            else feat.SetField(field, t.numbers[row][c]);
        }
        set_geometry(feat, ctx, r.data.regions->features[row].geom.get());
        write_feature(lr, output, feat);
    }
}

void write_claims_metadata(RunOutput& out, const ClaimsRequest& req, const ClaimsResult& r) {
    out.stamp(req.command_line);
    out.metadata("RUIMTE_COMPAT_PATH", r.plan.matrix.path);
    out.metadata("RUIMTE_COMPAT", r.plan.matrix.text);
    for (std::size_t i = 0; i < r.data.layers.size(); ++i) {
        const auto& l = r.data.layers[i];
        out.metadata("RUIMTE_CLAIM_" + r.data.names[i],
                     l.source.display() + " | CRS " + l.crs.source_crs + (l.crs.assumed ? " (assumed)" : "") +
                         " | operation " + l.crs.operation + " | accuracy_m " +
                         (l.crs.accuracy_m >= 0 ? fixed(l.crs.accuracy_m, 3) : std::string("unknown")));
    }
}

// Step 6: claim_faces, region_balance and the tables in one transaction, metadata, styles and
// manifest (hashed beside it), the CSV files; all committed together, the GeoPackage last.
void write_claims_outputs(const ClaimsRequest& req, const ClaimsResult& r, const std::string& timestamp) {
    Manifest manifest = basic_manifest("claims", req.command_line, timestamp, r.plan.inputs);
    manifest.profile_path = r.plan.matrix.path;  // the compatibility matrix
    manifest.profile_text = r.plan.matrix.text;
    std::future<std::string> manifest_text =
        std::async(side_work_policy(req.control), [&manifest] { return manifest_json(manifest); });
    RunOutput out(req.output, req.overwrite, r.plan.inputs, timestamp);
    GDALDataset& ds = out.dataset();
    const geos::Context ctx;
    OGRLayer* lf = create_layer(ds, req.output, schema::kClaimFaces, wkbMultiPolygon,
                                "Planar partition of the claims by ruimte " + std::string(version) +
                                    ": faces that do not overlap, each with its claims and their status");
    for (const auto& [name, type] : std::vector<std::pair<const char*, OGRFieldType>>{{"face_id", OFTInteger64},
                                                                                      {"claims", OFTString},
                                                                                      {"claim_count", OFTInteger},
                                                                                      {"source_ids", OFTString},
                                                                                      {"worst_status", OFTString},
                                                                                      {"conflicts", OFTString},
                                                                                      {"area_m2", OFTReal}})
        add_field(*lf, req.output, name, type);
    OGRLayer* lr = nullptr;
    if (r.data.regions) {
        lr = create_layer(ds, req.output, schema::kRegionBalance, wkbMultiPolygon,
                          "Per region: area, claimed area, sum of claim areas / region area "
                          "(claim pressure), conflict area (ha)");
        for (const auto& [name, type] : r.tables.regions.columns) add_field(*lr, req.output, name, type);
    }
    begin_transaction(ds, req.output);
    write_claim_faces(ds, *lf, req.output, r, ctx);
    out.start_writeback();
    if (lr) write_region_layer(*lr, req.output, r, ctx);
    for (const Table* t : {&r.tables.totals, &r.tables.combos, &r.tables.pairs}) write_table(ds, req.output, *t);
    commit_transaction(ds, req.output);
    out.start_writeback();
    write_claims_metadata(out, req, r);
    // The claim counts are at hand: the style need not read the faces back.
    styles::KnownColumns known;
    std::vector<double>& counts = known["claim_faces.claim_count"];
    for (const ClaimFace& f : r.part.faces) counts.push_back(std::popcount(f.claims));
    out.close(timestamp, manifest_text, known);
    const std::vector<const Table*> csv_tables = {&r.tables.totals, &r.tables.combos, &r.tables.pairs,
                                                  &r.tables.regions};
    for (std::size_t i = 0; i < r.plan.csv_paths.size(); ++i)
        write_csv(r.plan.csv_paths[i], out.secondary(r.plan.csv_paths[i]), *csv_tables[i]);
    out.commit();  // all or nothing, the GeoPackage last (docs/reliability.md)
}

}  // namespace

ClaimsSummary run_claims(const ClaimsRequest& req) {
    const std::string timestamp = run_timestamp(req.timestamp);  // checked before any work
    Stopwatch clock;
    ClaimsSummary summary;
    // 1. Options, the matrix and the output paths, before any geometry is read.
    const ClaimsPlan plan = plan_claims(req);
    summary.seconds.emplace_back("check", clock.lap());

    // 2. Read.
    const ClaimsData data = read_claims(req, plan);
    summary.claims = data.names;
    for (const auto& l : data.layers) summary.features.push_back(l.features.size());
    summary.seconds.emplace_back("read", clock.lap());

    // 3. Partition.
    const geos::Context ctx;
    RunControl control = req.control;
    control.progress = [&](std::size_t d, std::size_t t) { req.stage("partition", d, t); };
    const Partition part = build_partition(ctx, data.claims, req.partition, control);
    summary.faces = part.faces.size();
    summary.tiles = part.tiles;
    summary.merged_faces = part.merged_faces;
    summary.slivers = part.slivers;
    summary.sliver_m2 = part.sliver_m2;
    summary.seconds.emplace_back("partition", clock.lap());

    // 4. Summaries.
    summary.totals = summarise(part, data.claims.size(), data.names, plan.kind_of, plan.matrix);
    std::vector<std::optional<Compat>> face_worst;
    face_worst.reserve(part.faces.size());
    for (const auto& f : part.faces) face_worst.push_back(worst_status(f.claims, plan.kind_of, plan.matrix));
    std::vector<RegionFigures> balance;
    if (data.regions) {
        control.progress = [&](std::size_t d, std::size_t t) { req.stage("regions", d, t); };
        balance = region_balance(part, data.claims.size(), face_worst, *data.regions, data.name_field, control);
        summary.regions = balance.size();
    }
    summary.seconds.emplace_back("summaries", clock.lap());

    // 5. Tables.
    const ClaimTables tables{totals_table(part, data, summary.totals, face_worst), combinations_table(summary.totals),
                             pairs_table(summary.totals, data.names), region_table(balance, data.names)};

    // 6. Write.
    req.stage("write", 0, 1);
    write_claims_outputs(req, {plan, data, part, face_worst, balance, tables}, timestamp);
    summary.output = req.output;
    summary.csv_files = plan.csv_paths;
    summary.seconds.emplace_back("write", clock.lap());
    return summary;
}

}  // namespace ruimte
