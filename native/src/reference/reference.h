// reference.h — the textbook forward-backward, written for clarity, not speed: unscaled log-space
// messages, the full β table, every edge marginal from its definition. With T = double it is the
// oracle every other backend is tested against; with T = float it is the "naive same-precision
// implementation" whose error sets the tolerance of the fast float32 paths (STYLE.md).
// Single-threaded and stateless (backward recomputes the forward). Inputs are validated by core/.
#pragma once

#include <cstdint>

#include "core/problem.h"

namespace diffhmm {
namespace reference {

template <class T>
void forward(const Problem<T>& p, T* log_z);

template <class T>
void backward(const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);

template <class T>
void viterbi(const Problem<T>& p, int64_t* path, T* score);

// The k best paths: every step keeps, per state, all N·k extensions sorted by (score desc, state,
// rank) — a full sort, where the CPU backend inserts — and the best k of them.
template <class T>
void kbest(const Problem<T>& p, int64_t k, int64_t* paths, T* scores);

template <class T>
void marginals(const Problem<T>& p, T* log_z, T* gamma);

// Forward filtering, backward sampling from the unscaled messages (random numbers: core/random.h).
template <class T>
void sample(const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths);

}  // namespace reference
}  // namespace diffhmm
