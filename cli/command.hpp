#pragma once
// The small common base of the subcommands: exit codes, error reporting, progress on stderr
// and Ctrl-C handling. Each subcommand lives in its own command_*.cpp.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "spatial/geometry/geos.hpp"

namespace ruimte::cli {

// Exit codes, documented in `ruimte --help` and README.md. 124-127 and 137 are left to the
// shell and `timeout`.
enum class Exit : int {
    ok = 0,            // success
    internal = 1,      // a bug or an unexpected library failure
    usage = 2,         // bad command-line options
    profile = 3,       // the criteria profile is not valid
    input = 4,         // an input source cannot be read or holds data ruimte refuses
    output = 5,        // the output cannot be written (exists, unwritable, disk full)
    interrupted = 130  // stopped by Ctrl-C (SIGINT) or SIGTERM; no output was written
};

const char* exit_code_help();

// Set by SIGINT/SIGTERM; the engine polls it.
std::atomic<bool>& cancel_flag();
void install_signal_handlers();

// Runs f, turning ruimte::Error and other exceptions into a message on stderr and an exit code.
int guarded(const std::string& command, const std::function<void()>& f);

// Progress on stderr: a bar with ETA on a terminal, a line every few seconds otherwise.
class Progress {
  public:
    explicit Progress(bool quiet);
    ~Progress();
    void update(const std::string& stage, std::size_t done, std::size_t total);
    void notice(const std::string& message);  // a line that stays
    void finish();

  private:
    bool quiet_;
    bool tty_;
    std::string stage_;
    double stage_start_ = 0;
    double last_print_ = -1e9;
    bool line_open_ = false;
};

// Keeps a run's data alive until the process exits and never frees it: the operating system
// takes the memory back at once, instead of a destructor freeing it piece by piece (about
// 60 ms for the national workload's 100,000 candidates). Only for data that holds memory, not
// files or connections. Held from a global, so LeakSanitizer counts it as reachable.
void keep_until_exit(std::shared_ptr<const void> data);

// The whole command line as one string (for provenance), passwords as *** (redact_secrets).
std::string joined_command_line(int argc, char** argv);

// A value from an input, a profile or the command line as printed on stdout or stderr:
// passwords of PostgreSQL connections as *** and control characters (escape sequences) made
// visible (spatial/escape.hpp). shown_lines keeps line breaks, for text of several lines.
std::string shown(const std::string& s);
std::string shown_lines(const std::string& s);

// --timestamp: the time recorded in the output's run manifest and GeoPackage dates, so that
// two runs with the same inputs and the same --timestamp write the same bytes.
void add_timestamp_option(CLI::App* cmd, std::string& timestamp);
// --make-valid structure|linework: GEOS MakeValid's method for invalid polygons.
void add_make_valid_option(CLI::App* cmd, geos::MakeValidMethod& method);

}  // namespace ruimte::cli

namespace ruimte::cli {
// Each subcommand registers its options on `app` (setup: no files touched) and returns the
// function that runs it (run: does the work, returns the exit code).
using Runner = std::function<int()>;
struct Invocation {
    int argc;
    char** argv;
};

// Subcommands register themselves from their own file, so adding one touches no other file:
//   static const CommandRegistration reg{"score", &add_score_command};
using AddCommand = Runner (*)(CLI::App& app, const Invocation& inv);
struct CommandRegistration {
    CommandRegistration(const char* name, AddCommand add);
};
// All registered subcommands, sorted by name.
std::vector<std::pair<std::string, AddCommand>> registered_commands();
}  // namespace ruimte::cli
