// kbest.cu — CUDA k-best Viterbi, the k-max-plus semiring of cpu/kbest.cpp on the forward_sweep
// skeleton (sweep.cuh, shared with alpha_kernel): one CTA per sequence, thread j owns state j
// (strided) and keeps its k best (score, back-pointer) entries sorted, best first; rows re-centred
// every step (offset in float64); thread 0 picks the k best at the last step, and the whole CTA
// walks the k backtraces in chunks (backtrace()). For k = 1 (Viterbi) the pipelined max-plus sweep
// (sweeps.cu: viterbi_pipelined) replaces the forward where the α plan would pipeline, and
// viterbi_finish_kernel the selection and backtrace. The order, the tie rule and the -inf handling
// are the CPU backend's (tests/kbest_test.cpp, cuda_test.cpp).
#include "core/kmax.h"
#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/sweeps.h"

namespace diffhmm {
namespace cuda {

// Chunks of the parallel backtrace for a sequence of length L with `width` = N·k back-pointer entries
// per step: about sqrt(L) chunks of S steps turn L dependent loads into ~2S + C (docs/cuda.md §4),
// fewer when every entry of every chunk's composed map would crowd the CTA, and at most max_chunks
// (the scratch the host could afford). 1 chunk: the plain walk.
__device__ __forceinline__ int64_t backtrace_chunks(int64_t L, int64_t width, int64_t max_chunks) {
    if (L < 64) return 1;
    int64_t c = 1;
    while ((c + 1) * (c + 1) <= L) ++c;                                // ⌊√L⌋
    c = min(c, max(int64_t(1), 16 * int64_t(blockDim.x) / width));   // ≤ 16 map entries per thread
    return max(int64_t(1), min(c, max_chunks));
}

// The backtraces of the k best paths, their last entries in where[0..k) (−1: fewer paths), written to
// paths[n][0..L). Chunk c covers steps (lo, hi] = (c·S, min((c+1)·S, L−1)]; all threads of the CTA:
//   A. every chunk's composed back-pointer map for every entry (maps[c][e]: entry at hi → entry at lo),
//      walking the chunk's S steps with all (c, e) pairs in flight at once;
//   B. thread n follows path n across the chunks from the last step, keeping each chunk's end entry;
//   C. every (path, chunk) pair walks its chunk from that entry and writes its stretch of the path.
// An entry encodes (state j, rank r) as j·k + r, as the back-pointers do; −1 stays −1.
__device__ void backtrace(const int32_t* bp, const int32_t* where, int64_t N, int64_t k, int64_t L, int64_t chunks,
                          int32_t* maps, int32_t* ends, int64_t* paths, int64_t T) {
    const int64_t width = N * k, steps = L - 1, S = chunks > 1 ? (steps + chunks - 1) / chunks : steps;
    auto lo = [&](int64_t c) { return c * S; };
    auto hi = [&](int64_t c) { return min((c + 1) * S, steps); };
    if (chunks > 1) {
        for (int64_t item = threadIdx.x; item < chunks * width; item += blockDim.x) {
            const int64_t c = item / width;
            int32_t e = int32_t(item % width);
            for (int64_t t = hi(c); t > lo(c) && e >= 0; --t) e = bp[(t * N + e / k) * k + e % k];
            maps[item] = e;
        }
        __syncthreads();
        for (int64_t n = threadIdx.x; n < k; n += blockDim.x) {
            int32_t e = where[n];
            for (int64_t c = chunks - 1; c >= 0; --c) {
                ends[n * chunks + c] = e;
                e = e >= 0 ? maps[c * width + e] : -1;
            }
        }
        __syncthreads();
    }
    for (int64_t item = threadIdx.x; item < k * chunks; item += blockDim.x) {
        const int64_t n = item / chunks, c = item % chunks;
        if (where[n] < 0) continue;
        int32_t e = chunks > 1 ? ends[n * chunks + c] : where[n];
        int64_t* path = paths + n * T;
        path[hi(c)] = e / k;
        for (int64_t t = hi(c); t > lo(c); --t) {
            e = bp[(t * N + e / k) * k + e % k];
            path[t - 1] = e / k;
        }
    }
}

// The k best paths of sequence b from its last step's values `last` [N·k] (re-centred; `offset` their
// shift): the k best (state, rank) entries in (state, rank) order on ties — thread 0, `list` [k] as
// scratch — their scores, then the backtraces (all threads) through the back-pointers back [B][T][N·k],
// whose tail [B][k] holds each sequence's k last entries.
template <class T>
__device__ void finish_paths(const Problem<T>& p, int64_t b, int64_t L, int64_t k, const T* last, double offset,
                             int32_t* back, T* list, int64_t* paths, T* scores, int64_t chunks, int32_t* maps,
                             int32_t* ends) {
    const int64_t N = p.N, width = N * k;
    int32_t* where = back + p.B * p.T * width + b * k;
    if (threadIdx.x == 0) {
        for (int64_t r = 0; r < k; ++r) {
            list[r] = minus_inf<T>();
            where[r] = -1;
        }
        for (int64_t j = 0; j < N; ++j)
            for (int64_t r = 0; r < k; ++r) {
                if (!(last[j * k + r] > list[k - 1])) break;
                offer(list, where, k, last[j * k + r], int32_t(j * k + r));
            }
        for (int64_t n = 0; n < k && where[n] >= 0; ++n) scores[b * k + n] = T(offset + double(list[n]));
    }
    __syncthreads();
    backtrace(back + b * p.T * width, where, N, k, L, chunks, maps, ends, paths + b * k * p.T, p.T);
}

// The k-max-plus semiring for forward_sweep (sweep.cuh): state j keeps its k best (score,
// back-pointer) entries sorted, best first; the back-pointers of step t go to bp [T][N][k].
template <class T>
struct KMaxPlusRows {
    int64_t width = 1;  // k
    int64_t N = 0;
    bool check = true;
    int32_t* bp = nullptr;

    __device__ void reduce(int64_t t, int64_t j, const T* prev, const T* mat, T* value, bool& seen_bad) const {
        const int64_t k = width;
        int32_t* from = bp + (t * N + j) * k;
        for (int64_t r = 0; r < k; ++r) {
            value[r] = minus_inf<T>();
            from[r] = -1;
        }
        for (int64_t i = 0; i < N; ++i) {
            const T x = mat[i * N + j];
            if (check) seen_bad |= invalid(x);
            for (int64_t r = 0; r < k; ++r) {  // prev's lists are sorted: stop once nothing enters
                const T s = prev[i * k + r] + x;
                if (!(s > value[k - 1])) break;
                offer(value, from, k, s, int32_t(i * k + r));
            }
        }
    }
    __device__ void row(int64_t, int64_t, const T*) const {}
    __device__ void offset(int64_t, double) const {}
};

// Dynamic shared memory: prev [N·k], cur [N·k] of T. back: [B][T][N][k] int32, then [B][k] scratch.
template <class T>
__global__ void kbest_kernel(Problem<T> p, int64_t k, int32_t* back, int64_t* paths, T* scores, int* bad,
                             int64_t max_chunks, int32_t* chunk_maps, int32_t* chunk_ends) {
    extern __shared__ unsigned char shared_raw[];
    const int64_t N = p.N, width = N * k, b = blockIdx.x, L = p.length(b);
    T* prev = reinterpret_cast<T*>(shared_raw);
    T* cur = prev + width;
    __shared__ T red[32];
    for (int64_t e = threadIdx.x; e < k * p.T; e += blockDim.x) paths[b * k * p.T + e] = -1;
    for (int64_t r = threadIdx.x; r < k; r += blockDim.x) scores[b * k + r] = r == 0 && L == 0 ? T(0) : minus_inf<T>();
    if (L == 0) return;
    int32_t* bp = back + b * p.T * width;
    const int64_t chunks = backtrace_chunks(L, width, max_chunks);
    KMaxPlusRows<T> rows;
    rows.width = k;
    rows.N = N;
    rows.check = p.check_values;
    rows.bp = bp;
    bool seen_bad = false;
    const double offset = forward_sweep(p, b, L, rows, prev, cur, red, seen_bad);
    if (seen_bad) atomicOr(bad, 1);
    finish_paths(p, b, L, k, prev, offset, back, cur, paths, scores, chunks, chunk_maps + b * max_chunks * width,
                 chunk_ends + b * k * max_chunks);
}

// After the pipelined max-plus sweep (pipelined.cuh, Viterbi: k = 1): its last rows and offsets in
// vit, its back-pointers in `back`; the best path of sequence b = blockIdx.x as kbest_kernel finds it.
// Dynamic shared memory: last [N], list [1] of T.
template <class T>
__global__ void viterbi_finish_kernel(Problem<T> p, ViterbiRows<T> vit, int64_t* paths, T* scores, int64_t max_chunks,
                                      int32_t* chunk_maps, int32_t* chunk_ends) {
    extern __shared__ unsigned char shared_raw[];
    const int64_t N = p.N, b = blockIdx.x, L = p.length(b);
    T* last = reinterpret_cast<T*>(shared_raw);
    T* list = last + N;
    for (int64_t e = threadIdx.x; e < p.T; e += blockDim.x) paths[b * p.T + e] = -1;
    if (threadIdx.x == 0) scores[b] = L == 0 ? T(0) : minus_inf<T>();
    if (L == 0) return;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) last[j] = vit.last_row[b * N + j];
    __syncthreads();
    const int64_t chunks = backtrace_chunks(L, N, max_chunks);
    finish_paths(p, b, L, int64_t(1), last, vit.last_offset[b], vit.back, list, paths, scores, chunks,
                 chunk_maps + b * max_chunks * N, chunk_ends + b * max_chunks);
}

template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(kbest_kernel<T>, p.N * k, 2);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    // Back-pointers [B][T][N·k], the k best last entries [B][k], then the parallel backtrace's scratch:
    // chunk maps [B][C][N·k] and chunk ends [B][k][C], C at most min(64, √T) and within 256 MiB.
    const size_t width = size_t(p.N) * size_t(k), pointers = size_t(p.B) * size_t(p.T) * width + size_t(p.B) * size_t(k);
    const size_t per_chunk = size_t(p.B) * (width + size_t(k)) * sizeof(int32_t);
    int64_t root = 1;
    while ((root + 1) * (root + 1) <= p.T) ++root;
    const int64_t max_chunks = p.T < 64 ? 1 : int64_t(std::min<size_t>(size_t(std::min<int64_t>(64, root)),
                                                                   std::max<size_t>(1, (size_t(256) << 20) / per_chunk)));
    int32_t* back = st.back.as<int32_t>(pointers + size_t(max_chunks) * size_t(p.B) * (width + size_t(k)));
    int32_t* chunk_maps = back + pointers;
    int32_t* chunk_ends = chunk_maps + size_t(max_chunks) * size_t(p.B) * width;
    int* flag = st.flag.as<int>(1);
    check(cudaMemsetAsync(flag, 0, sizeof(int), s), "cudaMemsetAsync");
    const Output<int64_t> out_paths(paths, size_t(p.B) * size_t(k) * size_t(p.T), st.out[2]);
    const Output<T> out_scores(scores, size_t(p.B) * size_t(k), st.out[3]);
    ViterbiRows<T> vit;
    vit.back = back;
    if (k == 1) {  // Viterbi: the pipelined max-plus sweep where the α plan would pipeline
        vit.last_row = st.last.as<T>(size_t(p.B) * size_t(p.N));
        vit.last_offset = st.last_offset.as<double>(size_t(p.B));
    }
    if (k == 1 && viterbi_pipelined(st.settings, p, d, vit, flag, s)) {
        viterbi_finish_kernel<T><<<grid_for(p.B), threads_for(p.N), shared_bytes<T>(viterbi_finish_kernel<T>, p.N + 1, 1),
                                   s>>>(d, vit, out_paths.device, out_scores.device, max_chunks, chunk_maps, chunk_ends);
        check_launch("viterbi_finish_kernel", s);
    } else {
        kbest_kernel<T><<<grid_for(p.B), threads_for(p.N), shared_bytes<T>(kbest_kernel<T>, p.N * k, 2), s>>>(
            d, k, back, out_paths.device, out_scores.device, flag, max_chunks, chunk_maps, chunk_ends);
        check_launch("kbest_kernel", s);
    }
    if (p.check_values) report_invalid_values(p, flag, s);
    out_paths.finish(s);
    out_scores.finish(s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (kbest)");
}

template void kbest<float>(diffhmm_workspace&, const Problem<float>&, int64_t, int64_t*, float*);
template void kbest<double>(diffhmm_workspace&, const Problem<double>&, int64_t, int64_t*, double*);

}  // namespace cuda
}  // namespace diffhmm
