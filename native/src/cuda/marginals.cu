// marginals.cu — CUDA node marginals: an α sweep into the auxiliary device tape (the forward's
// tape is left alone), then a β sweep that writes only γ.
#include "cuda/cuda.h"
#include "cuda/sweeps.h"

namespace diffhmm {
namespace cuda {

template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(alpha_kernel<T>, p.N, 2);  // sizes checked before anything is staged
    shared_bytes<T>(beta_kernel<T>, p.N, 3);
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const Tape<T> tape = alpha_sweep(st, st.aux, p, d, s);
    write_log_z(st, tape, log_z, p.B, s);
    const Output<T> g(gamma, size_t(p.B) * size_t(p.T) * size_t(p.N), st.out[1]);
    BetaOut<T> out{};
    out.gamma = g.device;
    beta_sweep(st, p, d, tape, static_cast<const T*>(nullptr), Sink::gamma, out, s);
    g.finish(s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (marginals)");
}

template void marginals<float>(diffhmm_workspace&, const Problem<float>&, float*, float*);
template void marginals<double>(diffhmm_workspace&, const Problem<double>&, double*, double*);

}  // namespace cuda
}  // namespace diffhmm
