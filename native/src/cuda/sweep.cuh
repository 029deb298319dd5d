// sweep.cuh — the persistent CUDA kernels every verb is made of: one launch per sweep, the whole
// time loop inside the kernel, one CTA per sequence (so the batch has no limit short of memory).
//   forward_sweep: the forward recursion in a semiring (log-sum-exp here, k-max-plus in kbest.cu).
//                 Thread j owns destination state j (strided when N > blockDim); loop over i reads
//                 row i of the step matrix coalesced across threads.
//   alpha_kernel: forward_sweep in log-sum-exp: scaled forward messages (docs/formulas.md §3) into a
//                 tape, and log Z.
//   beta_kernel:  the β sweep with the gradient written inside it, one pass per row. A warp owns a
//                 source row i (strided); lanes walk j, so rows are read and gradient rows written
//                 coalesced.
// Reference: cpu/sweep.h (same recursions, same scaling); tests: native/tests/cuda_test.cpp.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "core/problem.h"

namespace diffhmm {
namespace cuda {

template <class T>
__device__ __forceinline__ T minus_inf() { return -static_cast<T>(INFINITY); }

__device__ __forceinline__ float exp_of(float x) { return expf(x); }  // accurate (~1 ulp): __expf is a later, validated speed-up
__device__ __forceinline__ double exp_of(double x) { return exp(x); }
__device__ __forceinline__ float log_of(float x) { return logf(x); }
__device__ __forceinline__ double log_of(double x) { return log(x); }

template <class T>
__device__ __forceinline__ bool invalid(T v) { return !(v < static_cast<T>(INFINITY)); }

template <class T>
__device__ __forceinline__ T warp_max(T v) {
    for (int o = 16; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

template <class T>
__device__ __forceinline__ T warp_sum(T v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// Block-wide max / sum; every thread gets the result. `scratch` holds 32 values.
template <class T>
__device__ T block_max(T v, T* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = threadIdx.x < warps ? scratch[threadIdx.x] : minus_inf<T>();
    if (warp == 0) v = warp_max(v);
    if (threadIdx.x == 0) scratch[0] = v;
    __syncthreads();
    return scratch[0];
}

template <class T>
__device__ T block_sum(T v, T* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = threadIdx.x < warps ? scratch[threadIdx.x] : T(0);
    if (warp == 0) v = warp_sum(v);
    if (threadIdx.x == 0) scratch[0] = v;
    __syncthreads();
    return scratch[0];
}

// Scores of step 0 (init row + emission) into out[N] by the CTA's threads; returns this thread's
// maximum and ORs a NaN/+inf into *seen_bad (when checking).
template <class T>
__device__ T initial_scores(const Problem<T>& p, int64_t b, T* out, bool* seen_bad) {
    const T* row = p.initial_row(b);
    const T* col = p.initial_col(b);
    T local_max = minus_inf<T>();
    for (int64_t j = threadIdx.x; j < p.N; j += blockDim.x) {
        const T c = col ? col[j] : T(0);
        if (p.check_values) *seen_bad |= invalid(row[j]) || invalid(c);
        out[j] = row[j] + c;
        local_max = fmax(local_max, out[j]);
    }
    return local_max;
}

// The tape: scaled log α [B][T][N], offsets [B][T] (float64), log Z [B] (float64); when the
// chunked scan wrote it (chunks > 1), the chunk transfers for the β sweep (chunked.cuh).
template <class T>
struct Tape {
    T* log_alpha;
    double* offset;
    double* log_z;
    int chunks = 1;
    T* transfer = nullptr;       // [B][chunks][N][N]
    double* row_off = nullptr;   // [B][chunks][N]
};

// The forward recursion of the CUDA forward verbs that do not prefetch (alpha_kernel: log-sum-exp
// into the tape; kbest_kernel: k-max-plus with back-pointers, Viterbi being k = 1) — the skeleton the
// semiring plugs into, as message_sweep does on the CPU (cpu/sweep.h). One CTA per sequence, thread j
// owns state j (strided) and its `sr.width` values (rank 0 leads); after every step the rows are
// re-centred on their maximum, the shift summed in float64. SR supplies:
//   reduce(t, j, prev, mat, value, seen_bad)  state j's values at step t from prev and the step matrix
//                                             (before the column is added);
//   row(t, j, value)                          state j's re-centred values of step t, to the sink;
//   offset(t, offset)                         step t's cumulative shift (thread 0).
// prev, cur: [N·width] of T in shared memory. Returns the last step's offset; prev then holds its
// re-centred values.
template <class T, class SR>
__device__ double forward_sweep(const Problem<T>& p, int64_t b, int64_t L, const SR& sr, T* prev, T* cur, T* red,
                                bool& seen_bad) {
    const int64_t N = p.N, W = sr.width;
    T local = initial_scores(p, b, cur, &seen_bad);  // cur[j]: step 0's score of state j
    T m = block_max(local, red);
    T shift = m == minus_inf<T>() ? T(0) : m;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
        prev[j * W] = cur[j] - shift;
        for (int64_t r = 1; r < W; ++r) prev[j * W + r] = minus_inf<T>();
        sr.row(0, j, prev + j * W);
    }
    double offset = double(shift);
    if (threadIdx.x == 0) sr.offset(0, offset);
    __syncthreads();
    for (int64_t t = 1; t < L; ++t) {
        const T* mat = p.matrix(b, t);
        const T* col = p.column(b, t);
        local = minus_inf<T>();
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
            T* value = cur + j * W;
            sr.reduce(t, j, prev, mat, value, seen_bad);
            if (col != nullptr) {
                if (p.check_values) seen_bad |= invalid(col[j]);
                for (int64_t r = 0; r < W; ++r) value[r] += col[j];
            }
            local = fmax(local, value[0]);
        }
        m = block_max(local, red);  // also the barrier after every read of prev
        shift = m == minus_inf<T>() ? T(0) : m;
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
            for (int64_t r = 0; r < W; ++r) prev[j * W + r] = cur[j * W + r] - shift;
            sr.row(t, j, prev + j * W);
        }
        offset += double(shift);
        if (threadIdx.x == 0) sr.offset(t, offset);
        __syncthreads();
    }
    return offset;
}

// The log-sum-exp semiring into sequence b's tape rows (alpha_kernel).
template <class T>
struct LogSumExpRows {
    int64_t width = 1;
    int64_t N = 0;
    bool check = true;
    T* log_alpha = nullptr;  // [T][N] of this sequence
    double* offsets = nullptr;

    // Two passes over column j: its maximum, then the sum of exponentials below it.
    __device__ void reduce(int64_t, int64_t j, const T* prev, const T* mat, T* value, bool& seen_bad) const {
        T best = minus_inf<T>();
        for (int64_t i = 0; i < N; ++i) {
            const T x = mat[i * N + j];
            if (check) seen_bad |= invalid(x);
            best = fmax(best, prev[i] + x);
        }
        const T s = best == minus_inf<T>() ? T(0) : best;
        T sum = 0;
        for (int64_t i = 0; i < N; ++i) {
            if (prev[i] == minus_inf<T>()) continue;
            sum += exp_of(prev[i] + mat[i * N + j] - s);
        }
        value[0] = best + log_of(sum);
    }
    __device__ void row(int64_t t, int64_t j, const T* value) const { log_alpha[t * N + j] = value[0]; }
    __device__ void offset(int64_t t, double o) const { offsets[t] = o; }
};

// Dynamic shared memory: prev [N], cur [N] of T. Sets *bad if a NaN/+inf is read (when checking).
template <class T>
__global__ void alpha_kernel(Problem<T> p, Tape<T> tape, int* bad) {
    extern __shared__ unsigned char shared_raw[];
    T* prev = reinterpret_cast<T*>(shared_raw);
    T* cur = prev + p.N;
    __shared__ T red[32];
    __shared__ double red_d[32];
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b);
    if (L == 0) {
        if (threadIdx.x == 0) tape.log_z[b] = 0.0;
        return;
    }
    LogSumExpRows<T> rows;
    rows.N = N;
    rows.check = p.check_values;
    rows.log_alpha = tape.log_alpha + b * p.T * N;
    rows.offsets = tape.offset + b * p.T;
    bool seen_bad = false;
    const double offset = forward_sweep(p, b, L, rows, prev, cur, red, seen_bad);
    double sum = 0;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) sum += exp(double(prev[j]));
    sum = block_sum(sum, red_d);
    if (threadIdx.x == 0) tape.log_z[b] = sum > 0 ? offset + log(sum) : -INFINITY;
    if (seen_bad) atomicOr(bad, 1);
}

// out[e] = Σ_b partial[b][e] in float64, b in order (deterministic), one thread per entry.
template <class T>
__global__ void reduce_partials(const double* partial, int64_t batch, int64_t count, T* out) {
    for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < count; e += int64_t(gridDim.x) * blockDim.x) {
        double sum = 0;
        for (int64_t b = 0; b < batch; ++b) sum += partial[b * count + e];
        out[e] = T(sum);
    }
}

// What the β sweep writes.
enum class Sink { dense_grad, factorized_grad, gamma };

template <class T>
struct BetaOut {
    T* grad_potential;      // dense [B][T][N][N]
    T* grad_init;           // factorized [B][N] when init is batched (a shared one goes to init_partial)
    T* grad_trans;          // factorized [K][N][N]: only with float atomics, when trans_partial is null
    T* grad_emit;           // factorized [B][T][N]
    T* gamma;               // marginals [B][T][N]
    // Shared gradients, summed per sequence in float64 by the thread that owns each entry (no
    // atomics), then over sequences in a fixed order by reduce_partials: as accurate as the CPU's
    // float64 accumulation and bit-reproducible. [B][K][N][N] and [B][N].
    double* trans_partial;
    double* init_partial;
};

// Where the β sweep puts the edge marginals of step t: a dense gradient row block, a per-sequence
// float64 partial of the transition gradient, or (only when that partial would be too large) float
// atomics onto the output; none for γ. put() writes entry e = i·N + j (one thread per entry). The
// float64 partial is per CTA: `partial_row` is the sequence, or (chunked scan) sequence·chunks + chunk.
template <class T>
struct EdgeTargets {
    T* dense = nullptr;
    double* sum = nullptr;
    T* block = nullptr;

    __device__ static EdgeTargets of(const Problem<T>& p, const BetaOut<T>& out, Sink sink, int64_t b, int64_t t,
                                     int64_t partial_row) {
        EdgeTargets e;
        const int64_t NN = p.N * p.N;
        if (sink == Sink::dense_grad) {
            e.dense = out.grad_potential + (b * p.T + t) * NN;
        } else if (sink == Sink::factorized_grad && out.trans_partial) {
            e.sum = out.trans_partial + (partial_row * p.K + p.trans_of(b, t)) * NN;
        } else if (sink == Sink::factorized_grad && out.grad_trans) {
            e.block = out.grad_trans + p.trans_of(b, t) * NN;
        }
        return e;
    }
    __device__ void put(int64_t e, T g, T value) const {
        if (dense) __stcs(dense + e, g * value);  // streamed: the gradient is not read again here
        else if (sum) sum[e] += double(g) * double(value);  // only this thread's entry
        else if (block) atomicAdd(&block[e], g * value);
    }
};

template <class T>
__device__ void write_node(const Problem<T>& p, const BetaOut<T>& out, Sink sink, int64_t b, int64_t t, int64_t j,
                           T value) {
    const int64_t N = p.N;
    if (sink == Sink::gamma) {
        out.gamma[(b * p.T + t) * N + j] = value;
    } else if (sink == Sink::dense_grad) {
        if (t == 0) out.grad_potential[b * p.T * N * N + j] = value;
    } else {
        if (out.grad_emit) out.grad_emit[(b * p.T + t) * N + j] = value;
        if (t == 0) {
            if (p.init_batched && out.grad_init) out.grad_init[b * N + j] = value;
            else if (out.init_partial) out.init_partial[b * N + j] = double(value);
        }
    }
}

// Zeros what a sequence writes no value into: everything when it is skipped (length 0, no path),
// else padding and (dense) rows 1..N-1 of step 0.
template <class T>
__device__ void write_zeros(const Problem<T>& p, const BetaOut<T>& out, Sink sink, int64_t b, int64_t L, bool all) {
    const int64_t N = p.N, from = all ? 0 : L;
    if (sink == Sink::dense_grad) {
        T* base = out.grad_potential + b * p.T * N * N;
        if (!all)
            for (int64_t e = N + threadIdx.x; e < N * N; e += blockDim.x) base[e] = T(0);
        for (int64_t e = from * N * N + threadIdx.x; e < p.T * N * N; e += blockDim.x) base[e] = T(0);
        return;
    }
    T* nodes = sink == Sink::gamma ? out.gamma : out.grad_emit;
    if (nodes != nullptr)
        for (int64_t e = from * N + threadIdx.x; e < p.T * N; e += blockDim.x) nodes[b * p.T * N + e] = T(0);
    if (all && sink == Sink::factorized_grad && out.grad_init && p.init_batched)
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) out.grad_init[b * N + j] = T(0);
}

// log Z_t = log Z + log Σ_j exp(log_alpha[j] + log_beta[j] + offset − log Z): one step's own
// normaliser (every thread gets it; includes a barrier).
template <class T>
__device__ double step_log_z(const T* log_alpha, const T* log_beta, double offset, double log_z, int64_t N,
                             double* scratch) {
    double sum = 0;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x)
        sum += exp(double(log_alpha[j]) + double(log_beta[j]) + (offset - log_z));
    sum = block_sum(sum, scratch);
    return sum > 0 && sum < INFINITY ? log_z + log(sum) : log_z;
}

// Dynamic shared memory: log_beta [N], w [N], log_beta_raw [N] of T.
template <class T>
__global__ void beta_kernel(Problem<T> p, Tape<T> tape, const T* grad_log_z, Sink sink, BetaOut<T> out) {
    extern __shared__ unsigned char shared_raw[];
    T* log_beta = reinterpret_cast<T*>(shared_raw);
    T* w = log_beta + p.N;
    T* raw = w + p.N;
    __shared__ T red[32];
    __shared__ double red_d[32];
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b);
    const double log_z = tape.log_z[b];
    if (L == 0 || log_z == -INFINITY) {
        write_zeros(p, out, sink, b, L, true);
        return;
    }
    const T g = grad_log_z ? grad_log_z[b] : T(1);
    const T* la = tape.log_alpha + b * p.T * N;
    const double* off = tape.offset + b * p.T;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) log_beta[j] = T(0);
    double d = 0.0;
    __syncthreads();
    for (int64_t t = L - 1; t >= 1; --t) {
        const T* mat = p.matrix(b, t);
        const T* col = p.column(b, t);
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) w[j] = log_beta[j] + (col ? col[j] : T(0));
        // This step's own normaliser in place of log Z (docs/formulas.md §3, as cpu/sweep.h does):
        // float32 messages of a long sequence drift against one global log Z.
        const double log_z_t = step_log_z(la + t * N, log_beta, off[t] + d, log_z, N, red_d);
        const T edge_offset = T(off[t - 1] + d - log_z_t);
        const EdgeTargets<T> edges = EdgeTargets<T>::of(p, out, sink, b, t, b);
        // One pass per row: with the shift log α_prev[i] + offset every exp is an edge marginal
        // (<= 1), giving the gradient and β's row sum together (docs/formulas.md §3).
        for (int64_t i = warp; i < N; i += warps) {
            const T* r = mat + i * N;
            const T shift = la[(t - 1) * N + i] + edge_offset;  // -inf for a row no path reaches
            T sum = 0;
            for (int64_t j = lane; j < N; j += 32) {
                const T e = exp_of(r[j] + w[j] + shift);
                sum += e;
                edges.put(i * N + j, g, e);
            }
            sum = warp_sum(sum);
            if (lane == 0) raw[i] = sum > T(0) ? log_of(sum) - shift : minus_inf<T>();
        }
        if (sink != Sink::dense_grad) {
            const T node_offset = T(off[t] + d - log_z_t);
            for (int64_t j = threadIdx.x; j < N; j += blockDim.x)
                write_node(p, out, sink, b, t, j, g * exp_of(la[t * N + j] + log_beta[j] + node_offset));
        }
        __syncthreads();  // raw[i] comes from lane 0 of another warp; node writes above read log_beta
        T local = minus_inf<T>();
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) local = fmax(local, raw[j]);
        const T m = block_max(local, red);
        const T shift = m == minus_inf<T>() ? T(0) : m;
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) log_beta[j] = raw[j] - shift;
        d += double(shift);
        __syncthreads();
    }
    const T node_offset = T(off[0] + d - step_log_z(la, log_beta, off[0] + d, log_z, N, red_d));
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x)
        write_node(p, out, sink, b, 0, j, g * exp_of(la[j] + log_beta[j] + node_offset));
    write_zeros(p, out, sink, b, L, false);
}

}  // namespace cuda
}  // namespace diffhmm
