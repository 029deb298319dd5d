// sweeps.h — the CUDA sweeps (sweeps.cu) the verbs are made of: forward.cu, backward.cu, marginals.cu, kbest.cu.
#pragma once

#include "cuda/chunked.cuh"
#include "cuda/launch.h"
#include "cuda/pipelined.cuh"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// The tape in `buffers` for problem p, with the chunk transfers of the α sweep that wrote it.
template <class T>
Tape<T> tape_of(TapeBuffers& buffers, const Problem<T>& p);

// The α sweep (sequential, pipelined or chunked, by plan) into `buffers`; returns its tape.
template <class T>
Tape<T> alpha_sweep(State& st, TapeBuffers& buffers, const Problem<T>& host, const Problem<T>& device,
                    cudaStream_t s);

// The β sweep (beta_kernel or beta_pipelined_kernel, by plan; chunked when the tape was): gradients
// or γ into `out`.
template <class T>
void beta_sweep(State& st, const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, const T* g,
                Sink sink, const BetaOut<T>& out, cudaStream_t s);

// Viterbi (k = 1) by the pipelined max-plus sweep where it applies; false where kbest_kernel runs.
template <class T>
bool viterbi_pipelined(const Settings& settings, const Problem<T>& host, const Problem<T>& device,
                       const ViterbiRows<T>& vit, int* flag, cudaStream_t s);

template <class T>
void write_log_z(State& st, const Tape<T>& tape, T* log_z, int64_t B, cudaStream_t s);

}  // namespace cuda
}  // namespace diffhmm
