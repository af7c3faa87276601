// One escaping per target (spatial/escape.hpp, text_format.hpp): Markdown, CSV, XML/HTML, a
// terminal, the QGIS OGR data source, and passwords kept out of every output.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/io/postgis.hpp"

using namespace ruimte;

TEST_CASE("markdown_text: no HTML, no link, no broken row or heading", "[escape]") {
    CHECK(markdown_text("Waterschap Aa en Maas") == "Waterschap Aa en Maas");
    CHECK(markdown_text("novex_locaties") == "novex\\_locaties");
    CHECK(markdown_text("<script>alert(1)</script>") == "&lt;script>alert(1)&lt;/script>");
    CHECK(markdown_text("\"><img src=x onerror=alert(1)>") == "\">&lt;img src=x onerror=alert(1)>");
    CHECK(markdown_text("a|b") == "a\\|b");
    CHECK(markdown_text("a\\|b") == "a\\\\\\|b");  // a backslash cannot undo the pipe's escape
    CHECK(markdown_text("regel 1\nregel 2\r\nregel 3\rx") == "regel 1 regel 2 regel 3 x");
    CHECK(markdown_text("[klik](https://example.com)") == "[klik]\\(https://example.com)");
    CHECK(markdown_text("![x](https://example.com/a.png)") == "![x]\\(https://example.com/a.png)");
    CHECK(markdown_text("[overstroming_m] op 100 %") ==
          "[overstroming\\_m] op 100 %");  // the report's own brackets stay
    CHECK(markdown_text("esc\x1b[31m") == "esc [31m");
}

TEST_CASE("csv_quote: formulas neutralised, CR quoted, numbers kept", "[escape]") {
    CHECK(csv_quote("=HYPERLINK(\"http://x\",\"klik\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"klik\"\")\"");
    CHECK(csv_quote("+31") == "+31");
    CHECK(csv_quote("+cmd") == "'+cmd");
    CHECK(csv_quote("-2+3") == "'-2+3");
    CHECK(csv_quote("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_quote("\t=1") == "'\t=1");
    CHECK(csv_quote("\r=1") == "\"'\r=1\"");
    CHECK(csv_quote("-5") == "-5");
    CHECK(csv_quote("-1.5e3") == "-1.5e3");
    CHECK(csv_quote("-") == "'-");
    CHECK(csv_quote("a\rb") == "\"a\rb\"");  // a bare CR ends a row in Excel and Python's csv
    CHECK(csv_quote("a=b") == "a=b");
}

TEST_CASE("xml_escape: HTML report text and QGIS attributes", "[escape]") {
    CHECK(xml_escape("wonen & werken") == "wonen &amp; werken");
    CHECK(xml_escape("\"><img onerror=alert(1)>") == "&quot;&gt;&lt;img onerror=alert(1)&gt;");
    CHECK(xml_escape("<script>", true) == "&lt;script&gt;");
    CHECK(xml_escape("'s-Hertogenbosch", true) == "'s-Hertogenbosch");
    CHECK(xml_escape("'s-Hertogenbosch") == "&apos;s-Hertogenbosch");
    CHECK(xml_escape("a\nb\tc\rd") == "a&#10;b&#9;c&#13;d");
    CHECK(xml_escape(std::string("a\x01"
                                 "b")) ==
          "a\xEF\xBF\xBD"
          "b");
}

TEST_CASE("terminal_text: no escape sequence reaches the terminal", "[escape]") {
    CHECK(terminal_text("K-0012 Hoofddorp") == "K-0012 Hoofddorp");
    CHECK(terminal_text("x\x1b]0;pwned\x07y") == "x\\x1b]0;pwned\\x07y");
    CHECK(terminal_text("\x1b[2J") == "\\x1b[2J");
    CHECK(terminal_text("a\nb") == "a\\x0ab");
    CHECK(terminal_text("a\nb", true) == "a\nb");
    CHECK(terminal_text("a\tb", true) == "a\tb");
    CHECK(terminal_text("a\tb") == "a\\x09b");
    CHECK(terminal_text("a\x1b[2Jb", true) == "a\\x1b[2Jb");
    CHECK(terminal_text("\xc2\x9b"
                        "31m") == "\\u{009B}31m");  // C1 CSI
    CHECK(terminal_text("abc\xe2\x80\xae"
                        "fdp.exe") == "abc\\u{202E}fdp.exe");
    CHECK(terminal_text("café – ’s") == "café – ’s");
    CHECK(terminal_text("del\x7f") == "del\\x7f");
}

TEST_CASE("redact_secrets: passwords of PostgreSQL connections", "[escape]") {
    CHECK(redact_secrets("postgresql://anna:geheim@db.example.nl:5432/ruimte?schema=uit") ==
          "postgresql://anna:***@db.example.nl:5432/ruimte?schema=uit");
    CHECK(redact_secrets("postgres://anna:ge@heim@host/db:tabel") == "postgres://anna:***@host/db:tabel");
    CHECK(redact_secrets("postgresql://anna@host/db") == "postgresql://anna@host/db");
    CHECK(redact_secrets("postgresql://host/db?user=a&password=geheim&sslmode=require") ==
          "postgresql://host/db?user=a&password=***&sslmode=require");
    CHECK(redact_secrets("PG:\"dbname=r host=h password=geheim user=a\":tabel") ==
          "PG:\"dbname=r host=h password=*** user=a\":tabel");
    CHECK(redact_secrets("PG:dbname=r password = 'ge heim\\'s' user=a") == "PG:dbname=r password = '***' user=a");
    CHECK(redact_secrets("ruimte score --candidates 'PG:\"password=x1 dbname=r\":SELECT 1'") ==
          "ruimte score --candidates 'PG:\"password=*** dbname=r\":SELECT 1'");
    CHECK(redact_secrets("source = \"PG:\\\"dbname=r password=abc\\\":t\"") ==
          "source = \"PG:\\\"dbname=r password=***\\\":t\"");
    CHECK(redact_secrets("sslpassword=abc") == "sslpassword=***");
    CHECK(redact_secrets("password authentication failed for user \"a\"") ==
          "password authentication failed for user \"a\"");
    CHECK(redact_secrets("data-samples/kandidaten.shp") == "data-samples/kandidaten.shp");
}

TEST_CASE("Error keeps no password", "[escape]") {
    const Error e(ErrorKind::input, "cannot connect to postgresql://a:geheim@h/db",
                  ErrorPlace::at("PG:\"password=geheim dbname=r\""), "check password=geheim");
    const std::string what = e.what();
    CHECK(what.find("geheim") == std::string::npos);
    CHECK(e.message().find("geheim") == std::string::npos);
    CHECK(e.place().file.find("geheim") == std::string::npos);
    CHECK(e.hint().find("geheim") == std::string::npos);
}

TEST_CASE("ogr_layer_source: no |subset= from a layer name", "[escape]") {
    CHECK(ogr_layer_source("./context.gpkg", "gemeenten", 0) == "./context.gpkg|layername=gemeenten");
    CHECK(ogr_layer_source("./c.gpkg", "wonen & werken", 2) == "./c.gpkg|layername=wonen & werken");
    CHECK(ogr_layer_source("./c.gpkg", "x|subset=\"fid\" < 0", 3) == "./c.gpkg|layerid=3");
    CHECK(ogr_layer_source("./c.gpkg", "x\ny", 1) == "./c.gpkg|layerid=1");
    CHECK_THROWS_AS(ogr_layer_source("./a|subset=1.gpkg", "x", 0), Error);
}

TEST_CASE("table_name_parts: names are parsed, never passed through", "[escape]") {
    using V = std::vector<std::string>;
    CHECK(pg::table_name_parts("wbs") == V{"wbs"});
    CHECK(pg::table_name_parts("lagen.wbs") == V{"lagen", "wbs"});
    CHECK(pg::table_name_parts("\"Lagen\".\"we\"\"ird\"") == V{"Lagen", "we\"ird"});
    CHECK(pg::table_name_parts("\"a.b\"") == V{"a.b"});
    CHECK_THROWS_AS(pg::table_name_parts("\"lagen\".\"wbs\" AS s LIMIT 0; COMMIT; DROP TABLE t; --"), Error);
    CHECK_THROWS_AS(pg::table_name_parts("wbs\"; DROP TABLE t; --"), Error);
    CHECK_THROWS_AS(pg::table_name_parts("\"open"), Error);
    CHECK_THROWS_AS(pg::table_name_parts("a.b.c"), Error);
    CHECK_THROWS_AS(pg::table_name_parts("a..b"), Error);
}
