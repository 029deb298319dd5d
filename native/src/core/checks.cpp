// checks.cpp — the checks of a problem (see checks.h).
#include "core/checks.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "core/error.h"

namespace diffhmm {
namespace {

void require(bool ok, const std::string& message) {
    if (!ok) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, message);
}

template <class T>
bool invalid(T v) {
    return !(v < std::numeric_limits<T>::infinity());  // NaN or +inf; -inf is a structural zero
}

std::string describe(double v) { return std::isnan(v) ? "NaN" : "+inf"; }

}  // namespace

template <class T>
void validate_structure(const Problem<T>& p, bool (*host_readable)(const void*)) {
    require(p.B >= 0, "batch must be >= 0, got " + std::to_string(p.B));
    require(p.T >= 0, "steps must be >= 0, got " + std::to_string(p.T));
    require(p.N >= 1, "states must be >= 1, got " + std::to_string(p.N));
    require(p.K >= 1, "num_trans must be >= 1, got " + std::to_string(p.K));
    // B*T*N*N must fit in int64 with room to spare.
    const double elements = double(p.B) * double(p.T) * double(p.N) * double(p.N);
    require(elements < 4.0e18, "problem too large: B*T*N*N overflows 64-bit indexing");
    if (p.B == 0) return;
    require(p.lengths != nullptr, "lengths is null");
    // Device-resident lengths and indices are checked by the CUDA backend after copying them back.
    const bool lengths_on_host = host_readable(p.lengths);
    for (int64_t b = 0; lengths_on_host && b < p.B; ++b) {
        const int64_t len = p.lengths[b];
        if (len < 0 || len > p.T) {
            std::ostringstream m;
            m << "lengths[" << b << "] = " << len << " is outside [0, steps = " << p.T << "]";
            fail(DIFFHMM_ERROR_INVALID_ARGUMENT, m.str());
        }
    }
    if (p.T == 0) return;
    if (p.form == Form::dense) {
        require(p.potential != nullptr, "potential is null");
        return;
    }
    require(p.init != nullptr, "init is null");
    require(p.trans != nullptr, "trans is null");
    if (p.trans_index == nullptr) {
        require(p.K == 1, "trans_index is null but num_trans = " + std::to_string(p.K) +
                              " (it may be null only when num_trans = 1)");
        return;
    }
    if (!lengths_on_host || !host_readable(p.trans_index)) return;
    for (int64_t b = 0; b < p.B; ++b) {
        for (int64_t t = 1; t < p.lengths[b]; ++t) {
            const int64_t k = p.trans_index[b * p.T + t];
            if (k < 0 || k >= p.K) {
                std::ostringstream m;
                m << "trans_index[" << b << "][" << t << "] = " << k << " is outside [0, num_trans = "
                  << p.K << ")";
                fail(DIFFHMM_ERROR_INVALID_ARGUMENT, m.str());
            }
        }
    }
}

template <class T>
void check_grad_log_z(const T* grad_log_z, int64_t B) {
    if (B > 0 && grad_log_z == nullptr) fail(DIFFHMM_ERROR_INVALID_ARGUMENT, "grad_log_z is null");
    for (int64_t b = 0; b < B; ++b)
        if (!std::isfinite(grad_log_z[b])) {
            std::ostringstream m;
            m << "grad_log_z[" << b << "] is " << grad_log_z[b] << " (upstream gradients must be finite)";
            fail(DIFFHMM_ERROR_INVALID_VALUE, m.str());
        }
}

template <class T>
std::string find_invalid_value(const Problem<T>& p) {
    const int64_t N = p.N;
    std::ostringstream m;
    if (p.form == Form::dense) {
        for (int64_t b = 0; b < p.B; ++b) {
            for (int64_t t = 0; t < p.lengths[b]; ++t) {
                const T* step = p.potential + (b * p.T + t) * N * N;
                const int64_t rows = t == 0 ? 1 : N;  // step 0 reads row 0 only
                for (int64_t i = 0; i < rows; ++i)
                    for (int64_t j = 0; j < N; ++j)
                        if (invalid(step[i * N + j])) {
                            m << "potential[" << b << "][" << t << "][" << i << "][" << j
                              << "] is " << describe(step[i * N + j])
                              << " (scores must be finite or -inf)";
                            return m.str();
                        }
            }
        }
        return "";
    }
    const int64_t init_rows = p.init_batched ? p.B : 1;
    for (int64_t r = 0; r < init_rows; ++r)
        for (int64_t j = 0; j < N; ++j)
            if (invalid(p.init[r * N + j])) {
                m << "init[";
                if (p.init_batched) m << r << "][";
                m << j << "] is " << describe(p.init[r * N + j]) << " (scores must be finite or -inf)";
                return m.str();
            }
    for (int64_t k = 0; k < p.K; ++k)
        for (int64_t i = 0; i < N; ++i)
            for (int64_t j = 0; j < N; ++j)
                if (invalid(p.trans[(k * N + i) * N + j])) {
                    m << "trans[" << k << "][" << i << "][" << j << "] is "
                      << describe(p.trans[(k * N + i) * N + j]) << " (scores must be finite or -inf)";
                    return m.str();
                }
    if (p.emit == nullptr) return "";  // no emissions: nothing to scan
    for (int64_t b = 0; b < p.B; ++b)
        for (int64_t t = 0; t < p.lengths[b]; ++t)
            for (int64_t j = 0; j < N; ++j)
                if (invalid(p.emit[(b * p.T + t) * N + j])) {
                    m << "emit[" << b << "][" << t << "][" << j << "] is "
                      << describe(p.emit[(b * p.T + t) * N + j]) << " (scores must be finite or -inf)";
                    return m.str();
                }
    return "";
}

template <class T>
void check_values(const Problem<T>& p) {
    if (!p.check_values) return;
    const std::string message = find_invalid_value(p);
    if (!message.empty()) fail(DIFFHMM_ERROR_INVALID_VALUE, message);
}

#define DIFFHMM_INSTANTIATE(T)                                         \
    template void validate_structure<T>(const Problem<T>&, bool (*)(const void*)); \
    template void check_grad_log_z<T>(const T*, int64_t);                   \
    template std::string find_invalid_value<T>(const Problem<T>&);          \
    template void check_values<T>(const Problem<T>&);
DIFFHMM_INSTANTIATE(float)
DIFFHMM_INSTANTIATE(double)
#undef DIFFHMM_INSTANTIATE

}  // namespace diffhmm
