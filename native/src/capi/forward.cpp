// forward.cpp — diffhmm_forward_dense / diffhmm_forward_factorized.
#include "capi/guard.h"
#include "dispatch/dispatch.h"

using namespace diffhmm;

extern "C" {

diffhmm_status diffhmm_forward_dense(diffhmm_workspace* ws, int dtype, int flags, int64_t batch,
                                     int64_t steps, int64_t states, const void* potential,
                                     const int64_t* lengths, void* log_z) {
    return capi::verb(ws, dtype, [&](diffhmm_workspace& w, auto zero) {
        using T = decltype(zero);
        const Problem<T> p = capi::dense_problem<T>(flags, batch, steps, states, potential, lengths);
        capi::require_output(log_z, batch, "log_z");
        forward(w, p, static_cast<T*>(log_z));
    });
}

diffhmm_status diffhmm_forward_factorized(diffhmm_workspace* ws, int dtype, int flags, int64_t batch,
                                          int64_t steps, int64_t states, int64_t num_trans,
                                          const void* init, int init_batched, const void* trans,
                                          const int64_t* trans_index, const void* emit,
                                          const int64_t* lengths, void* log_z) {
    return capi::verb(ws, dtype, [&](diffhmm_workspace& w, auto zero) {
        using T = decltype(zero);
        const Problem<T> p = capi::factorized_problem<T>(flags, batch, steps, states, num_trans, init,
                                                         init_batched, trans, trans_index, emit, lengths);
        capi::require_output(log_z, batch, "log_z");
        forward(w, p, static_cast<T*>(log_z));
    });
}

}  // extern "C"
