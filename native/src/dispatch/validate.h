// validate.h — the boundary's checks: every call's problem is checked once here, before any backend
// runs (core/checks.h, with the backends' view of which pointers the host can read: dispatch.h).
#pragma once

#include "core/checks.h"
#include "dispatch/dispatch.h"

namespace diffhmm {

template <class T>
void validate_structure(const Problem<T>& p) {
    validate_structure(p, [](const void* q) { return !device_memory(q); });
}

// An upstream gradient in device memory is checked by the CUDA backend on its own copy.
template <class T>
void check_grad_log_z_at_boundary(const T* grad_log_z, int64_t B) {
    if (!device_memory(grad_log_z)) check_grad_log_z(grad_log_z, B);
}

}  // namespace diffhmm
