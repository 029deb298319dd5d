// step_kernels.h — the inner loops of the CPU backend: one time step of the forward / Viterbi
// recursion over a range of destination states j, and one step of the β sweep over a range of
// source states i. They are compiled once per instruction set (step_kernels_{generic,avx2,avx512}
// .cpp) and picked at run time by kernels(isa); the drivers (forward.cpp, backward.cpp, ...) own
// the loops over sequences and steps. All values are log scores except where noted; see
// docs/formulas.md §3 for the scaled recursions these implement.
#pragma once

#include <cstdint>

namespace diffhmm {
namespace cpu {

enum class EdgeOut { none, store, accumulate };

template <class T>
struct Kernels {
    // out[j] = col[j] + logsumexp_i(prev[i] + mat[i*N + j]) for j in [j0, j1); col may be null.
    // Returns true if a NaN/+inf was met in mat or col (only when check is set).
    bool (*forward_step)(const T* prev, const T* mat, const T* col, T* out, int64_t N, int64_t j0,
                         int64_t j1, bool check);

    // out[j] = col[j] + max_i(prev[i] + mat[i*N + j]); back[j] = the lowest maximising i.
    bool (*viterbi_step)(const T* prev, const T* mat, const T* col, T* out, int32_t* back,
                         int64_t N, int64_t j0, int64_t j1, bool check);

    // One β step for source rows i in [i0, i1), with v[i][j] = mat[i*N + j] + w[j]:
    //   log_beta_raw[i] = logsumexp_j v[i][j]
    //   edge[i][j]      = g · exp(log_alpha_prev[i] + v[i][j] + offset)   (the edge marginal × g)
    // written according to `out`: stored into edge_store[i*N + j], added into edge_acc[i*N + j]
    // (float64), or not at all. scratch holds kRowsScratch(i1 - i0) values.
    // `next` (may be null): the matrix the sweep reads next, whose rows [i0, i1) are prefetched.
    void (*backward_rows)(const T* mat, const T* w, const T* log_alpha_prev, T offset, T g,
                          EdgeOut out, T* edge_store, double* edge_acc, T* log_beta_raw,
                          T* scratch, int64_t N, int64_t i0, int64_t i1, const T* next);

    // out[j] = g · exp(log_alpha[j] + log_beta[j] + offset), j in [0, N).
    void (*node_marginals)(const T* log_alpha, const T* log_beta, T offset, T g, T* out, int64_t N);

    // One step in probability space, for factorized problems (sweep.h, ProbStep): with
    // x[i] = exp(prev[i]) for i in [0, N) (prev is a shifted log row, max <= 0, so x <= 1) and a
    // matrix a[i*N + j] = exp(score[i][j] − c[j]) whose columns are shifted by their maxima c[j]
    // (so a <= 1), for j in [j0, j1):
    //   s_j = Σ_i x[i]·a[i*N + j],   out[j] = log s_j + c[j] + col[j]   (col may be null).
    // A matrix-vector product (N² multiply-adds) in place of N² exponentials. When s_j < tiny — where
    // terms dropped by the exp's underflow could matter — and c[j] + col[j] > −inf, out[j] is left
    // NaN for the caller to compute exactly in log space. x receives the N values exp(prev) (padded
    // scratch of N + 16). Returns bit 0 if any column was left NaN, bit 1 if col held a NaN/+inf
    // (only when check is set).
    int (*prob_step)(const T* prev, const T* a, const T* c, const T* col, T* out, T* x, int64_t N, int64_t j0,
                     int64_t j1, T tiny, bool check);

    // prob_step for one step of a dense problem, whose matrix changes every step: the matrix is first
    // exponentiated with its column maxima c[j] = max_i mat[i*N + j] as shifts (one exp per entry,
    // the same count as the log-space step's second pass, and no first pass over prev + mat), then
    // multiplied as prob_step does, for all columns [0, N). Columns left NaN (bit 0) are for the
    // caller to compute in log space, exactly as after prob_step; bit 1: mat or col held a NaN/+inf
    // (only when check is set). scratch holds kDenseProbScratch(N) values. `next` (may be null): the
    // matrix of the sweep's next step, prefetched while this one computes — a dense sweep streams its
    // matrices from memory, and one thread's loads alone leave it waiting on them.
    int (*dense_prob_step)(const T* prev, const T* mat, const T* col, T* out, T* scratch, int64_t N, T tiny,
                           bool check, const T* next);

    // backward_rows for every row of a dense step with N >= 16 (at least one vector per row), edges
    // stored (edge_store) or not (null): the same results, with the N² exponentials run over the
    // matrix as one flat array (none spent on a partial column block) and the row sums taken on the
    // way. With `stream` the edges are written with non-temporal stores (for gradients larger than
    // the caches) — call store_fence() before another thread reads them. scratch holds
    // kDenseBackwardScratch(N) values; `next` (may be null) is prefetched.
    void (*dense_backward_step)(const T* mat, const T* w, const T* log_alpha_prev, T offset, T g, T* edge_store,
                                bool stream, T* log_beta_raw, T* scratch, int64_t N, const T* next);

    // Makes the non-temporal stores issued so far visible before any later store (x86: sfence).
    void (*store_fence)();

    // acc[i*N + j] += x[i]·y[j] in float64 for rows i in [0, N) with x[i] != 0 (a rank-1 update).
    void (*outer_accumulate)(double* acc, const double* x, const double* y, int64_t N);

    // acc[i*N + j] += Σ_{s < S} x[s*N + i]·y[s*N + j] for rows i in [i0, i1): S rank-1 updates summed
    // in T (registers), then added to the float64 accumulator once — S times less accumulator
    // traffic. Rows i whose x is 0 in all S are skipped.
    void (*outer_block)(double* acc, const T* x, const T* y, int64_t S, int64_t N, int64_t i0, int64_t i1);

    // max_i v[i] over [0, n) (−inf for an empty or all −inf row), and Σ_i v[i] accumulated in float64:
    // the per-step reductions of the sweeps, vectorised (a scalar float reduction cannot be).
    T (*row_max)(const T* v, int64_t n);
    double (*row_sum)(const T* v, int64_t n);

    // out[i] = exp(a[i] + b[i] − shift) in float64 for i in [0, N) (0 where a or b is −inf).
    void (*exp_sum_f64)(const T* a, const T* b, double shift, double* out, int64_t N);

    // out[i] = exp(in[i]) in float64; and out[i] = T(log(in[i])) for in[i] >= 0 (log 0 = −inf): the
    // small-state path's bulk conversions (tiny.cpp), n values at a time.
    void (*exp_f64)(const double* in, double* out, int64_t n);
    void (*log_from_f64)(const double* in, T* out, int64_t n);
};

// Scratch backward_rows needs for `rows` rows: two arrays padded to the widest vector (16 lanes).
constexpr int64_t kRowsScratch(int64_t rows) { return 2 * (rows + 16); }

// Scratch dense_prob_step needs: the exponentiated matrix, the column maxima, exp(prev) and a shift
// pattern of lcm(N, W) <= 16·N values, each padded to the widest vector.
constexpr int64_t kDenseProbScratch(int64_t N) { return N * N + 16 + 2 * (N + 16) + 16 * N + 16; }

// Scratch dense_backward_step needs: the pattern of w (lcm(N, W) <= 16·N values), the row shifts and
// sums, each padded to the widest vector.
constexpr int64_t kDenseBackwardScratch(int64_t N) { return 16 * N + 16 + 2 * (N + 16) + 16; }

template <class T>
const Kernels<T>& kernels(int isa);

// The kernels for a problem with N states: the widest instruction set up to `isa` whose vectors are
// no wider than N, so a step is whole vectors (at N = 8 in float32, AVX2's 8 lanes instead of
// AVX-512's 16, half of them masked: 4x faster); below the narrowest width, the generic kernels.
template <class T>
const Kernels<T>& kernels_for(int isa, int64_t N);

// The widest diffhmm_cpu_isa this CPU supports.
int detect_isa();

}  // namespace cpu
}  // namespace diffhmm
