#pragma once
// What every job that writes results is asked, whatever its own options: where to write, the
// command line and time to record, how many threads, when to stop, and whom to tell. Each
// job's request (ScoreRequest, CheckRequest, ClaimsRequest, ...) derives from it and adds its
// own inputs; RunOutput (run_output.hpp) takes the output, overwrite and timestamp from it.
#include <cstddef>
#include <functional>
#include <string>

#include "spatial/geometry/parallel.hpp"

namespace ruimte {

struct JobRequest {
    // OUT.gpkg (score: also postgresql://...?schema=NAME, see spatial/io/postgis.hpp).
    std::string output;
    bool overwrite = false;
    std::string command_line;  // recorded in the output's metadata, secrets redacted
    std::string timestamp;     // run time in the manifest, "YYYY-MM-DDTHH:MM:SSZ"; empty: now
    RunControl control;        // threads and cancellation (Ctrl-C)
    // Progress per stage: ("read", done, total), ("overlay", ...), ...; may be empty.
    std::function<void(const std::string& stage, std::size_t done, std::size_t total)> progress;
    // Things the user should know (repairs, skipped features, reprojection); may be empty.
    std::function<void(const std::string&)> notice;

    // Sends a notice when someone listens.
    void tell(const std::string& text) const {
        if (notice) notice(text);
    }
    // Reports progress when someone listens.
    void stage(const std::string& name, std::size_t done, std::size_t total) const {
        if (progress) progress(name, done, total);
    }
};

}  // namespace ruimte
