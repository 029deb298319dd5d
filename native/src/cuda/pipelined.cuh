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

#include "cuda/chunk_math.h"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// Shapes of the pipelined kernel, fixed by the host (launch.h: plan_alpha).
struct PipelinePlan {
    int depth = 0;           // steps in flight ahead of the one being computed (1..7)
    int64_t slot = 0;        // elements of T per ring slot (a multiple of 16 bytes): N×N matrix, then the column
    bool column = false;     // the factorized form: N emission values follow the matrix in each slot
    unsigned threads = 0;    // the CTA's threads (within what the kernel's registers allow)
    int copy_matrix = 4;     // bytes per cp.async of the matrix (4, 8 or 16: what its alignment allows)
    int copy_column = 4;     // bytes per cp.async of the column
};

// Which stretch of its sequence a CTA sweeps. Without chunks (chunks = 1) CTA b sweeps sequence b
// whole. With the chunked scan (chunked.cuh) CTA b·chunks + c sweeps chunk c of sequence b
// (chunk_math.h: span), starting from the message the carry kernel left in start[b][c] (re-centred
// log values, offset start_off[b][c]): α_{first − 1} for the α sweep, β_{end − 1} for the β sweep.
template <class T>
struct ChunkStart {
    int chunks = 1;
    const T* start = nullptr;
    const double* start_off = nullptr;
};

// Queues step t's matrix (and column) of sequence b into `dst` as one commit group of this thread's
// share. From `end` on (the end of the sequence or chunk) it commits an empty group.
template <class T>
__device__ __forceinline__ void queue_step(const Problem<T>& p, int64_t b, int64_t t, int64_t end, T* dst,
                                           const PipelinePlan& plan) {
    if (t < end) {
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

// The semirings of the pipelined forward: what a lane keeps while it folds in its sources (Acc), how
// it folds in one (push, sources in ascending order), how the four lanes of a state merge (merge,
// after shuffle), and the state's step value.
//   LogSumExp: an online log-sum-exp (one exp per term) — the α sweep.
//   MaxPlus:   the maximum and the lowest source reaching it — Viterbi, as kbest_kernel with k = 1
//              (the same order and tie rule: the first maximising source wins).
// In base 2: the kernel's values are log2 of the messages (scores enter times log2 e, one FMA with
// the source's value), so every term costs an ex2 — the MUFU instruction itself, with no range
// reduction around it — and the tape gets natural logs back (times ln 2) when it is written. The
// arithmetic is core/semiring.h's (LogSumExp in Base2, MaxPlus), checked on the host by chunk_test.cpp.
template <class T>
struct PipelinedLogSumExp : semiring::LogSumExp<T, semiring::Base2> {
    using Acc = typename semiring::LogSumExp<T, semiring::Base2>::Acc;
    static constexpr bool viterbi = false;
    static constexpr double scale = chunk::kLog2e;  // log2 units per natural unit
    __device__ static Acc shuffle(const Acc& a, int o) {
        return {__shfl_xor_sync(0xffffffffu, a.m, o), __shfl_xor_sync(0xffffffffu, a.s, o)};
    }
};

// The max-plus semiring of Viterbi (core/semiring.h: the lowest maximising source), across a warp.
template <class T>
struct PipelinedMaxPlus : semiring::MaxPlus<T> {
    using Acc = typename semiring::MaxPlus<T>::Acc;
    static constexpr bool viterbi = true;
    static constexpr double scale = 1.0;  // natural units: kbest_kernel's comparisons, bit for bit
    __device__ static Acc shuffle(const Acc& a, int o) {
        return {__shfl_xor_sync(0xffffffffu, a.best, o), __shfl_xor_sync(0xffffffffu, a.arg, o)};
    }
};

// (Max-plus subtracts the previous shift from each source before adding the score, as kbest_kernel's
// re-centred rows do, so its comparisons round exactly as kbest_kernel's; log-sum-exp subtracts it
// once from the result.)
// Where the max-plus sweep puts what Viterbi's backtrace needs: the back-pointers [B][T][N] (int32,
// −1 where no source reaches a state) and each sequence's last row (re-centred) and offset.
template <class T>
struct ViterbiRows {
    int32_t* back = nullptr;
    T* last_row = nullptr;       // [B][N]
    double* last_offset = nullptr;  // [B]
};

// The forward sweep in semiring SR (α into the tape, or Viterbi's back-pointers into `vit`).
// Dynamic shared memory: ring [(depth + 1)·slot] of T, then raw rows [2][N] of T (the ring's slot is a
// multiple of 16 bytes, so the rows stay aligned). Sets *bad if a NaN/+inf is read (when checking).
// The chunked scan (from.chunks > 1) is for the log-sum-exp sweep only.
template <class T, class SR = PipelinedLogSumExp<T>>
__global__ void alpha_pipelined_kernel(Problem<T> p, Tape<T> tape, int* bad, PipelinePlan plan, ChunkStart<T> from,
                                       ViterbiRows<T> vit = ViterbiRows<T>()) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    T* ring = reinterpret_cast<T*>(shared_raw);
    T* rows = ring + int64_t(plan.depth + 1) * plan.slot;  // rows[(t & 1) * N + j]: raw α of step t
    __shared__ T warp_max_of[2][32];
    __shared__ double red_d[32];
    const int64_t b = blockIdx.x / from.chunks, c = blockIdx.x % from.chunks, N = p.N, L = p.length(b);
    const chunk::Span span = chunk::span(L, from.chunks, c);
    if (c > 0 && span.empty()) return;  // chunk 0 always runs: it owns step 0
    if (L == 0) {
        if (threadIdx.x == 0 && !SR::viterbi) tape.log_z[b] = 0.0;
        return;
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int q = lane & 3;
    const int64_t j = int64_t(warp) * 8 + (lane >> 2);  // this lane's destination state (may be ≥ N)
    const bool owner = q == 0 && j < N;                   // the lane that finalises state j
    const int slots = plan.depth + 1;
    T* la = SR::viterbi ? nullptr : tape.log_alpha + b * p.T * N;
    double* off = SR::viterbi ? nullptr : tape.offset + b * p.T;
    bool seen_bad = false;
    const int64_t start = span.first - 1;  // the step whose message the sweep starts from

    // The chunk's first steps start loading while the starting message is read.
    for (int64_t t = span.first; t < span.first + plan.depth; ++t)
        queue_step(p, b, t, span.end, ring + (t % slots) * plan.slot, plan);

    // The starting message: step 0's initial scores (chunk 0), else α_{first − 1} from the carry.
    // Values in the semiring's units (SR::scale per natural unit: log2 for α); offsets stay natural.
    const T in = T(SR::scale);
    const double out = 1.0 / SR::scale;
    T raw = minus_inf<T>();
    double base = 0.0;
    if (c > 0) base = from.start_off[b * from.chunks + c];
    if (owner) {
        if (c == 0) {
            const T* row = p.initial_row(b);
            const T* col = p.initial_col(b);
            const T cj = col ? col[j] : T(0);
            if (p.check_values) seen_bad |= invalid(row[j]) || invalid(cj);
            raw = (row[j] + cj) * in;
        } else {
            raw = from.start[(b * from.chunks + c) * N + j] * in;
        }
        rows[(start & 1) * N + j] = raw;
    }
    T wmax = warp_max(raw);
    if (lane == 0) warp_max_of[start & 1][warp] = wmax;
    __pipeline_wait_prior(size_t(plan.depth - 1));  // the chunk's first step has landed for this thread
    __syncthreads();
    T shift = minus_inf<T>();
    for (int w = 0; w < warps; ++w) shift = fmax(shift, warp_max_of[start & 1][w]);
    shift = shift == minus_inf<T>() ? T(0) : shift;
    double offset = base + double(shift) * out;
    if (c == 0 && !SR::viterbi) {  // later chunks' starting step belongs to the chunk before
        if (owner) la[j] = T(double(raw - shift) * out);
        if (threadIdx.x == 0) off[0] = offset;
    }

    for (int64_t t = span.first; t < span.end; ++t) {
        // Step t + depth into the slot step t − 1 used (everyone finished it before the last barrier).
        queue_step(p, b, t + plan.depth, span.end, ring + ((t + plan.depth) % slots) * plan.slot, plan);
        const T* tile = ring + (t % slots) * plan.slot;
        const T* prev = rows + ((t - 1) & 1) * N;  // raw values of step t − 1: minus `shift`, re-centred
        typename SR::Acc acc;
        if (j < N) {
            for (int64_t i = q; i < N; i += 4) {
                const T x = tile[i * N + j];
                if (p.check_values) seen_bad |= invalid(x);
                // −inf sources and structural zeros add nothing. Max-plus re-centres each source first,
                // so every comparison is kbest_kernel's, rounding included.
                if constexpr (SR::viterbi) SR::push(acc, (prev[i] - shift) + x, int32_t(i));
                else SR::push(acc, fma(x, in, prev[i]), int32_t(i));
            }
        }
        // Merge the four lanes of each state (lanes 4jj .. 4jj+3).
        for (int o = 1; o <= 2; o <<= 1) SR::merge(acc, SR::shuffle(acc, o));
        const T m = SR::value(acc);
        raw = minus_inf<T>();
        if (owner && m != minus_inf<T>()) {
            raw = SR::viterbi ? m : m - shift;  // log-sum-exp: prev carried the previous step's shift
            if (plan.column) {
                const T cj = tile[N * N + j];
                if (p.check_values) seen_bad |= invalid(cj);
                raw += cj * in;
            }
        } else if (owner && plan.column && p.check_values) {
            seen_bad |= invalid(tile[N * N + j]);
        }
        if constexpr (SR::viterbi) {
            if (owner) vit.back[(b * p.T + t) * N + j] = m == minus_inf<T>() ? -1 : acc.arg;
        }
        if (owner) rows[(t & 1) * N + j] = raw;
        wmax = warp_max(raw);
        if (lane == 0) warp_max_of[t & 1][warp] = wmax;
        __pipeline_wait_prior(size_t(plan.depth - 1));  // step t + 1 has landed for this thread
        __syncthreads();                                 // ... and for every thread; rows[t & 1] complete
        T m_t = minus_inf<T>();
        for (int w = 0; w < warps; ++w) m_t = fmax(m_t, warp_max_of[t & 1][w]);
        shift = m_t == minus_inf<T>() ? T(0) : m_t;
        offset += double(shift) * out;
        if (!SR::viterbi) {
            if (owner) la[t * N + j] = T(double(raw - shift) * out);
            if (threadIdx.x == 0) off[t] = offset;
        }
    }
    __pipeline_wait_prior(0);  // no copy may outlive the CTA's shared memory
    if (seen_bad) atomicOr(bad, 1);
    if (SR::viterbi) {  // the last row, re-centred, and its offset: for the backtrace
        if (owner) vit.last_row[b * N + j] = rows[((span.end - 1) & 1) * N + j] - shift;
        if (threadIdx.x == 0) vit.last_offset[b] = offset;
        return;
    }
    if (c != chunk::last_chunk(L, from.chunks)) return;  // log Z: the chunk that ends the sequence

    const T* last = rows + ((span.end - 1) & 1) * N;
    double sum = 0;
    for (int64_t k = threadIdx.x; k < N; k += blockDim.x)
        if (last[k] != minus_inf<T>()) sum += exp2(double(last[k]) - double(shift));  // log2 units
    sum = block_sum(sum, red_d);
    if (threadIdx.x == 0) tape.log_z[b] = sum > 0 ? offset + log(sum) : -INFINITY;
}

}  // namespace cuda
}  // namespace diffhmm

namespace diffhmm {
namespace cuda {

// Byte layout of one β ring slot (each part 16-byte aligned): the offsets off[t−1], off[t] (two
// float64), the N×N step matrix, the emission column (factorized), and the tape rows la[t−1], la[t].
struct BetaSlot {
    int64_t matrix = 0, column = 0, la_prev = 0, la_cur = 0, bytes = 0;  // byte offsets, total size
    int copy_la = 4;                                                     // bytes per cp.async of a tape row
};

// Queues β step t of sequence b into `dst` as one commit group; an empty group when t < first (the
// first step of the chunk, 1 without chunks).
template <class T>
__device__ __forceinline__ void queue_beta_step(const Problem<T>& p, const Tape<T>& tape, int64_t b, int64_t t,
                                                int64_t first, char* dst, const PipelinePlan& plan,
                                                const BetaSlot& slot) {
    if (t >= first) {
        const int64_t N = p.N;
        auto copy = [&](char* to, const void* from, int64_t bytes, int size) {
            const char* src = static_cast<const char*>(from);
            for (int64_t c = int64_t(threadIdx.x) * size; c < bytes; c += int64_t(blockDim.x) * size)
                __pipeline_memcpy_async(to + c, src + c, size_t(size));
        };
        copy(dst, tape.offset + b * p.T + t - 1, 2 * int64_t(sizeof(double)), 8);
        copy(dst + slot.matrix, p.matrix(b, t), N * N * int64_t(sizeof(T)), plan.copy_matrix);
        if (plan.column) copy(dst + slot.column, p.column(b, t), N * int64_t(sizeof(T)), plan.copy_column);
        copy(dst + slot.la_prev, tape.log_alpha + (b * p.T + t - 1) * N, N * int64_t(sizeof(T)), slot.copy_la);
        copy(dst + slot.la_cur, tape.log_alpha + (b * p.T + t) * N, N * int64_t(sizeof(T)), slot.copy_la);
    }
    __pipeline_commit();
}

// The β sweep with the gradient (or γ) written inside it, like beta_kernel (sweep.cuh) — same
// recursion, same per-step normaliser, same outputs — with every step's inputs (matrix, column,
// tape rows, offsets) prefetched `depth` steps ahead into a shared-memory ring and two barriers per
// step instead of six:
//   a. step t's node sum Σ_j exp(la_t + lb_t + off_t + d − log Z), per-warp partials;
//   B. barrier: log Z_t for everyone; node writes of step t;
//   c. edges into step t, one warp per source row i, lanes over j: e = exp(M[i][j] + lb_t[j] + col[j]
//      + la_{t−1}[i] + off_{t−1} + d − log Z_t), the gradient written, Σ_j e → raw[i], warp maxima;
//   A. barrier (and the ring's wait for step t − 1): lb_{t−1} = raw − max by the thread that owns
//      each index (the same thread reads it in the next step's a), d += max.
// Dynamic shared memory: the ring, then lb [N], raw [N] of T.
template <class T>
__global__ void beta_pipelined_kernel(Problem<T> p, Tape<T> tape, const T* grad_log_z, Sink sink, BetaOut<T> out,
                                      PipelinePlan plan, BetaSlot slot, ChunkStart<T> from) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    char* ring = reinterpret_cast<char*>(shared_raw);
    T* lb = reinterpret_cast<T*>(ring + int64_t(plan.depth + 1) * slot.bytes);
    T* raw = lb + p.N;
    __shared__ double partial[32];
    __shared__ T warp_max_of[32];
    const int64_t b = blockIdx.x / from.chunks, c = blockIdx.x % from.chunks, N = p.N, L = p.length(b);
    const double log_z = tape.log_z[b];
    if (L == 0 || log_z == -INFINITY) {
        if (c == 0) write_zeros(p, out, sink, b, L, true);
        return;
    }
    const chunk::Span span = chunk::span(L, from.chunks, c);
    if (c > 0 && span.empty()) return;  // chunk 0 always runs: it owns step 0
    const T g = grad_log_z ? grad_log_z[b] : T(1);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int slots = plan.depth + 1;
    const int64_t partial_row = b * from.chunks + c;  // this CTA's float64 partial of shared gradients
    auto slot_of = [&](int64_t t) { return ring + ((span.end - 1 - t) % slots) * slot.bytes; };

    // The chunk's last steps start loading; β_{end − 1} is 1 (log 0) at the sequence's end, else the
    // carried message.
    for (int64_t k = 0; k < plan.depth; ++k)
        queue_beta_step(p, tape, b, span.end - 1 - k, span.first, slot_of(span.end - 1 - k), plan, slot);
    const bool carried = from.chunks > 1;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) lb[j] = carried ? from.start[partial_row * N + j] : T(0);
    double d = carried ? from.start_off[partial_row] : 0.0;
    __pipeline_wait_prior(size_t(plan.depth - 1));  // step end − 1 has landed for this thread
    __syncthreads();

    for (int64_t t = span.end - 1; t >= span.first; --t) {
        // Step t − depth into the slot step t + 1 used (read before the last barrier).
        queue_beta_step(p, tape, b, t - plan.depth, span.first, slot_of(t - plan.depth), plan, slot);
        const char* s = slot_of(t);
        const double* offs = reinterpret_cast<const double*>(s);  // off[t − 1], off[t]
        const T* mat = reinterpret_cast<const T*>(s + slot.matrix);
        const T* col = plan.column ? reinterpret_cast<const T*>(s + slot.column) : nullptr;
        const T* la_prev = reinterpret_cast<const T*>(s + slot.la_prev);
        const T* la_cur = reinterpret_cast<const T*>(s + slot.la_cur);
        // a. Step t's own normaliser (docs/formulas.md §3).
        double sum = 0.0;
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x)
            sum += exp(double(la_cur[j]) + double(lb[j]) + (offs[1] + d - log_z));
        sum = warp_sum(sum);
        if (lane == 0) partial[warp] = sum;
        __syncthreads();  // B
        double total = 0.0;
        for (int w = 0; w < warps; ++w) total += partial[w];
        const double log_z_t = total > 0 && total < INFINITY ? log_z + log(total) : log_z;
        if (sink != Sink::dense_grad) {
            const T node_offset = T(offs[1] + d - log_z_t);
            for (int64_t j = threadIdx.x; j < N; j += blockDim.x)
                write_node(p, out, sink, b, t, j, g * exp_of(la_cur[j] + lb[j] + node_offset));
        }
        // c. Edges into step t, one pass per source row.
        const T edge_offset = T(offs[0] + d - log_z_t);
        const EdgeTargets<T> edges = EdgeTargets<T>::of(p, out, sink, b, t, partial_row);
        T local_max = minus_inf<T>();
        for (int64_t i = warp; i < N; i += warps) {
            const T* r = mat + i * N;
            const T shift = la_prev[i] + edge_offset;  // −inf for a row no path reaches
            T row_sum = 0;
            for (int64_t j = lane; j < N; j += 32) {
                const T e = exp_of(r[j] + lb[j] + (col ? col[j] : T(0)) + shift);
                row_sum += e;
                edges.put(i * N + j, g, e);
            }
            row_sum = warp_sum(row_sum);
            const T value = row_sum > T(0) ? log_of(row_sum) - shift : minus_inf<T>();
            if (lane == 0) raw[i] = value;
            local_max = fmax(local_max, value);
        }
        if (lane == 0) warp_max_of[warp] = local_max;
        __pipeline_wait_prior(size_t(plan.depth - 1));  // step t − 1 has landed for this thread
        __syncthreads();  // A: raw complete, step t − 1 visible
        T m = minus_inf<T>();
        for (int w = 0; w < warps; ++w) m = fmax(m, warp_max_of[w]);
        const T shift = m == minus_inf<T>() ? T(0) : m;
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) lb[j] = raw[j] - shift;
        d += double(shift);
        // warp_max_of and partial are rewritten only after the next barrier B, which every thread
        // reaches after reading them here.
    }
    __pipeline_wait_prior(0);
    if (c != 0) return;
    // Step 0 (its tape row and offset straight from global memory, once per sequence).
    const T* la0 = tape.log_alpha + b * p.T * N;
    const double off0 = tape.offset[b * p.T];
    double sum = 0.0;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) sum += exp(double(la0[j]) + double(lb[j]) + (off0 + d - log_z));
    sum = warp_sum(sum);
    if (lane == 0) partial[warp] = sum;
    __syncthreads();
    double total = 0.0;
    for (int w = 0; w < warps; ++w) total += partial[w];
    const double log_z_0 = total > 0 && total < INFINITY ? log_z + log(total) : log_z;
    const T node_offset = T(off0 + d - log_z_0);
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x)
        write_node(p, out, sink, b, 0, j, g * exp_of(la0[j] + lb[j] + node_offset));
    write_zeros(p, out, sink, b, L, false);
}

}  // namespace cuda
}  // namespace diffhmm
