// dispatch.cpp — see dispatch.h.
#include "dispatch/dispatch.h"

#include <algorithm>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <type_traits>

#include "core/error.h"
#include "core/thread_pool.h"
#include "dispatch/validate.h"

namespace diffhmm {
namespace {

template <class T>
constexpr int dtype_of() { return std::is_same<T, float>::value ? DIFFHMM_FLOAT32 : DIFFHMM_FLOAT64; }

const char* form_name(Form form) { return form == Form::dense ? "dense" : "factorized"; }

// The CPU and reference backends read and write through host pointers; device memory is refused
// with a message instead of a segmentation fault.
void host_only(std::initializer_list<std::pair<const void*, const char*>> pointers) {
    for (const auto& [p, name] : pointers)
        if (device_memory(p))
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT,
                 std::string(name) + " is CUDA device memory; the CPU backends need host memory (use the CUDA backend)");
}

template <class T>
void host_only(const Problem<T>& p) {
    host_only({{p.lengths, "lengths"}, {p.potential, "potential"}, {p.init, "init"}, {p.trans, "trans"},
               {p.trans_index, "trans_index"}, {p.emit, "emit"}});
}

template <class T>
void require_tape(const diffhmm_workspace& ws, const Problem<T>& p) {
    const DiffhmmTape& tape = ws.tape;
    const bool same = tape.valid && tape.form == p.form && tape.dtype == dtype_of<T>() && tape.B == p.B &&
                      tape.T == p.T && tape.N == p.N && tape.K == p.K && tape.init_batched == p.init_batched;
    if (same) {
        // Lengths in device memory (CUDA callers) are not recorded: the CUDA tape is sized by T.
        if (tape.lengths.size() != size_t(p.B) || device_memory(p.lengths)) return;
        for (int64_t b = 0; b < p.B; ++b)
            if (p.lengths[b] != tape.lengths[size_t(b)])
                fail(DIFFHMM_ERROR_INVALID_STATE, "backward needs the lengths of its forward: lengths[" + std::to_string(b) +
                                                      "] = " + std::to_string(p.lengths[b]) + " but the forward had " +
                                                      std::to_string(tape.lengths[size_t(b)]));
        return;
    }
    std::ostringstream m;
    m << "backward needs the forward of the same problem on this workspace first: asked for a "
      << form_name(p.form) << " " << (dtype_of<T>() == DIFFHMM_FLOAT32 ? "float32" : "float64")
      << " problem of B=" << p.B << ", T=" << p.T << ", N=" << p.N << ", K=" << p.K << ", but ";
    if (!tape.valid) {
        m << "the workspace holds no forward (none ran, or the last one failed)";
    } else {
        m << "the last forward was " << form_name(tape.form) << " "
          << (tape.dtype == DIFFHMM_FLOAT32 ? "float32" : "float64") << " with B=" << tape.B
          << ", T=" << tape.T << ", N=" << tape.N << ", K=" << tape.K;
    }
    fail(DIFFHMM_ERROR_INVALID_STATE, m.str());
}

// dst[i] += src[i] over the pool, 16K elements per task.
template <class T>
void add_into(T* dst, const T* src, int64_t n, int threads) {
    constexpr int64_t kBlock = 1 << 14;
    parallel_for((n + kBlock - 1) / kBlock, threads, [&](int64_t block, int) {
        const int64_t end = std::min(n, (block + 1) * kBlock);
        for (int64_t i = block * kBlock; i < end; ++i) dst[i] += src[i];
    });
}

// A backward that adds into the caller's outputs on a host-memory backend: the backend writes the
// gradients into the workspace's scratch, then they are added where the caller asked on the pool.
// (The CUDA backend adds on its device itself: cuda/backward.cu.)
template <class T>
void accumulating_backward(diffhmm_workspace& ws, const BackendOps& b, const Problem<T>& p, const T* grad_log_z,
                           const Grads<T>& grads) {
    const std::array<int64_t, 4> counts = grad_counts(p);
    constexpr int64_t kLine = 64 / int64_t(sizeof(T));  // each part starts on a cache line
    auto part = [&](int k) { return (counts[k] + kLine - 1) / kLine * kLine; };
    int64_t total = 0;
    for (int k = 0; k < 4; ++k)
        if (grads.*kGradOutputs<T>[k] != nullptr) total += part(k);
    T* scratch = ws.accumulate_scratch.as<T>(size_t(std::max<int64_t>(total, 1)));
    Grads<T> fresh;  // fresh.accumulate is false: the backend writes
    for (int k = 0; k < 4; ++k)
        if (grads.*kGradOutputs<T>[k] != nullptr) fresh.*kGradOutputs<T>[k] = scratch, scratch += part(k);
    b.verbs<T>().backward(ws, p, grad_log_z, fresh);
    const int threads = ws.num_threads > 0 ? ws.num_threads : pool_threads();
    for (int k = 0; k < 4; ++k)
        if (grads.*kGradOutputs<T>[k] != nullptr)
            add_into(grads.*kGradOutputs<T>[k], fresh.*kGradOutputs<T>[k], counts[k], threads);
}

// Once a call is over, whether it succeeded or failed, the workspace gives back memory no recent call
// used (core/buffer.h) and records what it holds then (diffhmm_workspace_bytes_counter).
struct AfterCall {
    diffhmm_workspace& ws;
    const BackendOps& b;
    ~AfterCall() {
        if (b.age_state != nullptr) b.age_state(ws);
        ws.accumulate_scratch.age();
        ws.bytes = b.state_bytes(ws) + int64_t(ws.accumulate_scratch.capacity());
    }
};

}  // namespace

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
    ws.tape.valid = false;
    const BackendOps& b = backend(ws.backend);
    const AfterCall after{ws, b};
    if (b.host_memory) host_only(p), host_only({{log_z, "log_z"}});
    b.verbs<T>().forward(ws, p, log_z);
    DiffhmmTape& tape = ws.tape;
    tape.form = p.form, tape.dtype = dtype_of<T>(), tape.B = p.B, tape.T = p.T, tape.N = p.N, tape.K = p.K;
    tape.init_batched = p.init_batched;
    if (device_memory(p.lengths))
        tape.lengths.clear();  // the host cannot read them; the CUDA tape does not depend on them
    else
        tape.lengths.assign(p.lengths, p.lengths + p.B);
    tape.valid = true;
}

template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    require_tape(ws, p);
    const BackendOps& b = backend(ws.backend);
    const AfterCall after{ws, b};
    if (b.host_memory)
        host_only(p), host_only({{grad_log_z, "grad_log_z"}, {grads.potential, "grad_potential"},
                                 {grads.init, "grad_init"}, {grads.trans, "grad_trans"}, {grads.emit, "grad_emit"}});
    check_grad_log_z_at_boundary(grad_log_z, p.B);
    if (grads.accumulate && b.host_memory)
        accumulating_backward(ws, b, p, grad_log_z, grads);
    else
        b.verbs<T>().backward(ws, p, grad_log_z, grads);
}

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score) {
    const BackendOps& b = backend(ws.backend);
    const AfterCall after{ws, b};
    if (b.host_memory) host_only(p), host_only({{path, "path"}, {score, "score"}});
    b.verbs<T>().viterbi(ws, p, path, score);
}

template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores) {
    if (k < 1 || k > kMaxBest)
        fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "k must be in [1, " + std::to_string(kMaxBest) + "], got " + std::to_string(k));
    const BackendOps& b = backend(ws.backend);
    const AfterCall after{ws, b};
    if (b.host_memory) host_only(p), host_only({{paths, "paths"}, {scores, "scores"}});
    b.verbs<T>().kbest(ws, p, k, paths, scores);
}

template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma) {
    const BackendOps& b = backend(ws.backend);
    const AfterCall after{ws, b};
    if (b.host_memory) host_only(p), host_only({{log_z, "log_z"}, {gamma, "gamma"}});
    b.verbs<T>().marginals(ws, p, log_z, gamma);
}

template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t num_samples, uint64_t seed, int64_t* paths) {
    if (num_samples < 0) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "num_samples must be >= 0, got " + std::to_string(num_samples));
    const BackendOps& b = backend(ws.backend);
    const AfterCall after{ws, b};
    if (b.host_memory) host_only(p), host_only({{paths, "paths"}});
    b.verbs<T>().sample(ws, p, num_samples, seed, paths);
}

std::string unavailable_reason(int backend_id) { return backend(backend_id).unavailable_reason(); }

int64_t workspace_bytes(const diffhmm_workspace& ws) {
    return backend(ws.backend).state_bytes(ws) + int64_t(ws.accumulate_scratch.capacity());
}

std::string describe_device() { return backend(DIFFHMM_BACKEND_CUDA).describe_devices(); }

int cuda_device_count() { return backend(DIFFHMM_BACKEND_CUDA).device_count(); }

int cpu_isa_supported() { return backend(DIFFHMM_BACKEND_CPU).instruction_set(); }

DIFFHMM_INSTANTIATE_VERBS(float)
DIFFHMM_INSTANTIATE_VERBS(double)

}  // namespace diffhmm
