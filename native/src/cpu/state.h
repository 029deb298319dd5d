// state.h — what the CPU backend keeps in a workspace: the tape (scaled forward messages of the
// last forward, read by the backward), a second store for the verbs that run their own forward
// (marginals, sample: they never touch the tape), Viterbi / k-best back-pointers, and scratch.
// Buffers grow to the largest problem seen and are reused, so steady-state calls allocate nothing;
// a much smaller problem shrinks them and buffers no recent call used are freed (core/buffer.h).
#pragma once

#include "core/buffer.h"
#include "core/workspace.h"

namespace diffhmm {
namespace cpu {

// Scaled forward messages: log_alpha[b][t][j] - offset[b][t] is stored (max_j of each stored row
// is 0), offset in float64, so float32 messages keep full relative precision at any length.
struct AlphaStore {
    Buffer log_alpha;  // [B][S][N] of the problem's dtype, S the longest sequence
    Buffer offset;     // [B][S] float64
    Buffer log_z;      // [B] float64

    size_t bytes() const { return log_alpha.capacity() + offset.capacity() + log_z.capacity(); }
    void age() { log_alpha.age(), offset.age(), log_z.age(); }
};

struct State {
    AlphaStore tape_alpha;  // the forward's messages, read by the backward
    AlphaStore aux_alpha;   // marginals' and sample's own forward
    Buffer back;            // Viterbi / k-best back-pointers, int32
    Buffer scratch;         // per-slot vectors of one call
    Buffer step_scratch;    // per-slot scratch of the forward's probability-space step kernels
    Buffer accum;           // per-slot float64 accumulators of shared gradients
    Buffer prob_cols;       // the factorized form's matrices in probability space (prob.h): forward
    Buffer prob_rows;       // ... and β sweep
    Buffer prob_scratch;    // per-slot float64 vectors of the β sweep's rank-1 updates
    Buffer prob_targets;    // ... the accumulator of each pending update
    Buffer prob_order;      // ... and their grouping
    Buffer tiny;            // the small-state path's float64 tape beside tape_alpha (tiny.h): a, w, m
    Buffer tiny_mats;       // ... its exp(trans − column max) and column maxima
    Buffer tiny_logs;       // ... per-step shifts and log normalisers
    Buffer tiny_beta;       // ... one sequence's β vectors, swept beside its α on a second core
    bool tiny_tape = false; // tape_alpha was written by tiny_forward (its float64 tape is valid)
    bool tiny_beta_valid = false;  // ... and so was tiny_beta (one sequence, β swept in the forward)

    size_t bytes() const {
        return tape_alpha.bytes() + aux_alpha.bytes() + back.capacity() + scratch.capacity() +
               step_scratch.capacity() + accum.capacity() +
               prob_cols.capacity() + prob_rows.capacity() + prob_scratch.capacity() + prob_targets.capacity() +
               prob_order.capacity() + tiny.capacity() + tiny_mats.capacity() + tiny_logs.capacity() +
               tiny_beta.capacity();
    }

    // After each call on the workspace (Buffer::age): large buffers no recent call asked for are
    // freed — except the saved state a backward may still read while the tape is valid.
    void age(bool tape_valid) {
        if (!tape_valid) tape_alpha.age();
        if (!(tape_valid && tiny_tape)) tiny.age(), tiny_mats.age(), tiny_logs.age();
        if (!(tape_valid && tiny_beta_valid)) tiny_beta.age();
        aux_alpha.age();
        back.age(), scratch.age(), step_scratch.age(), accum.age();
        prob_cols.age(), prob_rows.age(), prob_scratch.age(), prob_targets.age(), prob_order.age();
    }
};

inline State& state(diffhmm_workspace& ws) { return state_of<State>(ws); }

}  // namespace cpu
}  // namespace diffhmm
