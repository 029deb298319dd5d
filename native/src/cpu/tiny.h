// tiny.h — the factorized form with few states (N <= 32), the clone-structured HMM's block size: a
// whole sequence per call of a function specialised for its N, in probability space in float64,
// with no per-step kernel calls. The general sweeps (sweep.h) spend ~0.2–0.4 µs per step on calls,
// partial vectors and normalisation at these sizes; here a step is N² multiply-adds and N products.
//
//   forward:  E_k = exp(trans_k − c_k) with column maxima c_k (once per call), per step
//             w_t = exp(c_k + emit_t − s_t) (shifted by their maximum s_t: all steps in one
//             vectorised pass), u = a_{t−1}·E_k, a_t = u ∘ w_t / m_t with m_t the power of two that
//             brings max a_{t−1} into [1, 2) (an exact rescaling found beside the products, so nothing
//             is added to the chain of dependent steps; vectors stay below 2N),
//             log α_t = log a_t + Σ (s + log m). The float64 a_t, w_t and m_t are kept for the
//             backward (the general tape — log a_t re-centred to max 0, and the float64 offset — is
//             written only if the general backward takes over): (2N + 1) doubles per step, about
//             four times a float32 tape — recomputing w_t in the backward instead cost 10-25 %; a
//             problem that would need more than 512 MiB for it runs the general paths.
//   backward: b_{t−1} = E_k·(w_t ∘ b_t), b_t rescaled the same way, each step's edge marginals
//             a_{t−1}(i)·E_k(i,j)·w_t(j)·b_t(j) / Z_t with Z_t = m_t·Σ_j a_t(j)·b_t(j) (so every step's
//             marginals sum to 1, as step_log_z does in the general sweep), summed per matrix in
//             float64 per thread and reduced in a fixed order.
//   one sequence on two or more threads (a walk of the clone-structured HMM): the column pass (w_t)
//             runs in two halves on two cores; both sweeps are latency-bound chains, so the forward
//             runs the β chain (beta_chain: it needs only E_k and w_t) on a second core beside the
//             α chain, and the backward only sums edges and
//             nodes (accumulate_sequence), in two halves of the sequence on two cores — L·N more
//             doubles of workspace.
//
// Exactness: every factor of a product is kept either 0 (a structural zero: −inf) or at least
// 2^-335, so no product of three (and a rescaling) underflows and nothing that
// matters is lost. A problem where that does not hold (scores spanning more than ~235 nats within
// a column, or a state whose share of the mass falls below 2^-335) is refused by returning false,
// and the caller runs the general log-space sweeps instead. The workspace's settings (DIFFHMM_CPU_FACTORIZED
// =log or =prob) select the general paths; =tiny forces this one wherever N <= 32.
#pragma once

#include "core/problem.h"
#include "core/workspace.h"
#include "cpu/sweep.h"

namespace diffhmm {
namespace cpu {

// Whether a factorized problem takes this path first is the planner's (cpu/plan.h: Plan::tiny).

// The forward: log Z into `out` (the tape's rows wait for tiny_backward, which writes them only if
// the general backward has to take over); false when the problem is outside this path's exact range
// (the caller then runs alpha_sweep).
template <class T>
bool tiny_forward(diffhmm_workspace& ws, const Problem<T>& p, const AlphaView<T>& out);

// The backward of the last tiny_forward on this workspace; false (nothing written that matters) when
// a β vector leaves the exact range: the caller runs the general backward on the same tape, whose
// rows tiny_forward leaves unwritten (only log Z is needed otherwise) and this writes before returning
// false.
template <class T>
bool tiny_backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);

}  // namespace cpu
}  // namespace diffhmm
