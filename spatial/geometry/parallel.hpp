#pragma once
// A small work-stealing loop: items 0..n-1 are handed out in chunks from an atomic counter to
// `threads` workers, each with its own GEOS context. The calling thread reports progress and
// watches for cancellation; the first exception a worker throws is rethrown here.
#include <atomic>
#include <cstddef>
#include <functional>
#include <future>

#include "spatial/geometry/geos.hpp"

namespace ruimte {

struct RunControl {
    unsigned threads = 0;                                               // 0: all hardware threads
    const std::atomic<bool>* cancel = nullptr;                          // set by a signal handler
    std::function<void(std::size_t done, std::size_t total)> progress;  // main thread only
};

unsigned resolve_threads(unsigned requested);

// The process's cancel flag, for the steps every command shares but no RunControl reaches:
// reading a scored file, drawing a map, writing rows and committing outputs (so Ctrl-C at any
// moment before the commit leaves no output). The program sets it once, to the flag its
// SIGINT/SIGTERM handler sets (cli/command.cpp); the engine only reads it. Unset (library use,
// unit tests): never cancelled. Setting it also asks GEOS to stop its long operations once the
// flag is set (GEOS_interruptRegisterCallback): they then fail, and the caller reports any
// failure that follows Ctrl-C as the interruption.
void set_process_cancel_flag(const std::atomic<bool>* flag);
// True when the process's cancel flag, or control's, is set.
bool cancel_requested(const RunControl* control = nullptr);
// Throws Error(cancelled, "interrupted") when cancel_requested(control).
void throw_if_cancelled(const RunControl* control = nullptr);

// How to start work beside the main job (hashing the inputs for the manifest, the CSV copy):
// std::launch::async when the run may use more than one thread, else std::launch::deferred,
// so that with --threads 1 it runs on the calling thread when its result is asked for.
std::launch side_work_policy(const RunControl& control);

// Calls work(ctx, i) for every i in [0, n). work must be safe to run concurrently for
// different i. Throws Error(cancelled) if control.cancel becomes true.
void parallel_for(std::size_t n, const RunControl& control,
                  const std::function<void(const geos::Context&, std::size_t)>& work, std::size_t chunk = 8);

// The same, telling work which worker (0..workers-1) runs it, for per-worker caches.
// worker_count() gives the number of workers parallel_for_workers will start for n items.
std::size_t worker_count(std::size_t n, const RunControl& control, std::size_t chunk = 8);
void parallel_for_workers(std::size_t n, const RunControl& control,
                          const std::function<void(const geos::Context&, std::size_t worker, std::size_t)>& work,
                          std::size_t chunk = 8);

// A producer and its workers, for input that can only be read in order (a GDAL layer): the
// calling thread makes batches with produce(), which returns nullptr when there are no more,
// while the other threads run work() on each batch as soon as it is made; once production
// ends the calling thread works on the batches left too. With one thread every batch is made
// first, then worked on in the order made. Batches belong to the caller and must stay where
// they are until this returns. Workers are numbered 0..produce_workers(control)-1. The first
// exception of produce() or work() is rethrown once every thread has stopped; Error(cancelled)
// when control.cancel becomes true. control.progress is not called (produce() can report).
std::size_t produce_workers(const RunControl& control);
void parallel_produce(const RunControl& control, const std::function<void*()>& produce,
                      const std::function<void(const geos::Context&, std::size_t worker, void* batch)>& work);

// The same with typed batches.
template <class Batch, class Produce, class Work>
void parallel_produce_batches(const RunControl& control, Produce&& produce, Work&& work) {
    parallel_produce(
        control, [&]() -> void* { return static_cast<Batch*>(produce()); },
        [&](const geos::Context& ctx, std::size_t worker, void* batch) {
            work(ctx, worker, *static_cast<Batch*>(batch));
        });
}

}  // namespace ruimte
