#pragma once
// `ruimte --describe` and `ruimte COMMAND --describe`: every command's options as JSON, read from
// the CLI11 definitions themselves (so a tool reading it, the QGIS plugin in cli/qgis_plugin,
// cannot drift from the command line). Format: docs/qgis.md.
#include <CLI/CLI.hpp>

#include <string>

namespace ruimte::cli {

// The JSON for all subcommands of `app`, or only `command` when it is not empty. Throws
// std::invalid_argument when `command` is not a subcommand.
std::string describe_json(const CLI::App& app, const std::string& command);

// When argv asks for --describe (before any other parsing): prints the JSON to stdout and
// returns the exit code; otherwise returns -1.
int describe_if_asked(const CLI::App& app, int argc, char** argv);

}  // namespace ruimte::cli
