// validate.h — checks a Problem once at the C ABI boundary, with messages that name the argument
// and the offending index. Value scans (NaN / +inf) are separate because the CPU backend fuses
// them into its sweep and only calls find_invalid_value to word the error.
#pragma once

#include <string>

#include "core/problem.h"

namespace diffhmm {

// Shapes, null pointers, lengths in [0, T], trans_index in [0, K). Throws Error.
template <class T>
void validate_structure(const Problem<T>& p);

// Returns "" or a message naming the first NaN/+inf among the scores the recursions read.
template <class T>
std::string find_invalid_value(const Problem<T>& p);

// Throws INVALID_VALUE if find_invalid_value finds something (used when check_values is set).
template <class T>
void check_values(const Problem<T>& p);

// grad_log_z must be finite. Throws INVALID_VALUE naming the index.
template <class T>
void check_grad_log_z(const T* grad_log_z, int64_t B);

}  // namespace diffhmm
