// checks.h — the checks of a problem that every layer above can use, with messages that name the
// argument and the offending index: its structure (shapes, null pointers, lengths, trans_index), its
// scores (NaN / +inf; -inf is a structural zero) and an upstream gradient. Dispatch runs them once at
// the C ABI boundary (dispatch/validate.h); the CPU backend fuses the value scan into its sweep and
// calls find_invalid_value only to word the error; the CUDA backend re-checks what it copied back
// from device memory.
#pragma once

#include <cstdint>
#include <string>

#include "core/problem.h"

namespace diffhmm {

// Shapes, null pointers, lengths in [0, T], trans_index in [0, K). Index arrays `host_readable`
// says the host cannot read (device memory) are not scanned. Throws INVALID_ARGUMENT.
template <class T>
void validate_structure(const Problem<T>& p, bool (*host_readable)(const void*));

// Returns "" or a message naming the first NaN/+inf among the scores the recursions read.
template <class T>
std::string find_invalid_value(const Problem<T>& p);

// Throws INVALID_VALUE if find_invalid_value finds something.
template <class T>
void check_values(const Problem<T>& p);

// grad_log_z (host memory) must be non-null when B > 0 and finite. Throws naming the index.
template <class T>
void check_grad_log_z(const T* grad_log_z, int64_t B);

}  // namespace diffhmm
