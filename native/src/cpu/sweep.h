// sweep.h — the two sweeps every CPU verb is made of:
//   message_sweep: the forward recursion in a semiring (log-sum-exp: forward.cpp, marginals.cpp,
//                  sample.cpp via alpha_sweep; max-plus: viterbi.cpp; k-max-plus: kbest.cpp), each
//                  row handed to a Rows sink (the tape, back-pointers);
//   beta_sweep:    the β recursion from the last step down to 0, handing each step's edge and node
//                  marginals to a Sink (dense gradient, factorized gradients, or node marginals).
// Work is split across the batch (one sequence per task) or, when B < threads and N is large,
// across the states of every step (a fork-join per step); see Plan.
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

// A step's own normaliser. Exactly, Σ_j α_t(j) β_t(j) = Z at every step t; in float32 the scaled
// α and β of a long sequence carry rounding that a single global log Z turns into a drift of
// Σ_j γ_t away from 1 (2e-2 at 10⁶ steps, growing towards t = 0). So each step is normalised by its
// own sum: `raw` receives γ_t under the global log Z (N vectorised exps), and the returned
// log Z_t = log Z + log Σ_j raw[j] replaces log Z for that step's edges and nodes. Each step's
// marginals then sum to 1 (its gradient to g) up to that step's own float rounding.
template <class T>
double step_log_z(const Kernels<T>& k, const T* log_alpha, const T* log_beta, double offset, double log_z, T* raw,
                  int64_t N) {
    k.node_marginals(log_alpha, log_beta, T(offset - log_z), T(1), raw, N);
    const double sum = k.row_sum(raw, N);
    return sum > 0.0 && sum < std::numeric_limits<double>::infinity() ? log_z + std::log(sum) : log_z;
}

// Scales the raw marginals of step_log_z to g · γ_t.
template <class T>
void scale_nodes(T* raw, double log_z, double log_z_t, T g, int64_t N) {
    const double scale = double(g) * std::exp(log_z - log_z_t);
    for (int64_t j = 0; j < N; ++j) raw[j] = T(double(raw[j]) * scale);
}

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

// One β step in probability space (prob.h): log β_raw of step t − 1 from w = log β̂_t + emit_t,
// the rows the product cannot resolve recomputed in log space (backward_rows, edges off), and — when
// `acc` is given — the rank-1 update of the transition gradient: x_i = e^{la_prev(i) + r_i − R} <= 1,
// y_j = scale·e^{w_j − μ}, queued in `pending` (summed in T, kProbBlock steps at a time) while the
// scale keeps y far inside T's range — so no x that the exp flushes could carry a visible edge
// marginal — and added at once in float64 otherwise. `x` is scratch for N + 16 values of T,
// `rows_scratch` backward_rows' scratch. Clears `in_range` if the scale leaves the float64 range.
template <class T>
void prob_beta_step(const Kernels<T>& k, const Problem<T>& p, const ProbRows<T>& rows, int64_t b, int64_t t,
                    const T* w, const T* la_prev, double prev_offset, double log_z_t, T edge_offset, T g, double* acc,
                    T* log_beta_raw, T* x, T* rows_scratch, ProbPending<T>& pending, std::atomic<bool>& in_range) {
    const int64_t N = p.N, m = p.trans_of(b, t);
    T mu = k.row_max(w, N);
    if (mu == minus_inf<T>()) mu = T(0);
    // x first holds w − μ, then exp of it (the kernel reads its input before writing x).
    T* shifted = rows_scratch;  // backward_rows is not running yet: borrow its scratch
    for (int64_t j = 0; j < N; ++j) shifted[j] = w[j] - mu;
    const int flags = k.prob_step(shifted, rows.at + m * N * N, rows.r + m * N, nullptr, log_beta_raw, x, N, 0, N,
                                  rows.tiny, false);
    for (int64_t i = 0; i < N; ++i) log_beta_raw[i] += mu;
    if (flags & 1) {
        const T* mat = p.matrix(b, t);
        for (int64_t i = 0; i < N; ++i) {
            if (!std::isnan(log_beta_raw[i])) continue;
            if (la_prev[i] == minus_inf<T>()) {
                log_beta_raw[i] = minus_inf<T>();  // no path reaches state i at t − 1: its β is never used
            } else {
                k.backward_rows(mat, w, la_prev, edge_offset, g, EdgeOut::none, nullptr, nullptr, log_beta_raw,
                                rows_scratch, N, i, i + 1, nullptr);
            }
        }
    }
    if (acc == nullptr || g == T(0)) return;
    const double R = double(rows.rmax[m]);
    if (R == -std::numeric_limits<double>::infinity()) return;  // no transitions at all: no edges
    const double scale = double(g) * std::exp(prev_offset + double(mu) + R - log_z_t);
    if (!(std::fabs(scale) < 1e300)) {
        in_range.store(false, std::memory_order_relaxed);
        return;
    }
    const T* r = rows.r + m * N;
    if (std::fabs(scale) < 1e20) {
        if (pending.count == kProbChunk) pending.flush(k, N);
        T* xs = pending.x + pending.count * N;
        T* ys = pending.y + pending.count * N;
        k.node_marginals(la_prev, r, T(-R), T(1), xs, N);  // e^{la + r − R}
        const T sc = T(scale);
        for (int64_t j = 0; j < N; ++j) ys[j] = sc * x[j];
        pending.acc[pending.count++] = acc;
        return;
    }
    double* xd = pending.vectors;
    double* yd = pending.vectors + N;
    k.exp_sum_f64(la_prev, r, R, xd, N);
    for (int64_t j = 0; j < N; ++j) yd[j] = scale * double(x[j]);
    if (pending.overlap != nullptr) pending.overlap->drain(k, N);  // chunks handed over come first
    k.outer_accumulate(acc, xd, yd, N);
}

// A dense gradient larger than this is written with non-temporal stores (dense_backward_step):
// beyond the last-level cache share of a core, its lines would be evicted before anyone read them.
constexpr double kStreamBytes = 32.0 * 1024 * 1024;

// Per-slot scratch of the β sweep, in units of T: w, log_beta, log_beta_raw, node (4N), then the
// backward_rows scratch.
inline int64_t beta_scratch_per_slot(int64_t N) { return 4 * N + kRowsScratch(N); }

// The β sweep. Sink must provide:
//   EdgeOut edge_out() const;
//   T* edge_store(b, t);                      // base of the N×N block for step t, or null
//   double* edge_acc(b, t, slot);             // base of the N×N accumulator, or null
//   bool wants_nodes() const;                 // node marginals of steps t >= 1 wanted?
//   void node(b, t, g_gamma, slot);           // g · γ_t (always called for t = 0)
//   void skip(b);                             // length 0 or no finite path: write zeros
//   void finish_sequence(b, L);               // write structural zeros (padding etc.)
//
// Factorized problems run the β step in probability space (prob.h) unless `allow_prob` is false;
// then an accumulating sink's edge_acc receives Σ_t x_t ⊗ y_t with x_t(i) = α_{t−1}(i)·e^{r_i − R},
// y_t(j) = g·e^{emit_t(j)}β_t(j)·e^{R}/Z_t (scaled), and the edge sums are that times the row-shifted
// matrix exp(trans − r) — the caller's last step (prob_edge_sums). Returns false if a scale left the
// float64 range (then nothing it accumulated is usable: rerun with allow_prob = false).
template <class T, class Sink>
bool beta_sweep(diffhmm_workspace& ws, const Problem<T>& p, const AlphaView<T>& alpha,
                const T* grad_log_z, Sink& sink, bool allow_prob = true) {
    const Kernels<T>& k = kernels_for<T>(ws.cpu_isa, p.N);
    Plan plan = Plan::of(ws, p);
    const bool prob = allow_prob && plan.prob;
    if (prob) plan.across_states = false;  // a β row product needs every column: one thread per sequence
    // Dense steps whole on one thread run the flat kernel (dense_backward_step, N >= 16).
    const bool flat = plan.dense_flat && p.N >= 16 && !plan.across_states &&
                      sink.edge_out() != EdgeOut::accumulate;
    // Float32 edges past the caches are streamed (non-temporal stores); a smaller gradient stays
    // cached. Float64 edges are not: measured at B = 8, N = 50, L = 3000 (diffhmm_bench, 2 threads),
    // forward+backward 104 ms streamed against 78 ms with plain stores (float32: 36.6 against 39.0).
    const bool stream = flat && sizeof(T) == 4 && sink.edge_out() == EdgeOut::store &&
                        double(p.B) * double(p.T) * double(p.N * p.N) * sizeof(T) > kStreamBytes;
    const int64_t N = p.N;
    const int64_t per_slot = beta_scratch_per_slot(N) + (prob ? N + 16 + 4 * kProbChunk * N : 0) +
                             (flat ? kDenseBackwardScratch(N) : 0);
    T* scratch = state(ws).scratch.as<T>(size_t(per_slot) * size_t(plan.threads));
    const ProbRows<T> rows = prob ? prepare_rows(k, p, state(ws).prob_rows) : ProbRows<T>{};
    std::vector<ProbPending<T>> pending(prob ? size_t(plan.threads) : 0);
    if (prob) {
        double* vectors = state(ws).prob_scratch.as<double>(size_t(2 * N) * size_t(plan.threads));
        double** targets = state(ws).prob_targets.as<double*>(size_t(kProbChunk) * size_t(plan.threads));
        int64_t* order = state(ws).prob_order.as<int64_t>(size_t(kProbChunk) * size_t(plan.threads));
        const int64_t units = std::min<int64_t>(plan.threads, std::max<int64_t>(1, p.B));
        for (int s = 0; s < plan.threads; ++s) {
            ProbPending<T>& q = pending[size_t(s)];
            T* base = scratch + s * per_slot + beta_scratch_per_slot(N) + N + 16;
            q.x = base;
            q.y = base + kProbChunk * N;
            q.sx = base + 2 * kProbChunk * N;
            q.sy = base + 3 * kProbChunk * N;
            q.vectors = vectors + 2 * N * s;
            q.acc = targets + kProbChunk * s;
            q.order = order + kProbChunk * s;
            // Threads the batch leaves idle help with the sums, when a flush (kProbChunk·N² multiply-adds)
            // outweighs a fork-join.
            q.row_threads = N >= 32 ? int(plan.threads / units) : 1;
        }
    }
    std::atomic<bool> in_range{true};
    auto sequence = [&](int64_t b, int slot) {
        const int64_t L = p.length(b);
        const double log_z = alpha.log_z[b];
        if (L == 0 || log_z == -std::numeric_limits<double>::infinity()) {
            sink.skip(b);
            return;
        }
        const T g = grad_log_z ? grad_log_z[b] : T(1);
        const T* la = alpha.messages(b);
        const double* off = alpha.offsets(b);
        T* mine = scratch + slot * per_slot;
        T* w = mine;
        T* log_beta = mine + N;      // scaled β of step t: max is 0
        T* log_beta_raw = mine + 2 * N;
        T* node_tmp = mine + 3 * N;
        std::fill(log_beta, log_beta + N, T(0));
        double d = 0.0;  // offset of log_beta
        for (int64_t t = L - 1; t >= 1; --t) {
            const T* mat = p.matrix(b, t);
            const T* col = p.column(b, t);
            for (int64_t j = 0; j < N; ++j) w[j] = log_beta[j] + (col ? col[j] : T(0));
            // This step's own normaliser in place of log Z (see step_log_z); node_tmp keeps raw γ_t.
            const double log_z_t = step_log_z(k, la + t * N, log_beta, off[t] + d, log_z, node_tmp, N);
            const T edge_offset = T(off[t - 1] + d - log_z_t);
            T* store = sink.edge_store(b, t);
            double* acc = sink.edge_acc(b, t, slot);  // rows of one step never overlap across chunks
            const EdgeOut edge_out = sink.edge_out();
            if (prob) {
                prob_beta_step(k, p, rows, b, t, w, la + (t - 1) * N, off[t - 1] + d, log_z_t, edge_offset, g,
                               edge_out == EdgeOut::accumulate ? acc : nullptr, log_beta_raw,
                               mine + 4 * N + kRowsScratch(N), mine + 4 * N, pending[size_t(slot)], in_range);
            } else if (flat) {
                // Two steps ahead: a β step computes less per byte than a forward step.
                k.dense_backward_step(mat, w, la + (t - 1) * N, edge_offset, g, store, stream, log_beta_raw,
                                      mine + beta_scratch_per_slot(N), N, t > 1 ? p.matrix(b, t - 1) : nullptr);
            } else {
                // A dense sweep streams its matrices: the next one (step t − 1's) is prefetched.
                const T* next = p.form == Form::dense && t > 1 ? p.matrix(b, t - 1) : nullptr;
                plan.over_states(N, slot, [&](int64_t i0, int64_t i1, int s) {
                    k.backward_rows(mat, w, la + (t - 1) * N, edge_offset, g, edge_out, store, acc,
                                    log_beta_raw, scratch + s * per_slot + 4 * N, N, i0, i1, next);
                });
            }
            if (sink.wants_nodes()) {
                scale_nodes(node_tmp, log_z, log_z_t, g, N);
                sink.node(b, t, node_tmp, slot);
            }
            std::copy(log_beta_raw, log_beta_raw + N, log_beta);
            d += normalize(k, log_beta, N);
        }
        if (stream) k.store_fence();  // the edges' non-temporal stores, before the caller reads them
        const double log_z_0 = step_log_z(k, la, log_beta, off[0] + d, log_z, node_tmp, N);
        scale_nodes(node_tmp, log_z, log_z_0, g, N);
        sink.node(b, 0, node_tmp, slot);
        sink.finish_sequence(b, L);
    };
    // One sequence with transition gradients: its chunks of rank-1 updates are summed on a second
    // core while the sweep goes on (ProbOverlap; slot 1's arrays are the second set).
    if (prob && p.B == 1 && plan.threads >= 2 && sink.edge_out() == EdgeOut::accumulate) {
        ProbOverlap<T> overlap;
        ProbPending<T>& front = pending[0];
        ProbPending<T>& spare = pending[1];
        overlap.chunks[1].take_arrays(spare);  // "chunk −1": the free set
        front.row_threads = 1;
        front.overlap = &overlap;
        parallel_for(2, 2, [&](int64_t task, int) {
            if (task == 1) {
                overlap.serve(k, N);
                return;
            }
            struct Done {  // however the sweep ends, the flusher stops once everything is summed
                ProbOverlap<T>& o;
                ~Done() { o.done.store(true, std::memory_order_release); }
            } done{overlap};
            sequence(0, 0);
            overlap.hand_over(front, k, N);
            overlap.drain(k, N);
        });
        front.overlap = nullptr;
        return in_range.load();
    }
    plan.over_batch(p.B, sequence);
    for (ProbPending<T>& q : pending) q.flush(k, N);
    return in_range.load();
}

// Turns the accumulators of a probability-space β sweep into edge sums in place:
// sum[k][i][j] *= exp(trans[k][i][j] − r[k][i]) in float64 (0 where the row is all −inf).
template <class T>
void prob_edge_sums(diffhmm_workspace& ws, const Problem<T>& p, double* sums) {
    const Kernels<T>& k = kernels_for<T>(ws.cpu_isa, p.N);
    const int64_t N = p.N;
    T* zeros = state(ws).scratch.as<T>(size_t(N));
    for (int64_t j = 0; j < N; ++j) zeros[j] = T(0);
    double* factor = state(ws).prob_scratch.as<double>(size_t(N));
    for (int64_t m = 0; m < p.K; ++m) {
        const T* trans = p.trans + m * N * N;
        double* s = sums + m * N * N;
        for (int64_t i = 0; i < N; ++i) {
            const T r = k.row_max(trans + i * N, N);
            if (r == minus_inf<T>()) {
                for (int64_t j = 0; j < N; ++j) s[i * N + j] = 0.0;
                continue;
            }
            k.exp_sum_f64(trans + i * N, zeros, double(r), factor, N);
            for (int64_t j = 0; j < N; ++j) s[i * N + j] *= factor[j];
        }
    }
}

}  // namespace cpu
}  // namespace diffhmm
