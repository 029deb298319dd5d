// cuda.h — the CUDA backend's entry points. This build lays the backend's place in the
// architecture: device discovery with the static CUDA runtime (so a machine without a GPU or
// driver loads the library and gets a reason, never a link error). The kernels land behind the
// same entry points as cpu/ (forward, backward, viterbi, marginals).
#pragma once

#include <string>

namespace diffhmm {
namespace cuda {

// "" when the CUDA backend can run here; otherwise the reason, e.g.
// "CUDA not available: no CUDA-capable device is detected".
std::string unavailable_reason();

// Name, memory and driver of device 0, or the reason it is unavailable. For `diffhmm info`.
std::string describe_device();

}  // namespace cuda
}  // namespace diffhmm
