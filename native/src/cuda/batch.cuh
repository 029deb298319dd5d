// batch.cuh — the α and β sweeps for large batches (B ≫ SMs: the neural-HMM training shape, B = 1024,
// N = 64): several sequences per CTA, N a compile-time parameter (NS = 16, 32, 64, 128 covering
// N ≤ NS), so the loop over source states unrolls and many CTAs per SM keep many loads in flight.
// α: thread (s, j) of the CTA owns state j of its sequence s; per step it makes one pass over the N
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

// Maximum over the NS threads of one sequence within its warp: a segmented butterfly (NS ≤ 32: the
// whole sequence; beyond, the warp's share, which the kernels combine through shared slots after a
// barrier).
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

// The β sweep for large batches, factorized form (gradients or γ): 256 / NS sequences per CTA as in
// alpha_batch_kernel, thread (s, i) owning state i of sequence s — its β entry, its node marginal, and
// row i of the sequence's transition gradient. A step: the step's own normaliser and the row
// w = β_t + emission shared through shared memory (one barrier); then thread i's edges into step t,
// e_ij = exp(trans[i][j] + w[j] + log α_{t−1}[i] + offset − log Z_t) for every j in one pass — their
// sum is β_{t−1}[i] (no reduction across threads) and each is added to a register accumulator
// acc[j] (NS values of T), flushed into the sequence's float64 partial every kFlushSteps steps or when
// the step's matrix changes (so the float64 partial sees one read-modify-write per 32 steps instead
// of one per step); then the β row re-centred on its maximum (one barrier). The transition matrices
// sit in shared memory (rows padded to N + 1 against bank conflicts) when they fit in 40 KB.
constexpr int kFlushSteps = 32;

// Dynamic shared memory: the transition matrices [K][N][N + 1] when `trans_in_shared`.
template <class T, int NS>
__global__ void __launch_bounds__(kBatchThreads) beta_batch_kernel(Problem<T> p, Tape<T> tape, const T* grad_log_z,
                                                                   Sink sink, BetaOut<T> out, bool trans_in_shared) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    constexpr int S = kBatchThreads / NS;
    constexpr int WARPS = NS < 32 ? 1 : NS / 32;
    __shared__ T w[S][NS];                 // β_t + emission_t of the step, per sequence
    __shared__ double sums[S][WARPS];      // warp partials of a step's normaliser
    __shared__ T maxima[S][WARPS];         // warp maxima of a step's new β row
    __shared__ int64_t longest;
    const int s = threadIdx.x / NS, i = threadIdx.x % NS, lane = threadIdx.x & 31;
    const int64_t N = p.N, T_ = p.T, b = int64_t(blockIdx.x) * S + s;
    const bool in_batch = b < p.B;
    const int64_t L = in_batch ? p.length(b) : 0;
    const double log_z = in_batch ? tape.log_z[b] : -INFINITY;
    const bool live = in_batch && L > 0 && log_z > -INFINITY;
    const bool state = i < N;
    const int64_t stride = trans_in_shared ? N + 1 : N;
    if (trans_in_shared) {
        T* dst = reinterpret_cast<T*>(shared_raw);
        for (int64_t e = threadIdx.x; e < p.K * N * N; e += blockDim.x) dst[(e / N) * (N + 1) + e % N] = p.trans[e];
    }
    const T* trans = trans_in_shared ? reinterpret_cast<const T*>(shared_raw) : p.trans;
    if (threadIdx.x == 0) longest = 0;
    __syncthreads();
    if (i == 0 && live) atomicMax(reinterpret_cast<unsigned long long*>(&longest), (unsigned long long)(L));
    __syncthreads();
    const int64_t steps = longest;
    T* nodes = sink == Sink::gamma ? out.gamma : out.grad_emit;
    // What this sequence writes no value into: everything when skipped, else the padding.
    if (in_batch && state && nodes != nullptr)
        for (int64_t t = live ? L : 0; t < T_; ++t) nodes[(b * T_ + t) * N + i] = T(0);
    if (in_batch && !live && state && sink == Sink::factorized_grad && p.init_batched && out.grad_init)
        out.grad_init[b * N + i] = T(0);
    const bool edges = live && sink == Sink::factorized_grad && (out.trans_partial || out.grad_trans);
    const T g = live && grad_log_z ? grad_log_z[b] : T(1);
    const T* la = live ? tape.log_alpha + b * T_ * N : nullptr;
    const double* off = live ? tape.offset + b * T_ : nullptr;
    T acc[NS];  // fully unrolled loops below keep it in registers
#pragma unroll
    for (int j = 0; j < NS; ++j) acc[j] = T(0);
    int64_t acc_k = -1, acc_steps = 0;  // the matrix the accumulator belongs to, steps in it
    auto flush = [&]() {
        if (acc_k < 0 || !state) return;
        const int64_t row = ((out.trans_partial ? b : 0) * p.K + acc_k) * N * N + i * N;
#pragma unroll
        for (int j = 0; j < NS; ++j) {
            if (j >= N) break;
            if (out.trans_partial) out.trans_partial[row + j] += double(acc[j]);
            else atomicAdd(out.grad_trans + row + j, acc[j]);
            acc[j] = T(0);
        }
        acc_k = -1;
        acc_steps = 0;
    };
    auto segment_sum = [&](double v) {  // every thread of the sequence gets Σ v (includes a barrier)
        for (int o = (NS < 32 ? NS : 32) / 2; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
        if (NS > 32 && lane == 0) sums[s][i / 32] = v;
        __syncthreads();
        if (NS > 32) {
            v = 0;
            for (int k = 0; k < WARPS; ++k) v += sums[s][k];
        }
        return v;
    };
    T lb = T(0);  // log β_t[i] − d, β_{L−1} = 1
    double d = 0.0;
    for (int64_t t = steps - 1; t >= 1; --t) {
        const bool on = live && t < L;
        // a. The step's own normaliser Σ_j exp(la_t + lb + off_t + d − log Z) (docs/formulas.md §3),
        //    and the row the edges read.
        double term = 0.0;
        T col = T(0);
        if (on && state) {
            col = p.column(b, t)[i];
            term = exp(double(la[t * N + i]) + double(lb) + (off[t] + d - log_z));
            w[s][i] = lb + col;
        }
        const double total = segment_sum(term);  // barrier: w complete
        const double log_z_t = total > 0 && total < INFINITY ? log_z + log(total) : log_z;
        T raw = minus_inf<T>();
        if (on && state) {
            if (nodes != nullptr) write_node(p, out, sink, b, t, i, g * exp_of(la[t * N + i] + lb + T(off[t] + d - log_z_t)));
            // c. Edges from state i into step t, one pass over j.
            const int64_t k = p.trans_of(b, t);
            if (edges && k != acc_k) flush();
            const T* row = trans + k * N * stride + i * stride;
            const T shift = la[(t - 1) * N + i] + T(off[t - 1] + d - log_z_t);  // −inf for a row no path reaches
            T row_sum = T(0);
#pragma unroll
            for (int j = 0; j < NS; ++j) {
                if (j >= N) break;
                const T e = exp_of(row[j] + w[s][j] + shift);
                row_sum += e;
                if (edges) acc[j] += g * e;
            }
            if (edges) {
                acc_k = k;
                if (++acc_steps == kFlushSteps) flush();
            }
            raw = row_sum > T(0) ? log_of(row_sum) - shift : minus_inf<T>();
        }
        // d. β_{t−1} re-centred on its maximum.
        T m = segment_max<T, NS>(raw);
        if (NS > 32 && lane == 0) maxima[s][i / 32] = m;
        __syncthreads();  // also: every read of w is done
        if (NS > 32) {
            m = minus_inf<T>();
            for (int k = 0; k < WARPS; ++k) m = fmax(m, maxima[s][k]);
        }
        if (on) {
            const T shift = m == minus_inf<T>() ? T(0) : m;
            lb = raw - shift;
            d += double(shift);
        }
    }
    if (edges) flush();
    // Step 0: the node marginal (and the initial-state gradient).
    double term = 0.0;
    if (live && state) term = exp(double(la[i]) + double(lb) + (off[0] + d - log_z));
    const double total = segment_sum(term);
    if (live && state && (nodes != nullptr || sink == Sink::factorized_grad)) {
        const double log_z_0 = total > 0 && total < INFINITY ? log_z + log(total) : log_z;
        write_node(p, out, sink, b, 0, i, g * exp_of(la[i] + lb + T(off[0] + d - log_z_0)));
    }
}

}  // namespace cuda
}  // namespace diffhmm
