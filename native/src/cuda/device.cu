// device.cu — CUDA device discovery through the statically linked CUDA runtime. With no driver
// the first runtime call returns cudaErrorInsufficientDriver (35): that is the clean "no CUDA"
// signal on CPU-only machines.
#include <cuda_runtime.h>

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"
#include "cuda/cuda.h"
#include "cuda/state.h"

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

std::string unavailable_reason() {
    // DIFFHMM_DISABLE_CUDA=1 makes the CUDA backend report itself unavailable (AUTO then uses the CPU).
    if (cuda_disabled_by_environment()) return "CUDA not available: disabled by DIFFHMM_DISABLE_CUDA";
    const std::string error = device_error();
    return error.empty() ? "" : "CUDA not available: " + error;
}

// Whether this process has any CUDA context yet. Device memory can only exist once one does (whoever
// allocated it made one), and asking the runtime about a pointer would create one — hundreds of MB of
// device memory and ~0.3 s — for a user of the CPU backend on a GPU machine. The driver library is
// already loaded (device_error() initialised the runtime); its context queries create nothing.
static bool any_context() {
    using GetCurrent = int (*)(void** context);
    using PrimaryState = int (*)(int device, unsigned* flags, int* active);
    static const auto functions = [] {
        void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);
        return std::make_pair(driver ? reinterpret_cast<GetCurrent>(dlsym(driver, "cuCtxGetCurrent")) : nullptr,
                              driver ? reinterpret_cast<PrimaryState>(dlsym(driver, "cuDevicePrimaryCtxGetState")) : nullptr);
    }();
    if (functions.first == nullptr || functions.second == nullptr) return true;  // cannot tell: ask the runtime
    void* current = nullptr;
    if (functions.first(&current) == 0 && current != nullptr) return true;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) return true;
    for (int device = 0; device < count; ++device) {
        unsigned flags = 0;
        int active = 0;
        if (functions.second(device, &flags, &active) != 0 || active) return true;
    }
    return false;
}

bool host_accessible(const void* p) {
    static const bool present = device_error().empty();
    if (!present || p == nullptr) return true;
    if (!any_context()) return true;  // no context: nothing can be device memory, and none is made
    cudaPointerAttributes attributes;
    if (cudaPointerGetAttributes(&attributes, p) != cudaSuccess) {
        cudaGetLastError();
        return true;
    }
    return attributes.type != cudaMemoryTypeDevice;
}

int device_count() {
    if (!unavailable_reason().empty()) return 0;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return count;
}

DeviceScope::DeviceScope(diffhmm_workspace& ws) {
    int caller = 0;
    check(cudaGetDevice(&caller), "cudaGetDevice");
    int target = caller;
    if (ws.cuda_device >= 0) {
        const int count = device_count();
        if (ws.cuda_device >= count)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "cuda device " + std::to_string(ws.cuda_device) +
                                                     " was requested, but this process can use " +
                                                     std::to_string(count) + " CUDA device(s)");
        target = ws.cuda_device;
    }
    try {
        const State* state = state_if_any<State>(ws);
        if (state != nullptr && state->device >= 0 && state->device != target) {
            // Buffers of another device: free them there, then start afresh on this one.
            restore_ = caller;
            check(cudaSetDevice(state->device), "cudaSetDevice");
            ws.release_state(ws.state);
            ws.state = nullptr;
            ws.release_state = nullptr;
            ws.tape.valid = false;
        }
        if (target != caller || restore_ >= 0) {
            restore_ = caller;
            check(cudaSetDevice(target), "cudaSetDevice");
        }
        diffhmm::state_of<State>(ws).device = target;
    } catch (...) {
        if (restore_ >= 0) cudaSetDevice(restore_);
        throw;
    }
}

DeviceScope::~DeviceScope() {
    if (restore_ >= 0) cudaSetDevice(restore_);
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
