// The `ruimte` command: parses the command line and hands over to one subcommand.
#include <gdal.h>
#include <geos_c.h>
#include <proj.h>

#include <iostream>
#include <map>

#include "cli/command.hpp"
#include "cli/describe.hpp"
#include "ruimte/version.hpp"

int main(int argc, char** argv) {
    using namespace ruimte::cli;
    CLI::App app{"ruimte: spatial analysis for area selection and multi-use land claims in the Netherlands"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("ruimte ") + ruimte::version + " (GDAL " +
                                          GDALVersionInfo("RELEASE_NAME") + ", GEOS " + GEOSversion() + ", PROJ " +
                                          proj_info().version + ")");
    app.footer(std::string("Run 'ruimte COMMAND --help' for a command's options and an example.\n\n") +
               exit_code_help());

    const Invocation inv{argc, argv};
    std::map<std::string, Runner> runners;
    for (const auto& [name, add] : registered_commands()) runners[name] = add(app, inv);
    // --describe: the options above as JSON for the QGIS plugin (cli/describe.hpp), before parsing.
    app.add_flag("--describe")
        ->description("Print every command's options as JSON (ruimte COMMAND --describe: one command); docs/qgis.md");
    if (const int code = describe_if_asked(app, argc, argv); code >= 0) return code;

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : static_cast<int>(Exit::usage);
    }
    install_signal_handlers();
    for (CLI::App* sub : app.get_subcommands()) {
        const auto it = runners.find(sub->get_name());
        if (it != runners.end()) return it->second();
    }
    return static_cast<int>(Exit::usage);
}
