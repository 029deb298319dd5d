// state.h — what a workspace keeps on the device (the tape of the last forward, staging copies of
// host inputs and outputs, an error flag) and the helpers every CUDA entry point uses: checked CUDA
// calls that throw diffhmm::Error, growable device buffers, and host/device pointer staging.
// Set DIFFHMM_CUDA_SYNC=1 to synchronise after every launch, so an asynchronous fault is reported by
// the call that caused it.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <exception>
#include <string>

#include "core/error.h"
#include "core/settings.h"

namespace diffhmm {
namespace cuda {

// Throws Error(DEVICE or OUT_OF_MEMORY) naming the call if status is not cudaSuccess.
void check(cudaError_t status, const char* what);

// After a launch: the launch error, and — with DIFFHMM_CUDA_SYNC=1 — the kernel's own.
void check_launch(const char* kernel, cudaStream_t stream);

// True if p points to device (or managed) memory of the call's device (made current by DeviceScope);
// host memory (pageable or pinned) is false. Memory of another device is refused (INVALID_ARGUMENT):
// reading another device's memory from this call's kernels would fault with a sticky error.
bool is_device(const void* p);

// Synchronises `stream` when an exception leaves the scope: copies already queued from the caller's
// host memory must finish before the call returns (the caller may free or reuse that memory then).
class SyncOnError {
public:
    explicit SyncOnError(cudaStream_t stream) : stream_(stream), exceptions_(std::uncaught_exceptions()) {}
    SyncOnError(const SyncOnError&) = delete;
    SyncOnError& operator=(const SyncOnError&) = delete;
    ~SyncOnError() {
        if (std::uncaught_exceptions() > exceptions_) cudaStreamSynchronize(stream_);
    }

private:
    cudaStream_t stream_;
    int exceptions_;
};

class DeviceBuffer {
public:
    DeviceBuffer() = default;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    ~DeviceBuffer();
    // At least `bytes` of device memory; contents are not preserved when it grows.
    void* get(size_t bytes);
    template <class T>
    T* as(size_t count) { return static_cast<T*>(get(count * sizeof(T))); }
    size_t capacity() const { return capacity_; }

private:
    void* data_ = nullptr;
    size_t capacity_ = 0;
};

// One α tape: scaled messages, offsets, log Z (cpu/sweep.h), and — when the chunked scan wrote it —
// the chunk transfers the β sweep carries its messages back with.
struct TapeBuffers {
    DeviceBuffer alpha, offset, log_z;
    DeviceBuffer transfer, row_off;  // [B][C][N][N] of T, [B][C][N] of double
    int chunks = 1;                  // C of the last α sweep into this tape
    size_t capacity() const {
        return alpha.capacity() + offset.capacity() + log_z.capacity() + transfer.capacity() + row_off.capacity();
    }
};

struct State {
    int device = -1;                                    // the device its buffers live on
    TapeBuffers tape;                                   // the forward's tape, read by backward
    TapeBuffers aux;                                    // marginals' and sampling's own forward
    DeviceBuffer chunk_start, chunk_start_off;          // the chunked scan's carried messages
    DeviceBuffer back;                                  // Viterbi back-pointers
    DeviceBuffer last, last_offset;                     // Viterbi's last rows and offsets (pipelined)
    DeviceBuffer flag;                                  // NaN/+inf seen
    DeviceBuffer partial;                               // per-sequence float64 sums of shared gradients
    DeviceBuffer in[7];                                 // staged host inputs (problem, upstream gradient)
    DeviceBuffer zero_emit;                             // zeros read as the emissions of a problem without any
    Settings settings;                                  // the workspace's, as of the call (launch.h: state_of)
    DeviceBuffer out[4];                                // device copies of host outputs
    DeviceBuffer fresh[4];                              // an accumulating backward's own gradients
};

// `count` zeros of T on the device, made once in `buffer` and kept while it is large enough (the
// kernels read an emission column every step; a problem without emissions reads these).
template <class T>
const T* zeros(size_t count, DeviceBuffer& buffer, cudaStream_t stream) {
    const size_t had = buffer.capacity();
    T* d = buffer.as<T>(count);
    if (buffer.capacity() != had && buffer.capacity() > 0)  // fresh memory; kept memory stays zero (nothing writes it)
        check(cudaMemsetAsync(d, 0, buffer.capacity(), stream), "cudaMemsetAsync (zero emissions)");
    return d;
}

// A pointer the kernels can read: `p` itself if it is device memory, else a copy in `staging`.
template <class T>
const T* stage(const T* p, size_t count, DeviceBuffer& staging, cudaStream_t stream) {
    if (p == nullptr || count == 0 || is_device(p)) return p;
    T* d = staging.as<T>(count);
    check(cudaMemcpyAsync(d, p, count * sizeof(T), cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync (input)");
    return d;
}

// An output the kernels can write: `p` if device memory, else device scratch copied back by finish().
template <class T>
struct Output {
    T* host = nullptr;
    T* device = nullptr;
    size_t count = 0;

    Output(T* p, size_t n, DeviceBuffer& scratch) : count(n) {
        if (p == nullptr || n == 0) return;
        if (is_device(p)) {
            device = p;
        } else {
            host = p;
            device = scratch.as<T>(n);
        }
    }
    void finish(cudaStream_t stream) const {
        if (host != nullptr)
            check(cudaMemcpyAsync(host, device, count * sizeof(T), cudaMemcpyDeviceToHost, stream),
                  "cudaMemcpyAsync (output)");
    }
};

}  // namespace cuda
}  // namespace diffhmm
