// forward.cu — CUDA forward: the α sweep (alpha_kernel, sweep.cuh) into the workspace's device
// tape, then log Z converted to the caller's dtype and memory. One launch for the whole sweep.
#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

template <class T>
__global__ void convert_kernel(const double* in, T* out, int64_t n) {
    for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
        out[k] = T(in[k]);
}

template <class T>
Tape<T> tape_of(DeviceBuffer& alpha, DeviceBuffer& offset, DeviceBuffer& log_z, const Problem<T>& p) {
    const size_t bt = size_t(p.B) * size_t(p.T);
    return {alpha.as<T>(bt * size_t(p.N)), offset.as<double>(bt), log_z.as<double>(size_t(p.B))};
}

// The α sweep of every sequence into `tape`; throws INVALID_VALUE if a NaN/+inf was read.
template <class T>
void alpha_sweep(State& st, const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, cudaStream_t s) {
    int* flag = st.flag.as<int>(1);
    check(cudaMemsetAsync(flag, 0, sizeof(int), s), "cudaMemsetAsync");
    alpha_kernel<T><<<grid_for(host.B), threads_for(host.N), shared_bytes<T>(alpha_kernel<T>, host.N, 1), s>>>(device, tape, flag);
    check_launch("alpha_kernel", s);
    if (host.check_values) report_invalid_values(host, flag, s);
}

template <class T>
void write_log_z(State& st, const Tape<T>& tape, T* log_z, int64_t B, cudaStream_t s) {
    const Output<T> out(log_z, size_t(B), st.out[0]);
    if (out.device == nullptr) return;
    convert_kernel<T><<<unsigned((B + 255) / 256), 256, 0, s>>>(tape.log_z, out.device, B);
    check_launch("convert_kernel", s);
    out.finish(s);
}

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(alpha_kernel<T>, p.N, 1);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const Tape<T> tape = tape_of(st.tape_alpha, st.tape_offset, st.tape_log_z, p);
    alpha_sweep(st, p, d, tape, s);
    write_log_z(st, tape, log_z, p.B, s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (forward)");
}

template void forward<float>(diffhmm_workspace&, const Problem<float>&, float*);
template void forward<double>(diffhmm_workspace&, const Problem<double>&, double*);
template Tape<float> tape_of(DeviceBuffer&, DeviceBuffer&, DeviceBuffer&, const Problem<float>&);
template Tape<double> tape_of(DeviceBuffer&, DeviceBuffer&, DeviceBuffer&, const Problem<double>&);
template void alpha_sweep(State&, const Problem<float>&, const Problem<float>&, const Tape<float>&, cudaStream_t);
template void alpha_sweep(State&, const Problem<double>&, const Problem<double>&, const Tape<double>&, cudaStream_t);
template void write_log_z(State&, const Tape<float>&, float*, int64_t, cudaStream_t);
template void write_log_z(State&, const Tape<double>&, double*, int64_t, cudaStream_t);

}  // namespace cuda
}  // namespace diffhmm
