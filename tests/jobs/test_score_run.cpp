// The score job end to end on the bundled samples, through the engine's API.
#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "spatial/core/error.hpp"
#include "spatial/io/gdal_init.hpp"
#include "spatial/jobs/score.hpp"
#include "spatial/jobs/select.hpp"
#include "support.hpp"

using namespace ruimte;

namespace {
ScoreRequest sample_request(const test::TempDir& dir, const std::string& name) {
    ScoreRequest r;
    r.candidates = test::source_dir() + "/data-samples/kandidaten.shp";
    r.profile_path = test::source_dir() + "/data-samples/woningbouw.toml";
    r.output = dir.file(name + ".gpkg");
    r.csv = dir.file(name + ".csv");
    return r;
}

// (candidate, layer, class) -> share, from a long-table CSV
std::map<std::string, double> shares(const std::string& csv) {
    std::map<std::string, double> out;
    std::istringstream in(test::read_text(csv));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto last = line.rfind(',');
        const auto prev = line.rfind(',', last - 1);
        out[line.substr(0, prev)] = std::stod(line.substr(last + 1));
    }
    return out;
}

void reproject(const std::string& from, const std::string& to, const char* srs) {
    ensure_gdal();
    GDALDatasetH src = GDALOpenEx(from.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    REQUIRE(src);
    const char* args[] = {"-t_srs", srs, "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=10", nullptr};
    GDALVectorTranslateOptions* o = GDALVectorTranslateOptionsNew(const_cast<char**>(args), nullptr);
    int err = 0;
    GDALDatasetH out = GDALVectorTranslate(to.c_str(), nullptr, 1, &src, o, &err);
    GDALVectorTranslateOptionsFree(o);
    REQUIRE(out);
    GDALClose(out);
    GDALClose(src);
}
}  // namespace

TEST_CASE("the same candidates in WGS84 and in RD give the same shares within 1e-4", "[score]") {
    test::TempDir dir("crs");
    ScoreRequest rd = sample_request(dir, "rd");
    run_score(rd);
    const std::string wgs = dir.file("kandidaten_wgs84.geojson");
    reproject(rd.candidates, wgs, "EPSG:4326");
    ScoreRequest w = sample_request(dir, "wgs");
    w.candidates = wgs;
    const ScoreSummary s = run_score(w);
    REQUIRE(s.inputs.at(0).crs.reprojected);
    CHECK_THAT(s.inputs[0].crs.operation, Catch::Contains("RD New"));

    const auto a = shares(rd.csv);
    const auto b = shares(w.csv);
    REQUIRE(a.size() > 300);
    std::size_t compared = 0;
    double worst = 0;
    for (const auto& [key, share] : a) {
        const auto it = b.find(key);
        const double other = it == b.end() ? 0.0 : it->second;
        worst = std::max(worst, std::fabs(share - other));
        ++compared;
    }
    for (const auto& [key, share] : b) {
        if (!a.count(key)) worst = std::max(worst, share);
    }
    INFO("worst share difference " << worst << " over " << compared << " rows");
    CHECK(worst <= 1e-4);
}

TEST_CASE("scores: contributions add up to the score, excluded candidates have reasons and no rank", "[score]") {
    test::TempDir dir("scores");
    ScoreRequest r = sample_request(dir, "s");
    const ScoreSummary s = run_score(r);
    CHECK(s.candidates == 200);
    CHECK(s.excluded > 0);
    CHECK(s.excluded < 200);

    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(r.output.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* l = ds->GetLayerByName("candidates_scored");
    REQUIRE(l);
    CHECK(l->GetFeatureCount() == 200);
    std::vector<std::int64_t> ranks;
    for (auto& f : *l) {
        double sum = 0;
        for (int i = 0; i < f->GetFieldCount(); ++i) {
            const std::string name = f->GetFieldDefnRef(i)->GetNameRef();
            if (name.size() > 8 && name.rfind("f_", 0) == 0 && name.substr(name.size() - 8) == "_contrib") {
                sum += f->GetFieldAsDouble(i);
            }
        }
        CHECK(sum == Approx(f->GetFieldAsDouble("score")).margin(1e-12));
        const bool excluded = f->GetFieldAsInteger("excluded") == 1;
        CHECK(excluded == (std::string(f->GetFieldAsString("reasons")) != ""));
        CHECK(excluded == !f->IsFieldSetAndNotNull(f->GetFieldIndex("rank")));
        if (!excluded) ranks.push_back(f->GetFieldAsInteger64("rank"));
        if (f->GetFieldAsDouble("wbs_nee_share") > 0) CHECK(excluded);
    }
    std::sort(ranks.begin(), ranks.end());
    for (std::size_t i = 0; i < ranks.size(); ++i) CHECK(ranks[i] == static_cast<std::int64_t>(i + 1));
    CHECK(ds->GetLayerByName("overlay_areas"));
    CHECK(ds->GetLayerByName("geometry_issues"));
    const char* crs_line = ds->GetMetadataItem("RUIMTE_INPUT_wbs");
    REQUIRE(crs_line);
    CHECK_THAT(crs_line, Catch::Contains("EPSG:28992") && Catch::Contains("accuracy_m"));
}

TEST_CASE("an existing output needs --overwrite, an input is never an output", "[score]") {
    test::TempDir dir("outputs");
    ScoreRequest r = sample_request(dir, "o");
    r.csv.clear();
    run_score(r);
    const auto size = std::filesystem::file_size(r.output);
    try {
        run_score(r);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::output);
        CHECK_THAT(e.what(), Catch::Contains("--overwrite"));
    }
    CHECK(std::filesystem::file_size(r.output) == size);
    r.overwrite = true;
    r.output = test::source_dir() + "/data-samples/wbs.gpkg";
    try {
        run_score(r);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::output);
        CHECK_THAT(e.what(), Catch::Contains("also an input"));
    }
    // No temporary file is left behind in the folder.
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
    }
}

TEST_CASE("an unmapped class value names the value, the feature and the classes allowed", "[score]") {
    test::TempDir dir("classes");
    const std::string profile = dir.file("p.toml");
    std::string text = test::read_text(test::source_dir() + "/data-samples/woningbouw.toml");
    const std::string samples = test::source_dir() + "/data-samples/";
    for (const char* f : {"wbs.gpkg", "netcongestie.gpkg", "novex.gpkg", "nplv.gpkg"}) {
        const std::string from = "source = \"" + std::string(f);
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        text.replace(at, from.size(), "source = \"" + samples + f);
    }
    text.replace(text.find("\"nee\"]"), 6, "\"nix\"]");
    text.replace(text.find("wbs.share.nee\""), 14, "wbs.share.nix\"");
    text.replace(text.find("nee = 0.0 }"), 11, "nix = 0.0 }");
    test::write_text(profile, text);
    ScoreRequest r = sample_request(dir, "c");
    r.profile_path = profile;
    try {
        run_score(r);
        FAIL("expected an error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::input);
        CHECK(e.place().feature_id.has_value());
        CHECK_THAT(e.what(), Catch::Contains("'nee'") && Catch::Contains("'nix'") && Catch::Contains("wbs.gpkg"));
    }
}

TEST_CASE(
    "candidates with date fields (written by GDAL) and without (written straight into SQLite) give the same rows, "
    "scored and selected",
    "[score]") {
    test::TempDir dir("paths");
    ScoreRequest plain = sample_request(dir, "plain");
    run_score(plain);

    // The same candidates with a Date and a DateTime field, some of them NULL.
    ensure_gdal();
    const std::string dated_path = dir.file("kandidaten_dated.gpkg");
    {
        std::unique_ptr<GDALDataset> src(GDALDataset::Open(plain.candidates.c_str(), GDAL_OF_VECTOR));
        REQUIRE(src);
        OGRLayer* in = src->GetLayer(0);
        GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
        std::unique_ptr<GDALDataset> dst(gpkg->Create(dated_path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        REQUIRE(dst);
        OGRLayer* out = dst->CreateLayer("kandidaten", in->GetSpatialRef(), wkbMultiPolygon, nullptr);
        REQUIRE(out);
        for (int i = 0; i < in->GetLayerDefn()->GetFieldCount(); ++i)
            REQUIRE(out->CreateField(in->GetLayerDefn()->GetFieldDefn(i)) == OGRERR_NONE);
        OGRFieldDefn date("datum", OFTDate), when("gewijzigd", OFTDateTime);
        REQUIRE(out->CreateField(&date) == OGRERR_NONE);
        REQUIRE(out->CreateField(&when) == OGRERR_NONE);
        int k = 0;
        for (auto& f : *in) {
            OGRFeature g(out->GetLayerDefn());
            g.SetFrom(f.get());
            if (k % 3 != 0) g.SetField("datum", 2024, 1 + k % 12, 1 + k % 28);
            if (k % 4 != 0) g.SetField("gewijzigd", 2025, 6, 30, 12, k % 60, 15.5f, 100);
            g.SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(f->StealGeometry()));
            REQUIRE(out->CreateFeature(&g) == OGRERR_NONE);
            ++k;
        }
    }
    ScoreRequest dated = sample_request(dir, "dated");
    dated.candidates = dated_path;
    run_score(dated);

    // Every column the plain output has, row by row (in candidate_id order), geometry included.
    std::unique_ptr<GDALDataset> a(GDALDataset::Open(plain.output.c_str(), GDAL_OF_VECTOR));
    std::unique_ptr<GDALDataset> b(GDALDataset::Open(dated.output.c_str(), GDAL_OF_VECTOR));
    REQUIRE(a);
    REQUIRE(b);
    auto rows = [](GDALDataset& ds) {
        std::map<std::int64_t, std::unique_ptr<OGRFeature>> out;
        for (auto& f : *ds.GetLayerByName("candidates_scored"))
            out[f->GetFieldAsInteger64("candidate_id")].reset(f.release());
        return out;
    };
    const auto ra = rows(*a), rb = rows(*b);
    REQUIRE(ra.size() == 200);
    REQUIRE(rb.size() == 200);
    // Every field of a's row in b's row of the same name, as text; and the geometry.
    std::size_t values = 0;
    auto same_row = [&values](const OGRFeature& fa, const OGRFeature& fb) {
        for (int i = 0; i < fa.GetFieldCount(); ++i) {
            const char* name = fa.GetFieldDefnRef(i)->GetNameRef();
            INFO("field " << name);
            const int j = fb.GetFieldIndex(name);
            REQUIRE(j >= 0);
            CHECK(fa.IsFieldSetAndNotNull(i) == fb.IsFieldSetAndNotNull(j));
            CHECK(std::string(fa.GetFieldAsString(i)) == fb.GetFieldAsString(j));
            ++values;
        }
        CHECK(fa.GetGeometryRef()->Equals(fb.GetGeometryRef()));
    };
    for (const auto& [id, fa] : ra) {
        const OGRFeature& fb = *rb.at(id);
        INFO("candidate " << id);
        same_row(*fa, fb);
        // The date fields came through GDAL as they were.
        const int k = static_cast<int>(fb.GetFID() - 1);
        if (k % 3 != 0) {
            int y = 0, m = 0, d = 0, hh = 0, mm = 0, tz = 0;
            float ss = 0;
            REQUIRE(fb.GetFieldAsDateTime(fb.GetFieldIndex("datum"), &y, &m, &d, &hh, &mm, &ss, &tz));
            CHECK(y == 2024);
        } else {
            CHECK(fb.IsFieldNull(fb.GetFieldIndex("datum")));
        }
    }
    CHECK(values > 200 * 30);

    // select copies the scored rows the same two ways: straight into SQLite for the plain
    // output, through GDAL for the one with dates. The same selection and the same rows.
    auto select_from = [&](const std::string& scored, const std::string& name) {
        SelectRequest r;
        r.scored = scored;
        r.output = dir.file(name + "_selected.gpkg");
        r.targets = {"woningen=20000"};
        r.timestamp = "2026-01-01T00:00:00Z";
        run_select(r);
        std::unique_ptr<GDALDataset> ds(GDALDataset::Open(r.output.c_str(), GDAL_OF_VECTOR));
        REQUIRE(ds);
        std::map<std::int64_t, std::unique_ptr<OGRFeature>> out;
        for (auto& f : *ds->GetLayerByName("candidates_selected"))
            out[f->GetFieldAsInteger64("candidate_id")].reset(f.release());
        return std::pair{std::move(ds), std::move(out)};
    };
    const auto [sa_ds, sa] = select_from(plain.output, "plain");
    const auto [sb_ds, sb] = select_from(dated.output, "dated");
    REQUIRE(sa.size() == 200);
    REQUIRE(sb.size() == 200);
    int selected = 0;
    for (const auto& [id, fa] : sa) {
        INFO("selected candidate " << id);
        same_row(*fa, *sb.at(id));
        selected += fa->GetFieldAsInteger("selected");
    }
    CHECK(selected > 0);
    CHECK(selected < 200);
}
