// chunked.cuh — the chunked scan for few, long sequences (docs/cuda.md §4): the time axis of every
// sequence is cut into C chunks that run on separate CTAs.
//   chunk_transfer_kernel  every chunk's transfer (the product of its step matrices, row-wise in log
//                          space; chunk_math.h) — all chunks of all sequences at once;
//   chunk_alpha_kernel     α carried across the chunks in order, one CTA per sequence (C small
//                          vector–matrix steps): the message each chunk starts from;
//   chunk_beta_kernel      β carried back across the chunks the same way, for the backward;
// then the pipelined α and β kernels (pipelined.cuh) re-sweep every chunk at once from its starting
// message, writing the same tape and gradients as one sweep per sequence would.
//
// The transfer kernel's CTA advances `rows` rows of one chunk's transfer through the chunk's steps.
// Per step: the step matrix (prefetched one step ahead with cp.async) is shifted by its column maxima
// and exponentiated once into E; the rows' entries were exponentiated into R at the end of the last
// step; thread (j, row set) forms Σ_k R[r][k]·E[k][j] for its four rows r — four FMAs per loaded E
// value, R read as 16-byte broadcasts — and finishes each entry (log + shift, or the exact
// recomputation); the rows are re-centred on their maxima. Four barriers per step.
#pragma once

#include <cuda_pipeline.h>

#include <type_traits>

#include "cuda/chunk_math.h"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// Shapes of the chunked scan, fixed by the host (plan.h: plan_chunks).
struct ChunkPlan {
    int chunks = 1;      // C: chunks per sequence
    int groups = 1;      // CTAs per chunk transfer, each advancing `rows` rows
    int rows = 0;        // transfer rows per CTA
    int np = 0;          // padded row length in shared memory: N rounded up to a 16-byte multiple
    int warps_j = 0;     // warps across the columns: ⌈N / 32⌉
    int row_sets = 0;    // sets of kRowsPerThread rows per CTA: ⌈rows / kRowsPerThread⌉
    size_t shared = 0;   // dynamic shared memory of the transfer kernel
};

constexpr int kRowsPerThread = 4;

// Where the chunked scan keeps its intermediate results ([B][C] chunks in every array).
template <class T>
struct ChunkData {
    T* transfer = nullptr;       // [B][C][N][N] log-space transfers, each row's maximum 0
    double* row_off = nullptr;   // [B][C][N] the rows' offsets (−inf: a row that reaches nothing)
    T* start = nullptr;          // [B][C][N] the message each chunk's re-sweep starts from (α or β)
    double* start_off = nullptr; // [B][C]
};

// Dynamic shared memory of chunk_transfer_kernel, in elements of T: the double-buffered step matrix
// [2][N][np] and column [2][np], E [np][np], R and LR [row_sets·4][np], column-max partials
// [row_sets][np], row-max partials [row_sets·4][warps_j].
inline size_t chunk_transfer_elements(int64_t N, const ChunkPlan& c) {
    const size_t np = size_t(c.np), rp = size_t(c.row_sets) * kRowsPerThread;
    return 2 * size_t(N) * np + 2 * np + np * np + 2 * rp * np + size_t(c.row_sets) * np + rp * size_t(c.warps_j);
}

// Queues step t's matrix (rows of N into rows of np) and column into the shared buffers.
template <class T>
__device__ __forceinline__ void queue_chunk_step(const Problem<T>& p, int64_t b, int64_t t, T* m, T* col, int np) {
    const int N = int(p.N);
    const T* src = p.matrix(b, t);
    for (int e = threadIdx.x; e < N * N; e += blockDim.x)
        __pipeline_memcpy_async(m + (e / N) * np + e % N, src + e, sizeof(T));
    const T* c = p.column(b, t);
    if (c != nullptr)
        for (int j = threadIdx.x; j < N; j += blockDim.x) __pipeline_memcpy_async(col + j, c + j, sizeof(T));
    __pipeline_commit();
}

// Grid: B · C · groups CTAs (sequence-major); blockDim = 32 · warps_j · row_sets (at most 1024, so at
// most 128 rows per CTA). Shared-memory indices are int: the tiles are far below 2^31 elements.
template <class T>
__global__ void __launch_bounds__(1024) chunk_transfer_kernel(Problem<T> p, ChunkPlan plan, ChunkData<T> out) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    __shared__ double row_off[128];
    const int N = int(p.N), np = plan.np, rp = plan.row_sets * kRowsPerThread;
    const int64_t cta = blockIdx.x, g = cta % plan.groups, c = (cta / plan.groups) % plan.chunks,
                  b = cta / (int64_t(plan.groups) * plan.chunks);
    const chunk::Span s = chunk::span(p.length(b), plan.chunks, c);
    if (s.empty()) return;
    T* M = reinterpret_cast<T*>(shared_raw);  // [2][N][np]
    T* colv = M + 2 * N * np;                 // [2][np]
    T* E = colv + 2 * np;                     // [np][np]
    T* R = E + np * np;                       // [rp][np]
    T* LR = R + rp * np;                      // [rp][np]
    T* cpart = LR + rp * np;                  // [row_sets][np]
    T* rpart = cpart + plan.row_sets * np;    // [rp][warps_j]
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int jw = warp % plan.warps_j, rs = warp / plan.warps_j;
    const int j = jw * 32 + lane;
    const bool column = j < N;
    const int row0 = int(g) * plan.rows;  // this CTA's first transfer row
    const int rows_here = N - row0 < plan.rows ? N - row0 : plan.rows;
    const T tiny = chunk::tiny<T>(N);
    const bool has_column = p.form == Form::factorized;

    // Start: E and the padding zero, each row r the unit vector e_r (LR 0 at r, −inf elsewhere).
    for (int e = threadIdx.x; e < np * np; e += blockDim.x) E[e] = T(0);
    for (int e = threadIdx.x; e < 2 * np; e += blockDim.x) colv[e] = T(0);
    for (int e = threadIdx.x; e < rp * np; e += blockDim.x) {
        const int lr = e / np, k = e % np;
        const bool unit = lr < rows_here && k == row0 + lr;
        LR[e] = unit ? T(0) : chunk::neg_inf<T>();
        R[e] = unit ? T(1) : T(0);
    }
    for (int r = threadIdx.x; r < rp; r += blockDim.x) row_off[r] = 0.0;
    __syncthreads();  // the zeros above are written before any copy lands in colv
    queue_chunk_step(p, b, s.first, M, colv, np);
    __pipeline_wait_prior(0);
    __syncthreads();

    for (int64_t t = s.first; t < s.end; ++t) {
        const int buf = int((t - s.first) & 1);
        const T* m = M + buf * N * np;
        const T* cv = colv + buf * np;
        if (t + 1 < s.end) queue_chunk_step(p, b, t + 1, M + (buf ^ 1) * N * np, colv + (buf ^ 1) * np, np);
        else __pipeline_commit();
        const T cj = column && has_column ? cv[j] : T(0);
        // Column maxima: partial over k ≡ rs (mod row_sets), then over the partials.
        if (column) {
            T best = chunk::neg_inf<T>();
            for (int k = rs; k < N; k += plan.row_sets) best = fmax(best, m[k * np + j] + cj);
            cpart[rs * np + j] = best;
        }
        __syncthreads();
        T shift = chunk::neg_inf<T>();
        if (column) {
            for (int r = 0; r < plan.row_sets; ++r) shift = fmax(shift, cpart[r * np + j]);
            for (int k = rs; k < N; k += plan.row_sets)
                E[k * np + j] = shift > chunk::neg_inf<T>() ? chunk::exp_t(m[k * np + j] + cj - shift) : T(0);
        }
        __syncthreads();
        // The product for this thread's rows rs·4 .. rs·4 + 3 (local) and column j; each sum then
        // becomes the entry's log value.
        T sum[kRowsPerThread];
        for (int i = 0; i < kRowsPerThread; ++i) sum[i] = T(0);
        constexpr int V = int(16 / sizeof(T));
        using Vec = typename std::conditional<sizeof(T) == 4, float4, double2>::type;
        const T* ecol = E + (column ? j : 0);
        const T* rrow = R + rs * kRowsPerThread * np;
        for (int k = 0; k < np; k += V) {
            T e[V];
            for (int v = 0; v < V; ++v) e[v] = ecol[(k + v) * np];
#pragma unroll
            for (int i = 0; i < kRowsPerThread; ++i) {
                const Vec r4 = *reinterpret_cast<const Vec*>(rrow + i * np + k);
                const T* rv = reinterpret_cast<const T*>(&r4);
                for (int v = 0; v < V; ++v) sum[i] += rv[v] * e[v];
            }
        }
#pragma unroll
        for (int i = 0; i < kRowsPerThread; ++i) {
            const int lr = rs * kRowsPerThread + i;
            T value = chunk::neg_inf<T>();
            if (column && lr < rows_here) {
                const T* old = LR + lr * np;
                value = chunk::finish_entry(sum[i], shift, tiny, [&] { return chunk::exact_entry(old, m, np, cj, N, j); });
            }
            sum[i] = value;
            const T wmax = warp_max(value);
            if (lane == 0) rpart[lr * plan.warps_j + jw] = wmax;
        }
        __pipeline_wait_prior(0);  // step t + 1 has landed for this thread
        __syncthreads();           // ... for every thread; the row maxima are complete; LR, R no longer read
#pragma unroll
        for (int i = 0; i < kRowsPerThread; ++i) {
            const int lr = rs * kRowsPerThread + i;
            if (lr >= rows_here) continue;
            T mx = chunk::neg_inf<T>();
            for (int w = 0; w < plan.warps_j; ++w) mx = fmax(mx, rpart[lr * plan.warps_j + w]);
            const bool alive = mx > chunk::neg_inf<T>();
            if (jw == 0 && lane == 0) row_off[lr] = alive ? row_off[lr] + double(mx) : -INFINITY;
            if (column) {
                const T x = alive ? sum[i] - mx : chunk::neg_inf<T>();
                LR[lr * np + j] = x;
                R[lr * np + j] = chunk::exp_t(x);
            }
        }
        __syncthreads();
    }
    const int64_t base = (b * plan.chunks + c) * N;
    for (int i = 0; i < kRowsPerThread; ++i) {
        const int lr = rs * kRowsPerThread + i, r = row0 + lr;
        if (lr >= rows_here) continue;
        if (column) out.transfer[(base + r) * N + j] = LR[lr * np + j];
        if (jw == 0 && lane == 0) out.row_off[base + r] = row_off[lr];
    }
}

// A carried message re-centred on its maximum — v is this thread's state k's absolute log value (−inf
// past N) — into `row` [N] and the chunk's start[slot], start_off[slot]; returns the offset.
template <class T>
__device__ double store_start(double v, int64_t k, int64_t N, int64_t slot, T* row, const ChunkData<T>& data,
                              double* red) {
    const double mx = block_max(v, red);
    const double off = mx > -INFINITY ? mx : 0.0;
    if (k < N) {
        row[k] = T(v - off);
        data.start[slot * N + k] = row[k];
    }
    if (k == 0) data.start_off[slot] = off;
    return off;
}

// α carried across the chunks of sequence b = blockIdx.x: out.start[b][c] (re-centred) and
// out.start_off[b][c] are α_{first(c) − 1}, the message chunk c's re-sweep starts from. One thread
// per state (blockDim ≥ N). Dynamic shared memory: a [N], w [N] of T.
template <class T>
__global__ void chunk_alpha_kernel(Problem<T> p, ChunkPlan plan, ChunkData<T> data) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    T* a = reinterpret_cast<T*>(shared_raw);
    T* w = a + p.N;
    __shared__ double red[32];
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b), C = plan.chunks;
    if (L == 0) return;
    const int64_t j = threadIdx.x;
    const int64_t last = chunk::last_chunk(L, C);
    // Step 0: the initial scores.
    double v = -INFINITY;
    if (j < N) {
        const T* col = p.initial_col(b);
        v = double(p.initial_row(b)[j] + (col ? col[j] : T(0)));
    }
    for (int64_t c = 0;; ++c) {
        const double a_off = store_start(v, j, N, b * C + c, a, data, red);
        if (c == last) return;
        // Across chunk c: w[r] = a[r] + a_off + row_off[r] − base, then a log-sum-exp per column.
        const T* lr = data.transfer + (b * C + c) * N * N;
        const double* roff = data.row_off + (b * C + c) * N;
        double mine = -INFINITY;
        if (j < N && a[j] > chunk::neg_inf<T>()) mine = double(a[j]) + a_off + roff[j];
        const double base = block_max(mine, red);
        if (j < N) w[j] = mine > -INFINITY && base > -INFINITY ? T(mine - base) : chunk::neg_inf<T>();
        __syncthreads();
        v = j < N && base > -INFINITY ? double(chunk::alpha_across(w, lr, N, j)) + base : -INFINITY;
    }
}

// β carried back across the chunks of sequence b = blockIdx.x: out.start[b][c], out.start_off[b][c]
// are β_{end(c) − 1}, the message chunk c's β re-sweep starts from (0 for the last chunk). One
// thread per state. Dynamic shared memory: the chunk's transfer [N][N] (read coalesced, used by rows),
// then be [N] of T.
template <class T>
__global__ void chunk_beta_kernel(Problem<T> p, ChunkPlan plan, ChunkData<T> data, const double* log_z) {
    extern __shared__ __align__(16) unsigned char shared_raw[];
    T* tile = reinterpret_cast<T*>(shared_raw);
    T* be = tile + p.N * p.N;
    __shared__ double red[32];
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b), C = plan.chunks;
    if (L == 0 || log_z[b] == -INFINITY) return;
    const int64_t r = threadIdx.x;
    double v = r < N ? 0.0 : -INFINITY;
    for (int64_t c = chunk::last_chunk(L, C);; --c) {
        const double off = store_start(v, r, N, b * C + c, be, data, red);
        if (c == 0) return;
        const T* lr = data.transfer + (b * C + c) * N * N;
        for (int64_t e = threadIdx.x; e < N * N; e += blockDim.x) tile[e] = lr[e];
        __syncthreads();
        const double roff = r < N ? data.row_off[(b * C + c) * N + r] : -INFINITY;
        v = roff > -INFINITY ? double(chunk::beta_across(be, tile, N, r)) + roff + off : -INFINITY;
        __syncthreads();  // tile and be are rewritten next round
    }
}

}  // namespace cuda
}  // namespace diffhmm
