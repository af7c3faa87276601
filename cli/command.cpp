#include "cli/command.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>

#include "spatial/core/error.hpp"
#include "spatial/core/escape.hpp"
#include "spatial/geometry/parallel.hpp"

namespace ruimte::cli {

const char* exit_code_help() {
    return "Exit codes:\n"
           "  0    success\n"
           "  1    internal error (a bug: please report it with the command line)\n"
           "  2    usage error (bad or missing options)\n"
           "  3    profile error (the criteria profile is not valid)\n"
           "  4    input error (a source cannot be read or holds data ruimte refuses)\n"
           "  5    output error (the output exists, cannot be written, or the disk is full)\n"
           "  130  interrupted (Ctrl-C); no partial output is left behind\n";
}

std::atomic<bool>& cancel_flag() {
    static std::atomic<bool> flag{false};
    return flag;
}

namespace {
extern "C" void on_signal(int sig) {
    cancel_flag().store(true);
    std::signal(sig, SIG_DFL);  // a second Ctrl-C stops at once
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Exit exit_for(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage: return Exit::usage;
        case ErrorKind::profile: return Exit::profile;
        case ErrorKind::input: return Exit::input;
        case ErrorKind::output: return Exit::output;
        case ErrorKind::cancelled: return Exit::interrupted;
        case ErrorKind::internal: return Exit::internal;
    }
    return Exit::internal;
}
}  // namespace

void install_signal_handlers() {
    set_process_cancel_flag(&cancel_flag());  // writing and committing outputs watch it too
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // A file-size limit (ulimit -f) then fails the write with EFBIG, reported as an output
    // error (exit 5) with the temporary file removed, instead of killing the process.
    std::signal(SIGXFSZ, SIG_IGN);
}

int guarded(const std::string& command, const std::function<void()>& f) {
    try {
        f();
        return static_cast<int>(Exit::ok);
    } catch (const Error& e) {
        // After Ctrl-C, whatever failed (a GEOS operation stopped part way, see
        // set_process_cancel_flag) failed because of it: reported as the interruption.
        if (e.kind() == ErrorKind::cancelled || cancel_flag().load()) {
            std::cerr << "\nruimte " << command << ": interrupted; no output was written\n";
            return static_cast<int>(Exit::interrupted);
        }
        std::cerr << "ruimte " << command << ": error: " << shown_lines(e.what()) << "\n";
        return static_cast<int>(exit_for(e.kind()));
    } catch (const std::exception& e) {
        if (cancel_flag().load()) {
            std::cerr << "\nruimte " << command << ": interrupted; no output was written\n";
            return static_cast<int>(Exit::interrupted);
        }
        std::cerr << "ruimte " << command << ": internal error: " << shown_lines(e.what()) << "\n";
        return static_cast<int>(Exit::internal);
    }
}

Progress::Progress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
    finish();
}

void Progress::update(const std::string& stage, std::size_t done, std::size_t total) {
    if (quiet_) return;
    const double t = now_s();
    if (stage != stage_) {
        stage_ = stage;
        stage_start_ = t;
        last_print_ = -1e9;
    }
    const bool complete = total > 0 && done >= total;
    if (tty_) {
        if (t - last_print_ < 0.1 && !complete) return;
        last_print_ = t;
        const double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
        const int width = 30;
        const int filled = static_cast<int>(frac * width);
        std::string bar(static_cast<std::size_t>(filled), '#');
        bar.resize(width, '.');
        const double elapsed = t - stage_start_;
        std::string eta;
        if (frac > 0.02 && !complete) {
            eta = " ETA " + std::to_string(static_cast<int>(elapsed * (1 - frac) / frac + 0.5)) + "s";
        }
        std::fprintf(stderr, "\r%-18.18s [%s] %3d%% %zu/%zu%s\033[K", shown(stage).c_str(), bar.c_str(),
                     static_cast<int>(frac * 100), done, total, eta.c_str());
        line_open_ = true;
    } else {
        // Not a terminal (a log file, CI): one line every 5 s per stage, and none for short stages.
        if (t - stage_start_ < 5 || t - last_print_ < 5) return;
        last_print_ = t;
        std::fprintf(stderr, "%s: %zu/%zu\n", shown(stage).c_str(), done, total);
    }
    std::fflush(stderr);
}

void Progress::notice(const std::string& message) {
    if (quiet_) return;
    if (line_open_) {
        std::fprintf(stderr, "\r\033[K");
        line_open_ = false;
    }
    std::fprintf(stderr, "note: %s\n", shown_lines(message).c_str());
}

void Progress::finish() {
    if (line_open_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        line_open_ = false;
    }
}

namespace {
std::vector<std::pair<std::string, AddCommand>>& registry() {
    static std::vector<std::pair<std::string, AddCommand>> commands;
    return commands;
}
}  // namespace

CommandRegistration::CommandRegistration(const char* name, AddCommand add) {
    registry().emplace_back(name, add);
}

std::vector<std::pair<std::string, AddCommand>> registered_commands() {
    auto commands = registry();
    std::sort(commands.begin(), commands.end());
    return commands;
}

void add_timestamp_option(CLI::App* cmd, std::string& timestamp) {
    cmd->add_option("--timestamp", timestamp,
                    "Time recorded in the run manifest, YYYY-MM-DDTHH:MM:SSZ (default: now, or SOURCE_DATE_EPOCH), "
                    "for reproducible output");
}

void add_make_valid_option(CLI::App* cmd, geos::MakeValidMethod& method) {
    cmd->add_option(
           "--make-valid", method,
           "How invalid polygons are repaired: structure (default; GEOS MakeValid's structure method) or\n"
           "linework (PostGIS ST_MakeValid's default); the method is recorded in the output (docs/reliability.md)")
        ->transform(CLI::CheckedTransformer(std::map<std::string, geos::MakeValidMethod>{
            {"structure", geos::MakeValidMethod::structure}, {"linework", geos::MakeValidMethod::linework}}))
        ->default_str("structure");
}

std::string joined_command_line(int argc, char** argv) {
    std::string s;
    for (int i = 0; i < argc; ++i) {
        std::string a = argv[i];
        if (a.find_first_of(" \t'\"") != std::string::npos) a = "'" + a + "'";
        s += (i ? " " : "") + a;
    }
    return redact_secrets(s);  // it goes into outputs: no password
}

std::string shown(const std::string& s) {
    return terminal_text(redact_secrets(s));
}
std::string shown_lines(const std::string& s) {
    return terminal_text(redact_secrets(s), true);
}

void keep_until_exit(std::shared_ptr<const void> data) {
    static auto* kept = new std::vector<std::shared_ptr<const void>>;  // never deleted, on purpose
    kept->push_back(std::move(data));
}

}  // namespace ruimte::cli
