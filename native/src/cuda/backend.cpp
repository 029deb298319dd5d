// backend.cpp — the CUDA backend's operations table (core/backend.h), registered in
// dispatch/backends.cpp. Compiled with and without nvcc: without it, the verbs are the stubs of
// device_stub.cpp and unavailable_reason says why.
#include "core/backend.h"
#include "cuda/cuda.h"
#include "diffhmm/diffhmm.h"

namespace diffhmm {
namespace cuda {

// Every verb runs on the workspace's device (DeviceScope, cuda.h).
template <class T>
Verbs<T> verbs() {
    return {
        [](diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
            const DeviceScope scope(ws);
            forward<T>(ws, p, log_z);
        },
        [](diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
            const DeviceScope scope(ws);
            backward<T>(ws, p, grad_log_z, grads);
        },
        [](diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score) {
            const DeviceScope scope(ws);
            viterbi<T>(ws, p, path, score);
        },
        [](diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores) {
            const DeviceScope scope(ws);
            kbest<T>(ws, p, k, paths, scores);
        },
        [](diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma) {
            const DeviceScope scope(ws);
            marginals<T>(ws, p, log_z, gamma);
        },
        [](diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths) {
            const DeviceScope scope(ws);
            sample<T>(ws, p, num_samples, seed, paths);
        },
    };
}

const BackendOps& backend() {
    static const BackendOps ops{
        DIFFHMM_BACKEND_CUDA, "CUDA", false, &unavailable_reason,
        [](const diffhmm_workspace& ws) { return int64_t(device_bytes(state_if_any<State>(ws))); },
        nullptr,  // device buffers only grow (DeviceBuffer): freeing device memory synchronises the device
        [](const void* p) { return !host_accessible(p); },
        &describe_device,
        &device_count,
        nullptr,
        verbs<float>(), verbs<double>(),
    };
    return ops;
}

}  // namespace cuda
}  // namespace diffhmm
