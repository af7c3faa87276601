// Default styles: quantile classes, catalogue colours, QML/SLD text, and layer_styles as QGIS
// reads it (registered in gpkg_contents).
#include <catch2/catch.hpp>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <cmath>

#include "spatial/output/gpkg_writer.hpp"
#include "spatial/output/styles.hpp"
#include "support.hpp"

using namespace ruimte;

TEST_CASE("quantile classes split ten values into five classes of two, bounds rounded to 3 decimals") {
    // Sorted 0.1 .. 1.0: nearest-rank quantiles at 2/10, 4/10, 6/10, 8/10 are 0.2, 0.4, 0.6, 0.8.
    const auto c = styles::quantile_classes({1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, std::nan("")});
    REQUIRE(c.size() == 5);
    CHECK(c[0].lower == Approx(0.1));
    CHECK(c[0].upper == Approx(0.2));
    CHECK(c[1].upper == Approx(0.4));
    CHECK(c[2].upper == Approx(0.6));
    CHECK(c[3].upper == Approx(0.8));
    CHECK(c[4].upper == Approx(1.0));
    CHECK(c[0].label_nl == "0.100 - 0.200");
    CHECK(c[0].fill == "#440154");  // viridis, dark for low scores
    CHECK(c[4].fill == "#fde725");
}

TEST_CASE("quantile classes: ties collapse into fewer classes, the top one stays yellow") {
    // Values 0.5 x 9 and 0.9: every quantile is 0.5 (the lower bound), so one class [0.5, 0.9].
    const auto c = styles::quantile_classes({0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.9});
    REQUIRE(c.size() == 1);
    CHECK(c[0].lower == Approx(0.5));
    CHECK(c[0].upper == Approx(0.9));
    CHECK(c[0].fill == "#fde725");
    const auto two = styles::quantile_classes({0.1, 0.1, 0.1, 0.1, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9});
    // quantiles: k=1 -> 0.1 (not above the lower bound), k=3 -> 0.1, k=5 -> 0.8, k=7 -> 0.9 (= upper, dropped)
    REQUIRE(two.size() == 2);
    CHECK(two[0].upper == Approx(0.8));
    CHECK(two[1].fill == "#fde725");
}

TEST_CASE("catalogue classes carry the catalogue's WBS colours in severity order") {
    const auto c = styles::catalogue_classes("wbs");
    REQUIRE(c.size() == 5);
    CHECK(c[0].value == "ja");
    CHECK(c[0].fill == "#1a9850");
    CHECK(c[4].value == "nee");
    CHECK(c[4].fill == "#762a83");
    CHECK(styles::catalogue_classes("netcongestie")[3].fill == "#d73027");
}

TEST_CASE("QML of a categorized style: one rule per category on the field, its colour, and ELSE for the rest") {
    styles::StyleSpec s;
    s.table = "t";
    s.renderer = styles::Renderer::categorized;
    s.field = "klasse";
    s.classes = styles::catalogue_classes("wbs");
    s.label_field = "naam";
    const std::string q = styles::qml_for(s);
    CHECK(q.find("type=\"RuleRenderer\"") != std::string::npos);
    CHECK(q.find("filter=\"(&quot;klasse&quot; = &apos;ja_mits_klein&apos;)\" label=\"ja, mits (kleine opgave)\"") !=
          std::string::npos);
    CHECK(q.find("filter=\"ELSE\" label=\"geen waarde\"") != std::string::npos);
    CHECK(q.find("value=\"118,42,131,255\"") != std::string::npos);  // #762a83 ('nee')
    CHECK(q.find("labelsEnabled=\"1\"") != std::string::npos);
    CHECK(q.find("fieldName=\"naam\"") != std::string::npos);
    const std::string sld = styles::sld_for(s);
    CHECK(sld.find("<ogc:Literal>nee_tenzij</ogc:Literal>") != std::string::npos);
    CHECK(sld.find("#f46d43") != std::string::npos);
}

TEST_CASE("class filters match the stored field type: a boolean is true/false in QGIS, not '0'/'1'") {
    styles::StyleSpec s;
    s.renderer = styles::Renderer::categorized;
    s.field = "selected";
    s.field_kind = styles::FieldKind::boolean;
    s.classes = {{"0", 0, 0, "niet gekozen", "not selected", "#deebf7"}, {"1", 0, 0, "gekozen", "selected", "#2c7fb8"}};
    CHECK(styles::class_filter(s, 0) == "if(\"selected\", 1, 0) = 0");
    CHECK(styles::class_filter(s, 1) == "if(\"selected\", 1, 0) = 1");
    s.field = "claim_count";
    s.field_kind = styles::FieldKind::integer;
    CHECK(styles::class_filter(s, 1) == "\"claim_count\" = 1");
    s.field = "verdict";
    s.field_kind = styles::FieldKind::text;
    s.classes[0].value = "it's";
    CHECK(styles::class_filter(s, 0) == "\"verdict\" = 'it''s'");
}

TEST_CASE("excluded features get their own rule first (grey, hatched) and the classes keep only the others") {
    styles::StyleSpec s;
    s.table = "candidates_scored";
    s.renderer = styles::Renderer::graduated;
    s.field = "score";
    s.classes = styles::quantile_classes({0.1, 0.2, 0.3, 0.4, 0.5});
    s.excluded_field = "excluded";
    s.markers_when_small = true;
    const std::string q = styles::qml_for(s);
    const auto excluded = q.find("filter=\"if(&quot;excluded&quot;, 1, 0) = 1\" label=\"uitgesloten\" symbol=\"0\"");
    const auto first = q.find("filter=\"if(&quot;excluded&quot;, 0, 1) = 1 AND (&quot;score&quot; &gt;= 0.100000");
    CHECK(excluded != std::string::npos);
    CHECK(first != std::string::npos);
    CHECK(excluded < first);
    CHECK(q.find("LinePatternFill") != std::string::npos);  // the hatch, on the excluded symbol only
    CHECK(q.find("LinePatternFill", q.find("LinePatternFill") + 1) == std::string::npos);
    CHECK(q.find("point_on_surface($geometry)") != std::string::npos);  // small polygons as markers
    CHECK(styles::excluded_class().fill == "#a3a3a3");
    CHECK(styles::excluded_class().hatched);
    const std::string sld = styles::sld_for(s);
    CHECK(sld.find("<se:Name>uitgesloten</se:Name>") != std::string::npos);
    CHECK(sld.find("<ogc:PropertyIsNotEqualTo><ogc:PropertyName>excluded</ogc:PropertyName>") != std::string::npos);
}

TEST_CASE("skewed values, most of them 0: zero is a class of its own, quantiles of the rest") {
    std::vector<double> v(308, 0.0);
    for (int i = 1; i <= 36; ++i) v.push_back(i / 10.0);
    const auto c = styles::zero_and_quantile_classes(v);
    REQUIRE(c.size() == 5);
    CHECK(c[0].lower == 0);
    CHECK(c[0].upper == 0);
    CHECK(c[0].fill == "#ececec");
    CHECK(c[1].lower == 0);  // (0, q1]: no value between the classes
    CHECK(c[1].upper == Approx(0.9));
    CHECK(c[4].upper == Approx(3.6));
    CHECK(c[4].fill == "#fde725");
    CHECK(styles::quantile_classes(v).size() == 1);  // what the plain quantiles made of it: one class
    // Without zeros, or with negative values, the plain quantiles.
    CHECK(styles::zero_and_quantile_classes({0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}).size() == 5);
    CHECK(styles::zero_and_quantile_classes({-1, 0, 0, 1})[0].lower == -1);
}

TEST_CASE("write_default_styles: layer_styles with one default row per spatial layer, registered as attributes") {
    test::TempDir dir("styles");
    const std::string path = dir.file("s.gpkg");
    {
        DatasetPtr ds = create_gpkg(path);
        OGRLayer* l = create_layer(*ds, path, "candidates_scored", wkbMultiPolygon, "test");
        add_field(*l, path, "naam", OFTString);
        add_field(*l, path, "score", OFTReal);
        create_layer(*ds, path, "overlay_areas", wkbNone, "table");
        for (int i = 1; i <= 10; ++i) {
            OGRFeature f(l->GetLayerDefn());
            f.SetField("naam", ("c" + std::to_string(i)).c_str());
            f.SetField("score", i / 10.0);
            OGRGeometry* g = nullptr;
            const std::string wkt = "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)))";
            OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g);
            f.SetGeometryDirectly(g);
            write_feature(*l, path, f);
        }
        styles::write_default_styles(*ds, path, "2026-01-02T03:04:05Z");
        close_dataset(std::move(ds), path);
    }
    DatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    REQUIRE(ds);
    OGRLayer* r =
        ds->ExecuteSQL("SELECT f_table_name, f_geometry_column, useAsDefault, update_time, styleQML FROM layer_styles",
                       nullptr, nullptr);
    REQUIRE(r);
    REQUIRE(r->GetFeatureCount() == 1);  // overlay_areas has no geometry, so no style
    std::unique_ptr<OGRFeature> f(r->GetNextFeature());
    CHECK(std::string(f->GetFieldAsString(0)) == "candidates_scored");
    CHECK(std::string(f->GetFieldAsString(1)) == "geom");
    CHECK(f->GetFieldAsInteger(2) == 1);
    CHECK(std::string(f->GetFieldAsString(3)).rfind("2026/01/02 03:04:05", 0) == 0);
    const std::string qml = f->GetFieldAsString(4);
    CHECK(qml.find("RuleRenderer") != std::string::npos);
    CHECK(qml.find("(&quot;score&quot; &gt;= 0.100000 AND &quot;score&quot; &lt;= 0.200000)") != std::string::npos);
    ds->ReleaseResultSet(r);
    r = ds->ExecuteSQL("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'", nullptr, nullptr);
    REQUIRE(r);
    std::unique_ptr<OGRFeature> c(r->GetNextFeature());
    REQUIRE(c);
    CHECK(std::string(c->GetFieldAsString(0)) == "attributes");
    ds->ReleaseResultSet(r);
}

TEST_CASE("default_style takes column values the writer already holds, and gives what reading them gives") {
    test::TempDir dir("styles_known");
    const std::string path = dir.file("k.gpkg");
    DatasetPtr ds = create_gpkg(path);
    OGRLayer* scored = create_layer(*ds, path, "candidates_scored", wkbMultiPolygon, "test");
    add_field(*scored, path, "score", OFTReal);
    OGRLayer* faces = create_layer(*ds, path, "claim_faces", wkbMultiPolygon, "test");
    add_field(*faces, path, "claim_count", OFTInteger);
    std::vector<double> scores, counts;
    for (int i = 0; i < 40; ++i) {
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt("MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)))", nullptr, &g);
        OGRFeature s(scored->GetLayerDefn());
        if (i % 9 != 0) {  // some NULL scores (excluded candidates)
            s.SetField("score", std::sin(i) * 3);
            scores.push_back(std::sin(i) * 3);
        } else {
            scores.push_back(std::nan(""));
        }
        s.SetGeometry(g);
        write_feature(*scored, path, s);
        OGRFeature f(faces->GetLayerDefn());
        f.SetField("claim_count", 1 + i % 4);
        counts.push_back(1 + i % 4);
        f.SetGeometryDirectly(g);
        write_feature(*faces, path, f);
    }
    const styles::KnownColumns known{{"candidates_scored.score", scores}, {"claim_faces.claim_count", counts}};
    for (OGRLayer* l : {scored, faces}) {
        const auto read = styles::default_style(*l);
        const auto given = styles::default_style(*l, known);
        REQUIRE(read);
        REQUIRE(given);
        CHECK(styles::qml_for(*read) == styles::qml_for(*given));
        CHECK(styles::sld_for(*read) == styles::sld_for(*given));
    }
    CHECK(styles::default_style(*faces)->classes.size() == 4);
    // The values given are the ones used: a different column gives different classes.
    const styles::KnownColumns other{{"claim_faces.claim_count", {1, 1, 2}}};
    CHECK(styles::default_style(*faces, other)->classes.size() == 2);
}
