// `ruimte --describe`: the options of every command as JSON, walked from the CLI11 App (see
// describe.hpp). The kind of an option (file, layer, field, number, enum, flag, repeatable,
// output) is read from what CLI11 knows of it (its type, validators, how many values it takes)
// and from the conventions of its help text (FILE[:LAYER], "Also write", "attribute"), so a
// new option or command appears here with no change to this file.
#include "cli/describe.hpp"

#include <cstdio>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/describe_nl.hpp"

namespace ruimte::cli {

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

bool has(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return s;
}

struct Kind {
    std::string type;                  // file, layer, field, number, enum, flag, text, output
    std::vector<std::string> choices;  // enum
    std::vector<std::string> formats;  // file extensions of an output (or "folder")
};

std::vector<std::string> choices_of(const std::string& type_name) {
    // IsMember and CheckedTransformer describe themselves as {a,b} (a transformer as {a->x,b->y}).
    const auto open = type_name.find('{');
    const auto close = type_name.find('}', open);
    std::vector<std::string> out;
    if (open == std::string::npos || close == std::string::npos) return out;
    std::string body = type_name.substr(open + 1, close - open - 1);
    std::size_t start = 0;
    while (start <= body.size()) {
        auto end = body.find(',', start);
        if (end == std::string::npos) end = body.size();
        std::string item = body.substr(start, end - start);
        if (const auto arrow = item.find("->"); arrow != std::string::npos) item = item.substr(0, arrow);
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

std::vector<std::string> output_formats(const std::string& help) {
    std::vector<std::string> out;
    if (has(help, "folder")) return {"folder"};
    static const std::regex ext(R"(OUT\.([a-z0-9]+))");
    for (auto it = std::sregex_iterator(help.begin(), help.end(), ext); it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1]);
    if (!out.empty()) return out;
    if (has(help, "GeoPackage")) return {"gpkg"};
    if (has(help, "CSV")) return {"csv"};
    if (has(help, ".qgz")) return {"qgz"};
    return out;
}

Kind kind_of(const CLI::Option& opt) {
    const std::string& help = opt.get_description();
    const std::string low = lower(help);
    const std::string type_name = opt.get_type_name();
    const std::string name = opt.get_lnames().empty() ? opt.get_name(true, false) : opt.get_lnames().front();
    if (opt.get_expected_max() == 0) return {"flag", {}, {}};
    if (name == "output" || help.rfind("Also write", 0) == 0 || help.rfind("Also draw", 0) == 0) {
        return {"output", {}, output_formats(help)};
    }
    if (has(type_name, "{")) return {"enum", choices_of(type_name), {}};
    if (type_name.rfind("INT", 0) == 0 || type_name.rfind("UINT", 0) == 0 || type_name.rfind("FLOAT", 0) == 0 ||
        type_name.rfind("NUMBER", 0) == 0) {
        return {"number", {}, {}};
    }
    if (has(help, "FILE[:LAYER]") && !has(help, "FILE[:LAYER]:FIELD") && !has(help, "=FILE")) return {"layer", {}, {}};
    if (has(low, "(toml") || has(help, "CSV with") || has(low, "output of `ruimte") ||
        has(help, "GeoPackage of `ruimte")) {
        return {"file", {}, {}};
    }
    if ((name.size() > 6 && name.compare(name.size() - 6, 6, "-field") == 0) || has(low, "attribute") ||
        has(help, "(FIELD)") || has(help, "sum(FIELD)") ||
        (has(help, "total of FIELD") && !has(help, "FIELD=") && !has(help, "FIELD<="))) {
        return {"field", {}, {}};
    }
    return {"text", {}, {}};
}

void describe_option(std::string& out, const std::string& command, const CLI::Option& opt) {
    const Kind k = kind_of(opt);
    const bool positional = !opt.nonpositional();
    const std::string name = positional
                                 ? opt.get_name(true, false)
                                 : (opt.get_lnames().empty() ? opt.get_snames().front() : opt.get_lnames().front());
    // A vector option without a delimiter is given once per value: --layer a=x --layer b=y.
    const bool repeatable =
        opt.get_items_expected_max() >= CLI::detail::expected_max_vector_size && opt.get_delimiter() == '\0';
    out += "{\"name\":" + quoted(name);
    if (positional) {
        out += ",\"positional\":true,\"switch\":null";
    } else {
        out += ",\"positional\":false,\"switch\":" +
               quoted(opt.get_lnames().empty() ? "-" + opt.get_snames().front() : "--" + opt.get_lnames().front());
    }
    out += ",\"aliases\":[";
    bool first = true;
    for (const auto& s : opt.get_snames()) {
        out += (first ? "" : ",") + quoted("-" + s);
        first = false;
    }
    out += "]";
    out += ",\"type\":" + quoted(repeatable ? "repeatable" : k.type);
    if (repeatable) out += ",\"item\":" + quoted(k.type);
    out += ",\"cli_type\":" + quoted(opt.get_type_name());
    out += ",\"required\":" + std::string(opt.get_required() ? "true" : "false");
    out += ",\"default\":" + (opt.get_default_str().empty() ? std::string("null") : quoted(opt.get_default_str()));
    if (!k.choices.empty()) {
        out += ",\"choices\":[";
        for (std::size_t i = 0; i < k.choices.size(); ++i) out += (i ? "," : "") + quoted(k.choices[i]);
        out += "]";
    }
    if (k.type == "output") {
        out += ",\"formats\":[";
        for (std::size_t i = 0; i < k.formats.size(); ++i) out += (i ? "," : "") + quoted(k.formats[i]);
        out += "]";
    }
    if (!repeatable && opt.get_items_expected_max() > 1) {
        out += ",\"items\":" + std::to_string(opt.get_items_expected_max());
        if (opt.get_delimiter() != '\0') out += ",\"delimiter\":" + quoted(std::string(1, opt.get_delimiter()));
    }
    // The Dutch help from cli/describe_nl.cpp; null (the reader shows the English) for an option
    // the table lacks, which tests/cli/describe.sh does not let pass.
    const char* nl = dutch_text(command, name);
    out += ",\"help\":{\"en\":" + quoted(opt.get_description()) + ",\"nl\":" + (nl ? quoted(nl) : std::string("null")) +
           "}}";
}

void describe_command(std::string& out, const CLI::App& cmd) {
    const char* nl = dutch_text(cmd.get_name(), "");
    out += "{\"name\":" + quoted(cmd.get_name());
    out += ",\"summary\":{\"en\":" + quoted(cmd.get_description()) +
           ",\"nl\":" + (nl ? quoted(nl) : std::string("null")) + "}";
    out += ",\"options\":[";
    bool first = true;
    std::vector<const CLI::Option*> writes;
    for (const CLI::Option* opt : cmd.get_options()) {
        if (opt == cmd.get_help_ptr() || opt == cmd.get_help_all_ptr()) continue;
        if (!first) out += ",";
        first = false;
        describe_option(out, cmd.get_name(), *opt);
        if (kind_of(*opt).type == "output") writes.push_back(opt);
    }
    out += "],\"writes\":[";
    for (std::size_t i = 0; i < writes.size(); ++i) {
        out += (i ? "," : "") + quoted(writes[i]->get_lnames().empty() ? writes[i]->get_name(true, false)
                                                                       : writes[i]->get_lnames().front());
    }
    // The footer names the layers each output holds ("Writes the GeoPackage layers ...").
    out += "],\"footer\":" + quoted(cmd.get_footer()) + "}";
}

}  // namespace

std::string describe_json(const CLI::App& app, const std::string& command) {
    std::string out = "{\"program\":\"ruimte\",\"format\":1";
    out += ",\"languages\":[\"en\",\"nl\"]";
    out += ",\"help_fallback\":" +
           quoted("Where a text has no Dutch version its \"nl\" is null: show the \"en\" text instead.");
    out +=
        ",\"exit_codes\":{\"0\":\"ok\",\"1\":\"internal\",\"2\":\"usage\",\"3\":\"profile\",\"4\":\"input\",\"5\":"
        "\"output\",\"130\":\"interrupted\"}";
    out += ",\"commands\":[";
    bool first = true;
    bool found = command.empty();
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (!command.empty() && sub->get_name() != command) continue;
        found = true;
        if (!first) out += ",";
        first = false;
        describe_command(out, *sub);
    }
    if (!found) throw std::invalid_argument("no command '" + command + "'");
    return out + "]}\n";
}

int describe_if_asked(const CLI::App& app, int argc, char** argv) {
    bool asked = false;
    for (int i = 1; i < argc; ++i) asked = asked || std::strcmp(argv[i], "--describe") == 0;
    if (!asked) return -1;
    std::string command;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--describe") == 0) continue;
        if (argv[i][0] == '-' || !command.empty()) {
            std::fprintf(stderr, "ruimte: --describe takes only a command name, not '%s'\n", argv[i]);
            return static_cast<int>(Exit::usage);
        }
        command = argv[i];
    }
    try {
        const std::string json = describe_json(app, command);
        std::fwrite(json.data(), 1, json.size(), stdout);
        return std::fflush(stdout) == 0 ? static_cast<int>(Exit::ok) : static_cast<int>(Exit::output);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "ruimte: --describe: %s\n", e.what());
        return static_cast<int>(Exit::usage);
    }
}

}  // namespace ruimte::cli
