// The report of the water board check: one section per group, one sub-section per location
// (its part in the group) with the verdict, the table of shares, the themes and what must be
// addressed. Built as a few simple blocks, then rendered as Markdown or HTML.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <cpl_string.h>

#include <filesystem>

#include "spatial/core/escape.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/jobs/check.hpp"

namespace ruimte {

namespace {

struct Block {
    enum class Kind { heading, paragraph, table, list, image } kind = Kind::paragraph;
    int level = 1;
    std::string text;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> items;
    std::string colour;  // heading: a swatch
    std::string src;     // image: a file name (Markdown) or PNG bytes (HTML, inline)
};

class Words {
  public:
    explicit Words(std::string lang) : en_(lang == "en") {}
    const char* operator()(const char* nl, const char* en) const { return en_ ? en : nl; }
    bool en() const { return en_; }

    // Fixed decimals with the language's marks, thousands grouped (people_number).
    std::string num(double v, int decimals) const { return people_number(v, decimals, en_, false); }
    // Up to `decimals` decimals, trailing zeros dropped: 0,2 and 10 rather than 0,20 and 10,00.
    std::string short_num(double v, int decimals) const { return people_number(v, decimals, en_, true); }
    std::string pct(double share) const { return num(share * 100, 1) + " %"; }
    std::string ha(double m2) const { return num(m2 / 1e4, 2); }

  private:
    bool en_;
};

// HTML text: apostrophes stay as they are (Dutch names like 's-Hertogenbosch read as typed).
std::string escape_html(const std::string& s) {
    return xml_escape(s, true);
}

// Markdown: escape.hpp's markdown_text, the one escaping for Markdown.
std::string escape_md(const std::string& s) {
    return markdown_text(s);
}

std::string render_markdown(const std::vector<Block>& blocks) {
    std::ostringstream out;
    for (const Block& b : blocks) {
        switch (b.kind) {
            case Block::Kind::heading:
                out << std::string(static_cast<std::size_t>(b.level), '#') << ' ' << escape_md(b.text) << "\n\n";
                break;
            case Block::Kind::paragraph: out << escape_md(b.text) << "\n\n"; break;
            case Block::Kind::image: {
                std::string link;  // a relative file name; what would end the link is percent-encoded
                for (char c : b.src) {
                    if (c == ' ' || c == '(' || c == ')' || c == '<' || c == '>') {
                        char hex[4];
                        std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
                        link += hex;
                    } else {
                        link += c;
                    }
                }
                out << "![" << escape_md(b.text) << "](" << link << ")\n\n";
                break;
            }
            case Block::Kind::list:
                for (const auto& i : b.items) out << "- " << escape_md(i) << "\n";
                out << "\n";
                break;
            case Block::Kind::table: {
                out << "|";
                for (const auto& h : b.header) out << ' ' << escape_md(h) << " |";
                out << "\n|";
                for (std::size_t i = 0; i < b.header.size(); ++i) out << (i == 0 ? " --- |" : " ---: |");
                out << "\n";
                for (const auto& r : b.rows) {
                    out << "|";
                    for (const auto& c : r) out << ' ' << escape_md(c) << " |";
                    out << "\n";
                }
                out << "\n";
                break;
            }
        }
    }
    return out.str();
}

std::string render_html(const std::vector<Block>& blocks, const std::string& lang, const std::string& title) {
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"" << lang << "\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        << escape_html(title)
        << "</title>\n<style>\nbody{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 "
           "1em;line-height:1.4}\n"
           "table{border-collapse:collapse;margin:0.5em 0 1em}th,td{border:1px solid #ccc;padding:0.2em 0.6em}\n"
           "td:not(:first-child),th:not(:first-child){text-align:right}\n"
           ".swatch{display:inline-block;width:0.9em;height:0.9em;border:1px solid "
           "#555;margin-right:0.4em;vertical-align:middle}\n"
           "img.map{max-width:100%;height:auto;border:1px solid #ccc}\n"
           "</style>\n</head>\n<body>\n";
    for (const Block& b : blocks) {
        switch (b.kind) {
            case Block::Kind::heading:
                out << "<h" << b.level << ">";
                if (!b.colour.empty()) out << "<span class=\"swatch\" style=\"background:" << b.colour << "\"></span>";
                out << escape_html(b.text) << "</h" << b.level << ">\n";
                break;
            case Block::Kind::paragraph: out << "<p>" << escape_html(b.text) << "</p>\n"; break;
            case Block::Kind::image: {
                char* b64 =
                    CPLBase64Encode(static_cast<int>(b.src.size()), reinterpret_cast<const GByte*>(b.src.data()));
                out << "<p><img class=\"map\" alt=\"" << escape_html(b.text) << "\" src=\"data:image/png;base64,"
                    << (b64 ? b64 : "") << "\"></p>\n";
                CPLFree(b64);
                break;
            }
            case Block::Kind::list:
                out << "<ul>\n";
                for (const auto& i : b.items) out << "<li>" << escape_html(i) << "</li>\n";
                out << "</ul>\n";
                break;
            case Block::Kind::table:
                out << "<table>\n<tr>";
                for (const auto& h : b.header) out << "<th>" << escape_html(h) << "</th>";
                out << "</tr>\n";
                for (const auto& r : b.rows) {
                    out << "<tr>";
                    for (const auto& c : r) out << "<td>" << escape_html(c) << "</td>";
                    out << "</tr>\n";
                }
                out << "</table>\n";
                break;
        }
    }
    out << "</body>\n</html>\n";
    return out.str();
}

Block heading(int level, std::string text, std::string colour = {}) {
    Block b;
    b.kind = Block::Kind::heading;
    b.level = level;
    b.text = std::move(text);
    b.colour = std::move(colour);
    return b;
}
Block paragraph(std::string text) {
    Block b;
    b.kind = Block::Kind::paragraph;
    b.text = std::move(text);
    return b;
}
Block list(std::vector<std::string> items) {
    Block b;
    b.kind = Block::Kind::list;
    b.items = std::move(items);
    return b;
}
Block image(std::string alt, std::string src) {
    Block b;
    b.kind = Block::Kind::image;
    b.text = std::move(alt);
    b.src = std::move(src);
    return b;
}
Block table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
    Block b;
    b.kind = Block::Kind::table;
    b.header = std::move(header);
    b.rows = std::move(rows);
    return b;
}

int severity_rank(const std::optional<std::size_t>& v) {
    return v ? static_cast<int>(*v) : -1;
}

const layers::ThemeInfo* theme_info(const layers::LayerKindInfo& wbs, const std::string& code) {
    const layers::ThemeInfo* info = nullptr;
    for (const auto& ti : wbs.themes) {
        if (ti.code == code) info = &ti;
    }
    return info;
}

// A theme value with its unit ("0,45 m"), or an ordinal class by name ("klasse 3 (groot)").
std::string theme_value(const ThemeStat& t, double v, const Words& w) {
    if (t.rule.scale == ThemeScale::ordinal) return ordinal_class_name(t.rule, std::lround(v), w.en());
    return w.num(v, 2) + (t.unit.empty() ? "" : " " + t.unit);
}

// The threshold in words: "> 0,20 m", "klasse 1 of hoger".
std::string theme_threshold(const ThemeStat& t, const Words& w) {
    if (t.rule.scale == ThemeScale::ordinal) {
        const long first = static_cast<long>(std::floor(t.threshold)) + 1;
        return ordinal_class_name(t.rule, first, w.en()) + w(" of hoger", " or higher");
    }
    return "> " + w.short_num(t.threshold, 3) + (t.unit.empty() ? "" : " " + t.unit);
}

// An ordinal theme's classes with their share of the unit, the highest class first.
std::string class_distribution(const ThemeStat& t, double area_m2, const Words& w) {
    std::string s;
    for (std::size_t k = t.class_m2.size(); k-- > 0;) {
        if (!(t.class_m2[k] > 0)) continue;
        s += (s.empty() ? "" : "; ") + ordinal_class_name(t.rule, static_cast<long>(k), w.en()) + " " +
             w.pct(t.class_m2[k] / area_m2);
    }
    return s;
}

std::string theme_label(const ThemeStat& t, const Words& w) {
    const layers::ThemeInfo* info = theme_info(layers::kind_or_throw("wbs"), t.theme);
    return info ? std::string(w.en() ? info->label_en : info->label_nl) : std::string(w("veld ", "field ")) + t.field;
}

// "[overstroming_m]", "[overstroming_m, raster]": the field a theme row comes from.
std::string field_tag(const ThemeStat& t) {
    return " [" + t.field + (t.raster ? ", raster]" : "]");
}

std::string capitalised(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

// "2026-12-07T19:30:00Z" as "2026-12-07 19:30 UTC".
std::string run_date_text(const std::string& ts) {
    return ts.size() >= 16 ? ts.substr(0, 10) + " " + ts.substr(11, 5) + " UTC" : ts;
}

// The title, the purpose and the sources of the report.
void report_header(std::vector<Block>& doc, const std::string& title, const CheckResult& r, const CheckRequest& req,
                   const Words& w) {
    doc.push_back(heading(1, title));
    doc.push_back(paragraph(
        w("Eerste informatieproduct voor de nota van uitgangspunten (Woontop, Afspraak 10.2 Water en Bodem): "
          "per geplande locatie de klassen van de kaart 'water en bodem sturend' (WBS), het oordeel, de thema's en "
          "wat geregeld moet worden. Gemaakt met ruimte; controleer de bronnen voor een besluit.",
          "First information product for the 'nota van uitgangspunten' (Woontop, Agreement 10.2 Water and Soil): "
          "per planned location the classes of the 'water and soil as guiding principle' (WBS) map, the verdict, "
          "the themes and what must be addressed. Made with ruimte; check the sources before any decision.")));
    std::string wbs_source = std::string(w("WBS-kaart: ", "WBS map: ")) + r.inputs.at(1) + " (" + w("veld ", "field ") +
                             req.class_field + ")";
    if (!r.wbs_name.empty()) wbs_source += std::string(w("; bron: ", "; source: ")) + r.wbs_name;
    wbs_source +=
        std::string(w("; datum: ", "; date: ")) + (r.wbs_date.empty() ? w("onbekend", "unknown") : r.wbs_date);
    if (r.wbs_date_from == "gpkg")
        wbs_source += w(" (laatste wijziging volgens de GeoPackage)", " (last change recorded in the GeoPackage)");
    else if (r.wbs_date_from == "file") wbs_source += w(" (datum van het bestand)", " (date of the file)");
    std::vector<std::string> sources = {
        std::string(w("datum van de toets: ", "date of the check: ")) + run_date_text(r.run_date),
        std::string(w("locaties: ", "locations: ")) + r.inputs.at(0),
        wbs_source,
    };
    for (std::size_t i = 2; i < r.inputs.size(); ++i) {
        const bool by = r.has_groups && i + 1 == r.inputs.size();
        sources.push_back(std::string(by ? w("indeling: ", "grouped by: ") : w("thema's: ", "themes: ")) + r.inputs[i]);
    }
    sources.push_back(std::string(w("oordeel: de zwaarste klasse die meer dan ",
                                    "verdict: the most severe class covering more than ")) +
                      w.num(req.sliver.share * 100, 1) + " % " + w("én meer dan ", "and more than ") +
                      w.num(req.sliver.m2, 0) +
                      w(" m² van de locatie beslaat; zonder zo'n klasse: onbekend (nooit 'ja').",
                        " m² of the location; without such a class: unknown (never 'yes')."));
    if (!r.whole.empty() && !r.whole.front().themes.empty()) {
        std::string limits;
        for (const ThemeStat& t : r.whole.front().themes) {
            limits += (limits.empty() ? "" : "; ") + theme_label(t, w) + field_tag(t) + " " + theme_threshold(t, w);
        }
        sources.push_back(
            std::string(w("drempels (een thema telt mee boven de drempel; aan te passen met --threshold): ",
                          "thresholds (a theme counts above its threshold; change with --threshold): ")) +
            limits);
    }
    for (auto& source : sources) source = redact_secrets(source);  // a PostgreSQL source's password stays out
    doc.push_back(list(sources));
}

// Overview: one row per group, count per verdict.
void report_overview(std::vector<Block>& doc, const CheckResult& r, const CheckRequest& req, const Words& w,
                     const std::vector<CheckUnit>& units, const std::vector<std::string>& groups) {
    const layers::LayerKindInfo& wbs = layers::kind_or_throw("wbs");
    std::vector<std::string> header = {r.has_groups ? w("groep", "group") : w("alle locaties", "all locations")};
    for (int v = static_cast<int>(wbs.classes.size()) - 1; v >= 0; --v)
        header.push_back(verdict_label(static_cast<std::size_t>(v), req.lang));
    header.push_back(w("onbekend", "unknown"));
    if (r.has_homes) header.push_back(w("woningen", "homes"));
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : groups) {
        std::vector<std::string> row = {g.empty() ? w("alle locaties", "all locations") : g};
        double homes = 0;
        for (int v = static_cast<int>(wbs.classes.size()) - 1; v >= -1; --v) {
            std::size_t n = 0;
            for (const auto& u : units) {
                if (u.group == g && severity_rank(u.verdict) == v) {
                    ++n;
                    if (u.homes) homes += *u.homes;
                }
            }
            row.push_back(std::to_string(n));
        }
        if (r.has_homes) row.push_back(w.num(homes, 0));
        rows.push_back(std::move(row));
    }
    doc.push_back(heading(2, w("Overzicht", "Overview")));
    doc.push_back(paragraph(
        w("Aantal locaties per oordeel. Een locatie die over een grens van de indeling ligt, telt in elke groep mee "
          "met haar deel; woningen zijn naar oppervlakte over de delen verdeeld.",
          "Number of locations per verdict. A location that crosses a group boundary counts in each group with "
          "its part; homes are split over the parts by area.")));
    doc.push_back(table(header, rows));
}

// One group's table of verdicts (locations, area, homes).
void report_group_summary(std::vector<Block>& doc, const CheckResult& r, const CheckRequest& req, const Words& w,
                          const std::string& g) {
    std::vector<std::vector<std::string>> rows;
    for (const GroupVerdict& s : r.summary) {
        if (s.group != g) continue;
        std::vector<std::string> row = {verdict_label(s.verdict, req.lang), std::to_string(s.count), w.ha(s.area_m2)};
        if (r.has_homes)
            row.push_back(w.num(s.homes, 0) + (s.without_homes ? " (" + std::to_string(s.without_homes) +
                                                                     w(" zonder aantal)", " without a count)")
                                                               : std::string()));
        rows.push_back(std::move(row));
    }
    std::vector<std::string> header = {w("oordeel", "verdict"), w("locaties", "locations"),
                                       w("oppervlakte (ha)", "area (ha)")};
    if (r.has_homes) header.push_back(w("woningen", "homes"));
    doc.push_back(table(header, rows));
}

// A unit's WBS classes (area, share, whether it counts for the verdict) and theme values.
void report_unit_tables(std::vector<Block>& doc, const CheckUnit& u, const CheckRequest& req, const Words& w) {
    const layers::LayerKindInfo& wbs = layers::kind_or_throw("wbs");
    std::vector<std::vector<std::string>> shares;
    for (std::size_t k = wbs.classes.size(); k-- > 0;) {
        if (!(u.class_m2[k] > 0)) continue;
        const bool counts = above_sliver(u.class_m2[k], u.area_m2, req.sliver);
        shares.push_back({verdict_label(k, req.lang), w.ha(u.class_m2[k]), w.pct(u.class_m2[k] / u.area_m2),
                          counts ? w("ja", "yes") : w("nee (snipper)", "no (sliver)")});
    }
    if (u.uncovered_m2 > 0.005) {
        shares.push_back({w("niet gedekt door de WBS-kaart", "not covered by the WBS map"), w.ha(u.uncovered_m2),
                          w.pct(u.uncovered_m2 / u.area_m2), "-"});
    }
    doc.push_back(table(
        {w("klasse", "class"), w("oppervlakte (ha)", "area (ha)"), w("aandeel", "share"), w("telt mee", "counts")},
        shares));

    std::vector<std::vector<std::string>> themes;
    for (const ThemeStat& t : u.themes) {
        if (!(t.valued_m2 > 0)) continue;
        const std::string label = t.theme.empty() ? t.field : theme_label(t, w) + field_tag(t);
        const bool ordinal = t.rule.scale == ThemeScale::ordinal;
        themes.push_back({label, theme_threshold(t, w), w.ha(t.present_m2), w.pct(t.present_m2 / u.area_m2),
                          theme_value(t, t.max, w),
                          ordinal ? class_distribution(t, u.area_m2, w) : theme_value(t, t.mean, w)});
    }
    if (!themes.empty()) {
        doc.push_back(table({w("thema (veld)", "theme (field)"), w("drempel", "threshold"),
                             w("boven de drempel (ha)", "above the threshold (ha)"), w("aandeel", "share"),
                             w("max", "max"), w("gemiddeld of klassen", "mean or classes")},
                            themes));
    }
}

// One theme that drives the verdict: how large it is (with units, or its classes), where it is
// above the threshold, and what that magnitude asks.
std::string driver_line(const CheckUnit& u, const ThemeStat& t, const Words& w) {
    std::string line = theme_label(t, w) + (t.raster ? " (raster)" : "") + ": ";
    if (t.rule.scale == ThemeScale::ordinal) {
        line += class_distribution(t, u.area_m2, w);
    } else {
        line += std::string(w("tot ", "up to ")) + theme_value(t, t.max, w) + w(", gemiddeld ", ", mean ") +
                theme_value(t, t.mean, w);
    }
    line += "; " + theme_threshold(t, w) + w(" op ", " on ") + w.pct(t.present_m2 / u.area_m2) +
            w(" van de locatie", " of the location");
    const double max_in_rule_unit = t.max * unit_factor(t.unit, t.rule.unit);
    const std::string sentence = magnitude_sentence(t.rule, max_in_rule_unit, w.en());
    const layers::ThemeInfo* info = theme_info(layers::kind_or_throw("wbs"), t.theme);
    if (!sentence.empty()) line += ". " + capitalised(sentence) + ".";
    else if (info) line += ". " + capitalised(w.en() ? info->measure_en : info->measure_nl) + ".";
    return line;
}

// What must be addressed for a unit (the 'mits'): the verdict's own step, one line per
// driving theme with its measure, and notes on missing theme values and uncovered parts.
std::vector<std::string> unit_todo(const CheckUnit& u, const CheckRequest& req, const Words& w) {
    const layers::LayerKindInfo& wbs = layers::kind_or_throw("wbs");
    std::vector<std::string> todo;
    if (!u.verdict) {
        std::size_t largest = 0;
        for (std::size_t k = 0; k < u.class_m2.size(); ++k) {
            if (u.class_m2[k] > u.class_m2[largest]) largest = k;
        }
        const bool covered = u.class_m2[largest] > 0.005;
        if (covered && !(u.area_m2 > req.sliver.m2)) {
            todo.push_back(
                std::string(w("De locatie (", "The location (")) + w.num(u.area_m2, 0) +
                w(" m²) is niet groter dan de snippergrens van ", " m²) is no larger than the sliver limit of ") +
                w.num(req.sliver.m2, 0) +
                w(" m², dus geen klasse telt mee voor een oordeel. De WBS-kaart geeft hier ",
                  " m², so no class counts for a verdict. The WBS map gives ") +
                verdict_label(largest, req.lang) + w(" op ", " on ") + w.pct(u.class_m2[largest] / u.area_m2) +
                w(" van de locatie; beoordeel haar met het waterschap samen met de omgeving, of verlaag "
                  "--sliver-m2.",
                  " of the location; judge it with the water board together with its surroundings, or "
                  "lower --sliver-m2."));
        } else if (covered) {
            todo.push_back(
                w("Alleen snippers van de locatie liggen op de WBS-kaart: vraag het waterschap om lokale informatie "
                  "voordat een oordeel wordt gegeven.",
                  "Only slivers of the location lie on the WBS map: ask the water board for local information before "
                  "a verdict is given."));
        } else {
            todo.push_back(
                w("De locatie ligt buiten de WBS-kaart: vraag het waterschap om lokale informatie voordat een oordeel "
                  "wordt gegeven.",
                  "The location lies outside the WBS map: ask the water board for local information before a verdict "
                  "is given."));
        }
    } else if (*u.verdict == wbs.classes.size() - 1) {
        todo.push_back(w(
            "'Nee': in uiterwaarden en buitendijks IJsselmeergebied wordt niet gebouwd; verleg of verklein de locatie.",
            "'No': no building in the floodplains and outside the IJsselmeer dikes; move or shrink the location."));
    } else if (*u.verdict == 3) {
        todo.push_back(
            w("'Nee, tenzij': bouwen alleen met een zwaarwegende onderbouwing; betrek het waterschap vóór de "
              "planvorming.",
              "'No, unless': building only with a strong justification; involve the water board before planning."));
    }
    for (std::size_t d : u.drivers) todo.push_back(driver_line(u, u.themes[d], w));
    if (u.verdict && *u.verdict > 0 && u.drivers.empty()) {
        todo.push_back(w("Geen themawaarde in de bronnen: vraag het waterschap welk thema de klasse bepaalt.",
                         "No theme value in the sources: ask the water board which theme decides the class."));
    }
    if (u.verdict && u.uncovered_m2 > 0 && above_sliver(u.uncovered_m2, u.area_m2, req.sliver)) {
        todo.push_back(std::string(w("Let op: ", "Note: ")) + w.pct(u.uncovered_m2 / u.area_m2) +
                       w(" van de locatie valt buiten de WBS-kaart.", " of the location lies outside the WBS map."));
    }
    return todo;
}

// One location (or part): heading in its verdict's colour, facts, tables and the 'mits'.
void report_unit(std::vector<Block>& doc, const CheckUnit& u, const CheckResult& r, const CheckRequest& req,
                 const Words& w) {
    const layers::LayerKindInfo& wbs = layers::kind_or_throw("wbs");
    const CheckLocation& loc = r.locations[u.location];
    const std::string name = loc.name.empty() ? loc.id : loc.id + " " + loc.name;
    doc.push_back(heading(3, name + ": " + unit_verdict_label(u, req.sliver, req.lang),
                          u.verdict ? wbs.classes[*u.verdict].colour : "#bbbbbb"));
    std::string facts = std::string(w("Oppervlakte ", "Area ")) + w.ha(u.area_m2) + " ha";
    if (r.has_groups && u.part_share < 0.9999995) {
        facts += std::string(w(" (", " (")) + w.pct(u.part_share) +
                 w(" van de locatie ligt in deze groep)", " of the location lies in this group)");
    }
    if (r.has_homes) {
        facts += std::string(w("; woningen: ", "; homes: ")) +
                 (u.homes ? w.num(*u.homes, 0) : std::string(w("onbekend", "unknown")));
    }
    facts += ".";
    doc.push_back(paragraph(facts));
    report_unit_tables(doc, u, req, w);
    const std::vector<std::string> todo = unit_todo(u, req, w);
    if (!todo.empty()) {
        doc.push_back(
            paragraph(u.verdict && *u.verdict == 0 && todo.size() == 1
                          ? w("Aandachtspunt:", "Note:")
                          : w("Wat geregeld moet worden (de 'mits'):", "What must be addressed (the 'provided'):")));
        doc.push_back(list(todo));
    } else if (u.verdict && *u.verdict == 0) {
        doc.push_back(paragraph(w("Geen extra opgave voor water en bodem.", "No extra effort for water and soil.")));
    }
}

}  // namespace

std::vector<std::string> check_map_files(const std::string& report, std::size_t count) {
    const std::string stem = std::filesystem::path(report).stem().string();
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count; ++i) names.push_back(stem + "_kaart_" + std::to_string(i + 1) + ".png");
    return names;
}

std::string render_check_report(const CheckResult& r, const CheckRequest& req, ReportFormat format,
                                const std::vector<std::string>& map_files) {
    const Words w(req.lang);
    std::vector<Block> doc;
    const std::string title = w("Waterschapstoets 'ja, mits': water en bodem per locatie",
                                "Water board check 'yes, provided': water and soil per location");
    report_header(doc, title, r, req, w);
    const std::vector<CheckUnit>& units = r.has_groups ? r.parts : r.whole;
    const std::vector<std::string> groups = r.has_groups ? r.groups : std::vector<std::string>{""};
    report_overview(doc, r, req, w, units, groups);
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        const std::string& g = groups[gi];
        doc.push_back(heading(2, g.empty() ? w("Alle locaties", "All locations") : g));
        if (gi < r.maps_png.size()) {
            const std::string alt = std::string(w("Overzichtskaart: ", "Overview map: ")) +
                                    (g.empty() ? w("alle locaties", "all locations") : g);
            if (format == ReportFormat::html) doc.push_back(image(alt, r.maps_png[gi]));
            else if (gi < map_files.size()) doc.push_back(image(alt, map_files[gi]));
        }
        report_group_summary(doc, r, req, w, g);
        std::vector<const CheckUnit*> in_group;
        for (const auto& u : units) {
            if (u.group == g) in_group.push_back(&u);
        }
        std::stable_sort(in_group.begin(), in_group.end(), [](const CheckUnit* a, const CheckUnit* b) {
            return severity_rank(a->verdict) > severity_rank(b->verdict);
        });
        for (const CheckUnit* u : in_group) report_unit(doc, *u, r, req, w);
    }
    return format == ReportFormat::html ? render_html(doc, req.lang, title) : render_markdown(doc);
}

}  // namespace ruimte
