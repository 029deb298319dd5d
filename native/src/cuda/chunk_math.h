// chunk_math.h — the arithmetic of the chunked scan (docs/cuda.md §4), written once for the CUDA
// kernels (chunked.cuh, pipelined.cuh) and for the host tests that check it against a float64
// recursion without a GPU (native/tests/chunk_test.cpp).
//
// A sequence's transitions t = 1 .. L−1 are cut into C chunks. Chunk c's transfer is the product of
// its step matrices, kept in log space one row at a time: row r is the forward message of the chunk
// started from state r alone, stored re-centred (maximum 0) with a float64 row offset. Rows advance
// exactly as the CPU's probability-space forward does (cpu/prob.h): each step matrix is shifted by its
// column maxima and exponentiated once for all rows, a row's entries are exponentiated once, the
// product of the two gives every new entry as log(sum) + shift, and an entry whose sum falls below
// `tiny` (where flushed terms could matter) is recomputed exactly as a log-sum-exp. The same transfer
// carries α across a chunk (α_end = α_start · M) and β back across it (β_start = M · β_end).
#pragma once

#include <float.h>
#include <math.h>
#include <stdint.h>

#include "core/problem.h"  // DIFFHMM_HD
#include "core/semiring.h"

namespace diffhmm {
namespace cuda {
namespace chunk {

// The log-sum-exp arithmetic itself is core/semiring.h's.
using semiring::neg_inf;
using semiring::exp_t;
using semiring::log_t;
using semiring::exp2_t;
using semiring::log2_t;
using semiring::BaseE;
using semiring::Base2;
using semiring::lse_push;
using semiring::lse_merge;
using semiring::lse_value;

// A sum of N exponentials below this is recomputed in log space: N flushed terms of at most the
// smallest normal value each stay below 2^-digits of it (cpu/prob.h: prob_tiny).
template <class T>
DIFFHMM_HD inline T tiny(int64_t N) {
    return sizeof(T) == 4 ? T(double(N) * double(FLT_MIN) * 16777216.0)            // 2^24
                          : T(double(N) * DBL_MIN * 9007199254740992.0);           // 2^53
}

// Base 2 as the pipelined α kernel runs it (pipelined.cuh): its values are log2 of the messages, a
// score entering as one FMA (x·log2 e + the source's value), each term one exp2 (on the GPU the ex2
// instruction itself, no range reduction around it).
constexpr double kLog2e = 1.4426950408889634;

// Chunk c of a sequence of length L covers the transitions t ∈ [first, end): S = ⌈(L − 1)/C⌉ steps
// each, first = 1 + c·S, end = min(L, first + S); a chunk with first ≥ L is empty. Chunk 0 also owns
// step 0 (the initial scores), and the chunk whose end is L (chunk 0 when L ≤ 1) owns log Z.
struct Span {
    int64_t first, end;
    DIFFHMM_HD bool empty() const { return first >= end; }
};

DIFFHMM_HD inline Span span(int64_t L, int64_t chunks, int64_t c) {
    const int64_t steps = L > 1 ? (L - 1 + chunks - 1) / chunks : 0;
    const int64_t first = 1 + c * steps;
    const int64_t end = first + steps < L ? first + steps : L;
    return {first, end > first ? end : first};
}

DIFFHMM_HD inline int64_t last_chunk(int64_t L, int64_t chunks) {
    if (L <= 1) return 0;
    const int64_t steps = (L - 1 + chunks - 1) / chunks;
    return (L - 2) / steps;
}

// Column j's shift of a step: max_k (m[k][j] + col_j), −inf for a column of −inf.
template <class T>
DIFFHMM_HD inline T column_shift(const T* m, int64_t stride, T col, int64_t N, int64_t j) {
    T best = neg_inf<T>();
    for (int64_t k = 0; k < N; ++k) best = fmax(best, m[k * stride + j] + col);
    return best;
}

// The exact value of a transfer entry: log Σ_k exp(lr[k] + m[k][j] + col_j) over the row's old
// log entries lr (stride 1) and the step matrix m (row stride `stride`).
template <class T>
DIFFHMM_HD inline T exact_entry(const T* lr, const T* m, int64_t stride, T col, int64_t N, int64_t j) {
    T mx = neg_inf<T>(), s = T(0);
    for (int64_t k = 0; k < N; ++k) lse_push(mx, s, lr[k] + m[k * stride + j] + col);
    return lse_value(mx, s);
}

// A transfer entry from its probability-space sum Σ_k exp(lr[k])·exp(m[k][j] + col_j − shift):
// log(sum) + shift where the sum is large enough that flushed terms cannot matter, −inf for a
// column with no finite score, else exact() (the log-space recomputation). `fell_back`, when not
// null, counts the recomputations (the tests use it to show they happen).
template <class T, class Exact>
DIFFHMM_HD inline T finish_entry(T sum, T shift, T tiny_sum, Exact exact, int* fell_back = nullptr) {
    if (sum >= tiny_sum) return log_t(sum) + shift;
    if (!(shift > neg_inf<T>())) return neg_inf<T>();
    if (fell_back != nullptr) ++*fell_back;
    return exact();
}

// α across a chunk, one destination j: log Σ_r exp(w[r] + lr_r[j]) with w[r] = a[r] + a_offset +
// row_offset[r] − base in T (the caller subtracts the float64 base — the largest a[r] + a_offset +
// row_offset[r] — once per row, so large offsets lose no precision). `lr` is the transfer [N][N].
template <class T>
DIFFHMM_HD inline T alpha_across(const T* w, const T* lr, int64_t N, int64_t j, int64_t r_begin = 0,
                                 int64_t r_stride = 1) {
    T m = neg_inf<T>(), s = T(0);
    for (int64_t r = r_begin; r < N; r += r_stride) lse_push(m, s, w[r] + lr[r * N + j]);
    return lse_value(m, s);
}

// β back across a chunk, one source r: log Σ_j exp(lr_r[j] + beta[j]) (add row_offset[r] and β's
// offset in float64 afterwards).
template <class T>
DIFFHMM_HD inline T beta_across(const T* beta, const T* lr, int64_t N, int64_t r, int64_t j_begin = 0,
                                int64_t j_stride = 1) {
    T m = neg_inf<T>(), s = T(0);
    for (int64_t j = j_begin; j < N; j += j_stride) lse_push(m, s, lr[r * N + j] + beta[j]);
    return lse_value(m, s);
}

}  // namespace chunk
}  // namespace cuda
}  // namespace diffhmm
