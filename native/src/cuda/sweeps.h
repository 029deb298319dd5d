// sweeps.h — host helpers defined in forward.cu and shared by backward.cu and marginals.cu.
#pragma once

#include "cuda/launch.h"
#include "cuda/pipelined.cuh"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

template <class T>
Tape<T> tape_of(DeviceBuffer& alpha, DeviceBuffer& offset, DeviceBuffer& log_z, const Problem<T>& p);

template <class T>
void alpha_sweep(State& st, const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, cudaStream_t s);

// The β sweep (beta_kernel or beta_pipelined_kernel, by plan): gradients or γ into `out`.
template <class T>
void beta_sweep(const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, const T* g, Sink sink,
                const BetaOut<T>& out, cudaStream_t s);

template <class T>
void write_log_z(State& st, const Tape<T>& tape, T* log_z, int64_t B, cudaStream_t s);

}  // namespace cuda
}  // namespace diffhmm
