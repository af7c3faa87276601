#pragma once
// A small work-stealing loop: items 0..n-1 are handed out in chunks from an atomic counter to
// `threads` workers, each with its own GEOS context. The calling thread reports progress and
// watches for cancellation; the first exception a worker throws is rethrown here.
#include <atomic>
#include <cstddef>
#include <functional>

#include "geos.hpp"

namespace ruimte {

struct RunControl {
    unsigned threads = 0;                               // 0: all hardware threads
    const std::atomic<bool>* cancel = nullptr;          // set by a signal handler
    std::function<void(std::size_t done, std::size_t total)> progress;  // main thread only
};

unsigned resolve_threads(unsigned requested);

// Calls work(ctx, i) for every i in [0, n). work must be safe to run concurrently for
// different i. Throws Error(cancelled) if control.cancel becomes true.
void parallel_for(std::size_t n, const RunControl& control,
                  const std::function<void(const geos::Context&, std::size_t)>& work,
                  std::size_t chunk = 8);

// The same, telling work which worker (0..workers-1) runs it, for per-worker caches.
// worker_count() gives the number of workers parallel_for_workers will start for n items.
std::size_t worker_count(std::size_t n, const RunControl& control, std::size_t chunk = 8);
void parallel_for_workers(std::size_t n, const RunControl& control,
                          const std::function<void(const geos::Context&, std::size_t worker, std::size_t)>& work,
                          std::size_t chunk = 8);

}  // namespace ruimte
