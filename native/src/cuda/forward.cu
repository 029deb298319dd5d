// forward.cu — CUDA forward: the α sweep into the workspace's device tape (sweeps.cu, planned by
// plan.h), then log Z converted to the caller's dtype and memory.
#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/sweeps.h"

namespace diffhmm {
namespace cuda {

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(alpha_kernel<T>, p.N, 2);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const Tape<T> tape = alpha_sweep(st, st.tape, p, d, s);
    write_log_z(st, tape, log_z, p.B, s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (forward)");
}

template void forward<float>(diffhmm_workspace&, const Problem<float>&, float*);
template void forward<double>(diffhmm_workspace&, const Problem<double>&, double*);

}  // namespace cuda
}  // namespace diffhmm
