// sweep.h — the message sweep every CPU verb's forward is made of: message_sweep, the forward
// recursion in a semiring (log-sum-exp: forward.cpp, marginals.cpp, sample.cpp via alpha_sweep;
// max-plus: viterbi.cpp; k-max-plus: kbest.cpp), each row handed to a Rows sink (the tape,
// back-pointers). The β sweep is beta_sweep.h. Work is split across the batch (one sequence per
// task) or, when B < threads and N is large, across the states of every step (a fork-join per step);
// see cpu/plan.h.
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

template <class T>
constexpr T minus_inf() { return -std::numeric_limits<T>::infinity(); }

// Subtracts the row maximum (if finite) and returns it (0 if the row is all -inf).
template <class T>
double normalize(const Kernels<T>& k, T* v, int64_t N) {
    const T m = k.row_max(v, N);
    if (m == minus_inf<T>()) return 0.0;
    for (int64_t j = 0; j < N; ++j) v[j] -= m;
    return double(m);
}

template <class T>
bool invalid_value(T v) { return !(v < std::numeric_limits<T>::infinity()); }

// Scores of step 0 into out[N] (init row + emission); true if a NaN/+inf was seen (when checked).
template <class T>
bool initial_scores(const Problem<T>& p, int64_t b, T* out) {
    const T* row = p.initial_row(b);
    const T* col = p.initial_col(b);
    bool bad = false;
    for (int64_t j = 0; j < p.N; ++j) {
        const T c = col ? col[j] : T(0);
        if (p.check_values) bad |= invalid_value(row[j]) || invalid_value(c);
        out[j] = row[j] + c;
    }
    return bad;
}

// The message sweep, written once: initial scores, then one step kernel per time step, every row
// re-centred on its maximum (offset kept in float64, so float32 messages keep full relative precision
// at any length). It is parameterised by
//   a semiring SR — initial(p, b, row) writes step 0's row and says whether a NaN/+inf was read;
//     step(k, prev, mat, col, out, extra, N, j0, j1, check, slot) does one step for columns [j0, j1)
//     (slot: the running thread's, in [0, Plan::threads), for per-slot scratch);
//     width(N) is the length of a row (N, or N·k for the k-best semiring);
//   a Rows sink — where rows live and what happens at the end: row(b, t, slot), extra(b, t) (the
//     step's back-pointers or nullptr), offset(b, t, value), empty(b) for length 0, and
//     finish(b, L, last_row, offset).
// Forward (LogSumExp into the tape), Viterbi (MaxPlus with back-pointers) and k-best Viterbi
// (KMaxPlus, kbest.cpp) are instantiations. Throws INVALID_VALUE (naming the index) if a NaN/+inf
// was read and p.check_values is set.
template <class T, class SR, class Rows>
void message_sweep(const diffhmm_workspace& ws, const Problem<T>& p, const SR& sr, Rows& rows) {
    const Kernels<T>& k = kernels_for<T>(ws.cpu_isa, p.N);
    const Plan plan = Plan::of(ws, p);
    const int64_t N = p.N, width = sr.width(N);
    std::atomic<bool> bad{false};
    plan.over_batch(p.B, [&](int64_t b, int slot) {
        const int64_t L = p.length(b);
        if (L == 0) {
            rows.empty(b);
            return;
        }
        T* cur = rows.row(b, 0, slot);
        const bool seen_bad = sr.initial(p, b, cur);
        double offset = normalize(k, cur, width);
        rows.offset(b, 0, offset);
        for (int64_t t = 1; t < L; ++t) {
            const T* prev = cur;
            cur = rows.row(b, t, slot);
            const T* mat = p.matrix(b, t);
            const T* col = p.column(b, t);
            auto extra = rows.extra(b, t);
            plan.over_states(N, slot, [&](int64_t j0, int64_t j1, int s) {
                if (sr.step(k, prev, mat, col, cur, extra, N, j0, j1, p.check_values, s))
                    bad.store(true, std::memory_order_relaxed);
            });
            offset += normalize(k, cur, width);
            rows.offset(b, t, offset);
        }
        rows.finish(b, L, cur, offset);
        if (seen_bad) bad.store(true, std::memory_order_relaxed);
    });
    if (bad.load()) {
        const std::string message = find_invalid_value(p);
        fail(message.empty() ? DIFFHMM_ERROR_INTERNAL : DIFFHMM_ERROR_INVALID_VALUE,
             message.empty() ? "a step kernel flagged a NaN/+inf the value scan cannot find" : message);
    }
}

// The log-sum-exp semiring of the forward.
struct LogSumExpSweep {
    static int64_t width(int64_t N) { return N; }
    template <class T>
    bool initial(const Problem<T>& p, int64_t b, T* row) const { return initial_scores(p, b, row); }
    template <class T>
    bool step(const Kernels<T>& k, const T* prev, const T* mat, const T* col, T* out, std::nullptr_t, int64_t N,
              int64_t j0, int64_t j1, bool check, int) const {
        return k.forward_step(prev, mat, col, out, N, j0, j1, check);
    }
};

// The log-sum-exp semiring in probability space, for factorized problems (prob.h): a step is the
// product of the previous row (out of log space) with the step's column-shifted matrix; columns the
// product cannot resolve are computed by the log-space step kernel, one column at a time.
template <class T>
struct ProbSweep {
    const Problem<T>& p;
    ProbCols<T> cols;
    T* scratch;  // N + 16 values per slot (step_scratch)

    static int64_t scratch_per_slot(int64_t N) { return N + 16; }
    static int64_t width(int64_t N) { return N; }
    bool initial(const Problem<T>& q, int64_t b, T* row) const { return initial_scores(q, b, row) || cols.bad; }
    bool step(const Kernels<T>& k, const T* prev, const T* mat, const T* col, T* out, std::nullptr_t, int64_t N,
              int64_t j0, int64_t j1, bool check, int slot) const {
        const int64_t m = (mat - p.trans) / (N * N);
        const int flags = k.prob_step(prev, cols.a + m * N * N, cols.c + m * N, col, out,
                                      scratch + slot * scratch_per_slot(N), N, j0, j1, cols.tiny, check);
        if (flags & 1)
            for (int64_t j = j0; j < j1; ++j)
                if (std::isnan(out[j])) k.forward_step(prev, mat, col, out, N, j, j + 1, false);
        return (flags & 2) != 0;
    }
};

// The log-sum-exp semiring in probability space for dense problems (dense_prob_step, prob.h): each
// step's matrix exponentiated once with its column maxima as shifts, then multiplied; columns the
// product cannot resolve are computed by the log-space step kernel, one column at a time. A step
// split across threads by columns (Plan::across_states) runs the log-space kernel on its columns.
template <class T>
struct DenseProbSweep {
    const Problem<T>& p;
    T tiny;
    T* scratch;  // kDenseProbScratch(N) values per slot (step_scratch)

    static int64_t scratch_per_slot(int64_t N) { return kDenseProbScratch(N); }
    static int64_t width(int64_t N) { return N; }
    bool initial(const Problem<T>& q, int64_t b, T* row) const { return initial_scores(q, b, row); }
    bool step(const Kernels<T>& k, const T* prev, const T* mat, const T* col, T* out, std::nullptr_t, int64_t N,
              int64_t j0, int64_t j1, bool check, int slot) const {
        if (j0 != 0 || j1 != N) return k.forward_step(prev, mat, col, out, N, j0, j1, check);
        // The next matrix in memory is the next step's (or the next sequence's first): prefetched.
        const T* end = p.potential + p.B * p.T * N * N;
        const int flags = k.dense_prob_step(prev, mat, col, out, scratch + slot * scratch_per_slot(N), N, tiny,
                                            check, mat + 2 * N * N <= end ? mat + N * N : nullptr);
        if (flags & 1)
            for (int64_t j = 0; j < N; ++j)
                if (std::isnan(out[j])) k.forward_step(prev, mat, col, out, N, j, j + 1, false);
        return (flags & 2) != 0;
    }
};

// The max-plus semiring of Viterbi, with back-pointers (the lowest maximising i).
struct MaxPlusSweep {
    static int64_t width(int64_t N) { return N; }
    template <class T>
    bool initial(const Problem<T>& p, int64_t b, T* row) const { return initial_scores(p, b, row); }
    template <class T>
    bool step(const Kernels<T>& k, const T* prev, const T* mat, const T* col, T* out, int32_t* back, int64_t N,
              int64_t j0, int64_t j1, bool check, int) const {
        return k.viterbi_step(prev, mat, col, out, back, N, j0, j1, check);
    }
};

// The rows of an AlphaStore: [B][S][N] messages and [B][S] offsets, S = the longest sequence (not
// T: workspace memory follows the lengths, not the padding).
template <class T>
struct AlphaView {
    T* log_alpha;    // [B][S][N] scaled
    double* offset;  // [B][S]
    double* log_z;   // [B]
    int64_t S;       // steps per sequence
    int64_t N;

    T* messages(int64_t b) const { return log_alpha + b * S * N; }
    double* offsets(int64_t b) const { return offset + b * S; }
};

template <class T>
AlphaView<T> alpha_view(AlphaStore& store, const Problem<T>& p) {
    const int64_t S = p.max_length();
    const size_t bs = size_t(std::max<int64_t>(1, p.B * S));
    return {store.log_alpha.as<T>(bs * size_t(p.N)), store.offset.as<double>(bs),
            store.log_z.as<double>(size_t(std::max<int64_t>(1, p.B))), S, p.N};
}

// Forward messages of every sequence into an AlphaStore, and log Z.
template <class T>
void alpha_sweep(diffhmm_workspace& ws, const Problem<T>& p, const AlphaView<T>& out) {
    struct Rows {
        const Problem<T>& p;
        const AlphaView<T>& out;
        T* row(int64_t b, int64_t t, int) const { return out.messages(b) + t * p.N; }
        std::nullptr_t extra(int64_t, int64_t) const { return nullptr; }
        void offset(int64_t b, int64_t t, double value) const { out.offsets(b)[t] = value; }
        void empty(int64_t b) const { out.log_z[b] = 0.0; }
        void finish(int64_t b, int64_t L, const T* last, double offset) const {
            double sum = 0.0;
            for (int64_t j = 0; j < p.N; ++j) sum += std::exp(double(last[j]));
            out.log_z[b] = sum > 0.0 ? offset + std::log(sum) : -std::numeric_limits<double>::infinity();
            (void)L;
        }
    } rows{p, out};
    const Plan plan = Plan::of(ws, p);
    // Per-slot scratch of the probability-space steps, from the workspace (no allocation per call).
    const auto step_scratch = [&](int64_t per_slot) {
        return state(ws).step_scratch.as<T>(size_t(per_slot) * size_t(plan.threads));
    };
    if (plan.prob) {
        const ProbCols<T> cols = prepare_cols(kernels_for<T>(ws.cpu_isa, p.N), p, state(ws).prob_cols);
        message_sweep(ws, p, ProbSweep<T>{p, cols, step_scratch(ProbSweep<T>::scratch_per_slot(p.N))}, rows);
    } else if (plan.dense_flat) {
        message_sweep(ws, p,
                      DenseProbSweep<T>{p, prob_tiny<T>(p.N), step_scratch(DenseProbSweep<T>::scratch_per_slot(p.N))},
                      rows);
    } else {
        message_sweep(ws, p, LogSumExpSweep{}, rows);
    }
}

}  // namespace cpu
}  // namespace diffhmm
