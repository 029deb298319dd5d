// workspace.h — what a diffhmm_workspace holds: the backend, its settings (threads, instruction set,
// stream), which forward its saved state belongs to, and a slot for the backend's own state (its
// buffers and tape: cpu/state.h, cuda/state.h). One per calling thread.
#pragma once

#include <cstdint>
#include <vector>

#include "core/buffer.h"
#include "core/problem.h"
#include "core/settings.h"
#include "diffhmm/diffhmm.h"

// The tape records which forward produced log_alpha, so a backward with another shape, form or
// lengths is refused instead of reading stale memory (or, since the tape's rows are sized by the
// lengths, memory outside it).
struct DiffhmmTape {
    bool valid = false;
    diffhmm::Form form = diffhmm::Form::dense;
    int dtype = 0;
    int64_t B = 0, T = 0, N = 0, K = 0;
    bool init_batched = false;
    std::vector<int64_t> lengths;  // the forward's when the host can read them (assigned in place: no
                                   // allocation in steady state); empty for lengths in device memory
};

struct diffhmm_workspace {
    int backend = DIFFHMM_BACKEND_CPU;
    int num_threads = 0;  // 0 = pool default
    int cpu_isa = DIFFHMM_CPU_ISA_GENERIC;

    // Which forward the backend's saved state (its "tape", docs/formulas.md §3) belongs to.
    DiffhmmTape tape;

    // Paths forced for benchmarks and tests (core/settings.h): the environment's when it was made.
    diffhmm::Settings settings = diffhmm::Settings::from_environment();

    void* cuda_stream = nullptr;  // cudaStream_t the caller chose (null: the default stream)
    int cuda_device = -1;         // device ordinal the caller chose (-1: the thread's current device)

    // The memory the workspace holds as of the end of its last call (diffhmm_workspace_bytes_counter).
    int64_t bytes = 0;

    // Host memory a host-memory backend's backward with DIFFHMM_FLAG_ACCUMULATE writes its gradients
    // into before dispatch adds them to the caller's outputs (dispatch.cpp).
    diffhmm::Buffer accumulate_scratch;

    // The backend's own state (buffers, device memory), made on first use by diffhmm::state_of.
    void* state = nullptr;
    void (*release_state)(void*) = nullptr;

    diffhmm_workspace() = default;
    diffhmm_workspace(const diffhmm_workspace&) = delete;
    diffhmm_workspace& operator=(const diffhmm_workspace&) = delete;
    ~diffhmm_workspace() {
        if (release_state != nullptr) release_state(state);
    }
};

namespace diffhmm {

// The backend state S of a workspace, made on first use. A workspace serves one backend for its
// whole life, so S is always the same type for a given workspace.
template <class S>
S& state_of(diffhmm_workspace& ws) {
    if (ws.state == nullptr) {
        ws.state = new S();
        ws.release_state = [](void* p) { delete static_cast<S*>(p); };
    }
    return *static_cast<S*>(ws.state);
}

template <class S>
const S* state_if_any(const diffhmm_workspace& ws) { return static_cast<const S*>(ws.state); }

}  // namespace diffhmm
