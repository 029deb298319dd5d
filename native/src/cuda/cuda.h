// cuda.h — the CUDA backend: device discovery with the static CUDA runtime (a machine without a GPU
// or driver loads the library and gets a reason, never a link error), and the six verbs behind the
// same entry points as cpu/ (forward, backward, viterbi, kbest, marginals, sample). Kernels: the
// message sweeps in sweep.cuh, pipelined.cuh, chunked.cuh and batch.cuh, launched by sweeps.cu as
// plan.h plans them, for forward.cu, backward.cu, viterbi.cu, kbest.cu, marginals.cu and sample.cu.
#pragma once

#include <cstdint>
#include <string>

#include "core/problem.h"
#include "core/workspace.h"

namespace diffhmm {
namespace cuda {

// "" when the CUDA backend can run here; otherwise the reason, e.g.
// "CUDA not available: no CUDA-capable device is detected".
std::string unavailable_reason();

// Name, memory and driver of device 0, or the reason it is unavailable. For `diffhmm info`.
std::string describe_device();

// CUDA devices this process can use; 0 when the backend is unavailable (or compiled out).
int device_count();

// Runs a call on the workspace's device (ws.cuda_device; -1 keeps the thread's current one): makes
// it current for the scope and restores the caller's device afterwards. A workspace whose state was
// made on another device frees that state first (on its own device). An ordinal the machine does
// not have is INVALID_ARGUMENT.
class DeviceScope {
public:
    explicit DeviceScope(diffhmm_workspace& ws);
    DeviceScope(const DeviceScope&) = delete;
    DeviceScope& operator=(const DeviceScope&) = delete;
    ~DeviceScope();

private:
    int restore_ = -1;  // the caller's device, when this scope changed it
};

// False only for memory the host cannot read (device memory). Free when no CUDA device is present.
bool host_accessible(const void* p);

// The backend's state in a workspace (device tape, staging, back-pointers; cuda/state.h) and the
// device memory it holds (0 for none).
struct State;
size_t device_bytes(const State* state);

// The verbs (same meaning as cpu/cpu.h). Pointers may be host or device memory, per pointer: device
// memory is used in place, host memory is copied. Work is queued on the workspace's stream; calls
// return after their results are in the caller's memory.
template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z);
template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);
template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score);
template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores);
template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma);
template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths);

}  // namespace cuda
}  // namespace diffhmm
