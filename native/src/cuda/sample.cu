// sample.cu — CUDA posterior sampling: an α sweep into the auxiliary device tape, then sample_kernel:
// one CTA per sequence, one thread per sample (strided) walking back from the last step with the
// same counter-based random numbers as the CPU (core/random.h), so both backends draw alike.
#include "core/random.h"
#include "cuda/cuda.h"
#include "cuda/sweeps.h"

namespace diffhmm {
namespace cuda {

// Index drawn with probability proportional to exp(x[i * stride]); -1 if all are -inf.
template <class T, class X>
__device__ int64_t draw_state(X x, int64_t N, double u) {
    double m = -INFINITY;
    for (int64_t i = 0; i < N; ++i) m = fmax(m, double(x(i)));
    if (m == -INFINITY) return -1;
    double total = 0;
    for (int64_t i = 0; i < N; ++i) total += exp(double(x(i)) - m);
    double target = u * total;
    int64_t last = -1;
    for (int64_t i = 0; i < N; ++i) {
        const double w = exp(double(x(i)) - m);
        if (w <= 0) continue;
        last = i;
        if ((target -= w) < 0) return i;
    }
    return last;
}

template <class T>
__global__ void sample_kernel(Problem<T> p, Tape<T> tape, int64_t S, uint64_t seed, int64_t* paths) {
    const int64_t b = blockIdx.x, N = p.N, L = p.length(b);
    int64_t* out = paths + b * S * p.T;
    for (int64_t e = threadIdx.x; e < S * p.T; e += blockDim.x) out[e] = -1;
    __syncthreads();
    if (L == 0 || tape.log_z[b] == -INFINITY) return;
    const T* la = tape.log_alpha + b * p.T * N;
    for (int64_t s = threadIdx.x; s < S; s += blockDim.x) {
        int64_t* path = out + s * p.T;
        int64_t z = draw_state<T>([&](int64_t i) { return la[(L - 1) * N + i]; }, N, uniform01(seed, b, s, L - 1));
        path[L - 1] = z;
        for (int64_t t = L - 1; t >= 1 && z >= 0; --t) {
            const T* mat = p.matrix(b, t);
            const int64_t to = z;
            z = draw_state<T>([&](int64_t i) { return la[(t - 1) * N + i] + mat[i * N + to]; }, N,
                              uniform01(seed, b, s, t - 1));
            path[t - 1] = z;
        }
    }
}

template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t S, uint64_t seed, int64_t* paths) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0 || S == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(alpha_kernel<T>, p.N, 2);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const Tape<T> tape = alpha_sweep(st, st.aux, p, d, s);
    const Output<int64_t> out(paths, size_t(p.B) * size_t(S) * size_t(p.T), st.out[2]);
    sample_kernel<T><<<grid_for(p.B), 128, 0, s>>>(d, tape, S, seed, out.device);
    check_launch("sample_kernel", s);
    out.finish(s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (sample)");
}

template void sample<float>(diffhmm_workspace&, const Problem<float>&, int64_t, uint64_t, int64_t*);
template void sample<double>(diffhmm_workspace&, const Problem<double>&, int64_t, uint64_t, int64_t*);

}  // namespace cuda
}  // namespace diffhmm
