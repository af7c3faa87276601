// The run manifest: SHA-256, timestamps, and gpkg_metadata written and read back.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "spatial/core/error.hpp"
#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/manifest.hpp"
#include "support.hpp"

using namespace ruimte;

TEST_CASE("SHA-256 of the FIPS 180-2 test vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("run_timestamp keeps a valid --timestamp and refuses a malformed one") {
    CHECK(run_timestamp("2026-01-02T03:04:05Z") == "2026-01-02T03:04:05Z");
    CHECK_THROWS_AS(run_timestamp("2026-01-02 03:04:05"), Error);
    CHECK_THROWS_AS(run_timestamp("2026-13-02T03:04:05Z"), Error);
    CHECK(run_timestamp("").size() == 20);
}

TEST_CASE("the manifest is written to gpkg_metadata, read back whole, and the same bytes twice") {
    test::TempDir dir("manifest");
    const std::string input = dir.file("in.txt");
    test::write_text(input, "abc");
    Manifest m;
    m.command = "score";
    m.command_line = "ruimte score --candidates in.txt";
    m.timestamp = "2026-01-02T03:04:05Z";
    m.profile_path = "p.toml";
    m.profile_text = "[profile]\nname = \"x\"\n";
    m.inputs.push_back({"candidates", input, "Amersfoort / RD New (EPSG:28992)", false, "", -1});
    m.files = {input, input};
    std::string first;
    for (int run = 0; run < 2; ++run) {
        const std::string path = dir.file("m" + std::to_string(run) + ".gpkg");
        {
            DatasetPtr ds = create_gpkg(path);
            create_layer(*ds, path, "t", wkbNone, "table");
            write_manifest(*ds, path, m);
            close_dataset(std::move(ds), path);
        }
        const auto json = read_manifest(path);
        REQUIRE(json);
        if (run == 0) first = *json;
        else CHECK(*json == first);
        DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
        OGRLayer* r = ds->ExecuteSQL(
            "SELECT reference_scope, substr(timestamp, 1) AS ts FROM gpkg_metadata_reference r JOIN gpkg_metadata m "
            "ON m.id = r.md_file_id WHERE m.md_standard_uri = 'urn:ruimte:run-manifest:1'",
            nullptr, nullptr);
        REQUIRE(r);
        std::unique_ptr<OGRFeature> f(r->GetNextFeature());
        REQUIRE(f);
        CHECK(std::string(f->GetFieldAsString(0)) == "geopackage");
        CHECK(std::string(f->GetFieldAsString(1)) == "2026-01-02T03:04:05.000Z");
        ds->ReleaseResultSet(r);
    }
    // The file is hashed once (listed twice), with its size and the SHA-256 of "abc".
    CHECK(first.find("\"size\": 3") != std::string::npos);
    CHECK(first.find("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != std::string::npos);
    CHECK(first.find("ba7816bf", first.find("ba7816bf") + 1) == std::string::npos);
    CHECK(first.find("\"text\": \"[profile]\\nname = \\\"x\\\"\\n\"") != std::string::npos);
    for (const char* key : {"\"ruimte\"", "\"gdal\"", "\"geos\"", "\"proj\"", "\"command_line\"",
                            "\"timestamp\": \"2026-01-02T03:04:05Z\""}) {
        CHECK(first.find(key) != std::string::npos);
    }
    const std::string text = manifest_text(first);
    CHECK(text.find("command:      score") != std::string::npos);
    CHECK(text.find("    | name = \"x\"") != std::string::npos);
}

TEST_CASE("FilePrefetch passes over missing files, folders and FIFOs without hanging", "[manifest]") {
    test::TempDir dir("prefetch");
    const std::string file = dir.file("data.bin"), fifo = dir.file("pipe");
    test::write_text(file, std::string(1 << 20, 'p'));
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    {
        const FilePrefetch prefetch({file, dir.file("missing.gpkg"), dir.path(), fifo, file});
    }  // joined here: a FIFO opened without O_NONBLOCK would wait for a writer for ever
    const FilePrefetch none({});
    CHECK(test::read_text(file).size() == (1u << 20));  // the file is untouched
}
