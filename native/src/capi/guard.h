// guard.h — how every C ABI function is built: arguments are turned into a Problem<T>, validated,
// and handed to core/dispatch inside guarded(), which catches every exception and returns a status
// with the message stored for diffhmm_last_error() on this thread.
#pragma once

#include <exception>
#include <new>
#include <string>

#include "core/error.h"
#include "core/problem.h"
#include "dispatch/validate.h"
#include "core/workspace.h"
#include "diffhmm/diffhmm.h"

namespace diffhmm {
namespace capi {

void set_last_error(const std::string& message);

template <class F>
diffhmm_status guarded(F&& body) noexcept {
    try {
        body();
        set_last_error("");
        return DIFFHMM_OK;
    } catch (const Error& e) {
        set_last_error(e.what());
        return e.status();
    } catch (const std::bad_alloc&) {
        set_last_error("out of host memory");
        return DIFFHMM_ERROR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(std::string("internal error: ") + e.what());
        return DIFFHMM_ERROR_INTERNAL;
    } catch (...) {
        set_last_error("internal error: unknown exception");
        return DIFFHMM_ERROR_INTERNAL;
    }
}

inline diffhmm_workspace& workspace(diffhmm_workspace* ws) {
    if (ws == nullptr) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "workspace is null");
    return *ws;
}

inline void require_output(const void* out, int64_t count, const char* name) {
    if (count > 0 && out == nullptr) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, std::string(name) + " is null");
}

// Calls body.template operator()<T>() with T = float or double according to dtype.
template <class F>
void with_dtype(int dtype, F&& body) {
    if (dtype == DIFFHMM_FLOAT32) {
        body(float{});
    } else if (dtype == DIFFHMM_FLOAT64) {
        body(double{});
    } else {
        fail(DIFFHMM_ERROR_INVALID_ARGUMENT,
             "dtype must be DIFFHMM_FLOAT32 (0) or DIFFHMM_FLOAT64 (1), got " + std::to_string(dtype));
    }
}

// A C ABI verb: `body(workspace, zero)` with zero a T of the call's dtype, the workspace checked,
// and every failure turned into a status and the per-thread message (guarded).
template <class Body>
diffhmm_status verb(diffhmm_workspace* ws, int dtype, Body&& body) {
    return guarded([&] {
        diffhmm_workspace& w = workspace(ws);
        with_dtype(dtype, [&](auto zero) { body(w, zero); });
    });
}

// Whether the scores' values are to be checked; `allowed` names the flags this verb takes.
inline bool check_flags(int flags, int allowed = DIFFHMM_FLAG_TRUSTED_INPUT) {
    if (flags & ~allowed)
        fail(DIFFHMM_ERROR_INVALID_ARGUMENT, (flags & ~allowed) == DIFFHMM_FLAG_ACCUMULATE
                                                 ? std::string("DIFFHMM_FLAG_ACCUMULATE is a flag of the backward calls only")
                                                 : "unknown flags: " + std::to_string(flags));
    return (flags & DIFFHMM_FLAG_TRUSTED_INPUT) == 0;
}

// The flags a backward call takes.
constexpr int kBackwardFlags = DIFFHMM_FLAG_TRUSTED_INPUT | DIFFHMM_FLAG_ACCUMULATE;

template <class T>
Problem<T> dense_problem(int flags, int64_t B, int64_t TT, int64_t N, const void* potential,
                         const int64_t* lengths, int allowed_flags = DIFFHMM_FLAG_TRUSTED_INPUT) {
    Problem<T> p;
    p.form = Form::dense;
    p.check_values = check_flags(flags, allowed_flags);
    p.B = B; p.T = TT; p.N = N; p.K = 1;
    p.potential = static_cast<const T*>(potential);
    p.lengths = lengths;
    validate_structure(p);
    return p;
}

template <class T>
Problem<T> factorized_problem(int flags, int64_t B, int64_t TT, int64_t N, int64_t K, const void* init,
                              int init_batched, const void* trans, const int64_t* trans_index,
                              const void* emit, const int64_t* lengths,
                              int allowed_flags = DIFFHMM_FLAG_TRUSTED_INPUT) {
    Problem<T> p;
    p.form = Form::factorized;
    p.check_values = check_flags(flags, allowed_flags);
    p.B = B; p.T = TT; p.N = N; p.K = K;
    p.init = static_cast<const T*>(init);
    p.init_batched = init_batched != 0;
    p.trans = static_cast<const T*>(trans);
    p.trans_index = trans_index;
    p.emit = static_cast<const T*>(emit);
    p.lengths = lengths;
    validate_structure(p);
    return p;
}

}  // namespace capi
}  // namespace diffhmm
