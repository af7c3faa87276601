#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "spatial/output/atomic_output.hpp"
#include "spatial/core/error.hpp"
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

TEST_CASE("a FIFO in the output's place is replaced without hanging the commit", "[atomic_output]") {
    test::TempDir dir("atomic_output_fifo");
    const std::string final_path = dir.file("out.txt");
    REQUIRE(::mkfifo(final_path.c_str(), 0600) == 0);
    {
        AtomicOutput out(final_path, true, {});
        test::write_text(out.temp_path(), "new");
        out.commit();
    }
    CHECK(fs::is_regular_file(final_path));
    CHECK(test::read_text(final_path) == "new");
}
