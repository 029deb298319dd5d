// device_stub.cpp — stands in for cuda/ when the library is built without nvcc.
#include "cuda/cuda.h"

namespace diffhmm {
namespace cuda {

std::string unavailable_reason() {
    return "CUDA not available: this build of diffhmm was compiled without CUDA (nvcc was not found)";
}

std::string describe_device() { return "no CUDA support compiled in"; }

}  // namespace cuda
}  // namespace diffhmm
