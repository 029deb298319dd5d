// thread_pool.h — one process-wide pool of worker threads that every workspace shares.
// parallel_for(n, max_threads, fn) runs fn(index, slot) for every index in [0, n) on at most
// max_threads threads (the caller is one of them) and returns when all are done. `slot` is a
// number in [0, max_threads) unique among the threads running the same call at the same time, so
// callers can keep per-slot scratch. Several callers (e.g. several Java threads) may run
// parallel_for at once; each makes progress on its own because the caller always works too.
#pragma once

#include <cstdint>
#include <functional>

namespace diffhmm {

using IndexFn = std::function<void(int64_t index, int slot)>;

// Threads the pool can run at once, the caller included (hardware threads, at least 1).
int pool_threads();

void parallel_for(int64_t n, int max_threads, const IndexFn& fn);

}  // namespace diffhmm
