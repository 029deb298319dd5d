// viterbi.cu — CUDA Viterbi: one CTA per sequence, thread j owns state j (strided), loop over i with
// the lowest maximising i kept (strict >); messages re-centred every step (offset in float64);
// back-pointers [B][T][N] int32 in the workspace; thread 0 walks the backtrace.
#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// Dynamic shared memory: prev [N], cur [N] of T.
template <class T>
__global__ void viterbi_kernel(Problem<T> p, int32_t* back, int64_t* path, T* score, int* bad) {
    extern __shared__ unsigned char shared_raw[];
    T* prev = reinterpret_cast<T*>(shared_raw);
    T* cur = prev + p.N;
    __shared__ T red[32];
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b);
    int64_t* best_path = path + b * p.T;
    for (int64_t t = threadIdx.x; t < p.T; t += blockDim.x) best_path[t] = -1;
    if (L == 0) {
        if (threadIdx.x == 0) score[b] = T(0);
        return;
    }
    int32_t* bp = back + b * p.T * N;
    bool seen_bad = false;
    T local = initial_scores(p, b, cur, &seen_bad);
    T m = block_max(local, red);
    T shift = m == minus_inf<T>() ? T(0) : m;
    for (int64_t j = threadIdx.x; j < N; j += blockDim.x) prev[j] = cur[j] - shift;
    double offset = double(shift);
    __syncthreads();
    for (int64_t t = 1; t < L; ++t) {
        const T* mat = p.matrix(b, t);
        const T* col = p.column(b, t);
        local = minus_inf<T>();
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) {
            T best = minus_inf<T>();
            int32_t arg = 0;
            for (int64_t i = 0; i < N; ++i) {
                const T x = mat[i * N + j];
                if (p.check_values) seen_bad |= invalid(x);
                const T s = prev[i] + x;
                if (s > best) {
                    best = s;
                    arg = int32_t(i);
                }
            }
            if (col != nullptr) {
                if (p.check_values) seen_bad |= invalid(col[j]);
                best += col[j];
            }
            cur[j] = best;
            bp[t * N + j] = arg;
            local = fmax(local, best);
        }
        m = block_max(local, red);  // barrier: every read of prev is done
        shift = m == minus_inf<T>() ? T(0) : m;
        for (int64_t j = threadIdx.x; j < N; j += blockDim.x) prev[j] = cur[j] - shift;
        offset += double(shift);
        __syncthreads();
    }
    if (seen_bad) atomicOr(bad, 1);
    if (threadIdx.x != 0) return;
    int64_t arg = 0;
    for (int64_t j = 1; j < N; ++j)
        if (prev[j] > prev[arg]) arg = j;
    if (prev[arg] == minus_inf<T>()) {
        score[b] = minus_inf<T>();
        return;
    }
    score[b] = T(offset + double(prev[arg]));
    best_path[L - 1] = arg;
    for (int64_t t = L - 1; t >= 1; --t) best_path[t - 1] = bp[t * N + best_path[t]];
}

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(viterbi_kernel<T>, p.N, 2);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    int32_t* back = st.back.as<int32_t>(size_t(p.B) * size_t(p.T) * size_t(p.N));
    int* flag = st.flag.as<int>(1);
    check(cudaMemsetAsync(flag, 0, sizeof(int), s), "cudaMemsetAsync");
    const Output<int64_t> paths(path, size_t(p.B) * size_t(p.T), st.out[2]);
    const Output<T> scores(score, size_t(p.B), st.out[3]);
    viterbi_kernel<T><<<grid_for(p.B), threads_for(p.N), shared_bytes<T>(viterbi_kernel<T>, p.N, 2), s>>>(d, back, paths.device,
                                                                                     scores.device, flag);
    check_launch("viterbi_kernel", s);
    if (p.check_values) report_invalid_values(p, flag, s);
    paths.finish(s);
    scores.finish(s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (viterbi)");
}

template void viterbi<float>(diffhmm_workspace&, const Problem<float>&, int64_t*, float*);
template void viterbi<double>(diffhmm_workspace&, const Problem<double>&, int64_t*, double*);

}  // namespace cuda
}  // namespace diffhmm
