// cpu.h — the CPU backend: vectorised (step_kernels.h), threaded across the batch, or across states
// within a step when the batch is smaller than the thread count and N is large. Entry points have
// the same meaning as the C ABI verbs (diffhmm.h); inputs are already validated by core/.
// Tests: native/tests (against reference/) and the Java tests (CpuBackendTest and friends).
#pragma once

#include <cstdint>
#include <cstring>

#include "core/problem.h"
#include "core/workspace.h"

namespace diffhmm {
namespace cpu {

// Writes n zeros at p. An empty output (T = 0, say) may be a null pointer, which memset must not
// be given even for 0 bytes.
template <class T>
inline void zero_fill(T* p, int64_t n) {
    if (n > 0) std::memset(p, 0, size_t(n) * sizeof(T));
}

// Fills the tape of the workspace's CPU state (cpu/state.h) and writes log_z.
template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z);

// Reads the tape (written by forward for the same problem).
template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score);

// The k best paths per sequence: paths[B][k][T] (-1 at padding and for missing paths), scores[B][k].
template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores);

template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma);

template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths);

}  // namespace cpu
}  // namespace diffhmm
