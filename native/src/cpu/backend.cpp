// backend.cpp — the CPU backend's operations table (core/backend.h), registered in
// dispatch/backends.cpp.
#include "core/backend.h"
#include "cpu/cpu.h"
#include "cpu/state.h"
#include "cpu/step_kernels.h"
#include "diffhmm/diffhmm.h"

namespace diffhmm {
namespace cpu {

template <class T>
constexpr Verbs<T> verbs() {
    return {&forward<T>, &backward<T>, &viterbi<T>, &kbest<T>, &marginals<T>, &sample<T>};
}

const BackendOps& backend() {
    static const BackendOps ops{
        DIFFHMM_BACKEND_CPU,
        "CPU",
        true,
        [] { return std::string(); },
        [](const diffhmm_workspace& ws) {
            const State* s = state_if_any<State>(ws);
            return int64_t(s == nullptr ? 0 : s->bytes());
        },
        [](diffhmm_workspace& ws) {
            if (ws.state != nullptr) state(ws).age(ws.tape.valid);
        },
        nullptr,
        nullptr,
        nullptr,
        &detect_isa,
        verbs<float>(),
        verbs<double>(),
    };
    return ops;
}

}  // namespace cpu
}  // namespace diffhmm
