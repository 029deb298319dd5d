// state.cu — see state.h.
#include "cuda/state.h"

#include <cstdlib>
#include <cstring>

namespace diffhmm {
namespace cuda {

void check(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    cudaGetLastError();  // clear a non-sticky error so the next call is not blamed
    const std::string message = std::string(what) + " failed: " + cudaGetErrorString(status) + " (" +
                                cudaGetErrorName(status) + ")";
    fail(status == cudaErrorMemoryAllocation ? DIFFHMM_ERROR_OUT_OF_MEMORY : DIFFHMM_ERROR_DEVICE, message);
}

void check_launch(const char* kernel, cudaStream_t stream) {
    check(cudaGetLastError(), kernel);
    if (cuda_sync_by_environment()) check(cudaStreamSynchronize(stream), kernel);
}

bool is_device(const void* p) {
    cudaPointerAttributes attributes;
    if (cudaPointerGetAttributes(&attributes, p) != cudaSuccess) {
        cudaGetLastError();
        return false;
    }
    if (attributes.type != cudaMemoryTypeDevice && attributes.type != cudaMemoryTypeManaged) return false;
    int current = 0;
    check(cudaGetDevice(&current), "cudaGetDevice");
    if (attributes.type == cudaMemoryTypeDevice && attributes.device != current)
        fail(DIFFHMM_ERROR_INVALID_ARGUMENT,
             "an argument is memory of CUDA device " + std::to_string(attributes.device) + ", but this call runs on device " +
                 std::to_string(current) + ": run the call on that device (Options.device, diffhmm_workspace_set_cuda_device, "
                                           "or cudaSetDevice), or pass memory of device " + std::to_string(current));
    return true;
}

DeviceBuffer::~DeviceBuffer() {
    if (data_ != nullptr) cudaFree(data_);
}

void* DeviceBuffer::get(size_t bytes) {
    if (bytes > capacity_) {
        if (data_ != nullptr) cudaFree(data_);
        data_ = nullptr;
        capacity_ = 0;
        const size_t rounded = (bytes + 255) / 256 * 256;
        check(cudaMalloc(&data_, rounded), ("cudaMalloc of " + std::to_string(rounded) + " bytes").c_str());
        capacity_ = rounded;
    }
    return data_;
}

size_t device_bytes(const State* state) {
    if (state == nullptr) return 0;
    size_t bytes = state->tape.capacity() + state->aux.capacity() + state->chunk_start.capacity() +
                   state->chunk_start_off.capacity() + state->back.capacity() + state->last.capacity() +
                   state->last_offset.capacity() + state->flag.capacity() +
                   state->partial.capacity() + state->zero_emit.capacity();
    for (const DeviceBuffer& b : state->in) bytes += b.capacity();
    for (const DeviceBuffer& b : state->out) bytes += b.capacity();
    for (const DeviceBuffer& b : state->fresh) bytes += b.capacity();
    return bytes;
}

}  // namespace cuda
}  // namespace diffhmm
