// prob.h — the factorized form in probability space. A factorized step's scores are
// trans[k][i][j] + emit[b][t][j], so a forward step is
//   α_t(j) = e^{emit_t(j)} · Σ_i α_{t−1}(i) · e^{trans[i][j]}
// — a matrix-vector product with one matrix per k, computed once per call, in place of N²
// exponentials per step: N exps (the previous row out of log space), N² multiply-adds, N logs.
// The β step is the same product with the transposed matrix; the transition gradient becomes a
// rank-1 update per step (Σ_t α_{t−1} ⊗ e^{emit_t}β_t, times e^{trans} once at the end).
//
// Exactness: matrices are shifted by their column (forward) or row (β) maxima so every entry is
// <= 1, and rows come out of log space shifted by their maxima (<= 1), so nothing overflows. A
// column sum below `tiny` — where terms the exp flushed to zero (< 1e-38 in float32, each at most
// one N-th of that sum's 2^-24) could matter — is recomputed exactly in log space by the step
// kernels of the log path, so no mass is ever dropped silently; −inf structure stays exact (a −inf
// score is a zero entry). DIFFHMM_CPU_FACTORIZED=log / =prob forces either path (tests cover both).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/buffer.h"
#include "core/problem.h"
#include "cpu/step_kernels.h"

namespace diffhmm {
namespace cpu {

// A column sum below this is recomputed in log space: N flushed terms of at most the smallest
// normal value each stay below 2^-digits of it.
template <class T>
T prob_tiny(int64_t N) {
    return T(double(N) * double(std::numeric_limits<T>::min()) * std::ldexp(1.0, std::numeric_limits<T>::digits));
}

// Column-shifted matrices of the forward: a[k][i][j] = exp(trans[k][i][j] − c[k][j]),
// c[k][j] = max_i trans[k][i][j] (a column of −inf: c = −inf, a = 0).
template <class T>
struct ProbCols {
    const T* a = nullptr;
    const T* c = nullptr;
    T tiny = 0;
    bool bad = false;  // trans held a NaN/+inf (checked only when the problem asks)
};

template <class T>
ProbCols<T> prepare_cols(const Kernels<T>& kern, const Problem<T>& p, Buffer& buffer) {
    const int64_t N = p.N, NN = N * N;
    T* a = buffer.as<T>(size_t(p.K * (NN + N) + N));
    T* c = a + p.K * NN;
    T* shift = c + p.K * N;  // −c, or 0 for a column of −inf (whose entries are all exp(−inf) = 0)
    const T ninf = -std::numeric_limits<T>::infinity();
    ProbCols<T> out;
    for (int64_t k = 0; k < p.K; ++k) {
        const T* m = p.trans + k * NN;
        T* ck = c + k * N;
        for (int64_t j = 0; j < N; ++j) ck[j] = ninf;
        for (int64_t i = 0; i < N; ++i)
            for (int64_t j = 0; j < N; ++j) ck[j] = m[i * N + j] > ck[j] ? m[i * N + j] : ck[j];
        if (p.check_values)
            for (int64_t e = 0; e < NN; ++e) out.bad |= !(m[e] < std::numeric_limits<T>::infinity());
        for (int64_t j = 0; j < N; ++j) shift[j] = ck[j] == ninf ? T(0) : -ck[j];
        for (int64_t i = 0; i < N; ++i) kern.node_marginals(m + i * N, shift, T(0), T(1), a + k * NN + i * N, N);
    }
    out.a = a;
    out.c = c;
    out.tiny = prob_tiny<T>(N);
    return out;
}

// Row-shifted, transposed matrices of the β sweep: at[k][j][i] = exp(trans[k][i][j] − r[k][i]),
// r[k][i] = max_j trans[k][i][j], rmax[k] = max_i r[k][i] (rows of −inf: r = −inf, at = 0).
template <class T>
struct ProbRows {
    const T* at = nullptr;
    const T* r = nullptr;
    const T* rmax = nullptr;
    T tiny = 0;
};

template <class T>
ProbRows<T> prepare_rows(const Kernels<T>& kern, const Problem<T>& p, Buffer& buffer) {
    const int64_t N = p.N, NN = N * N;
    T* at = buffer.as<T>(size_t(p.K * (NN + N + 1) + 2 * N));
    T* r = at + p.K * NN;
    T* rmax = r + p.K * N;
    T* zeros = rmax + p.K;
    T* row = zeros + N;
    for (int64_t j = 0; j < N; ++j) zeros[j] = T(0);
    const T ninf = -std::numeric_limits<T>::infinity();
    for (int64_t k = 0; k < p.K; ++k) {
        const T* m = p.trans + k * NN;
        T* rk = r + k * N;
        T* atk = at + k * NN;
        rmax[k] = ninf;
        for (int64_t i = 0; i < N; ++i) {
            rk[i] = kern.row_max(m + i * N, N);
            rmax[k] = rk[i] > rmax[k] ? rk[i] : rmax[k];
            if (rk[i] == ninf) {
                for (int64_t j = 0; j < N; ++j) atk[j * N + i] = T(0);
                continue;
            }
            kern.node_marginals(m + i * N, zeros, -rk[i], T(1), row, N);
            for (int64_t j = 0; j < N; ++j) atk[j * N + i] = row[j];
        }
    }
    ProbRows<T> out;
    out.at = at;
    out.r = r;
    out.rmax = rmax;
    out.tiny = prob_tiny<T>(N);
    return out;
}

}  // namespace cpu
}  // namespace diffhmm
