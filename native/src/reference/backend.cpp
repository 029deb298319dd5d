// backend.cpp — the reference backend's operations table (core/backend.h): the plain float64
// textbook implementation (reference.h) behind the same verbs, with the NaN / +inf scan the CPU
// backend fuses into its sweep done up front. Registered in dispatch/backends.cpp.
#include "core/backend.h"
#include "core/checks.h"
#include "diffhmm/diffhmm.h"
#include "reference/reference.h"

namespace diffhmm {
namespace reference {
namespace {

template <class T>
Verbs<T> verbs() {
    Verbs<T> v{};
    v.forward = [](diffhmm_workspace&, const Problem<T>& p, T* log_z) { check_values(p), forward(p, log_z); };
    v.backward = [](diffhmm_workspace&, const Problem<T>& p, const T* g, const Grads<T>& grads) {
        check_values(p), backward(p, g, grads);
    };
    v.viterbi = [](diffhmm_workspace&, const Problem<T>& p, int64_t* path, T* score) {
        check_values(p), viterbi(p, path, score);
    };
    v.kbest = [](diffhmm_workspace&, const Problem<T>& p, int64_t k, int64_t* paths, T* scores) {
        check_values(p), kbest(p, k, paths, scores);
    };
    v.marginals = [](diffhmm_workspace&, const Problem<T>& p, T* log_z, T* gamma) {
        check_values(p), marginals(p, log_z, gamma);
    };
    v.sample = [](diffhmm_workspace&, const Problem<T>& p, int64_t n, uint64_t seed, int64_t* paths) {
        check_values(p), sample(p, n, seed, paths);
    };
    return v;
}

}  // namespace

const BackendOps& backend() {
    static const BackendOps ops{
        DIFFHMM_BACKEND_REFERENCE, "reference", true, [] { return std::string(); },
        [](const diffhmm_workspace&) { return int64_t(0); },  // stateless
        nullptr, nullptr, nullptr, nullptr, nullptr,
        verbs<float>(), verbs<double>(),
    };
    return ops;
}

}  // namespace reference
}  // namespace diffhmm
