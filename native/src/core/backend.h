// backend.h — what a backend exports: one operations table (its verbs for float32 and float64, and
// what dispatch needs to know about it). A backend is a folder that defines one of these
// (cpu/backend.cpp, reference/backend.cpp, cuda/state.cu or cuda/device_stub.cpp) and one line in
// dispatch/backends.cpp that registers it. Inputs reach a backend validated (dispatch/validate.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/problem.h"
#include "core/workspace.h"

namespace diffhmm {

// The verbs, with the meaning of the C ABI's (diffhmm.h). A null entry: the backend does not offer it.
template <class T>
struct Verbs {
    void (*forward)(diffhmm_workspace& ws, const Problem<T>& p, T* log_z);
    void (*backward)(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);
    void (*viterbi)(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score);
    void (*kbest)(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores);
    void (*marginals)(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma);
    void (*sample)(diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths);
};

struct BackendOps {
    int id;               // DIFFHMM_BACKEND_*
    const char* name;     // for messages: "CPU", "CUDA", "reference"
    bool host_memory;     // reads and writes host memory only: device pointers are refused before a call
    std::string (*unavailable_reason)();                   // "" when it can run here
    int64_t (*state_bytes)(const diffhmm_workspace& ws);    // memory its state in `ws` holds
    void (*age_state)(diffhmm_workspace& ws);               // after every call: give back idle memory (may be null)
    // What dispatch asks of a backend besides its verbs (null: nothing to say):
    bool (*device_memory)(const void* p);   // p is memory of this backend's devices, which the host cannot read
    std::string (*describe_devices)();      // its devices for `diffhmm info` (diffhmm_cuda_device)
    int (*device_count)();                  // devices it can use (diffhmm_cuda_device_count)
    int (*instruction_set)();               // the widest CPU instruction set it runs (diffhmm_cpu_isa_supported)
    Verbs<float> f32;
    Verbs<double> f64;

    template <class T>
    const Verbs<T>& verbs() const;
};

template <>
inline const Verbs<float>& BackendOps::verbs<float>() const { return f32; }
template <>
inline const Verbs<double>& BackendOps::verbs<double>() const { return f64; }

// Explicit instantiations, for dtype T, of the six verb templates of the enclosing namespace, with
// the signatures of Verbs<T> (dispatch.cpp, cuda/device_stub.cpp).
#define DIFFHMM_INSTANTIATE_VERBS(T)                                                               \
    template void forward<T>(diffhmm_workspace&, const Problem<T>&, T*);                          \
    template void backward<T>(diffhmm_workspace&, const Problem<T>&, const T*, const Grads<T>&);  \
    template void viterbi<T>(diffhmm_workspace&, const Problem<T>&, int64_t*, T*);                \
    template void kbest<T>(diffhmm_workspace&, const Problem<T>&, int64_t, int64_t*, T*);         \
    template void marginals<T>(diffhmm_workspace&, const Problem<T>&, T*, T*);                    \
    template void sample<T>(diffhmm_workspace&, const Problem<T>&, int64_t, uint64_t, int64_t*);

}  // namespace diffhmm
