// viterbi.cpp — diffhmm_kbest_dense / diffhmm_kbest_factorized.
#include "capi/guard.h"
#include "dispatch/dispatch.h"

using namespace diffhmm;

extern "C" {

diffhmm_status diffhmm_kbest_dense(diffhmm_workspace* ws, int dtype, int flags, int64_t batch,
                                     int64_t steps, int64_t states, const void* potential,
                                     const int64_t* lengths, int64_t k, int64_t* paths, void* scores) {
    return capi::verb(ws, dtype, [&](diffhmm_workspace& w, auto zero) {
        using T = decltype(zero);
        const Problem<T> p = capi::dense_problem<T>(flags, batch, steps, states, potential, lengths);
        if (k < 1 || k > kMaxBest)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "k must be in [1, " + std::to_string(kMaxBest) + "], got " + std::to_string(k));
        capi::require_output(paths, batch * k * steps, "paths");
        capi::require_output(scores, batch * k, "scores");
        kbest(w, p, k, paths, static_cast<T*>(scores));
    });
}

diffhmm_status diffhmm_kbest_factorized(diffhmm_workspace* ws, int dtype, int flags, int64_t batch,
                                          int64_t steps, int64_t states, int64_t num_trans,
                                          const void* init, int init_batched, const void* trans,
                                          const int64_t* trans_index, const void* emit,
                                          const int64_t* lengths, int64_t k, int64_t* paths, void* scores) {
    return capi::verb(ws, dtype, [&](diffhmm_workspace& w, auto zero) {
        using T = decltype(zero);
        const Problem<T> p = capi::factorized_problem<T>(flags, batch, steps, states, num_trans, init,
                                                         init_batched, trans, trans_index, emit, lengths);
        if (k < 1 || k > kMaxBest)
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "k must be in [1, " + std::to_string(kMaxBest) + "], got " + std::to_string(k));
        capi::require_output(paths, batch * k * steps, "paths");
        capi::require_output(scores, batch * k, "scores");
        kbest(w, p, k, paths, static_cast<T*>(scores));
    });
}

}  // extern "C"
