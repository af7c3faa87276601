#include "spatial/selection/mip.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "spatial/core/error.hpp"

namespace ruimte {

namespace {

using SolveFn = decltype(&ruimte_cbc_solve_v2);

constexpr const char* kModule = "libruimte_cbc.so";

// Where the module is looked for (mip.hpp).
std::string module_path() {
    if (const char* own = std::getenv("RUIMTE_MODULE_DIR"); own && *own) return std::string(own) + "/" + kModule;
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ((ec ? std::filesystem::path(".") : exe.parent_path()) / ".." / "lib" / "ruimte" / kModule)
        .lexically_normal()
        .string();
}

SolveFn load_solver() {
    const std::string path = module_path();
    std::string why;
    if (::access(path.c_str(), F_OK) != 0) {
        why = "not there";
    } else if (void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
        // Never unloaded: CBC keeps static state, and the process ends soon after.
        if (void* fn = ::dlsym(handle, "ruimte_cbc_solve_v2")) return reinterpret_cast<SolveFn>(fn);
        why = "has no ruimte_cbc_solve_v2 (a module of another ruimte version)";
        ::dlclose(handle);
    } else {
        const char* err = ::dlerror();
        why = err ? err : "cannot be loaded";
    }
    throw Error(ErrorKind::internal,
                std::string("the CBC solver module ") + kModule + " cannot be loaded: " + path + ": " + why, {},
                "keep the module in lib/ruimte beside the program's folder (cmake --build puts it in "
                "build/lib/ruimte, cmake --install in PREFIX/lib/ruimte), or set RUIMTE_MODULE_DIR to the "
                "folder that holds it; COIN-OR CBC comes from scripts/setup.sh");
}

}  // namespace

MipResult solve_mip(const Mip& mip, const MipControl& control) {
    static std::once_flag once;
    static SolveFn solve = nullptr;
    std::call_once(once, [] { solve = load_solver(); });  // a throw leaves it for the next call to retry
    // One CBC solve at a time: CbcMain1 reads its arguments through global state (threads of
    // solve_each may call here together). The time waited counts against the time limit.
    static std::mutex one_at_a_time;
    const auto asked = std::chrono::steady_clock::now();
    const std::lock_guard<std::mutex> lock(one_at_a_time);
    MipControl waited = control;
    waited.time_limit_s -= std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
    MipResult r;
    std::string error;
    switch (solve(&mip, &waited, &r, &error)) {
        case 0: return r;
        case 3: throw Error(ErrorKind::cancelled, "interrupted");
        case 1:
            throw Error(ErrorKind::internal, "the CBC solver gave up (numerical difficulties)", {},
                        "report the command line; a different --time-limit or fewer rules may work around it");
        default: throw Error(ErrorKind::internal, "the CBC solver failed: " + error, {}, "report the command line");
    }
}

}  // namespace ruimte
