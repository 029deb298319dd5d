// plan.h — the CPU backend's one planner: for a call on a workspace, how the work spreads over
// threads (across the batch, or across the states of every step) and which path it takes — the
// small-state path (tiny.h), probability space (prob.h) or log space for the factorized form; the flat
// or row-by-row kernels for the dense form. The workspace's settings (core/settings.h) can force a
// path; otherwise the measured rules below decide.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/problem.h"
#include "core/settings.h"
#include "core/thread_pool.h"
#include "core/workspace.h"

namespace diffhmm {
namespace cpu {

// The largest N the small-state path is compiled for (tiny.h).
constexpr int64_t kTinyMaxStates = 32;

struct Plan {
    int threads = 1;
    bool across_states = false;  // B < threads and N large: split each step's states instead
    bool tiny = false;           // factorized: the small-state path first (tiny.h)
    bool prob = false;           // factorized: the general sweeps in probability space (prob.h)
    bool dense_flat = false;     // dense: the flat kernels (prob.h)

    template <class T>
    static Plan of(const diffhmm_workspace& ws, const Problem<T>& p) {
        Plan plan;
        const int pool = pool_threads();
        plan.threads = ws.num_threads > 0 ? std::min(ws.num_threads, pool) : pool;
        // A step of N² terms must outweigh a fork-join (a few µs): N >= 128 is ~16k terms.
        plan.across_states = plan.threads > 1 && p.B < plan.threads && p.N >= 128;
        plan.tiny = tiny_path(ws.settings, p);
        plan.prob = prob_path(ws.settings, p);
        plan.dense_flat = dense_flat_kernels(ws.settings, p);
        return plan;
    }

    // Runs f(lo, hi, slot) over [0, n): inline on `slot` in batch mode, else in chunks of whole
    // 16-state blocks (so every chunk but the last is a multiple of any vector width) on the pool.
    template <class F>
    void over_states(int64_t n, int slot, F&& f) const {
        if (!across_states) {
            f(int64_t(0), n, slot);
            return;
        }
        const int64_t grain = std::max<int64_t>(16, (n / threads + 15) / 16 * 16);
        const int64_t chunks = (n + grain - 1) / grain;
        parallel_for(chunks, threads, [&](int64_t c, int s) {
            f(c * grain, std::min(n, (c + 1) * grain), s);
        });
    }

    // Runs f(b, unit) for every sequence. Sequences are dealt to `threads` units in a fixed
    // pattern (b = unit, unit + threads, ...), each unit run by one thread at a time, so per-unit
    // accumulators sum the same sequences in the same order whatever the thread timing: results
    // are reproducible bit for bit for a given thread count.
    template <class F>
    void over_batch(int64_t B, F&& f) const {
        if (across_states || threads == 1) {
            for (int64_t b = 0; b < B; ++b) f(b, 0);
            return;
        }
        const int64_t units = std::min<int64_t>(threads, B);
        parallel_for(units, threads, [&](int64_t unit, int) {
            for (int64_t b = unit; b < B; b += units) f(b, int(unit));
        });
    }

private:
    using Factorized = Settings::CpuFactorized;

    // The small-state path (tiny.h) for a factorized problem: N <= kTinyMaxStates and its matrices
    // few beside its steps. Measured (bench/results/cpu-chmm-2026-11-23.md, diffhmm_bench --paths
    // tiny,prob,log): up to 8 states this path wins at every batch size (2-4x at B = 1024); from 9 to
    // 32 the probability-space path's float SIMD and blocked updates win with one matrix or a batch to
    // share them, and this one wins for a few sequences whose matrix changes every step (the
    // clone-structured HMM's 9x9 room: 8.0 vs 9.5 ms; at N = 70 it loses, 77 vs 48 ms).
    template <class T>
    static bool tiny_path(const Settings& s, const Problem<T>& p) {
        if (p.form != Form::factorized || p.B == 0 || p.N > kTinyMaxStates || p.N < 1) return false;
        if (s.cpu_factorized == Factorized::log || s.cpu_factorized == Factorized::prob) return false;
        if (s.cpu_factorized == Factorized::tiny) return true;
        if (p.K > 1 && 4 * p.K > p.B * p.T) return false;  // preparing the matrices would not be amortised
        // Its float64 tape ((2N + 1) values per step, and N more for one sequence's β: beta_chain) beside
        // the general one: past 512 MiB, use the general paths rather than add that much to a workspace.
        const double per_step = double(2 * p.N + 1 + (p.B == 1 ? p.N : 0));
        if (double(p.B) * double(p.max_length()) * per_step * sizeof(double) > double(512 << 20)) return false;
        return p.N <= 8 || (p.K > 1 && p.B <= 2);
    }

    // Probability space for the general factorized sweeps: from N = 8 states (below, a step's N² exps
    // cost less than the product's extra passes) when the per-call matrices (K·N² exps) cost at most a
    // quarter of what the steps save.
    template <class T>
    static bool prob_path(const Settings& s, const Problem<T>& p) {
        if (p.form != Form::factorized || p.B == 0 || p.T < 2) return false;
        if (s.cpu_factorized == Factorized::log) return false;
        if (s.cpu_factorized == Factorized::prob) return true;
        return p.N >= 8 && (p.K <= 1 || 4 * p.K <= p.B * p.T);
    }

    // The flat dense kernels: the forward in probability space (dense_prob_step: each step's matrix
    // exponentiated once, flat, and multiplied — no pass over prev + mat for the maxima) and the β
    // step over the whole matrix as one flat array (dense_backward_step, edges written with
    // non-temporal stores); neither spends exponentials on a partial column block. By default above
    // 16 states. Measured (diffhmm_bench, B = 8, L = 3000, 2 threads, forward+backward ms, flat /
    // rows): N = 8 3.28 / 3.25, 12 7.36 / 6.22, 16 7.76 / 7.71, 20 11.7 / 12.5, 32 17.8 / 21.5,
    // 40 27.4 / 31.5, 50 36.6 / 50.9 — up to 16 a row is one or two vectors and the flat forward's
    // extra pass (the column maxima) is not paid back.
    template <class T>
    static bool dense_flat_kernels(const Settings& s, const Problem<T>& p) {
        if (p.form != Form::dense || p.B == 0 || p.T < 2) return false;
        if (s.cpu_dense == Settings::CpuDense::rows) return false;
        if (s.cpu_dense == Settings::CpuDense::flat) return true;
        return p.N > 16;
    }
};

}  // namespace cpu
}  // namespace diffhmm
