// dispatch.h — the single place that maps a validated call to a backend (through the registry of
// operations tables, backends.cpp) and keeps the workspace's tape bookkeeping: forward records which
// problem it saved, backward refuses a problem that does not match it. Layers: capi → dispatch →
// {cpu, cuda, reference} → core; nothing below includes anything above it.
#pragma once

#include <cstdint>

#include <string>

#include "core/backend.h"
#include "core/problem.h"
#include "core/workspace.h"

namespace diffhmm {

// The operations table of backend `id` (DIFFHMM_BACKEND_*); INVALID_ARGUMENT for an unknown id.
const BackendOps& backend(int id);

// "" when backend `id` can run here, else why not.
std::string unavailable_reason(int id);

// Memory the backend's state in `ws` holds.
int64_t workspace_bytes(const diffhmm_workspace& ws);

// Whether p is device memory of any registered backend (the host cannot read it).
bool device_memory(const void* p);

// CUDA device 0, or why there is none (diffhmm info).
std::string describe_device();

// CUDA devices this process can use (0 without the CUDA backend).
int cuda_device_count();

// The widest diffhmm_cpu_isa this CPU supports.
int cpu_isa_supported();

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z);

template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score);

// k in [1, kMaxBest]; every backend (CUDA: 2·N·k scores must fit in shared memory, diffhmm.h).
constexpr int64_t kMaxBest = 64;
template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores);

template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma);

template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths);

}  // namespace diffhmm
