#pragma once
// An output file is written under a temporary name in its own folder and renamed over the
// final name only when complete, so a crash or kill never leaves a partial file there. The
// outputs of one run are committed together (commit_together): all or, when a step fails,
// none of them.
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace ruimte {

// Opens `path` read-only (with `flags` added, e.g. O_NOFOLLOW) when it is a regular file and
// returns the descriptor, else -1. The open does not block, so a FIFO in the way cannot hang
// it. The caller closes the descriptor.
int open_regular_file(const std::string& path, int flags = 0);

// True when `a` and `b` name the same file: the same device and inode when both exist,
// otherwise the same name in the same folder (compared by the folder's real path), so
// "./x.gpkg", "dir/../x.gpkg", a symlinked folder and a hard link are all the same file.
bool same_file(const std::string& a, const std::string& b);

// Throws Error(output) when the folder is missing or not writable, when the path is one of
// the inputs or a file of one (a shapefile's .dbf, .shx, .prj, .cpg, .qix, .sbn, ...; a
// SQLite file's -wal, -shm, -journal), when the file exists and overwrite is false, or when
// something other than a regular file is at the path (a symbolic link, dangling or not, a
// folder, a FIFO, a device): only a regular file is ever replaced.
void check_output_path(const std::string& path, bool overwrite, const std::vector<std::string>& inputs);

// Throws Error(usage) `message` when two of `paths` (empty ones ignored) are the same file
// (same_file).
void check_distinct_outputs(const std::vector<std::string>& paths, const std::string& message, const std::string& hint);

// For an output whose path the run checked before its work (check_output_path): when a file
// stands there now without --overwrite, it appeared while the run was working (another run
// writing the same name): Error(output) saying so.
void refuse_appeared(const std::string& path, bool overwrite);

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
    // commit_together({this}).
    void commit();

  private:
    friend void commit_together(const std::vector<AtomicOutput*>& outputs);
    // Removes the temporary files that runs killed before they could clean up left for this
    // output: those whose lock file (`-lock`) no process holds locked.
    static void remove_leftovers(const std::filesystem::path& dir, const std::string& prefix,
                                 const std::string& own_tag);
    void fsync_temp() const;
    void place();     // renames the temporary file into place (see commit_together)
    void put_back();  // undoes place()
    void finish();    // after every output was placed: frees the replaced file, drops the lock
    std::string final_;
    std::string temp_;
    std::string lock_path_;
    int lock_fd_ = -1;
    bool overwrite_ = false;
    bool placed_ = false;
    bool swapped_ = false;  // place() exchanged the names: the replaced file is at temp_
    bool committed_ = false;
    std::thread writeback_;
};

// Commits the outputs of one run together, in the order given (the main output last: a run
// killed part way leaves the earlier ones new and the later ones as they were, never the
// reverse). First every temporary file is fsynced; then each is renamed into place, without
// replacing a file that appeared meanwhile unless overwrite was given (Linux
// renameat2(RENAME_NOREPLACE), or link() and unlink()), and with overwrite by exchanging the
// names (RENAME_EXCHANGE), so that the file replaced stays at hand; then their folders are
// fsynced. When any step fails every output already renamed is put back (the files it
// replaced restored) and Error(output) is thrown naming the output. Throws before renaming
// anything when something other than a regular file has appeared at a final path.
void commit_together(const std::vector<AtomicOutput*>& outputs);

}  // namespace ruimte
