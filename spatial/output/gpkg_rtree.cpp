#include "spatial/output/gpkg_rtree.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <sqlite3.h>

#include "spatial/core/error.hpp"
#include "spatial/output/sqlite_statement.hpp"

namespace ruimte {

namespace {

constexpr int kCellBytes = 8 + 4 * 4;  // id, then min x, max x, min y, max y as 32-bit floats

// SQLite's R*Tree keeps 32-bit floats; a box is rounded outwards so that it still holds
// the feature (as SQLite's rtreeValueDown/rtreeValueUp do).
float round_down(double v) {
    float f = static_cast<float>(v);
    if (static_cast<double>(f) > v) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    return f;
}
float round_up(double v) {
    float f = static_cast<float>(v);
    if (static_cast<double>(f) < v) f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
}

struct Box {
    float min_x, max_x, min_y, max_y;  // the order of the cell's coordinates
    double cx() const { return (double(min_x) + max_x) / 2; }
    double cy() const { return (double(min_y) + max_y) / 2; }
    void add(const Box& b) {
        min_x = std::min(min_x, b.min_x);
        max_x = std::max(max_x, b.max_x);
        min_y = std::min(min_y, b.min_y);
        max_y = std::max(max_y, b.max_y);
    }
};

// Sort-tile-recursive grouping: about sqrt(n / M) vertical slices by box centre x, each cut
// into runs of M boxes by centre y. Ties keep the order they had, so a run is reproducible:
// the sorts compare (centre, place before the sort), the order of a stable sort by centre.
std::vector<std::vector<std::size_t>> str_groups(const std::vector<Box>& boxes, std::size_t m) {
    const std::size_t n = boxes.size();
    struct Key {
        double centre;
        std::size_t place;  // before this sort: the input position, or the position in x order
        std::size_t box;
        bool operator<(const Key& o) const { return centre < o.centre || (centre == o.centre && place < o.place); }
    };
    std::vector<Key> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = {boxes[i].cx(), i, i};
    std::sort(order.begin(), order.end());
    const std::size_t leaves = (n + m - 1) / m;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(leaves))));
    const std::size_t per_slice = slices * m;
    std::vector<std::vector<std::size_t>> groups;
    groups.reserve(leaves + slices);
    for (std::size_t s = 0; s < n; s += per_slice) {
        const auto first = order.begin() + static_cast<std::ptrdiff_t>(s);
        const auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(n, s + per_slice));
        for (auto it = first; it < last; ++it)
            *it = {boxes[it->box].cy(), static_cast<std::size_t>(it - first), it->box};
        std::sort(first, last);
        for (auto it = first; it < last;
             it += static_cast<std::ptrdiff_t>(std::min<std::size_t>(m, static_cast<std::size_t>(last - it)))) {
            const auto end =
                it + static_cast<std::ptrdiff_t>(std::min<std::size_t>(m, static_cast<std::size_t>(last - it)));
            auto& group = groups.emplace_back();
            group.reserve(static_cast<std::size_t>(end - it));
            for (auto g = it; g < end; ++g) group.push_back(g->box);
        }
    }
    return groups;
}

void put_be16(unsigned char* p, unsigned v) {
    p[0] = static_cast<unsigned char>(v >> 8);
    p[1] = static_cast<unsigned char>(v);
}
void put_be32(unsigned char* p, std::uint32_t v) {
    for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<unsigned char>(v);
}
void put_be64(unsigned char* p, std::uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<unsigned char>(v);
}
void put_cell(unsigned char* p, std::int64_t id, const Box& b) {
    put_be64(p, static_cast<std::uint64_t>(id));
    put_be32(p + 8, std::bit_cast<std::uint32_t>(b.min_x));
    put_be32(p + 12, std::bit_cast<std::uint32_t>(b.max_x));
    put_be32(p + 16, std::bit_cast<std::uint32_t>(b.min_y));
    put_be32(p + 20, std::bit_cast<std::uint32_t>(b.max_y));
}

}  // namespace

PackedRTree pack_rtree(std::vector<RTreeEntry> entries, int node_size) {
    const int cells = (node_size - 4) / kCellBytes;
    if (cells < 2)
        throw Error(ErrorKind::internal,
                    "R*Tree node size " + std::to_string(node_size) + " holds fewer than two cells");
    const auto m = static_cast<std::size_t>(cells);

    // Built bottom-up; node k has the boxes and the indices (into the level below) of its
    // children. Level 0 children are entries.
    struct Built {
        Box box;
        std::vector<std::size_t> children;
        int level;
    };
    std::vector<Built> built;
    std::vector<Box> boxes(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const RTreeEntry& e = entries[i];
        boxes[i] = {round_down(e.min_x), round_up(e.max_x), round_down(e.min_y), round_up(e.max_y)};
    }
    std::vector<std::size_t> level_nodes;  // indices into `built` of the current level
    int level = 0;
    std::vector<Box> level_boxes = boxes;
    while (true) {
        std::vector<std::vector<std::size_t>> groups;
        if (level_boxes.size() <= m) {
            std::vector<std::size_t> all(level_boxes.size());
            std::iota(all.begin(), all.end(), std::size_t{0});
            groups.push_back(std::move(all));
        } else {
            groups = str_groups(level_boxes, m);
        }
        std::vector<std::size_t> next_nodes;
        std::vector<Box> next_boxes;
        for (auto& g : groups) {
            Box box = g.empty() ? Box{0, 0, 0, 0} : level_boxes[g.front()];
            for (std::size_t c : g) box.add(level_boxes[c]);
            if (level > 0) {
                for (std::size_t& c : g) c = level_nodes[c];  // child positions -> built indices
            }
            next_nodes.push_back(built.size());
            next_boxes.push_back(box);
            built.push_back({box, std::move(g), level});
        }
        level_nodes = std::move(next_nodes);
        level_boxes = std::move(next_boxes);
        if (level_nodes.size() == 1) break;
        ++level;
    }

    // Number the nodes breadth first from the root (1), then write their blobs.
    const std::size_t root = level_nodes.front();
    std::vector<std::int64_t> number(built.size(), 0);
    std::vector<std::size_t> queue{root};
    number[root] = 1;
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const Built& b = built[queue[q]];
        if (b.level == 0) continue;
        for (std::size_t c : b.children) {
            number[c] = static_cast<std::int64_t>(queue.size()) + 1;
            queue.push_back(c);
        }
    }
    PackedRTree out;
    out.nodes.reserve(queue.size());
    out.leaf_of.reserve(entries.size());
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const std::size_t k = queue[q];
        const Built& b = built[k];
        RTreeNode node;
        node.number = number[k];
        node.blob.assign(static_cast<std::size_t>(node_size), 0);
        if (k == root) put_be16(node.blob.data(), static_cast<unsigned>(b.level));
        put_be16(node.blob.data() + 2, static_cast<unsigned>(b.children.size()));
        for (std::size_t i = 0; i < b.children.size(); ++i) {
            unsigned char* cell = node.blob.data() + 4 + i * kCellBytes;
            const std::size_t c = b.children[i];
            if (b.level == 0) {
                put_cell(cell, entries[c].id, boxes[c]);
                out.leaf_of.emplace_back(entries[c].id, node.number);
            } else {
                put_cell(cell, number[c], built[c].box);
            }
        }
        out.nodes.push_back(std::move(node));
    }
    // Parents: a node's parent is the one whose children list holds it.
    for (std::size_t q = 0; q < queue.size(); ++q) {
        const Built& b = built[queue[q]];
        if (b.level == 0) continue;
        for (std::size_t c : b.children) {
            const auto pos = static_cast<std::size_t>(number[c] - 1);
            out.nodes[pos].parent = number[queue[q]];
        }
    }
    return out;
}

namespace {

using sqlite::quote_id;
using sqlite::Statement;

// The bounding box from a GeoPackage geometry blob: the header's envelope when it has one,
// else from the WKB after the header. False for an empty geometry (not indexed).
bool blob_box(const unsigned char* p, int size, RTreeEntry& e) {
    if (size < 8 || p[0] != 'G' || p[1] != 'P') return false;
    const unsigned flags = p[3];
    const bool little = (flags & 1U) != 0;
    const unsigned envelope = (flags >> 1) & 7U;
    if ((flags & 0x10U) != 0) return false;  // empty geometry
    static const int envelope_doubles[] = {0, 4, 6, 6, 8};
    if (envelope > 4) return false;
    const int header = 8 + 8 * envelope_doubles[envelope];
    if (size < header) return false;
    auto get = [&](int i) {
        unsigned char b[8];
        std::memcpy(b, p + 8 + 8 * i, 8);
        if (little != (std::endian::native == std::endian::little)) std::reverse(b, b + 8);
        return std::bit_cast<double>(b);
    };
    if (envelope != 0) {
        e.min_x = get(0);
        e.max_x = get(1);
        e.min_y = get(2);
        e.max_y = get(3);
        return !(std::isnan(e.min_x) || std::isnan(e.min_y));
    }
    OGRGeometry* g = nullptr;
    if (OGRGeometryFactory::createFromWkb(p + header, nullptr, &g, size - header) != OGRERR_NONE || !g) return false;
    std::unique_ptr<OGRGeometry> owned(g);
    if (g->IsEmpty()) return false;
    OGREnvelope env;
    g->getEnvelope(&env);
    e.min_x = env.MinX;
    e.max_x = env.MaxX;
    e.min_y = env.MinY;
    e.max_y = env.MaxY;
    return true;
}

// The triggers of the GeoPackage specification (1.2, extension F.3) that keep the index up to
// date when rows change later.
std::vector<std::string> rtree_triggers(const std::string& t, const std::string& c, const std::string& i) {
    const std::string r = "rtree_" + t + "_" + c;
    const std::string T = quote_id(t), C = quote_id(c), I = quote_id(i), R = quote_id(r);
    const std::string insert = "INSERT OR REPLACE INTO " + R + " VALUES (NEW." + I + ",ST_MinX(NEW." + C +
                               "), ST_MaxX(NEW." + C + "),ST_MinY(NEW." + C + "), ST_MaxY(NEW." + C + ")); ";
    return {
        "CREATE TRIGGER " + quote_id(r + "_insert") + " AFTER INSERT ON " + T + " WHEN (new." + C +
            " NOT NULL AND NOT ST_IsEmpty(NEW." + C + ")) BEGIN " + insert + "END",
        "CREATE TRIGGER " + quote_id(r + "_update1") + " AFTER UPDATE OF " + C + " ON " + T + " WHEN OLD." + I +
            " = NEW." + I + " AND (NEW." + C + " NOTNULL AND NOT ST_IsEmpty(NEW." + C + ")) BEGIN " + insert + "END",
        "CREATE TRIGGER " + quote_id(r + "_update2") + " AFTER UPDATE OF " + C + " ON " + T + " WHEN OLD." + I +
            " = NEW." + I + " AND (NEW." + C + " ISNULL OR ST_IsEmpty(NEW." + C + ")) BEGIN DELETE FROM " + R +
            " WHERE id = OLD." + I + "; END",
        "CREATE TRIGGER " + quote_id(r + "_update3") + " AFTER UPDATE ON " + T + " WHEN OLD." + I + " != NEW." + I +
            " AND (NEW." + C + " NOTNULL AND NOT ST_IsEmpty(NEW." + C + ")) BEGIN DELETE FROM " + R +
            " WHERE id = OLD." + I + "; " + insert + "END",
        "CREATE TRIGGER " + quote_id(r + "_update4") + " AFTER UPDATE ON " + T + " WHEN OLD." + I + " != NEW." + I +
            " AND (NEW." + C + " ISNULL OR ST_IsEmpty(NEW." + C + ")) BEGIN DELETE FROM " + R + " WHERE id IN (OLD." +
            I + ", NEW." + I + "); END",
        "CREATE TRIGGER " + quote_id(r + "_delete") + " AFTER DELETE ON " + T + " WHEN old." + C +
            " NOT NULL BEGIN DELETE FROM " + R + " WHERE id = OLD." + I + "; END",
    };
}

// What failed, with SQLite's message, naming the file and table.
Error index_error(sqlite3* db, const std::string& path, const std::string& table, const std::string& what) {
    return Error(ErrorKind::output, "cannot build the spatial index: " + what + ": " + sqlite3_errmsg(db),
                 ErrorPlace::at(path, table), "check free disk space and write permission in the output folder");
}

std::vector<RTreeEntry> read_boxes(sqlite3* db, const std::string& path, const std::string& table,
                                   const std::string& geom, const std::string& fid) {
    std::vector<RTreeEntry> entries;
    Statement rows(db, "SELECT " + quote_id(fid) + ", " + quote_id(geom) + " FROM " + quote_id(table) + " WHERE " +
                           quote_id(geom) + " IS NOT NULL");
    if (!rows) throw index_error(db, path, table, "reading the geometries");
    int rc;
    while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
        RTreeEntry e;
        e.id = sqlite3_column_int64(rows.get(), 0);
        const auto* blob = static_cast<const unsigned char*>(sqlite3_column_blob(rows.get(), 1));
        if (blob && blob_box(blob, sqlite3_column_bytes(rows.get(), 1), e)) entries.push_back(e);
    }
    if (rc != SQLITE_DONE) throw index_error(db, path, table, "reading the geometries");
    return entries;
}

void build_one(sqlite3* db, const std::string& path, const std::string& table, const std::string& geom,
               const std::string& fid, std::vector<RTreeEntry> entries) {
    auto fail = [&](const std::string& what) { return index_error(db, path, table, what); };
    auto exec = [&](const std::string& sql) {
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) throw fail(sql.substr(0, 60));
    };
    const std::string rtree = "rtree_" + table + "_" + geom;

    exec("CREATE VIRTUAL TABLE " + quote_id(rtree) + " USING rtree(id, minx, maxx, miny, maxy)");
    int node_size = 0;
    {
        Statement size(db, "SELECT length(data) FROM " + quote_id(rtree + "_node") + " WHERE nodeno = 1");
        if (!size || sqlite3_step(size.get()) != SQLITE_ROW) throw fail("reading the R*Tree node size");
        node_size = sqlite3_column_int(size.get(), 0);
    }
    PackedRTree tree = pack_rtree(std::move(entries), node_size);

    auto insert_all = [&](const std::string& sql, auto&& rows, auto&& bind) {
        Statement st(db, sql);
        if (!st) throw fail(sql.substr(0, 60));
        for (const auto& row : rows) {
            if (!bind(st.get(), row)) continue;
            if (sqlite3_step(st.get()) != SQLITE_DONE) throw fail(sql.substr(0, 60));
            sqlite3_reset(st.get());
        }
    };
    insert_all("INSERT OR REPLACE INTO " + quote_id(rtree + "_node") + " VALUES (?, ?)", tree.nodes,
               [](sqlite3_stmt* st, const RTreeNode& n) {
                   sqlite3_bind_int64(st, 1, n.number);
                   sqlite3_bind_blob(st, 2, n.blob.data(), static_cast<int>(n.blob.size()), SQLITE_STATIC);
                   return true;
               });
    insert_all("INSERT INTO " + quote_id(rtree + "_parent") + " VALUES (?, ?)", tree.nodes,
               [](sqlite3_stmt* st, const RTreeNode& n) {
                   if (n.parent == 0) return false;
                   sqlite3_bind_int64(st, 1, n.number);
                   sqlite3_bind_int64(st, 2, n.parent);
                   return true;
               });
    // One row per feature, 64 rows per INSERT, in the order of the feature ids, so every INSERT
    // appends to the rowid table's B-tree (in the leaves' order the ids come scattered, and
    // SQLite splits pages all over it: 100,000 rows took 0.11 s instead of 0.02 s).
    {
        std::vector<std::pair<std::int64_t, std::int64_t>>& pairs = tree.leaf_of;
        std::sort(pairs.begin(), pairs.end());
        sqlite::BatchInsert insert(db, "INSERT INTO " + quote_id(rtree + "_rowid") + " VALUES ", "(?, ?)", 64);
        for (std::size_t begin = 0; begin < pairs.size(); begin += insert.rows()) {
            const std::size_t rows = std::min(insert.rows(), pairs.size() - begin);
            sqlite3_stmt* st = insert.statement(rows);
            if (!st) throw fail("preparing the R*Tree's rowid rows");
            for (std::size_t r = 0; r < rows; ++r) {
                sqlite3_bind_int64(st, static_cast<int>(2 * r + 1), pairs[begin + r].first);
                sqlite3_bind_int64(st, static_cast<int>(2 * r + 2), pairs[begin + r].second);
            }
            if (sqlite3_step(st) != SQLITE_DONE) throw fail("writing the R*Tree's rowid rows");
            sqlite3_reset(st);
        }
    }
    for (const std::string& sql : rtree_triggers(table, geom, fid)) exec(sql);
    // The table as the GeoPackage specification defines it, for a file without extensions yet.
    exec(
        "CREATE TABLE IF NOT EXISTS gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, "
        "definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, "
        "extension_name))");
    Statement ext(
        db,
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
        "VALUES (?, ?, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')");
    if (!ext) throw fail("registering the extension");
    sqlite3_bind_text(ext.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ext.get(), 2, geom.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(ext.get()) != SQLITE_DONE) throw fail("registering the extension");
}

bool table_exists(sqlite3* db, const std::string& name) {
    Statement st(db, "SELECT 1 FROM sqlite_master WHERE name = ?");
    if (!st) return false;
    sqlite3_bind_text(st.get(), 1, name.c_str(), -1, SQLITE_TRANSIENT);
    return sqlite3_step(st.get()) == SQLITE_ROW;
}

}  // namespace

void build_missing_spatial_indexes(GDALDataset& ds, const std::string& path) {
    GDALDriver* driver = ds.GetDriver();
    if (!driver || !EQUAL(driver->GetDescription(), "GPKG")) return;
    auto* db = static_cast<sqlite3*>(ds.GetInternalHandle("SQLITE_HANDLE"));
    if (!db) return;
    for (int i = 0; i < ds.GetLayerCount(); ++i) {
        OGRLayer* layer = ds.GetLayer(i);
        if (!layer || layer->GetGeomType() == wkbNone || layer->GetGeometryColumn()[0] == '\0') continue;
        const std::string table = layer->GetName();
        const std::string geom = layer->GetGeometryColumn();
        const std::string fid = layer->GetFIDColumn()[0] ? layer->GetFIDColumn() : "fid";
        if (table_exists(db, "rtree_" + table + "_" + geom)) continue;
        build_spatial_index(db, path, table, geom, fid, read_boxes(db, path, table, geom, fid));
    }
}

void build_spatial_index(sqlite3* db, const std::string& path, const std::string& table, const std::string& geom_column,
                         const std::string& fid_column, std::vector<RTreeEntry> entries) {
    if (sqlite3_exec(db, "SAVEPOINT ruimte_rtree", nullptr, nullptr, nullptr) != SQLITE_OK) {
        throw index_error(db, path, table, "starting a savepoint");
    }
    try {
        build_one(db, path, table, geom_column, fid_column, std::move(entries));
    } catch (...) {
        sqlite3_exec(db, "ROLLBACK TO ruimte_rtree; RELEASE ruimte_rtree", nullptr, nullptr, nullptr);
        throw;
    }
    if (sqlite3_exec(db, "RELEASE ruimte_rtree", nullptr, nullptr, nullptr) != SQLITE_OK) {
        throw index_error(db, path, table, "committing it");
    }
}

}  // namespace ruimte
