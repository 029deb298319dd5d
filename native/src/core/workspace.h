// workspace.h — what a diffhmm_workspace holds: the backend, the CPU settings, the saved state of
// the last forward (the "tape" the backward reads) and reusable scratch. One per calling thread.
#pragma once

#include <cstdint>

#include "core/buffer.h"
#include "core/problem.h"
#include "diffhmm/diffhmm.h"

namespace diffhmm {

// Scaled forward messages: log_alpha[b][t][j] - offset[b][t] is stored (max_j of each stored row
// is 0), offset in float64, so float32 messages keep full relative precision at any length.
struct AlphaStore {
    Buffer log_alpha;  // [B][T][N] of the problem's dtype
    Buffer offset;     // [B][T] float64
    Buffer log_z;      // [B] float64
};

}  // namespace diffhmm

// The tape records which forward produced log_alpha, so a backward with another shape or form is
// refused instead of reading stale memory.
struct DiffhmmTape {
    bool valid = false;
    diffhmm::Form form = diffhmm::Form::dense;
    int dtype = 0;
    int64_t B = 0, T = 0, N = 0, K = 0;
    bool init_batched = false;
};

namespace diffhmm {
namespace cuda {
struct State;                 // device memory and stream of a workspace (cuda/state.h)
void destroy(State* state);   // safe with null; defined in cuda/ (or its stub)
size_t device_bytes(const State* state);  // device memory the state holds; 0 for null
}  // namespace cuda
}  // namespace diffhmm

struct diffhmm_workspace {
    int backend = DIFFHMM_BACKEND_CPU;
    int num_threads = 0;  // 0 = pool default
    int cpu_isa = DIFFHMM_CPU_ISA_GENERIC;

    // The tape: scaled forward messages of the last forward (docs/formulas.md §3).
    DiffhmmTape tape;
    diffhmm::AlphaStore tape_alpha;

    diffhmm::AlphaStore aux_alpha;  // marginals' own forward: never touches the tape
    diffhmm::Buffer back;           // Viterbi back-pointers [B][T][N] int32
    diffhmm::Buffer scratch;        // per-slot vectors of one call
    diffhmm::Buffer accum;          // per-slot float64 accumulators of shared gradients

    diffhmm::cuda::State* cuda = nullptr;  // CUDA backend only: device tape, staging, stream
    void* cuda_stream = nullptr;           // cudaStream_t the caller chose (null: the default stream)

    diffhmm_workspace() = default;
    diffhmm_workspace(const diffhmm_workspace&) = delete;
    diffhmm_workspace& operator=(const diffhmm_workspace&) = delete;
    ~diffhmm_workspace() { diffhmm::cuda::destroy(cuda); }
};
