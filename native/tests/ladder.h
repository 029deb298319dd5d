// ladder.h — one rung of the test ladder as a function: run every verb of a problem on a backend's
// workspace and compare with the float64 reference, float32 against twice the naive float32
// reference's error (STYLE.md). Used by ladder_test.cpp (CPU) and cuda_test.cpp (CUDA).
#pragma once

#include <algorithm>

#include "harness.h"

namespace test {

// got vs want, every output, within the given tolerances.
inline void compare(const std::string& label, const Results& got, const Results& want, double tol_log_z,
             double tol_grad, double tol_gamma, bool compare_paths) {
    EXPECT_CLOSE(label + " log_z", got.log_z, want.log_z, tol_log_z);
    EXPECT_CLOSE(label + " grad_potential", got.grad_potential, want.grad_potential, tol_grad);
    EXPECT_CLOSE(label + " grad_init", got.grad_init, want.grad_init, tol_grad);
    EXPECT_CLOSE(label + " grad_trans", got.grad_trans, want.grad_trans, tol_grad * 8);
    EXPECT_CLOSE(label + " grad_emit", got.grad_emit, want.grad_emit, tol_grad);
    EXPECT_CLOSE(label + " gamma", got.gamma, want.gamma, tol_gamma);
    EXPECT_CLOSE(label + " viterbi score", got.score, want.score, tol_log_z);
    if (compare_paths) CHECK_MSG(got.path == want.path, label << ": Viterbi paths differ");
}

inline void check_against_reference(const std::string& label, diffhmm_workspace* ws, const Problem& p,
                                    const std::vector<double>& g) {
    const double eps32 = 1.1920929e-7, eps64 = 2.220446049250313e-16;
    Workspace ref(DIFFHMM_BACKEND_REFERENCE);
    const Results want = run_all<double>(ref.ws, p, g);
    const Results naive = run_all<float>(ref.ws, p, g);
    const double scale_z = std::max(1.0, max_abs(want.log_z));
    const double scale_g = std::max(1.0, max_abs(g));
    const double steps = double(std::max<int64_t>(1, p.T));
    // float64: rounding of a length-T recursion on values of size scale_z.
    const double tol64_z = 64 * eps64 * steps * scale_z, tol64_g = 64 * eps64 * steps * scale_z * scale_g;
    // float32: twice the naive implementation's error, with a floor of a few ulps of the values.
    const double tol32_z = 2 * max_abs_diff(naive.log_z, want.log_z) + 8 * eps32 * scale_z;
    const double naive_grad = std::max({max_abs_diff(naive.grad_potential, want.grad_potential),
                                        max_abs_diff(naive.grad_emit, want.grad_emit),
                                        max_abs_diff(naive.grad_init, want.grad_init)});
    const double tol32_g = 2 * naive_grad + 16 * eps32 * scale_g;
    const double tol32_gamma = 2 * max_abs_diff(naive.gamma, want.gamma) + 16 * eps32;
    compare(label + " f64", run_all<double>(ws, p, g), want, tol64_z, tol64_g, tol64_g, true);
    compare(label + " f32", run_all<float>(ws, p, g), want, tol32_z, tol32_g, tol32_gamma, false);
}

// A problem where probability-space sums underflow in float32 where it matters: every 7th step
// moves nearly all mass to state 0 (the others ~e^-110 behind it, below float32's smallest value) and
// the next step makes leaving state 0 cost e^-60 while leaving any other state gains e^+60 — so the
// true next message comes from the states float32 flushed (cpu/prob.h and the CUDA chunked scan
// must recompute those in log space). Both forms: dense potentials, or factorized with three
// matrices (random, "gather", "scatter") picked per step.
inline Problem trap_problem(std::mt19937_64& rng, bool dense) {
    const int64_t B = 2, T = 90, N = 6;
    Options o;
    o.ragged = false;
    Problem p = random_problem(rng, dense, B, T, N, 3, o);
    auto gather = [](int64_t, int64_t j) { return j == 0 ? 0.0 : -110.0; };
    auto scatter = [](int64_t i, int64_t) { return i == 0 ? -60.0 : 60.0; };
    if (!dense) {
        p.init_batched = false;
        p.init.resize(static_cast<size_t>(N));
        for (int64_t i = 0; i < N; ++i)
            for (int64_t j = 0; j < N; ++j) {
                p.trans[(1 * N + i) * N + j] = gather(i, j);
                p.trans[(2 * N + i) * N + j] = scatter(i, j);
            }
    }
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 1; t < T; ++t) {
            const int kind = t % 7 == 2 ? 1 : t % 7 == 3 ? 2 : 0;
            if (!dense) {
                p.trans_index[b * T + t] = kind;
                continue;
            }
            for (int64_t i = 0; i < N && kind > 0; ++i)
                for (int64_t j = 0; j < N; ++j)
                    p.potential[((b * T + t) * N + i) * N + j] = kind == 1 ? gather(i, j) : scatter(i, j);
        }
    return p;
}

}  // namespace test
