// backend.cpp — the CUDA backend's operations table (core/backend.h), registered in
// dispatch/backends.cpp. Compiled with and without nvcc: without it, the verbs are the stubs of
// device_stub.cpp and unavailable_reason says why.
#include "core/backend.h"
#include "cuda/cuda.h"
#include "diffhmm/diffhmm.h"

namespace diffhmm {
namespace cuda {

template <class T>
Verbs<T> verbs() {
    return {&forward<T>, &backward<T>, &viterbi<T>, &kbest<T>, &marginals<T>, &sample<T>};
}

const BackendOps& backend() {
    static const BackendOps ops{
        DIFFHMM_BACKEND_CUDA, "CUDA", false, &unavailable_reason,
        [](const diffhmm_workspace& ws) { return int64_t(device_bytes(state_if_any<State>(ws))); },
        verbs<float>(), verbs<double>(),
    };
    return ops;
}

}  // namespace cuda
}  // namespace diffhmm
