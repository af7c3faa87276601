// `ruimte info FILE`: what a source holds and how the catalogue reads its class values.
#include <cstdio>

#include "cli/command.hpp"
#include "layers/source_info.hpp"
#include "spatial/core/error.hpp"
#include "spatial/core/text_format.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/manifest.hpp"

namespace ruimte::cli {

Runner add_info_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"info", &add_info_command};

namespace {
struct InfoOptions {
    std::string source;
    std::vector<std::string> aliases;
};

}  // namespace

Runner add_info_command(CLI::App& app, const Invocation&) {
    auto opts = std::make_shared<InfoOptions>();
    CLI::App* cmd = app.add_subcommand("info",
                                       "Summarise a source: layers, CRS, features, extent, fields, invalid geometries, "
                                       "class values; for a ruimte GeoPackage also its run manifest");
    cmd->add_option("source", opts->source, "FILE[:LAYER] (any OGR vector source, or a capaciteitskaart JSON file)")
        ->required();
    cmd->add_option("--alias", opts->aliases, "Extra spelling for a class: 'VALUE=CLASS' (repeatable)");
    cmd->footer("Example:\n  ruimte info data-samples/wbs.gpkg\n\n" + std::string(exit_code_help()));
    return [opts]() -> int {
        return guarded("info", [&] {
            layers::AliasMap extra;
            for (const auto& a : opts->aliases) {
                const auto eq = a.rfind('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
                    throw Error(ErrorKind::usage, "--alias '" + a + "' is not VALUE=CLASS", {},
                                "for example --alias 'Ja, mits=ja_mits_klein'");
                }
                extra[a.substr(0, eq)] = a.substr(eq + 1);
            }
            const SourceSpec spec = parse_source(opts->source);
            const layers::SourceSummary s = layers::summarise_source(spec.path, spec.layer, extra);
            // A ruimte output: how it was made first (the run manifest in gpkg_metadata).
            if (const auto manifest = read_manifest(spec.path))
                std::printf("%s\n", shown_lines(manifest_text(*manifest)).c_str());
            std::printf("%s (%s)\n", shown(s.path).c_str(), s.driver.c_str());
            if (s.capaciteitskaart) {
                const auto& k = *s.capaciteitskaart;
                std::printf("  conforms_to %s, identifier %s, issued %s\n  %zu energy areas:\n",
                            shown(k.conforms_to).c_str(), shown(k.identifier).c_str(), shown(k.issued).c_str(),
                            k.areas.size());
                for (const auto& a : k.areas) {
                    std::printf("    %-32s %-16s afname %-11s invoeding %-11s %zu postcodes\n",
                                shown(a.short_code).c_str(), a.type.empty() ? "-" : shown(a.type).c_str(),
                                a.afname ? std::string(layers::to_string(*a.afname)).c_str() : "-",
                                a.invoeding ? std::string(layers::to_string(*a.invoeding)).c_str() : "-",
                                a.postcodes.size());
                    for (const auto& p : a.postcodes) {
                        std::printf("      %-8s afname %-11s invoeding %s\n", shown(p.postcode).c_str(),
                                    std::string(layers::to_string(p.afname)).c_str(),
                                    std::string(layers::to_string(p.invoeding)).c_str());
                    }
                }
                return;
            }
            for (const auto& l : s.layers) {
                std::printf("layer %s: %s, %lld features, CRS %s\n", shown(l.name).c_str(),
                            shown(l.geometry_type).c_str(), static_cast<long long>(l.features), shown(l.crs).c_str());
                if (l.has_extent) {
                    std::printf("  extent %s %s - %s %s\n", status_number(l.xmin).c_str(),
                                status_number(l.ymin).c_str(), status_number(l.xmax).c_str(),
                                status_number(l.ymax).c_str());
                }
                if (l.damage) std::printf("  DAMAGED: %s\n", l.damage->message().c_str());
                std::printf("  geometries: %zu null or empty, %zu invalid", l.null_geometries, l.invalid_geometries);
                if (!l.invalid_fids.empty()) {
                    std::printf(" (fid");
                    for (auto f : l.invalid_fids) std::printf(" %lld", static_cast<long long>(f));
                    std::printf("%s)", l.invalid_geometries > l.invalid_fids.size() ? " ..." : "");
                }
                std::printf("\n  fields:\n");
                for (const auto& f : l.fields) {
                    std::printf("    %-20s %-10s %zu null, %s distinct", shown(f.name).c_str(), shown(f.type).c_str(),
                                f.nulls, f.distinct > 50 ? "> 50" : std::to_string(f.distinct).c_str());
                    if (f.min) std::printf(", %s .. %s", status_number(*f.min).c_str(), status_number(*f.max).c_str());
                    std::printf("\n");
                }
                for (const auto& c : l.class_fields) {
                    std::printf("  field %s read as %s classes%s:\n", shown(c.field).c_str(), c.kind.c_str(),
                                c.unmapped ? (" (" + std::to_string(c.unmapped) + " values unmapped)").c_str() : "");
                    for (const auto& v : c.values) {
                        std::printf("    %-28s %6zu x -> %s\n", shown(("'" + v.value + "'")).c_str(), v.count,
                                    v.klass.empty() ? "(unmapped: fix the data or use --alias VALUE=CLASS)"
                                                    : shown(v.klass).c_str());
                    }
                }
            }
            // A damaged layer (issue 27): shown above with what was read, and the run fails.
            for (const auto& l : s.layers) {
                if (l.damage) throw *l.damage;
            }
        });
    };
}

}  // namespace ruimte::cli
