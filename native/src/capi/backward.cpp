// backward.cpp — diffhmm_backward_dense / diffhmm_backward_factorized.
#include "capi/guard.h"
#include "dispatch/dispatch.h"

using namespace diffhmm;

extern "C" {

diffhmm_status diffhmm_backward_dense(diffhmm_workspace* ws, int dtype, int flags, int64_t batch,
                                      int64_t steps, int64_t states, const void* potential, const int64_t* lengths,
                                      const void* grad_log_z, void* grad_potential) {
    return capi::verb(ws, dtype, [&](diffhmm_workspace& w, auto zero) {
        using T = decltype(zero);
        const Problem<T> p =
            capi::dense_problem<T>(flags, batch, steps, states, potential, lengths, capi::kBackwardFlags);
        capi::require_output(grad_potential, batch * steps, "grad_potential");
        Grads<T> grads;
        grads.accumulate = (flags & DIFFHMM_FLAG_ACCUMULATE) != 0;
        grads.potential = static_cast<T*>(grad_potential);
        backward(w, p, static_cast<const T*>(grad_log_z), grads);
    });
}

diffhmm_status diffhmm_backward_factorized(diffhmm_workspace* ws, int dtype, int flags, int64_t batch,
                                           int64_t steps, int64_t states, int64_t num_trans,
                                           const void* init, int init_batched, const void* trans,
                                           const int64_t* trans_index, const void* emit,
                                           const int64_t* lengths, const void* grad_log_z,
                                           void* grad_init, void* grad_trans, void* grad_emit) {
    return capi::verb(ws, dtype, [&](diffhmm_workspace& w, auto zero) {
        using T = decltype(zero);
        const Problem<T> p = capi::factorized_problem<T>(flags, batch, steps, states, num_trans, init, init_batched,
                                                         trans, trans_index, emit, lengths, capi::kBackwardFlags);
        Grads<T> grads;
        grads.accumulate = (flags & DIFFHMM_FLAG_ACCUMULATE) != 0;
        grads.init = static_cast<T*>(grad_init);
        grads.trans = static_cast<T*>(grad_trans);
        grads.emit = static_cast<T*>(grad_emit);
        backward(w, p, static_cast<const T*>(grad_log_z), grads);
    });
}

}  // extern "C"
