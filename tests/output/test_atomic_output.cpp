#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "spatial/core/error.hpp"
#include "spatial/output/atomic_output.hpp"
#include "support.hpp"

using namespace ruimte;
namespace fs = std::filesystem;

TEST_CASE("an output appears under its name only when committed, also after an early writeback", "[atomic_output]") {
    test::TempDir dir("atomic_output");
    const std::string final_path = dir.file("out.txt");
    const std::string content(3 << 20, 'x');  // larger than one writeback batch
    {
        AtomicOutput out(final_path, false, {});
        REQUIRE(out.temp_path() != final_path);
        REQUIRE(fs::path(out.temp_path()).parent_path() == fs::path(final_path).parent_path());
        test::write_text(out.temp_path(), content.substr(0, content.size() / 2));
        out.start_writeback();
        test::write_text(out.temp_path(), content);
        out.start_writeback();  // while the first may still run
        CHECK_FALSE(fs::exists(final_path));
        out.commit();
        CHECK_FALSE(fs::exists(out.temp_path()));
    }
    CHECK(test::read_text(final_path) == content);
}

TEST_CASE("an output not committed leaves nothing, with a writeback under way", "[atomic_output]") {
    test::TempDir dir("atomic_output_abandoned");
    const std::string final_path = dir.file("out.txt");
    std::string temp;
    {
        AtomicOutput out(final_path, false, {});
        temp = out.temp_path();
        test::write_text(temp, std::string(1 << 20, 'y'));
        out.start_writeback();
    }
    CHECK_FALSE(fs::exists(temp));
    CHECK_FALSE(fs::exists(final_path));
}

TEST_CASE("an existing output is replaced only with overwrite", "[atomic_output]") {
    test::TempDir dir("atomic_output_existing");
    const std::string final_path = dir.file("out.txt");
    test::write_text(final_path, "old");
    CHECK_THROWS_AS(AtomicOutput(final_path, false, {}), Error);
    {
        AtomicOutput out(final_path, true, {});
        test::write_text(out.temp_path(), "new");
        CHECK(test::read_text(final_path) == "old");
        out.commit();
    }
    CHECK(test::read_text(final_path) == "new");
}

TEST_CASE("a replaced output is unlinked at the commit, and a reader of it keeps the old content", "[atomic_output]") {
    test::TempDir dir("atomic_output_replaced");
    const std::string final_path = dir.file("out.bin");
    const std::string old_content(8 << 20, 'o');
    test::write_text(final_path, old_content);
    const int reader = ::open(final_path.c_str(), O_RDONLY);
    REQUIRE(reader >= 0);
    {
        AtomicOutput out(final_path, true, {});
        test::write_text(out.temp_path(), "new");
        out.commit();
        CHECK(test::read_text(final_path) == "new");
    }
    struct stat st {};
    REQUIRE(::fstat(reader, &st) == 0);
    CHECK(st.st_nlink == 0);  // no name leads to the old file any more
    CHECK(static_cast<std::size_t>(st.st_size) == old_content.size());
    std::string back(16, '\0');
    CHECK(::pread(reader, back.data(), back.size(), 0) == 16);
    CHECK(back == old_content.substr(0, 16));
    ::close(reader);
}

TEST_CASE("a FIFO, a folder or a symbolic link in the output's place is refused, also with overwrite",
          "[atomic_output]") {
    test::TempDir dir("atomic_output_fifo");
    const std::string fifo = dir.file("out.txt"), folder = dir.file("folder.txt"), dangling = dir.file("dangling.txt");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    fs::create_directory(folder);
    fs::create_symlink(dir.file("nowhere.txt"), dangling);
    for (const std::string& path : {fifo, folder, dangling}) {
        CHECK_THROWS_AS(AtomicOutput(path, true, {}), Error);
        CHECK_THROWS_AS(check_output_path(path, true, {}), Error);
    }
    CHECK(fs::is_fifo(fifo));
    CHECK(fs::is_symlink(fs::symlink_status(dangling)));
    CHECK_FALSE(fs::exists(dir.file("nowhere.txt")));
    // One that appears after the check: refused at the commit, without hanging on the FIFO.
    const std::string late = dir.file("late.txt");
    {
        AtomicOutput out(late, true, {});
        test::write_text(out.temp_path(), "new");
        REQUIRE(::mkfifo(late.c_str(), 0600) == 0);
        CHECK_THROWS_AS(out.commit(), Error);
    }
    CHECK(fs::is_fifo(late));
    for (const auto& e : fs::directory_iterator(dir.file("")))
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("outputs are the same file by identity, not by spelling", "[atomic_output]") {
    test::TempDir dir("atomic_output_same");
    fs::create_directory(dir.file("sub"));
    CHECK(same_file(dir.file("a.gpkg"), dir.file("sub/../a.gpkg")));
    CHECK(same_file(dir.file("a.gpkg"), dir.file("./a.gpkg")));
    CHECK_FALSE(same_file(dir.file("a.gpkg"), dir.file("b.gpkg")));
    test::write_text(dir.file("a.gpkg"), "x");
    REQUIRE(::link(dir.file("a.gpkg").c_str(), dir.file("hard.gpkg").c_str()) == 0);
    fs::create_directory_symlink(dir.file("sub"), dir.file("via"));
    CHECK(same_file(dir.file("a.gpkg"), dir.file("hard.gpkg")));
    CHECK(same_file(dir.file("sub/new.csv"), dir.file("via/new.csv")));
    CHECK_THROWS_AS(check_distinct_outputs({dir.file("a.gpkg"), "", dir.file("hard.gpkg")}, "same", "fix"), Error);
    CHECK_NOTHROW(check_distinct_outputs({dir.file("a.gpkg"), "", dir.file("b.gpkg")}, "same", "fix"));
}

TEST_CASE("a shapefile's other files are inputs too", "[atomic_output]") {
    test::TempDir dir("atomic_output_sidecars");
    const std::string shp = dir.file("k.shp");
    for (const char* f : {"k.shp", "k.shx", "k.dbf"}) test::write_text(dir.file(f), "x");
    for (const char* f : {"k.dbf", "k.shx", "k.prj", "k.cpg", "k.CPG", "k.qix", "k.sbn", "k.shp.xml"}) {
        CAPTURE(f);
        CHECK_THROWS_AS(check_output_path(dir.file(f), true, {shp}), Error);
    }
    CHECK_THROWS_AS(check_output_path(dir.file("w.gpkg-wal"), true, {dir.file("w.gpkg")}), Error);
    CHECK_NOTHROW(check_output_path(dir.file("k.gpkg"), true, {shp}));
    CHECK_NOTHROW(check_output_path(dir.file("k.csv"), true, {shp}));
}

TEST_CASE("outputs committed together: all, or when one cannot be placed, none", "[atomic_output]") {
    test::TempDir dir("atomic_output_together");
    const std::string a = dir.file("a.csv"), b = dir.file("b.gpkg");
    test::write_text(a, "old a");
    {
        AtomicOutput out_a(a, true, {}), out_b(b, false, {});
        test::write_text(out_a.temp_path(), "new a");
        test::write_text(out_b.temp_path(), "new b");
        test::write_text(b, "another run's b");  // appears while this run works
        CHECK_THROWS_AS(commit_together({&out_a, &out_b}), Error);
    }
    CHECK(test::read_text(a) == "old a");  // put back
    CHECK(test::read_text(b) == "another run's b");
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.file(""))) {
        ++files;
        CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
    }
    CHECK(files == 2);
    {
        AtomicOutput out_a(a, true, {}), out_b(b, true, {});
        test::write_text(out_a.temp_path(), "new a");
        test::write_text(out_b.temp_path(), "new b");
        commit_together({&out_a, nullptr, &out_b});
    }
    CHECK(test::read_text(a) == "new a");
    CHECK(test::read_text(b) == "new b");
}

TEST_CASE("a leftover is removed only when no process holds its lock", "[atomic_output]") {
    test::TempDir dir("atomic_output_leftovers");
    const std::string out = dir.file("o.gpkg");
    const std::string dead = dir.file(".o.gpkg.tmp-999999999-0badcafe"),
                      live = dir.file(".o.gpkg.tmp-999999999-1badcafe");
    for (const std::string& f : {dead, dead + "-journal", dead + "-lock", live, live + "-lock"})
        test::write_text(f, "");
    const int held = ::open((live + "-lock").c_str(), O_RDONLY);
    REQUIRE(held >= 0);
    REQUIRE(::flock(held, LOCK_EX | LOCK_NB) == 0);
    {
        AtomicOutput o(out, false, {});
        CHECK_FALSE(fs::exists(dead));
        CHECK_FALSE(fs::exists(dead + "-journal"));
        CHECK_FALSE(fs::exists(dead + "-lock"));
        CHECK(fs::exists(live));  // PID 999999999 does not exist, but its lock is held
        CHECK(fs::exists(live + "-lock"));
        CHECK(fs::exists(o.temp_path() + "-lock"));
    }
    ::close(held);
    {
        AtomicOutput o(out, false, {});
        CHECK_FALSE(fs::exists(live));
        CHECK_FALSE(fs::exists(live + "-lock"));
    }
}
