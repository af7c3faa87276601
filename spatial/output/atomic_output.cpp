#include "spatial/output/atomic_output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "spatial/core/error.hpp"

namespace fs = std::filesystem;

namespace ruimte {

namespace {
ErrorPlace at(const std::string& path) {
    ErrorPlace p;
    p.file = path;
    return p;
}

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}
}  // namespace

void check_output_path(const std::string& path, bool overwrite, const std::vector<std::string>& inputs) {
    if (path.empty()) throw Error(ErrorKind::usage, "no output path given", {}, "pass -o OUT.gpkg");
    const fs::path p = fs::absolute(path);
    const fs::path dir = p.parent_path();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(ErrorKind::output, "the output folder does not exist", at(path),
                    "create the folder " + dir.string() + " first");
    }
    if (::access(dir.c_str(), W_OK) != 0) {
        throw Error(ErrorKind::output, "the output folder is not writable", at(path),
                    "choose a folder you can write to");
    }
    for (const auto& in : inputs) {
        if (in.empty()) continue;
        const bool same = fs::exists(p, ec) && fs::exists(in, ec) ? fs::equivalent(p, in, ec)
                                                                   : fs::weakly_canonical(p, ec) == fs::weakly_canonical(in, ec);
        if (same) {
            throw Error(ErrorKind::output, "the output path is also an input (" + in + ")", at(path),
                        "write the result to another file; inputs are never modified");
        }
    }
    if (fs::exists(p, ec)) {
        if (!overwrite) {
            throw Error(ErrorKind::output, "the output file exists", at(path),
                        "pass --overwrite to replace it, or choose another name");
        }
        if (fs::is_directory(p, ec)) {
            throw Error(ErrorKind::output, "the output path is a folder", at(path), "give a file name");
        }
    }
}

AtomicOutput::AtomicOutput(std::string final_path, bool overwrite, const std::vector<std::string>& inputs)
    : final_(std::move(final_path)) {
    check_output_path(final_, overwrite, inputs);
    const fs::path p = fs::absolute(final_);
    const std::string prefix = "." + p.filename().string() + ".tmp-";
    temp_ = (p.parent_path() / (prefix + std::to_string(::getpid()))).string();
    std::error_code ec;
    fs::remove(temp_, ec);
    remove_leftovers(p.parent_path(), prefix);
}

void AtomicOutput::remove_leftovers(const fs::path& dir, const std::string& prefix) {
    // .NAME.tmp-PID[-journal|-wal|-shm] of a process that no longer runs (killed with SIGKILL,
    // or the machine went down): never read, so safe to remove. A live process's file stays.
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        std::size_t digits = 0;
        while (prefix.size() + digits < name.size() && std::isdigit(static_cast<unsigned char>(name[prefix.size() + digits])))
            ++digits;
        if (digits == 0 || digits > 9) continue;
        const std::string rest = name.substr(prefix.size() + digits);
        if (!rest.empty() && rest != "-journal" && rest != "-wal" && rest != "-shm") continue;
        const pid_t pid = static_cast<pid_t>(std::stol(name.substr(prefix.size(), digits)));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
        std::error_code rm;
        fs::remove(it->path(), rm);
    }
}

AtomicOutput::~AtomicOutput() {
    if (writeback_.joinable()) writeback_.join();
    if (committed_) return;
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(temp_ + suffix, ec);
}

void AtomicOutput::start_writeback() {
#ifdef __linux__
    // Submitting the writes can itself wait for the disk's queue: a thread of its own waits.
    if (writeback_.joinable()) writeback_.join();
    try {
        writeback_ = std::thread([path = temp_] {
            const int fd = ::open(path.c_str(), O_RDONLY);
            if (fd < 0) return;
            ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
            ::close(fd);
        });
    } catch (const std::system_error&) {
        // No thread to be had: only a hint, commit() writes everything anyway.
    }
#endif
}

int open_regular_file(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags);
    if (fd < 0) return -1;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) return fd;
    ::close(fd);
    return -1;
}

void AtomicOutput::commit() {
    if (writeback_.joinable()) writeback_.join();
    fsync_path(temp_, O_RDONLY);
    // The file being replaced is held open across the rename, so the rename does not free its
    // blocks (50 ms for a 222 MB GeoPackage on ext4); a thread of its own closes it, which
    // frees them while the caller goes on (a process that exits first still waits for it).
    const int replaced = open_regular_file(final_, O_NOFOLLOW);
    if (std::rename(temp_.c_str(), final_.c_str()) != 0) {
        const int error = errno;
        if (replaced >= 0) ::close(replaced);
        throw Error(ErrorKind::output, std::string("cannot rename the finished output into place: ") +
                                           std::strerror(error),
                    at(final_), "check the folder's permissions and free space");
    }
    committed_ = true;
    fsync_path(fs::absolute(final_).parent_path().string(), O_RDONLY | O_DIRECTORY);
    if (replaced >= 0) {
        try {
            std::thread([replaced] { ::close(replaced); }).detach();
        } catch (const std::system_error&) {
            ::close(replaced);  // no thread to be had: freed here
        }
    }
}

}  // namespace ruimte
