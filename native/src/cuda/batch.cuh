// batch.cuh — the α sweep for large batches (B ≫ SMs: the neural-HMM training shape, B = 1024,
// N = 64): several sequences per CTA, N a compile-time parameter (NS = 16, 32, 64, 128 covering
// N ≤ NS), so the loop over source states unrolls and many CTAs per SM keep many loads in flight.
// Thread (s, j) of the CTA owns state j of its sequence s; per step it makes one pass over the N
// sources with an online log-sum-exp (each step-matrix element read once — the sequential kernel
// reads it twice), adds its emission (loaded a step ahead), and the step's maximum is reduced among
// the sequence's threads: by shuffles within a warp where NS ≤ 32, through shared slots beyond.
// The factorized form keeps the transition matrices in shared memory when they fit (loaded once per
// CTA), the dense form reads each step's matrix coalesced from global memory. As in the pipelined
// kernel, the re-centring is one step late, so a step needs one barrier: raw values go to a
// double-buffered row and the shift is subtracted by whoever reads them. Same tape as alpha_kernel.
#pragma once

#include "cuda/chunk_math.h"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

constexpr int kBatchThreads = 256;

// Maximum over the NS threads of one sequence: a segmented butterfly within the warp (NS ≤ 32), or
// warp maxima into `slots` [S][NS/32] then — after the caller's barrier — read back by
// sequence_max_read.
template <class T, int NS>
__device__ __forceinline__ T segment_max(T v) {
    for (int o = (NS < 32 ? NS : 32) / 2; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Dynamic shared memory: the transition matrices [K][N][N] when `trans_in_shared` (factorized).
template <class T, int NS>
__global__ void __launch_bounds__(kBatchThreads) alpha_batch_kernel(Problem<T> p, Tape<T> tape, int* bad,
                                                                     bool trans_in_shared) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    constexpr int S = kBatchThreads / NS;          // sequences per CTA
    constexpr int WARPS = NS < 32 ? 1 : NS / 32;   // warps per sequence
    __shared__ T rows[2][S][NS];                   // raw α of steps t − 1 and t
    __shared__ T slots[2][S][WARPS];               // warp maxima of a step (NS > 32)
    __shared__ int64_t longest;
    const int s = threadIdx.x / NS, j = threadIdx.x % NS, lane = threadIdx.x & 31;
    const int64_t N = p.N, b = int64_t(blockIdx.x) * S + s;
    const bool in_batch = b < p.B;
    const int64_t L = in_batch ? p.length(b) : 0;
    const bool state = j < N;
    const bool factorized = p.form == Form::factorized;
    const T* shared_trans = reinterpret_cast<const T*>(shared_raw);
    if (trans_in_shared) {
        T* dst = reinterpret_cast<T*>(shared_raw);
        for (int64_t e = threadIdx.x; e < p.K * N * N; e += blockDim.x) dst[e] = p.trans[e];
    }
    if (threadIdx.x == 0) longest = 0;
    __syncthreads();
    if (j == 0 && L > 0) atomicMax(reinterpret_cast<unsigned long long*>(&longest), (unsigned long long)(L));
    __syncthreads();
    const int64_t steps = longest;
    if (in_batch && L == 0 && j == 0) tape.log_z[b] = 0.0;
    T* la = in_batch ? tape.log_alpha + b * p.T * N : nullptr;
    double* off = in_batch ? tape.offset + b * p.T : nullptr;
    bool seen_bad = false;

    // Step 0: the initial scores (raw; their maximum is the first shift).
    T raw = chunk::neg_inf<T>();
    if (state && L > 0) {
        const T* row = p.initial_row(b);
        const T* col = p.initial_col(b);
        const T c = col ? col[j] : T(0);
        if (p.check_values) seen_bad |= invalid(row[j]) || invalid(c);
        raw = row[j] + c;
    }
    T next_col = T(0);  // step t + 1's emission, loaded a step ahead
    if (factorized && state && L > 1) next_col = p.column(b, 1)[j];
    auto step_shift = [&](int buf, T value) {
        T m = segment_max<T, NS>(value);
        if (NS > 32) {
            if (lane == 0) slots[buf][s][j / 32] = m;
        }
        rows[buf][s][j] = value;
        __syncthreads();
        if (NS > 32) {
            m = chunk::neg_inf<T>();
            for (int w = 0; w < WARPS; ++w) m = fmax(m, slots[buf][s][w]);
        }
        return m == chunk::neg_inf<T>() ? T(0) : m;
    };
    T shift = step_shift(0, raw);
    double offset = double(shift);
    if (state && L > 0) la[j] = raw - shift;
    if (j == 0 && L > 0) off[0] = offset;
    T last = raw - shift;  // this state's re-centred α at the sequence's last step so far

    for (int64_t t = 1; t < steps; ++t) {
        const bool live = t < L;
        const int buf = int(t & 1);
        raw = chunk::neg_inf<T>();
        if (live && state) {
            const T c = next_col;
            if (factorized && t + 1 < L) next_col = p.column(b, t + 1)[j];
            const T* mat = factorized ? (trans_in_shared ? shared_trans + p.trans_of(b, t) * N * N : p.matrix(b, t))
                                      : p.matrix(b, t);
            const T* prev = rows[buf ^ 1][s];  // raw α of step t − 1: minus `shift` is log α_{t−1} − offset
            T m = chunk::neg_inf<T>(), sum = T(0);
#pragma unroll 8
            for (int i = 0; i < NS; ++i) {
                if (i >= N) break;
                const T x = mat[i * N + j];
                if (p.check_values) seen_bad |= invalid(x);
                chunk::lse_push(m, sum, prev[i] + x);
            }
            if (factorized && p.check_values) seen_bad |= invalid(c);
            raw = m == chunk::neg_inf<T>() ? m : m + chunk::log_t(sum) - shift + c;
        }
        const T step = step_shift(buf, raw);  // every thread: the barrier
        if (live) {
            shift = step;
            offset += double(shift);
            last = raw - shift;
            if (state) la[t * N + j] = last;
            if (j == 0) off[t] = offset;
        }
    }
    // log Z = offset + log Σ_j exp(last_j), summed among the sequence's threads.
    double term = state && L > 0 && last > chunk::neg_inf<T>() ? exp(double(last)) : 0.0;
    for (int o = (NS < 32 ? NS : 32) / 2; o > 0; o >>= 1) term += __shfl_xor_sync(0xffffffffu, term, o);
    __shared__ double sums[S][WARPS];
    if (NS > 32 && lane == 0) sums[s][j / 32] = term;
    __syncthreads();
    if (NS > 32) {
        term = 0;
        for (int w = 0; w < WARPS; ++w) term += sums[s][w];
    }
    if (j == 0 && L > 0) tape.log_z[b] = term > 0 ? offset + log(term) : -INFINITY;
    if (seen_bad) atomicOr(bad, 1);
}

}  // namespace cuda
}  // namespace diffhmm
