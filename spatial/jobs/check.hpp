#pragma once
// The `check` job: the water board's 'ja, mits' check (Woontop Afspraak 10.2). Per planned
// location, the area and share per WBS class, the verdict, the WBS themes and what must be
// addressed; grouped per water board (or municipality, or any --by layer); written as a
// GeoPackage and, optionally, a report in Dutch or English (HTML or Markdown).
//
// Verdict rule (docs/check.md): a class is *present* in a location (or a location's part in
// a group) when its area is larger than sliver_share x the area AND larger than sliver_m2
// (both limits strictly exceeded). The verdict is the most severe present class. When no
// class is present (not covered by the WBS layer, or covered only by slivers), the verdict
// is `onbekend`: never `ja`.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "layers/catalogue.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/jobs/check_themes.hpp"
#include "spatial/output/job_request.hpp"

namespace ruimte {

struct SliverRule {
    double share = 0.01;  // of the location's (or part's) area
    double m2 = 100;
};
// True when a class area of `class_m2` in a location of `area_m2` counts (both limits
// strictly exceeded).
bool above_sliver(double class_m2, double area_m2, const SliverRule& rule);
// The verdict: the index (in the catalogue's WBS order) of the most severe present class, or
// nullopt for `onbekend`.
std::optional<std::size_t> verdict_of(const std::vector<double>& class_m2, double area_m2, const SliverRule& rule);

struct CheckRequest : JobRequest {
    std::string locations;  // FILE[:LAYER]
    std::string wbs;        // FILE[:LAYER]
    std::string class_field = "klasse";
    layers::AliasMap aliases;                // extra spellings: source value -> WBS class
    std::vector<std::string> themes;         // FILE[:LAYER] of theme layers (numeric fields)
    std::vector<std::string> raster_themes;  // FIELD=FILE[:BAND]: value rasters as themes (check_raster_themes.hpp)
    std::string by;                          // FILE[:LAYER]:FIELD, or empty
    std::string report;                      // OUT.html or OUT.md, or empty
    std::string lang = "nl";                 // "nl" or "en"
    SliverRule sliver;
    // --threshold THEME=VALUE (or FIELD=VALUE): a theme value counts above it; defaults per
    // theme in check_themes.cpp (flood depth 0.2 m, subsidence 10 cm, ordinal classes above 0).
    std::map<std::string, double> thresholds;
    std::string wbs_name;  // the WBS map's name and date in the report; empty: from the source
    std::string wbs_date;
    bool maps = true;                      // an overview map per group in the report
    std::string homes_field = "woningen";  // used when the locations have it
    std::string id_field;                  // empty: "id" when present, else the FID
    std::string name_field;                // empty: "naam" when present
    std::string assume_crs;
    bool skip_invalid = false;
};

struct ThemeStat {
    std::string field;             // source field
    std::string source;            // "wbs" or the theme layer's FILE[:LAYER] (or the raster's file)
    bool raster = false;           // from --raster-theme: coverage-weighted over the raster's cells
    std::string theme;             // catalogue theme code, or empty when the field matches none
    ThemeRule rule;                // scale, threshold (in rule.unit) and sentences
    std::string unit;              // the field's unit ("m", "cm", "mm" or "")
    double threshold = 0;          // rule.threshold in the field's unit
    double present_m2 = 0;         // area where the value is above the threshold
    std::vector<double> class_m2;  // ordinal themes: area per class value 0, 1, ... (never averaged)
    double valued_m2 = 0;          // area covered by features with a value (0 included)
    double max = 0;                // over the features that overlap; meaningful when valued_m2 > 0
    double mean = 0;               // area-weighted over valued_m2
};

// A whole location, or a location's part in one group.
struct CheckUnit {
    std::size_t location = 0;  // index into CheckResult::locations
    std::string group;         // empty for a whole location
    double area_m2 = 0;
    double part_share = 1;         // part area / location area
    std::vector<double> class_m2;  // per WBS class, catalogue order
    double uncovered_m2 = 0;
    std::optional<std::size_t> verdict;  // nullopt: onbekend
    std::optional<double> homes;         // the location's homes x the part's share of its groups
    std::vector<ThemeStat> themes;       // one per theme field, in field order
    std::vector<std::size_t> drivers;    // indexes into themes: present above the sliver rule
};

struct CheckLocation {
    std::int64_t fid = 0;
    std::string id;
    std::optional<std::int64_t> int_id;  // when the id field is an integer (sorts numerically)
    std::string name;
    std::optional<double> homes;
};

struct GroupVerdict {
    std::string group;
    std::optional<std::size_t> verdict;
    std::size_t count = 0;
    double area_m2 = 0;
    double homes = 0;
    std::size_t without_homes = 0;
};

struct CheckResult {
    std::vector<CheckLocation> locations;  // sorted by id
    std::vector<CheckUnit> whole;          // one per location, same order
    std::vector<CheckUnit> parts;          // with --by: sorted by group, then location
    std::vector<std::string> groups;       // sorted; the outside group last
    std::vector<GroupVerdict> summary;     // per group (or "" without --by) and verdict
    bool has_homes = false;
    bool has_groups = false;
    std::string by_field;
    std::vector<std::string> inputs;  // FILE[:LAYER] as given, for the report
    std::string outside_group;        // the name used for parts outside every group
    std::string run_date;             // the run's timestamp, YYYY-MM-DDTHH:MM:SSZ
    std::string wbs_name;             // the WBS source's name (and description)
    std::string wbs_date;             // its date (YYYY-MM-DD), or empty when unknown
    std::string wbs_date_from;        // "option", "gpkg" (gpkg_contents.last_change), "file" (mtime) or ""
    // Overview maps (PNG bytes), one per entry of `groups` (or one for all locations without
    // --by); empty when not drawn.
    std::vector<std::string> maps_png;
};

// Runs the check; writes the GeoPackage and the report. Throws ruimte::Error.
CheckResult run_check(const CheckRequest& request);

// The report as text: Markdown or HTML, Dutch or English. Deterministic (no dates, no paths
// other than the inputs as given).
// Markdown refers to its maps by `map_files` (one name per result.maps_png, beside the
// report); HTML holds them inline.
enum class ReportFormat { markdown, html };
std::string render_check_report(const CheckResult& result, const CheckRequest& request, ReportFormat format,
                                const std::vector<std::string>& map_files = {});
// The names of the Markdown report's map files: REPORT_kaart_N.png (N from 1).
std::vector<std::string> check_map_files(const std::string& report, std::size_t count);

// "nl" or "en" label of a verdict (nullopt = onbekend).
std::string verdict_code(const std::optional<std::size_t>& verdict);
std::string verdict_label(const std::optional<std::size_t>& verdict, const std::string& lang);
// A unit's verdict label; for onbekend with the reason: not covered by the WBS map, smaller
// than the sliver limit in m2, or covered only by slivers.
std::string unit_verdict_label(const CheckUnit& unit, const SliverRule& sliver, const std::string& lang);

}  // namespace ruimte
