// beta_sweep.h — the β sweep every CPU verb's backward is made of: the β recursion from the last
// step down to 0, handing each step's edge and node marginals to a Sink (dense gradient, factorized
// gradients, or node marginals), in log space or — for factorized problems — probability space with
// rank-1 updates of the transition gradient (pending.h).
#pragma once

#include "cpu/pending.h"
#include "cpu/sweep.h"

namespace diffhmm {
namespace cpu {

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
