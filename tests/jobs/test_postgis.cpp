// PostgreSQL/PostGIS: connection strings (no server), and against a real throw-away
// PostgreSQL 15 + PostGIS started with scripts/pg-temp.sh: reading tables and queries through
// read_polygon_layer, and the push-down overlay on hand-made squares.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "io/support_io.hpp"
#include "spatial/core/error.hpp"
#include "spatial/criteria/profile.hpp"
#include "spatial/io/postgis.hpp"
#include "spatial/io/source.hpp"
#include "spatial/jobs/score_pushdown.hpp"

using namespace ruimte;

namespace {

// One throw-away cluster per test process, stopped when the process ends.
class Cluster {
  public:
    Cluster() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "ruimte-pgtest-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) return;
        dir_ = tmpl;
        const std::string cmd =
            "bash '" + test::source_dir() + "/scripts/pg-temp.sh' start '" + dir_ + "' > '" + dir_ + ".log' 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            std::ifstream log(dir_ + ".log");
            std::getline(log, why_, '\0');
            return;
        }
        std::ifstream in(dir_ + "/conninfo");
        std::getline(in, conninfo_);
    }
    ~Cluster() {
        if (dir_.empty()) return;
        const std::string cmd =
            "bash '" + test::source_dir() + "/scripts/pg-temp.sh' stop '" + dir_ + "' > /dev/null 2>&1";
        (void)std::system(cmd.c_str());
        std::error_code ec;
        std::filesystem::remove(dir_ + ".log", ec);
        std::filesystem::remove_all(dir_, ec);
    }
    bool running() const { return !conninfo_.empty(); }
    const std::string& conninfo() const { return conninfo_; }
    const std::string& why() const { return why_; }
    std::string source(const std::string& relation) const { return "PG:\"" + conninfo_ + "\":" + relation; }

  private:
    std::string dir_, conninfo_, why_;
};

Cluster& cluster() {
    static Cluster c;
    return c;
}

// Runs SQL on the test database.
// Runs the statements of `text` one by one (Connection::exec sends one statement, as every
// statement of the engine is sent: PQexecParams refuses several), split at ';' outside quotes.
void sql(const std::string& text) {
    pg::Connection c(pg::parse_target("PG:\"" + cluster().conninfo() + "\""), ErrorKind::internal);
    std::string statement;
    bool quoted = false;
    for (char ch : text) {
        if (ch == '\'') quoted = !quoted;
        if (ch == ';' && !quoted) {
            if (statement.find_first_not_of(" \n\t") != std::string::npos) c.exec(statement);
            statement.clear();
        } else {
            statement += ch;
        }
    }
    if (statement.find_first_not_of(" \n\t") != std::string::npos) c.exec(statement);
}

bool has_fid(const std::vector<GeometryIssue>& v, std::int64_t fid, const std::string& what) {
    for (const auto& i : v) {
        if (i.fid == fid && i.what.find(what) != std::string::npos) return true;
    }
    return false;
}

}  // namespace

TEST_CASE("PostgreSQL sources and outputs: the syntax", "[postgis]") {
    SECTION("PG:\"CONNINFO\":TABLE and :SELECT; the quotes delimit the connection string") {
        auto [conn, rel] = pg::split_source(R"(PG:"dbname=ruimte host=127.0.0.1 port=5432":public.wbs)");
        CHECK(conn == R"(PG:"dbname=ruimte host=127.0.0.1 port=5432")");
        CHECK(rel == "public.wbs");
        auto [conn2, rel2] = pg::split_source(R"(PG:"dbname=ruimte":SELECT * FROM t WHERE a = 'x:y')");
        CHECK(conn2 == R"(PG:"dbname=ruimte")");
        CHECK(rel2 == "SELECT * FROM t WHERE a = 'x:y'");
        CHECK(pg::split_source(R"(PG:"dbname=ruimte")").second.empty());
        CHECK_THROWS_AS(pg::split_source(R"(PG:"dbname=ruimte)"), Error);
        CHECK_THROWS_AS(pg::split_source(R"(PG:"dbname=ruimte"wbs)"), Error);
    }
    SECTION("postgresql:// URI: the first ':' after the database path starts the table") {
        auto [conn, rel] = pg::split_source("postgresql://anna@db.example:5433/ruimte?schema=lagen:wbs");
        CHECK(conn == "postgresql://anna@db.example:5433/ruimte?schema=lagen");
        CHECK(rel == "wbs");
        const pg::Target t = pg::parse_target(conn);
        CHECK(t.schema == "lagen");
        CHECK(t.conninfo.find("host=db.example") != std::string::npos);
        CHECK(t.conninfo.find("port=5433") != std::string::npos);
        CHECK(t.conninfo.find("dbname=ruimte") != std::string::npos);
        CHECK(t.conninfo.find("user=anna") != std::string::npos);
        CHECK(t.conninfo.find("schema") == std::string::npos);  // libpq does not know it
    }
    SECTION("schema= inside PG:\"...\"; quoted values; the password never shows") {
        const pg::Target t = pg::parse_target(R"(PG:"dbname='mijn db' schema=uitkomst password=geheim")");
        CHECK(t.schema == "uitkomst");
        CHECK(t.conninfo.find("dbname='mijn db'") != std::string::npos);
        CHECK(t.display().find("geheim") == std::string::npos);
        CHECK(t.display().find("schema=uitkomst") != std::string::npos);
        CHECK(t.gdal_name().find("active_schema=uitkomst") != std::string::npos);
        CHECK_THROWS_AS(pg::parse_target(R"(PG:"dbname=x nonsense=1")"), Error);  // libpq's check
    }
    SECTION("parse_source passes PostgreSQL sources through and leaves files alone") {
        const SourceSpec s = parse_source(R"(PG:"dbname=ruimte":wbs)", "/some/profile/folder");
        CHECK(s.path == R"(PG:"dbname=ruimte")");
        CHECK(s.layer == "wbs");
        CHECK(pg::is_query("  WITH x AS (SELECT 1) SELECT * FROM x"));
        CHECK(pg::is_query("select geom from t"));
        CHECK_FALSE(pg::is_query("selection"));
        CHECK_FALSE(pg::is_postgres("data-samples/wbs.gpkg:wbs"));
    }
    SECTION("an output needs a schema (checked before connecting)") {
        try {
            pg::check_output("postgresql://postgres@127.0.0.1:1/ruimte", false, {"candidates_scored"});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::usage);
            CHECK(e.hint().find("?schema=NAME") != std::string::npos);
        }
    }
    SECTION("extended WKB: the SRID goes after the type, whose 0x20000000 bit is set") {
        // POINT(1 2), little-endian WKB
        const unsigned char wkb[] = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40};
        CHECK(pg::ewkb_hex(wkb, sizeof wkb, 28992) == "010100002040710000000000000000f03f0000000000000040");
        CHECK(pg::ewkb_hex(wkb, sizeof wkb, 0) == "0101000000000000000000f03f0000000000000040");
    }
    SECTION("default QML: five score classes for candidates_scored, nothing for other tables") {
        const std::string qml = pg::default_qml("candidates_scored", {"id", "score"});
        CHECK(qml.find("attr=\"score\"") != std::string::npos);
        std::size_t ranges = 0;
        for (auto p = qml.find("<range "); p != std::string::npos; p = qml.find("<range ", p + 1)) ++ranges;
        CHECK(ranges == 5);
        CHECK(pg::default_qml("overlay_areas", {"share"}).empty());
        CHECK(pg::default_qml("candidates_scored", {"id"}).empty());
    }
}

TEST_CASE("PostgreSQL: reading a table and a query, and push-down on hand-made squares", "[postgis]") {
    if (!cluster().running()) {
        WARN("SKIPPED: scripts/pg-temp.sh could not start PostgreSQL 15 + PostGIS (run scripts/setup.sh): " +
             cluster().why());
        return;
    }
    sql("DROP TABLE IF EXISTS vlakken, wgs, klassen, plekken;"  // each SECTION runs the test case again
        "CREATE TABLE vlakken (id integer PRIMARY KEY, klasse text, geom geometry(Geometry, 28992));"
        "INSERT INTO vlakken VALUES "
        "(1, 'ja', 'POLYGON((0 0,10 0,10 10,0 10,0 0))'),"
        "(2, 'nee', 'POLYGON((0 0,10 10,10 0,0 10,0 0))'),"  // bow-tie: two triangles of 25 m2
        "(3, 'ja', NULL),"
        "(4, 'nee', 'POLYGON((20 0,50 0,50 5,20 5,20 0))');"
        // a 100 m x 100 m square near Amersfoort, stored in WGS84
        "CREATE TABLE wgs (id integer PRIMARY KEY, naam text, geom geometry(Polygon, 4326));"
        "INSERT INTO wgs VALUES (1, 'Amersfoort', ST_Transform('SRID=28992;POLYGON((155000 463000,155100 463000,155100 "
        "463100,"
        "155000 463100,155000 463000))'::geometry, 4326));");
    geos::Context ctx;

    SECTION("a table: fids from the primary key, repairs and skips reported as for files") {
        const FeatureLayer l = read_polygon_layer(parse_source(cluster().source("vlakken")), ReadOptions{});
        REQUIRE(l.features.size() == 3);
        CHECK(l.features[0].fid == 1);
        CHECK(l.features[1].fid == 2);
        CHECK(l.features[2].fid == 4);
        CHECK(geos::area(ctx, l.features[0].geom.get()) == Approx(100.0));
        CHECK(geos::area(ctx, l.features[1].geom.get()) == Approx(50.0));
        CHECK(geos::area(ctx, l.features[2].geom.get()) == Approx(150.0));
        CHECK(l.field_as_string(l.features[2], l.field_index("klasse")) == "nee");
        CHECK(has_fid(l.hygiene.repaired, 2, "MakeValid"));
        CHECK(has_fid(l.hygiene.skipped, 3, "null geometry"));
        CHECK(l.crs.operation == "none (source is EPSG:28992)");
    }
    SECTION("a query: ogc_fid becomes the fid") {
        const FeatureLayer l = read_polygon_layer(
            parse_source(
                cluster().source("SELECT id AS ogc_fid, klasse, geom FROM vlakken WHERE klasse = 'nee' ORDER BY id")),
            ReadOptions{});
        REQUIRE(l.features.size() == 2);
        CHECK(l.features[0].fid == 2);
        CHECK(l.features[1].fid == 4);
        CHECK(geos::area(ctx, l.features[0].geom.get()) + geos::area(ctx, l.features[1].geom.get()) == Approx(200.0));
    }
    SECTION("a WGS84 table is reprojected to RD New like a file") {
        const FeatureLayer l = read_polygon_layer(parse_source(cluster().source("wgs")), ReadOptions{});
        REQUIRE(l.features.size() == 1);
        CHECK(l.crs.reprojected);
        CHECK(l.crs.source_crs.find("4326") != std::string::npos);
        CHECK(geos::area(ctx, l.features[0].geom.get()) == Approx(10000.0).epsilon(1e-6));
    }
    SECTION("errors name the database and the table") {
        try {
            read_polygon_layer(parse_source(cluster().source("bestaat_niet")), ReadOptions{});
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::input);
            CHECK(e.message().find("vlakken") != std::string::npos);  // the tables it does have
            CHECK(e.place().layer == "bestaat_niet");
        }
        CHECK_THROWS_AS(
            read_polygon_layer(parse_source(cluster().source("SELECT nonsense FROM nowhere")), ReadOptions{}), Error);
    }
    SECTION("push-down: class areas with overlapping features unioned, distance to a presence layer") {
        // Class 'a' is 0..10, class 'b' is 10..20 plus an overlapping strip 8..12 (also over 'a').
        sql("CREATE TABLE klassen (id integer PRIMARY KEY, klasse text, geom geometry(Polygon, 28992));"
            "INSERT INTO klassen VALUES (1, 'a', 'POLYGON((0 0,10 0,10 10,0 10,0 0))'),"
            "(2, 'b', 'POLYGON((10 0,20 0,20 10,10 10,10 0))'), (3, 'b', 'POLYGON((8 0,12 0,12 10,8 10,8 0))');"
            "CREATE TABLE plekken (id integer PRIMARY KEY, naam text, geom geometry(Polygon, 28992));"
            "INSERT INTO plekken VALUES (1, 'P', 'POLYGON((30 0,40 0,40 10,30 10,30 0))');");
        const std::string toml =
            "[profile]\nname = \"t\"\n"
            "[layers.k]\nsource = '" +
            cluster().source("klassen") +
            "'\ntype = \"classes\"\nclass_field = \"klasse\"\n"
            "[layers.p]\nsource = '" +
            cluster().source("plekken") +
            "'\ntype = \"presence\"\nname_field = \"naam\"\n"
            "[[factors]]\nname = \"k\"\nkind = \"classes\"\nlayer = \"k\"\nweight = 1\nvalues = { a = 1.0, b = 0.0 }\n";
        const Profile profile = parse_profile(toml, "/tmp/t.toml");
        const FeatureLayer cands = test::layer_from_wkt(
            ctx, {"POLYGON((5 0,15 0,15 10,5 10,5 0))", "POLYGON((100 0,110 0,110 10,100 10,100 0))"});
        const PushdownResult r = pushdown_overlay(profile, cands, PushdownOptions{});
        REQUIRE(r.overlay.layers.size() == 2);
        REQUIRE(r.indexes[0]->classes() == std::vector<std::string>{"a", "b"});
        const LayerOverlay& k = r.overlay.layers[0];
        CHECK(r.overlay.candidate_area_m2[0] == Approx(100.0));
        CHECK(k.area(0, 0) == Approx(50.0));  // 5..10
        CHECK(k.area(0, 1) == Approx(70.0));  // 8..15: the strip 8..10 counts for 'b' too, once
        CHECK(k.covered_m2[0] == Approx(100.0));
        CHECK(k.area(1, 0) == 0.0);
        CHECK(k.covered_m2[1] == 0.0);
        const LayerOverlay& p = r.overlay.layers[1];
        CHECK(p.distance_m[0] == Approx(15.0));  // 15 -> 30
        CHECK(p.distance_m[1] == Approx(60.0));  // 40 -> 100
        CHECK(r.pieces == std::vector<std::size_t>{3, 1});
        // the work schema is gone: the push-down leaves the database as it was
        pg::Connection c(pg::parse_target("PG:\"" + cluster().conninfo() + "\""), ErrorKind::internal);
        CHECK(c.query("SELECT 1 FROM pg_namespace WHERE nspname LIKE 'ruimte_pushdown_%'").rows() == 0);
    }
}
