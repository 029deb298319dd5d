// dispatch.h — the single place that maps a validated call to a backend (cpu/, cuda/, reference/)
// and keeps the workspace's tape bookkeeping: forward records which problem it saved, backward
// refuses a problem that does not match it.
#pragma once

#include <cstdint>

#include "core/problem.h"
#include "core/workspace.h"

namespace diffhmm {

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z);

template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score);

// k in [1, kMaxBest]; CPU and reference backends (CUDA has no k-best kernel yet).
constexpr int64_t kMaxBest = 64;
template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores);

template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma);

template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths);

}  // namespace diffhmm
