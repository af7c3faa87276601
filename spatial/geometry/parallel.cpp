#include "spatial/geometry/parallel.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "spatial/core/error.hpp"

namespace ruimte {

namespace {
std::atomic<const std::atomic<bool>*> process_cancel{nullptr};

// Called by GEOS inside its long operations (noding, polygonizing, unions, buffers): once the
// process's cancel flag is set, GEOS stops the operation on every thread with an error, so a
// single GEOS call over a large tile does not hold Ctrl-C up for seconds. The error surfaces
// as a failed GEOS call; the program reports any failure after Ctrl-C as the interruption.
void geos_interrupt_check() {
    const std::atomic<bool>* p = process_cancel.load(std::memory_order_relaxed);
    if (p && p->load(std::memory_order_relaxed)) GEOS_interruptRequest();
}
}  // namespace

void set_process_cancel_flag(const std::atomic<bool>* flag) {
    process_cancel.store(flag);
    GEOS_interruptRegisterCallback(flag ? &geos_interrupt_check : nullptr);
}

bool cancel_requested(const RunControl* control) {
    const std::atomic<bool>* p = process_cancel.load(std::memory_order_relaxed);
    if (p && p->load(std::memory_order_relaxed)) return true;
    return control && control->cancel && control->cancel->load(std::memory_order_relaxed);
}

void throw_if_cancelled(const RunControl* control) {
    if (cancel_requested(control)) throw Error(ErrorKind::cancelled, "interrupted");
}

std::launch side_work_policy(const RunControl& control) {
    return resolve_threads(control.threads) > 1 ? std::launch::async : std::launch::deferred;
}

unsigned resolve_threads(unsigned requested) {
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? hw : 1;
}

std::size_t worker_count(std::size_t n, const RunControl& control, std::size_t chunk) {
    return std::max<std::size_t>(1, std::min<std::size_t>(resolve_threads(control.threads), (n + chunk - 1) / chunk));
}

void parallel_for(std::size_t n, const RunControl& control,
                  const std::function<void(const geos::Context&, std::size_t)>& work, std::size_t chunk) {
    parallel_for_workers(
        n, control, [&](const geos::Context& ctx, std::size_t, std::size_t i) { work(ctx, i); }, chunk);
}

void parallel_for_workers(std::size_t n, const RunControl& control,
                          const std::function<void(const geos::Context&, std::size_t, std::size_t)>& work,
                          std::size_t chunk) {
    if (n == 0) return;
    const unsigned threads = static_cast<unsigned>(worker_count(n, control, chunk));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex mutex;  // guards failure and running
    std::condition_variable finished;
    unsigned running = 0;

    auto worker = [&](std::size_t id) {
        geos::Context ctx;
        try {
            while (!stop.load(std::memory_order_relaxed)) {
                const std::size_t begin = next.fetch_add(chunk);
                if (begin >= n) break;
                const std::size_t end = std::min(n, begin + chunk);
                for (std::size_t i = begin; i < end; ++i) {
                    if (control.cancel && control.cancel->load(std::memory_order_relaxed)) {
                        throw Error(ErrorKind::cancelled, "interrupted");
                    }
                    work(ctx, id, i);
                }
                done.fetch_add(end - begin, std::memory_order_relaxed);
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!failure) failure = std::current_exception();
            stop = true;
        }
        std::lock_guard<std::mutex> lock(mutex);
        --running;
        finished.notify_all();
    };

    std::vector<std::thread> pool;
    pool.reserve(threads);
    running = threads;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    {
        std::unique_lock<std::mutex> lock(mutex);
        while (!finished.wait_for(lock, std::chrono::milliseconds(200), [&] { return running == 0; })) {
            if (control.progress) {
                lock.unlock();
                control.progress(done.load(), n);
                lock.lock();
            }
        }
    }
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
    if (control.progress) control.progress(n, n);
}

std::size_t produce_workers(const RunControl& control) {
    return resolve_threads(control.threads);
}

void parallel_produce(const RunControl& control, const std::function<void*()>& produce,
                      const std::function<void(const geos::Context&, std::size_t, void*)>& work) {
    const std::size_t threads = produce_workers(control);
    std::mutex mutex;  // guards everything below
    std::condition_variable ready;
    std::deque<void*> queue;
    bool producing = true;
    bool stop = false;
    std::exception_ptr failure;
    auto fail = [&](std::exception_ptr e) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = e;
        stop = true;
        ready.notify_all();
    };
    auto cancelled = [&] { return control.cancel && control.cancel->load(std::memory_order_relaxed); };
    // Takes batches until there are none and none will come (or something failed).
    auto drain = [&](const geos::Context& ctx, std::size_t id) {
        try {
            for (;;) {
                void* batch = nullptr;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    ready.wait(lock, [&] { return stop || !queue.empty() || !producing; });
                    if (stop || queue.empty()) return;
                    batch = queue.front();
                    queue.pop_front();
                }
                if (cancelled()) throw Error(ErrorKind::cancelled, "interrupted");
                work(ctx, id, batch);
            }
        } catch (...) { fail(std::current_exception()); }
    };

    std::vector<std::thread> helpers;
    helpers.reserve(threads - 1);
    for (std::size_t t = 0; t + 1 < threads; ++t) {
        helpers.emplace_back([&, t] {
            const geos::Context ctx;
            drain(ctx, t);
        });
    }
    try {
        for (;;) {
            if (cancelled()) throw Error(ErrorKind::cancelled, "interrupted");
            void* batch = produce();
            const std::lock_guard<std::mutex> lock(mutex);
            if (stop) break;
            if (!batch) break;
            queue.push_back(batch);
            ready.notify_one();
        }
    } catch (...) { fail(std::current_exception()); }
    {
        const std::lock_guard<std::mutex> lock(mutex);
        producing = false;
        ready.notify_all();
    }
    {
        const geos::Context ctx;
        drain(ctx, threads - 1);
    }
    for (auto& h : helpers) h.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace ruimte
