// device.cu — CUDA device discovery through the statically linked CUDA runtime. With no driver
// the first runtime call returns cudaErrorInsufficientDriver (35): that is the clean "no CUDA"
// signal on CPU-only machines.
#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "cuda/cuda.h"

namespace diffhmm {
namespace cuda {

static std::string device_error() {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        cudaGetLastError();  // clear the sticky error so later calls are not blamed
        return std::string(cudaGetErrorString(status)) + " (" + cudaGetErrorName(status) + ")";
    }
    if (count == 0) return "no CUDA-capable device is detected";
    return "";
}

// DIFFHMM_DISABLE_CUDA=1 makes the CUDA backend report itself unavailable (AUTO then uses the CPU).
static bool disabled_by_environment() {
    const char* v = std::getenv("DIFFHMM_DISABLE_CUDA");
    return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

std::string unavailable_reason() {
    if (disabled_by_environment()) return "CUDA not available: disabled by DIFFHMM_DISABLE_CUDA";
    const std::string error = device_error();
    return error.empty() ? "" : "CUDA not available: " + error;
}

bool host_accessible(const void* p) {
    static const bool present = device_error().empty();
    if (!present || p == nullptr) return true;
    cudaPointerAttributes attributes;
    if (cudaPointerGetAttributes(&attributes, p) != cudaSuccess) {
        cudaGetLastError();
        return true;
    }
    return attributes.type != cudaMemoryTypeDevice;
}

std::string describe_device() {
    const std::string error = device_error();
    if (!error.empty()) return error;
    cudaDeviceProp prop;
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "device 0: properties unavailable";
    int driver = 0;
    cudaDriverGetVersion(&driver);
    return std::string(prop.name) + ", " + std::to_string(prop.totalGlobalMem >> 20) + " MiB, sm_" +
           std::to_string(prop.major) + std::to_string(prop.minor) + ", driver API " +
           std::to_string(driver / 1000) + "." + std::to_string((driver % 1000) / 10);
}

}  // namespace cuda
}  // namespace diffhmm
