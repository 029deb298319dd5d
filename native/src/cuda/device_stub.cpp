// device_stub.cpp — stands in for cuda/ when the library is built without nvcc.
#include "core/backend.h"
#include "core/error.h"
#include "cuda/cuda.h"

namespace diffhmm {
namespace cuda {

std::string unavailable_reason() {
    return "CUDA not available: this build of diffhmm was compiled without CUDA (nvcc was not found)";
}

std::string describe_device() { return "no CUDA support compiled in"; }

bool host_accessible(const void*) { return true; }

size_t device_bytes(const State*) { return 0; }

int device_count() { return 0; }

DeviceScope::DeviceScope(diffhmm_workspace&) {}
DeviceScope::~DeviceScope() = default;

[[noreturn]] static void unavailable() { fail(DIFFHMM_ERROR_BACKEND_UNAVAILABLE, unavailable_reason()); }

template <class T>
void forward(diffhmm_workspace&, const Problem<T>&, T*) { unavailable(); }
template <class T>
void backward(diffhmm_workspace&, const Problem<T>&, const T*, const Grads<T>&) { unavailable(); }
template <class T>
void viterbi(diffhmm_workspace&, const Problem<T>&, int64_t*, T*) { unavailable(); }
template <class T>
void kbest(diffhmm_workspace&, const Problem<T>&, int64_t, int64_t*, T*) { unavailable(); }
template <class T>
void marginals(diffhmm_workspace&, const Problem<T>&, T*, T*) { unavailable(); }
template <class T>
void sample(diffhmm_workspace&, const Problem<T>&, int64_t, uint64_t, int64_t*) { unavailable(); }

DIFFHMM_INSTANTIATE_VERBS(float)
DIFFHMM_INSTANTIATE_VERBS(double)

}  // namespace cuda
}  // namespace diffhmm
