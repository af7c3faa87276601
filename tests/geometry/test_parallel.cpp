// The work loops of spatial/parallel.hpp, with real threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <vector>

#include "spatial/core/error.hpp"
#include "spatial/geometry/parallel.hpp"

using namespace ruimte;

namespace {
struct Batch {
    std::size_t number = 0;
    std::vector<int> values;
    int sum = 0;
    int worked = 0;
    std::size_t worker = 0;
};
}  // namespace

TEST_CASE("parallel_produce works on every batch once, whatever the number of threads", "[parallel]") {
    for (unsigned threads : {1u, 2u, 4u}) {
        RunControl control;
        control.threads = threads;
        REQUIRE(produce_workers(control) == threads);
        std::vector<std::unique_ptr<Batch>> batches;
        std::size_t made_before_first_work = 0;
        std::atomic<bool> any_work{false};
        parallel_produce_batches<Batch>(
            control,
            [&]() -> Batch* {
                if (batches.size() == 50) return nullptr;
                if (!any_work) ++made_before_first_work;
                auto b = std::make_unique<Batch>();
                b->number = batches.size();
                for (int k = 0; k < 100; ++k) b->values.push_back(static_cast<int>(b->number) * 100 + k);
                batches.push_back(std::move(b));
                return batches.back().get();
            },
            [&](const geos::Context& ctx, std::size_t worker, Batch& b) {
                REQUIRE(ctx.handle() != nullptr);
                any_work = true;
                for (int v : b.values) b.sum += v;
                ++b.worked;
                b.worker = worker;
            });
        REQUIRE(batches.size() == 50);
        for (const auto& b : batches) {
            CHECK(b->worked == 1);
            CHECK(b->worker < threads);
            const int first = static_cast<int>(b->number) * 100;
            CHECK(b->sum == 100 * first + 4950);
        }
        // One thread makes every batch before working on any.
        if (threads == 1) CHECK(made_before_first_work == 50);
    }
}

TEST_CASE("parallel_produce rethrows the first failure of produce or work, and stops", "[parallel]") {
    for (unsigned threads : {1u, 2u}) {
        RunControl control;
        control.threads = threads;
        std::vector<std::unique_ptr<Batch>> batches;
        auto produce = [&]() -> Batch* {
            if (batches.size() == 20) throw std::runtime_error("produce failed at 20");
            batches.push_back(std::make_unique<Batch>());
            return batches.back().get();
        };
        CHECK_THROWS_WITH(
            parallel_produce_batches<Batch>(control, produce, [](const geos::Context&, std::size_t, Batch&) {}),
            "produce failed at 20");

        batches.clear();
        std::atomic<int> worked{0};
        auto endless = [&]() -> Batch* {
            if (batches.size() == 1000) return nullptr;
            batches.push_back(std::make_unique<Batch>());
            batches.back()->number = batches.size() - 1;
            return batches.back().get();
        };
        CHECK_THROWS_WITH(parallel_produce_batches<Batch>(control, endless,
                                                          [&](const geos::Context&, std::size_t, Batch& b) {
                                                              ++worked;
                                                              if (b.number == 3)
                                                                  throw std::runtime_error("work failed");
                                                          }),
                          "work failed");
        CHECK(worked < 1000);  // the others stopped taking batches
    }
}

TEST_CASE("parallel_produce ends with Error(cancelled) when asked to stop", "[parallel]") {
    std::atomic<bool> cancel{false};
    RunControl control;
    control.threads = 2;
    control.cancel = &cancel;
    std::vector<std::unique_ptr<Batch>> batches;
    try {
        parallel_produce_batches<Batch>(
            control,
            [&]() -> Batch* {
                if (batches.size() == 5) cancel = true;
                batches.push_back(std::make_unique<Batch>());
                return batches.back().get();
            },
            [](const geos::Context&, std::size_t, Batch&) {});
        FAIL("expected Error(cancelled)");
    } catch (const Error& e) { CHECK(e.kind() == ErrorKind::cancelled); }
    CHECK(batches.size() == 6);
}
