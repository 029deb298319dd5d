// launch.h — host side shared by the CUDA entry points: the workspace's device state, a Problem
// whose pointers are all device memory (host inputs staged), launch shapes, and the NaN/+inf flag.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/checks.h"
#include "core/workspace.h"
#include "cuda/state.h"

namespace diffhmm {
namespace cuda {

// The workspace's CUDA state, carrying the workspace's settings for the call's planners.
inline State& state_of(diffhmm_workspace& ws) {
    State& st = diffhmm::state_of<State>(ws);
    st.settings = ws.settings;
    return st;
}

inline cudaStream_t stream_of(const diffhmm_workspace& ws) { return static_cast<cudaStream_t>(ws.cuda_stream); }

// Threads per CTA: a multiple of 32 covering N (thread j owns state j), 64..256.
inline int threads_for(int64_t N) { return int(std::min<int64_t>(256, std::max<int64_t>(64, (N + 31) / 32 * 32))); }

// The dynamic shared memory `kernel` is launched with: `dynamic` bytes, plus the kernel's own static
// shared memory, must fit the block's limit — 48 KB by default, up to the device's opt-in maximum
// (requested here when needed). Called before anything is staged, so a problem too large for the GPU
// is INVALID_ARGUMENT (naming `what`) and never a failed launch.
template <class Kernel>
size_t shared_for(Kernel kernel, size_t dynamic, const std::string& what) {
    cudaFuncAttributes attributes;
    check(cudaFuncGetAttributes(&attributes, kernel), "cudaFuncGetAttributes");
    int device = 0, optin = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device), "cudaDeviceGetAttribute");
    const size_t total = dynamic + attributes.sharedSizeBytes, limit = std::max<size_t>(size_t(optin), 48 * 1024);
    if (total > limit)
        fail(DIFFHMM_ERROR_INVALID_ARGUMENT, what + " needs " + std::to_string(total) +
                                                 " bytes of shared memory per block, more than this GPU's " +
                                                 std::to_string(limit) + " (use the CPU backend)");
    if (total > 48 * 1024)
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(dynamic)),
              "cudaFuncSetAttribute (shared memory)");
    return dynamic;
}

// The dynamic shared memory of a kernel that keeps `arrays` arrays of N values of T.
template <class T, class Kernel>
size_t shared_bytes(Kernel kernel, int64_t N, int arrays) {
    return shared_for(kernel, size_t(arrays) * size_t(N) * sizeof(T),
                      "states = " + std::to_string(N) + " (" + std::to_string(sizeof(T) * 8) + "-bit)");
}

// The problem with every pointer in device memory (host arrays copied into the state's buffers).
template <class T>
Problem<T> on_device(const Problem<T>& p, State& st, cudaStream_t stream) {
    Problem<T> d = p;
    const size_t B = size_t(p.B), TT = size_t(p.T), N = size_t(p.N), K = size_t(p.K);
    d.lengths = stage(p.lengths, B, st.in[0], stream);
    if (p.form == Form::dense) {
        d.potential = stage(p.potential, B * TT * N * N, st.in[1], stream);
    } else {
        d.init = stage(p.init, (p.init_batched ? B : 1) * N, st.in[2], stream);
        d.trans = stage(p.trans, K * N * N, st.in[3], stream);
        d.trans_index = stage(p.trans_index, B * TT, st.in[4], stream);
        d.emit = p.emit != nullptr ? stage(p.emit, B * TT * N, st.in[5], stream)
                                   : zeros<T>(B * TT * N, st.zero_emit, stream);  // the kernels read a column
    }
    return d;
}

// After a kernel that may set the NaN/+inf flag: throws INVALID_VALUE naming the index (the host
// copy of device inputs is made only on this error path).
template <class T>
void report_invalid_values(const Problem<T>& host_problem, const int* flag, cudaStream_t stream) {
    int seen = 0;
    check(cudaMemcpyAsync(&seen, flag, sizeof(int), cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync (flag)");
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    if (!seen) return;
    Problem<T> h = host_problem;
    std::vector<T> potential, init, trans, emit;
    std::vector<int64_t> lengths, index;
    auto host_copy = [&](auto& vec, const auto* p, size_t n) -> decltype(p) {
        if (p == nullptr || !is_device(p)) return p;
        vec.resize(n);
        check(cudaMemcpyAsync(vec.data(), p, n * sizeof(*p), cudaMemcpyDeviceToHost, stream),
              "cudaMemcpyAsync (error report)");
        check(cudaStreamSynchronize(stream), "cudaStreamSynchronize (error report)");
        return vec.data();
    };
    const size_t B = size_t(h.B), TT = size_t(h.T), N = size_t(h.N), K = size_t(h.K);
    h.lengths = host_copy(lengths, h.lengths, B);
    h.potential = host_copy(potential, h.potential, B * TT * N * N);
    h.init = host_copy(init, h.init, (h.init_batched ? B : 1) * N);
    h.trans = host_copy(trans, h.trans, K * N * N);
    h.trans_index = host_copy(index, h.trans_index, B * TT);
    h.emit = host_copy(emit, h.emit, B * TT * N);
    const std::string message = find_invalid_value(h);
    fail(DIFFHMM_ERROR_INVALID_VALUE, message.empty() ? "a NaN or +inf score was read" : message);
}

// Lengths and transition indices are validated on the host (core/checks.h); device-resident ones are
// copied back for that first — on the call's stream, so values the caller wrote on that stream
// (a non-blocking one, say) are the values checked.
template <class T>
void validate_device_indices(const Problem<T>& p, cudaStream_t stream) {
    if (p.B == 0) return;
    const bool device_lengths = is_device(p.lengths);
    const bool device_index = p.trans_index != nullptr && is_device(p.trans_index);
    if (!device_lengths && !device_index) return;
    Problem<T> h = p;
    std::vector<int64_t> lengths, index;
    if (device_lengths) {
        lengths.resize(size_t(p.B));
        check(cudaMemcpyAsync(lengths.data(), p.lengths, lengths.size() * sizeof(int64_t), cudaMemcpyDeviceToHost,
                              stream),
              "cudaMemcpyAsync (lengths)");
        h.lengths = lengths.data();
    }
    if (device_index) {
        index.resize(size_t(p.B * p.T));
        check(cudaMemcpyAsync(index.data(), p.trans_index, index.size() * sizeof(int64_t), cudaMemcpyDeviceToHost,
                              stream),
              "cudaMemcpyAsync (trans_index)");
        h.trans_index = index.data();
    }
    check(cudaStreamSynchronize(stream), "cudaStreamSynchronize (indices)");
    validate_structure(h, [](const void*) { return true; });  // h: host copies
}

}  // namespace cuda
}  // namespace diffhmm

namespace diffhmm {
namespace cuda {

// The grid of one CTA per sequence.
inline unsigned grid_for(int64_t B) {
    if (B > 2147483647) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "batch larger than 2^31 - 1 sequences");
    return unsigned(B);
}

}  // namespace cuda
}  // namespace diffhmm
