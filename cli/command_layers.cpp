// `ruimte layers`: the Dutch layer catalogue (kinds, classes, labels, colours, spellings,
// themes) and the named NOVEX and NPLV places.
#include <cstdio>

#include "cli/command.hpp"
#include "layers/catalogue.hpp"

namespace ruimte::cli {

Runner add_layers_command(CLI::App& app, const Invocation& inv);
static const CommandRegistration registration{"layers", &add_layers_command};

namespace {
struct LayersOptions {
    std::string kind;
    std::string lang = "nl";
    bool places = false;
};
}  // namespace

Runner add_layers_command(CLI::App& app, const Invocation&) {
    auto opts = std::make_shared<LayersOptions>();
    CLI::App* cmd = app.add_subcommand(
        "layers", "List the Dutch layer catalogue: kinds, classes in order of severity, labels, colours, spellings");
    cmd->add_option("--kind", opts->kind, "Only this kind (wbs, netcongestie, novex_gebieden, novex_locaties, nplv)");
    cmd->add_option("--lang", opts->lang, "Labels in nl (default) or en")->check(CLI::IsMember({"nl", "en"}));
    cmd->add_flag("--places", opts->places,
                  "Also list the NOVEX-gebieden, NOVEX-woningbouwlocaties and NPLV focus areas");
    cmd->footer("Example:\n  ruimte layers --kind wbs\n\n" + std::string(exit_code_help()));
    return [opts]() -> int {
        return guarded("layers", [&] {
            const bool en = opts->lang == "en";
            bool shown = false;
            for (const layers::LayerKindInfo& k : layers::catalogue()) {
                if (!opts->kind.empty() && opts->kind != k.kind) continue;
                shown = true;
                std::printf("%s: %s\n", k.kind.c_str(), (en ? k.title_en : k.title_nl).c_str());
                std::printf("  %-3s %-14s %-8s %-36s %s\n", "sev", "class", "colour", "label", "also read as");
                for (const auto& c : k.classes) {
                    std::string aliases;
                    for (const auto& a : c.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
                    std::printf("  %-3d %-14s %-8s %-36s %s\n", c.severity, c.code.c_str(), c.colour.c_str(),
                                (en ? c.label_en : c.label_nl).c_str(), aliases.c_str());
                }
                if (k.kind == "netcongestie") {
                    std::printf("  %s\n",
                                en ? "for afname (demand) and invoeding (generation) separately; RAGKind of "
                                     "im-capaciteitskaart v1.3.0"
                                   : "apart voor afname en invoeding; RAGKind van im-capaciteitskaart v1.3.0");
                }
                if (!k.themes.empty()) {
                    std::printf("  %s\n", en ? "themes (field names read as the theme):"
                                             : "thema's (veldnamen die als het thema gelden):");
                    for (const auto& t : k.themes) {
                        std::string hints;
                        for (const auto& h : t.field_hints) hints += (hints.empty() ? "" : ", ") + h;
                        std::printf("    %-16s %s [%s]\n", t.code.c_str(), (en ? t.label_en : t.label_nl).c_str(),
                                    hints.c_str());
                    }
                }
                std::printf("  %s\n\n",
                            en ? "values are compared lower-case, with spaces, hyphens, commas and dashes as one '_'"
                               : "waarden worden vergeleken in kleine letters, spaties/streepjes/komma's als één '_'");
            }
            for (const char* list : {"novex_gebieden", "novex_locaties", "nplv"}) {
                if (!(opts->places || opts->kind == list)) continue;
                shown = true;
                const auto* places = layers::places(list);
                std::printf("%s (%zu):\n", list, places->size());
                for (const auto& p : *places) {
                    std::string extra =
                        p.homes ? std::to_string(*p.homes) + (en ? " homes" : " woningen") : std::string();
                    if (!p.note.empty()) extra += (extra.empty() ? "" : "; ") + p.note;
                    std::printf("  %-72s %s\n", p.name.c_str(), extra.c_str());
                }
                std::printf("\n");
            }
            if (!shown) layers::kind_or_throw(opts->kind);  // names the kinds
        });
    };
}

}  // namespace ruimte::cli
