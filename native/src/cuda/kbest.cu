// kbest.cu — CUDA k-best Viterbi, the k-max-plus semiring of cpu/kbest.cpp on the viterbi_kernel
// skeleton: one CTA per sequence, thread j owns state j (strided) and keeps its k best (score,
// back-pointer) entries sorted, best first; rows re-centred every step (offset in float64); thread 0
// picks the k best at the last step and walks the k backtraces. The order, the tie rule and the -inf
// handling are the CPU backend's (tests/kbest_test.cpp, cuda_test.cpp).
#include "core/kmax.h"
#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// Dynamic shared memory: prev [N·k], cur [N·k] of T. back: [B][T][N][k] int32, then [B][k] scratch.
template <class T>
__global__ void kbest_kernel(Problem<T> p, int64_t k, int32_t* back, int64_t* paths, T* scores, int* bad) {
    extern __shared__ unsigned char shared_raw[];
    const int64_t N = p.N, width = N * k, b = blockIdx.x, L = p.length(b);
    T* prev = reinterpret_cast<T*>(shared_raw);
    T* cur = prev + width;
    __shared__ T red[32];
    for (int64_t e = threadIdx.x; e < k * p.T; e += blockDim.x) paths[b * k * p.T + e] = -1;
    for (int64_t r = threadIdx.x; r < k; r += blockDim.x) scores[b * k + r] = r == 0 && L == 0 ? T(0) : minus_inf<T>();
    if (L == 0) return;
    int32_t* bp = back + b * p.T * width;
    bool seen_bad = false;
    T local = initial_scores(p, b, cur, &seen_bad);  // cur[0..N): step 0's scores
    T m = block_max(local, red);
    T shift = m == minus_inf<T>() ? T(0) : m;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
        prev[j * k] = cur[j] - shift;
        for (int64_t r = 1; r < k; ++r) prev[j * k + r] = minus_inf<T>();
    }
    double offset = double(shift);
    __syncthreads();
    for (int64_t t = 1; t < L; ++t) {
        const T* mat = p.matrix(b, t);
        const T* col = p.column(b, t);
        local = minus_inf<T>();
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
            T* value = cur + j * k;
            int32_t* from = bp + (t * N + j) * k;
            for (int64_t r = 0; r < k; ++r) {
                value[r] = minus_inf<T>();
                from[r] = -1;
            }
            for (int64_t i = 0; i < N; ++i) {
                const T x = mat[i * N + j];
                if (p.check_values) seen_bad |= invalid(x);
                for (int64_t r = 0; r < k; ++r) {  // prev's lists are sorted: stop once nothing enters
                    const T s = prev[i * k + r] + x;
                    if (!(s > value[k - 1])) break;
                    offer(value, from, k, s, int32_t(i * k + r));
                }
            }
            if (col != nullptr) {
                if (p.check_values) seen_bad |= invalid(col[j]);
                for (int64_t r = 0; r < k; ++r) value[r] += col[j];
            }
            local = fmax(local, value[0]);
        }
        m = block_max(local, red);  // barrier: every read of prev is done
        shift = m == minus_inf<T>() ? T(0) : m;
        for (int64_t e = threadIdx.x; e < width; e += blockDim.x) prev[e] = cur[e] - shift;
        offset += double(shift);
        __syncthreads();
    }
    if (seen_bad) atomicOr(bad, 1);
    if (threadIdx.x != 0) return;
    // The k best over (state, rank), in (state, rank) order on ties; cur serves as the list.
    T* best = cur;
    int32_t* where = back + p.B * p.T * width + b * k;
    for (int64_t r = 0; r < k; ++r) {
        best[r] = minus_inf<T>();
        where[r] = -1;
    }
    for (int64_t j = 0; j < N; ++j)
        for (int64_t r = 0; r < k; ++r) {
            if (!(prev[j * k + r] > best[k - 1])) break;
            offer(best, where, k, prev[j * k + r], int32_t(j * k + r));
        }
    for (int64_t n = 0; n < k && where[n] >= 0; ++n) {
        int64_t* path = paths + (b * k + n) * p.T;
        scores[b * k + n] = T(offset + double(best[n]));
        int64_t j = where[n] / k, r = where[n] % k;
        path[L - 1] = j;
        for (int64_t t = L - 1; t >= 1; --t) {
            const int32_t from = bp[(t * N + j) * k + r];
            j = from / k;
            r = from % k;
            path[t - 1] = j;
        }
    }
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
    int32_t* back = st.back.as<int32_t>(size_t(p.B) * size_t(p.T) * size_t(p.N) * size_t(k) + size_t(p.B) * size_t(k));
    int* flag = st.flag.as<int>(1);
    check(cudaMemsetAsync(flag, 0, sizeof(int), s), "cudaMemsetAsync");
    const Output<int64_t> out_paths(paths, size_t(p.B) * size_t(k) * size_t(p.T), st.out[2]);
    const Output<T> out_scores(scores, size_t(p.B) * size_t(k), st.out[3]);
    kbest_kernel<T><<<grid_for(p.B), threads_for(p.N), shared_bytes<T>(kbest_kernel<T>, p.N * k, 2), s>>>(d, k, back, out_paths.device,
                                                                                       out_scores.device, flag);
    check_launch("kbest_kernel", s);
    if (p.check_values) report_invalid_values(p, flag, s);
    out_paths.finish(s);
    out_scores.finish(s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (kbest)");
}

template void kbest<float>(diffhmm_workspace&, const Problem<float>&, int64_t, int64_t*, float*);
template void kbest<double>(diffhmm_workspace&, const Problem<double>&, int64_t, int64_t*, double*);

}  // namespace cuda
}  // namespace diffhmm
