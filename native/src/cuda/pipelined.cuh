// pipelined.cuh — the α sweep for the latency-bound shapes (few sequences, long, N ≤ 256): one CTA per
// sequence as in sweep.cuh, but no global load sits on the chain of dependent steps. Step tiles
// (the N×N step matrix, and the emission column of the factorized form) stream into a shared-memory
// ring `depth` steps ahead with cp.async; a step reads only shared memory; one barrier per step.
// docs/cuda.md §2 gives the per-step cycle budget and the cost model that picks this kernel.
//
// Thread layout: warp w owns destination states j = 8w .. 8w+7, four lanes per state (lane = 4·jj + q);
// lane q reduces over sources i ≡ q (mod 4) with an online log-sum-exp (one exp per term), the four
// partial (max, sum) pairs are merged by shuffles. A step's raw values go to a double-buffered row
// and each warp's maximum to a double-buffered slot, so after the one barrier every thread knows the
// step's shift (the maximum over the warps' slots) without a second reduction: the tape is the one
// alpha_kernel writes (scaled log α with maximum 0 per step, float64 offsets), and everything that
// reads it (backward, marginals) is unchanged.
//
// Ring protocol (depth + 1 slots, slot of step t = t mod (depth + 1)): the prologue queues steps
// 1..depth, one commit group each (empty groups past the end keep the count uniform). Step t queues
// step t + depth into the slot of step t − 1, which every thread finished reading before the previous
// barrier; then computes step t; then waits until at most depth − 1 groups are pending (step t + 1 has
// landed for this thread) and meets the barrier (it has landed for every thread).
#pragma once

#include <cuda_pipeline.h>

#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// Shapes of the pipelined kernel, fixed by the host (launch.h: plan_alpha).
struct PipelinePlan {
    int depth = 0;           // steps in flight ahead of the one being computed (1..7)
    int64_t slot = 0;        // elements of T per ring slot (a multiple of 16 bytes): N×N matrix, then the column
    bool column = false;     // the factorized form: N emission values follow the matrix in each slot
    int copy_matrix = 4;     // bytes per cp.async of the matrix (4, 8 or 16: what its alignment allows)
    int copy_column = 4;     // bytes per cp.async of the column
};

// Queues step t's matrix (and column) of sequence b into `dst` as one commit group of this thread's
// share. Past the sequence's end it commits an empty group.
template <class T>
__device__ __forceinline__ void queue_step(const Problem<T>& p, int64_t b, int64_t t, int64_t L, T* dst,
                                           const PipelinePlan& plan) {
    if (t < L) {
        const char* m = reinterpret_cast<const char*>(p.matrix(b, t));
        char* d = reinterpret_cast<char*>(dst);
        const int64_t bytes = p.N * p.N * int64_t(sizeof(T));
        for (int64_t c = int64_t(threadIdx.x) * plan.copy_matrix; c < bytes; c += int64_t(blockDim.x) * plan.copy_matrix)
            __pipeline_memcpy_async(d + c, m + c, size_t(plan.copy_matrix));
        const T* col = p.column(b, t);
        if (col != nullptr) {
            const char* s = reinterpret_cast<const char*>(col);
            char* dc = reinterpret_cast<char*>(dst + p.N * p.N);
            const int64_t cbytes = p.N * int64_t(sizeof(T));
            for (int64_t c = int64_t(threadIdx.x) * plan.copy_column; c < cbytes; c += int64_t(blockDim.x) * plan.copy_column)
                __pipeline_memcpy_async(dc + c, s + c, size_t(plan.copy_column));
        }
    }
    __pipeline_commit();
}

// (m, s) ← the log-sum-exp pair of (m, s) and (m2, s2): Σ = s·e^m + s2·e^m2 = s'·e^m'.
template <class T>
__device__ __forceinline__ void merge_lse(T& m, T& s, T m2, T s2) {
    if (m2 == minus_inf<T>()) return;
    if (m == minus_inf<T>()) {
        m = m2;
        s = s2;
    } else if (m2 <= m) {
        s += s2 * exp_of(m2 - m);
    } else {
        s = s * exp_of(m - m2) + s2;
        m = m2;
    }
}

// Dynamic shared memory: ring [(depth + 1)·slot] of T, then raw rows [2][N] of T (the ring's slot is a
// multiple of 16 bytes, so the rows stay aligned). Sets *bad if a NaN/+inf is read (when checking).
template <class T>
__global__ void alpha_pipelined_kernel(Problem<T> p, Tape<T> tape, int* bad, PipelinePlan plan) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    T* ring = reinterpret_cast<T*>(shared_raw);
    T* rows = ring + int64_t(plan.depth + 1) * plan.slot;  // rows[(t & 1) * N + j]: raw α of step t
    __shared__ T warp_max_of[2][32];
    __shared__ double red_d[32];
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b);
    if (L == 0) {
        if (threadIdx.x == 0) tape.log_z[b] = 0.0;
        return;
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int q = lane & 3;
    const int64_t j = int64_t(warp) * 8 + (lane >> 2);  // this lane's destination state (may be ≥ N)
    const bool owner = q == 0 && j < N;                   // the lane that finalises state j
    const int slots = plan.depth + 1;
    T* la = tape.log_alpha + b * p.T * N;
    double* off = tape.offset + b * p.T;
    bool seen_bad = false;

    // Steps 1..depth start loading while step 0 is computed.
    for (int64_t t = 1; t <= plan.depth; ++t) queue_step(p, b, t, L, ring + (t % slots) * plan.slot, plan);

    // Step 0: the initial scores straight from global memory (once per sequence).
    T raw = minus_inf<T>();
    if (owner) {
        const T* row = p.initial_row(b);
        const T* col = p.initial_col(b);
        const T c = col ? col[j] : T(0);
        if (p.check_values) seen_bad |= invalid(row[j]) || invalid(c);
        raw = row[j] + c;
        rows[j] = raw;
    }
    T wmax = warp_max(raw);
    if (lane == 0) warp_max_of[0][warp] = wmax;
    __pipeline_wait_prior(size_t(plan.depth - 1));  // step 1 has landed for this thread
    __syncthreads();
    T shift = minus_inf<T>();
    for (int w = 0; w < warps; ++w) shift = fmax(shift, warp_max_of[0][w]);
    shift = shift == minus_inf<T>() ? T(0) : shift;
    double offset = double(shift);
    if (owner) la[j] = raw - shift;
    if (threadIdx.x == 0) off[0] = offset;

    for (int64_t t = 1; t < L; ++t) {
        // Step t + depth into the slot step t − 1 used (everyone finished it before the last barrier).
        queue_step(p, b, t + plan.depth, L, ring + ((t + plan.depth) % slots) * plan.slot, plan);
        const T* tile = ring + (t % slots) * plan.slot;
        const T* prev = rows + ((t - 1) & 1) * N;  // raw α of step t − 1: log α_{t−1} = prev + offset − shift
        T m = minus_inf<T>(), s = T(0);
        if (j < N) {
            for (int64_t i = q; i < N; i += 4) {
                const T a = prev[i];
                const T x = tile[i * N + j];
                if (p.check_values) seen_bad |= invalid(x);
                const T v = a + x;
                if (!(v > minus_inf<T>())) continue;  // a −inf source or a structural zero adds nothing
                if (v <= m) {
                    s += exp_of(v - m);
                } else {
                    s = s * exp_of(m - v) + T(1);
                    m = v;
                }
            }
        }
        // Merge the four lanes of each state (lanes 4jj .. 4jj+3).
        for (int o = 1; o <= 2; o <<= 1) {
            const T m2 = __shfl_xor_sync(0xffffffffu, m, o), s2 = __shfl_xor_sync(0xffffffffu, s, o);
            merge_lse(m, s, m2, s2);
        }
        raw = minus_inf<T>();
        if (owner && m != minus_inf<T>()) {
            raw = m + log_of(s) - shift;  // prev carried the previous step's shift
            if (plan.column) {
                const T c = tile[N * N + j];
                if (p.check_values) seen_bad |= invalid(c);
                raw += c;
            }
        } else if (owner && plan.column && p.check_values) {
            seen_bad |= invalid(tile[N * N + j]);
        }
        if (owner) rows[(t & 1) * N + j] = raw;
        wmax = warp_max(raw);
        if (lane == 0) warp_max_of[t & 1][warp] = wmax;
        __pipeline_wait_prior(size_t(plan.depth - 1));  // step t + 1 has landed for this thread
        __syncthreads();                                 // ... and for every thread; rows[t & 1] complete
        T m_t = minus_inf<T>();
        for (int w = 0; w < warps; ++w) m_t = fmax(m_t, warp_max_of[t & 1][w]);
        shift = m_t == minus_inf<T>() ? T(0) : m_t;
        offset += double(shift);
        if (owner) la[t * N + j] = raw - shift;
        if (threadIdx.x == 0) off[t] = offset;
    }
    __pipeline_wait_prior(0);  // no copy may outlive the CTA's shared memory

    const T* last = rows + ((L - 1) & 1) * N;
    double sum = 0;
    for (int64_t k = threadIdx.x; k < N; k += blockDim.x)
        if (last[k] != minus_inf<T>()) sum += exp(double(last[k]) - double(shift));
    sum = block_sum(sum, red_d);
    if (threadIdx.x == 0) tape.log_z[b] = sum > 0 ? offset + log(sum) : -INFINITY;
    if (seen_bad) atomicOr(bad, 1);
}

}  // namespace cuda
}  // namespace diffhmm
