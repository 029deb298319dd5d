// problem.h — one plain description of a batched HMM problem, dense or factorized, that flows
// from the C ABI through validation to a backend. It only points at the caller's memory.
//   dense:      potential [B][T][N][N]
//   factorized: init [N] or [B][N], trans [K][N][N], trans_index [B][T] (or null if K = 1),
//               emit [B][T][N]
// The accessors give, for sequence b and step t, the N×N step matrix and the per-column term that
// is added after the reduction over i (emit for factorized, none for dense): docs/formulas.md §1.
#pragma once

#include <array>
#include <cstdint>

// The accessors below also run inside CUDA kernels (cuda/), which receive a Problem by value with
// device pointers in it.
#ifdef __CUDACC__
#define DIFFHMM_HD __host__ __device__
#else
#define DIFFHMM_HD
#endif

namespace diffhmm {

enum class Form { dense, factorized };

template <class Real>
struct Problem {
    Form form = Form::dense;
    int64_t B = 0, T = 0, N = 0, K = 1;
    bool check_values = true;  // false with DIFFHMM_FLAG_TRUSTED_INPUT

    const int64_t* lengths = nullptr;
    const Real* potential = nullptr;  // dense
    const Real* init = nullptr;       // factorized
    bool init_batched = false;
    const Real* trans = nullptr;
    const int64_t* trans_index = nullptr;
    const Real* emit = nullptr;       // [B][T][N], or null: no emission scores (all 0)

    DIFFHMM_HD int64_t length(int64_t b) const { return lengths[b]; }

    // The longest sequence: what a workspace's per-sequence rows hold (B × max length, not B × T, so
    // padding — or a huge T with short sequences — costs no workspace memory). O(B).
    int64_t max_length() const {
        int64_t m = 0;
        for (int64_t b = 0; b < B; ++b) m = lengths[b] > m ? lengths[b] : m;
        return m;
    }

    // Scores of the initial step: initial_row(b)[j] + initial_col(b)[j] (col may be null).
    DIFFHMM_HD const Real* initial_row(int64_t b) const {
        if (form == Form::dense) return potential + b * T * N * N;
        return init + (init_batched ? b * N : 0);
    }
    DIFFHMM_HD const Real* initial_col(int64_t b) const {
        return form == Form::dense || emit == nullptr ? nullptr : emit + b * T * N;
    }

    // Which transition matrix step t (>= 1) of sequence b uses.
    DIFFHMM_HD int64_t trans_of(int64_t b, int64_t t) const {
        return trans_index == nullptr ? 0 : trans_index[b * T + t];
    }
    // Step t >= 1: score(i -> j) = matrix(b,t)[i*N + j] + column(b,t)[j] (column may be null).
    DIFFHMM_HD const Real* matrix(int64_t b, int64_t t) const {
        if (form == Form::dense) return potential + (b * T + t) * N * N;
        return trans + trans_of(b, t) * N * N;
    }
    DIFFHMM_HD const Real* column(int64_t b, int64_t t) const {
        return form == Form::dense || emit == nullptr ? nullptr : emit + (b * T + t) * N;
    }
};

// Where the backward writes. Dense: grad_potential. Factorized: any of the three may be null.
template <class Real>
struct Grads {
    Real* potential = nullptr;  // dense [B][T][N][N]
    Real* init = nullptr;       // [N] or [B][N]
    Real* trans = nullptr;      // [K][N][N]
    Real* emit = nullptr;       // [B][T][N]
    bool accumulate = false;    // add into the outputs instead of writing them (host-memory backends
                                // always write: dispatch adds; the CUDA backend adds itself)
};

// The four outputs in one order — potential, init, trans, emit — for code that treats them alike.
template <class Real>
inline constexpr Real* Grads<Real>::*kGradOutputs[4] = {&Grads<Real>::potential, &Grads<Real>::init,
                                                        &Grads<Real>::trans, &Grads<Real>::emit};

// The number of elements of each output of p's gradient, in kGradOutputs' order (potential: 0 for
// the factorized form).
template <class Real>
std::array<int64_t, 4> grad_counts(const Problem<Real>& p) {
    return {p.form == Form::dense ? p.B * p.T * p.N * p.N : 0, (p.init_batched ? p.B : 1) * p.N, p.K * p.N * p.N,
            p.B * p.T * p.N};
}

}  // namespace diffhmm
