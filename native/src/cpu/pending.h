// pending.h — the β sweep's probability-space rank-1 updates waiting to be summed (ProbPending), and
// the overlap that sums them on another core while a single long sequence is swept (ProbOverlap).
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>
#include "core/error.h"
#include "core/problem.h"
#include "core/thread_pool.h"
#include "core/checks.h"
#include "core/workspace.h"
#include "cpu/plan.h"
#include "cpu/prob.h"
#include "cpu/state.h"
#include "cpu/step_kernels.h"

namespace diffhmm {
namespace cpu {

// Rank-1 updates of one slot's transition gradient waiting to be summed (prob_beta_step): up to
// kProbChunk steps' x and y rows with the accumulator each goes to. A flush groups the steps by
// accumulator (time order kept within a group: a stable sort), gathers them, and adds each group
// with outer_block, kProbBlock steps per call — so a problem whose matrix changes every step (the
// clone-structured HMM) still sums in blocks. Rows of the accumulators are independent, so a flush
// may split them across `row_threads` threads with results identical to one thread.
constexpr int64_t kProbBlock = 16;
constexpr int64_t kProbChunk = 256;

template <class T>
struct ProbOverlap;

template <class T>
struct ProbPending {
    T* x = nullptr;             // [kProbChunk][N] in step order
    T* y = nullptr;             // [kProbChunk][N]
    T* sx = nullptr;            // the same rows grouped by accumulator
    T* sy = nullptr;
    double** acc = nullptr;     // [kProbChunk]
    int64_t* order = nullptr;   // [kProbChunk]
    int64_t count = 0;
    double* vectors = nullptr;  // 2N float64 values for steps taken exactly in float64
    int row_threads = 1;
    ProbOverlap<T>* overlap = nullptr;  // set: full chunks go to the flusher on the other core

    // Sums the queued updates into their accumulators (or, overlapped, hands the chunk over).
    void flush(const Kernels<T>& k, int64_t N);

    // Uses `from`'s arrays (ProbOverlap passes array sets between the sweep and the flusher).
    void take_arrays(const ProbPending& from) {
        x = from.x;
        y = from.y;
        sx = from.sx;
        sy = from.sy;
        acc = from.acc;
        order = from.order;
    }

    void flush_now(const Kernels<T>& k, int64_t N) {
        if (count == 0) return;
        // One matrix for every queued step (K = 1, the common case): the rows are already grouped.
        bool grouped = true;
        for (int64_t s = 1; s < count && grouped; ++s) grouped = acc[s] == acc[0];
        const T* gx = x;
        const T* gy = y;
        if (!grouped) {
            for (int64_t s = 0; s < count; ++s) order[s] = s;
            std::stable_sort(order, order + count, [&](int64_t a, int64_t b) { return acc[a] < acc[b]; });
            for (int64_t s = 0; s < count; ++s) {
                std::copy(x + order[s] * N, x + (order[s] + 1) * N, sx + s * N);
                std::copy(y + order[s] * N, y + (order[s] + 1) * N, sy + s * N);
            }
            std::sort(acc, acc + count);  // the targets in the gathered rows' order
            gx = sx;
            gy = sy;
        }
        auto rows = [&](int64_t i0, int64_t i1) {
            for (int64_t g = 0; g < count;) {
                int64_t end = g;
                while (end < count && acc[end] == acc[g]) ++end;
                for (int64_t s = g; s < end; s += kProbBlock)
                    k.outer_block(acc[g], gx + s * N, gy + s * N, std::min(kProbBlock, end - s), N, i0, i1);
                g = end;
            }
        };
        if (row_threads <= 1) {
            rows(0, N);
        } else {
            const int64_t parts = row_threads;
            parallel_for(parts, row_threads, [&](int64_t part, int) { rows(N * part / parts, N * (part + 1) / parts); });
        }
        count = 0;
    }
};

// A single long sequence leaves the other cores idle during the β sweep; with the overlap, the
// thread running the sweep hands each full chunk of rank-1 updates to a flusher on another core and
// goes on filling the other of two array sets. Chunks are summed strictly in the order they were
// filled, one at a time (whoever holds `busy`: the flusher, or the sweep itself when it would
// otherwise wait), so the float64 accumulators see the same additions in the same order as without
// the overlap: results are identical bit for bit.
template <class T>
struct ProbOverlap {
    ProbPending<T> chunks[2];          // handed-over chunks: chunk s lives in chunks[s % 2]
    std::atomic<int64_t> filled{0};    // chunks handed over
    std::atomic<int64_t> flushed{0};   // chunks summed (a prefix of those handed over)
    std::atomic<bool> busy{false};     // a flush is running
    std::atomic<bool> done{false};     // the sweep will hand over nothing more

    // Sums the next chunk in order if one is waiting and nobody else is summing; true if it did.
    bool try_flush(const Kernels<T>& k, int64_t N) {
        bool idle = false;
        if (!busy.compare_exchange_strong(idle, true, std::memory_order_acquire)) return false;
        const int64_t next = flushed.load(std::memory_order_relaxed);
        const bool any = next < filled.load(std::memory_order_acquire);
        if (any) {
            chunks[next % 2].flush_now(k, N);
            flushed.store(next + 1, std::memory_order_release);
        }
        busy.store(false, std::memory_order_release);
        return any;
    }

    // Waits (summing chunks itself meanwhile) until at least `n` chunks are summed.
    void wait_flushed(const Kernels<T>& k, int64_t N, int64_t n) {
        while (flushed.load(std::memory_order_acquire) < n)
            if (!try_flush(k, N)) std::this_thread::yield();
    }

    // The sweep's full (or last) chunk in `front` goes over as chunk s; `front` takes the array set of
    // chunk s − 1 (the two sets alternate), once that chunk is summed.
    void hand_over(ProbPending<T>& front, const Kernels<T>& k, int64_t N) {
        if (front.count == 0) return;
        const int64_t s = filled.load(std::memory_order_relaxed);
        wait_flushed(k, N, s);  // chunk s − 1 summed: its arrays are free
        ProbPending<T>& full = chunks[s % 2];
        full.take_arrays(front);
        full.count = front.count;
        front.take_arrays(chunks[(s + 1) % 2]);
        front.count = 0;
        filled.store(s + 1, std::memory_order_release);
    }

    // Everything handed over summed: before the sweep adds to an accumulator directly, and at the end.
    void drain(const Kernels<T>& k, int64_t N) { wait_flushed(k, N, filled.load(std::memory_order_acquire)); }

    // The flusher's loop on the other core, until the sweep is done and every chunk summed.
    void serve(const Kernels<T>& k, int64_t N) {
        for (;;) {
            if (try_flush(k, N)) continue;
            if (done.load(std::memory_order_acquire) &&
                flushed.load(std::memory_order_acquire) == filled.load(std::memory_order_acquire))
                return;
            std::this_thread::yield();
        }
    }
};

template <class T>
void ProbPending<T>::flush(const Kernels<T>& k, int64_t N) {
    if (overlap != nullptr) {
        overlap->hand_over(*this, k, N);
    } else {
        flush_now(k, N);
    }
}

}  // namespace cpu
}  // namespace diffhmm
