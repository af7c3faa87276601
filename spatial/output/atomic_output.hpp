#pragma once
// An output file is written under a temporary name in its own folder and renamed over the
// final name only when complete, so a crash or kill never leaves a partial file there.
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace ruimte {

// Opens `path` read-only (with `flags` added, e.g. O_NOFOLLOW) when it is a regular file and
// returns the descriptor, else -1. The open does not block, so a FIFO in the way cannot hang
// it. The caller closes the descriptor.
int open_regular_file(const std::string& path, int flags = 0);

// Throws Error(output) when the folder is missing or not writable, when the path is one of
// the inputs, or when the file exists and overwrite is false.
void check_output_path(const std::string& path, bool overwrite, const std::vector<std::string>& inputs);

class AtomicOutput {
public:
    AtomicOutput(std::string final_path, bool overwrite, const std::vector<std::string>& inputs);
    ~AtomicOutput();  // removes the temporary file (and SQLite side files) unless committed
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;

    const std::string& temp_path() const noexcept { return temp_; }
    const std::string& final_path() const noexcept { return final_; }
    // Starts writing what is already in the temporary file to disk, without waiting (Linux's
    // sync_file_range): called part way through a large output, it lets the disk work while
    // the rest is made, so that commit() has less to wait for. Does nothing elsewhere.
    void start_writeback();
    // fsyncs the temporary file, renames it over the final path and fsyncs the folder. A file
    // it replaces is freed on a thread of its own after the rename.
    void commit();

private:
    // Removes the temporary files that runs killed before they could clean up left for this
    // output (their process no longer exists).
    static void remove_leftovers(const std::filesystem::path& dir, const std::string& prefix);
    std::string final_;
    std::string temp_;
    bool committed_ = false;
    std::thread writeback_;
};

}  // namespace ruimte
