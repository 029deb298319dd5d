// invariants_test.cpp — the coherence invariants of DESIGN §1.3 on the CPU backend: γ sums to 1,
// Σ_j ξ_t(i,j) = γ_{t-1}(i) and Σ_i ξ_t(i,j) = γ_t(j), Viterbi score <= log Z, log Z from α equals
// log Z from β (the β sweep's γ_0 normalises only if it does), permuting the batch permutes results.
#include <algorithm>
#include <numeric>

#include "harness.h"

TEST(invariants_hold) {
    std::mt19937_64 rng(81);
    test::Options o;
    o.offset = 0.7;
    o.neg_inf_rate = 0.05;
    const test::Problem p = test::random_problem(rng, true, 7, 20, 13, 1, o);
    const std::vector<double> ones(size_t(p.B), 1.0);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const test::Results r = test::run_all<double>(cpu.ws, p, ones);
    const int64_t N = p.N, T = p.T;
    for (int64_t b = 0; b < p.B; ++b) {
        if (r.log_z[b] == test::kNegInf) continue;
        CHECK(r.score[b] <= r.log_z[b] + 1e-12);
        for (int64_t t = 0; t < p.lengths[b]; ++t) {
            double sum = 0.0;
            for (int64_t j = 0; j < N; ++j) sum += r.gamma[(b * T + t) * N + j];
            CHECK_MSG(std::abs(sum - 1.0) < 1e-12, "b=" << b << " t=" << t << " sum γ = " << sum);
            // γ_0 from the β sweep (the gradient at step 0) equals γ_0 from marginals, which is
            // normalised only if log Z computed from β equals log Z from α.
            if (t == 0)
                for (int64_t j = 0; j < N; ++j)
                    CHECK(std::abs(r.grad_potential[b * T * N * N + j] - r.gamma[b * T * N + j]) < 1e-12);
            if (t == 0) continue;
            for (int64_t i = 0; i < N; ++i) {
                double row = 0.0, column = 0.0;
                for (int64_t j = 0; j < N; ++j) {
                    row += r.grad_potential[((b * T + t) * N + i) * N + j];
                    column += r.grad_potential[((b * T + t) * N + j) * N + i];
                }
                CHECK(std::abs(row - r.gamma[(b * T + t - 1) * N + i]) < 1e-12);
                CHECK(std::abs(column - r.gamma[(b * T + t) * N + i]) < 1e-12);
            }
        }
    }
    // Permuting the batch permutes every result.
    std::vector<int64_t> perm(size_t(p.B));
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    test::Problem q = p;
    const int64_t block = T * N * N;
    for (int64_t b = 0; b < p.B; ++b) {
        q.lengths[b] = p.lengths[perm[b]];
        std::copy(p.potential.begin() + perm[b] * block, p.potential.begin() + (perm[b] + 1) * block,
                  q.potential.begin() + b * block);
    }
    const test::Results s = test::run_all<double>(cpu.ws, q, ones);
    for (int64_t b = 0; b < p.B; ++b) {
        CHECK(s.log_z[b] == r.log_z[perm[b]]);
        CHECK(std::equal(s.grad_potential.begin() + b * block, s.grad_potential.begin() + (b + 1) * block,
                         r.grad_potential.begin() + perm[b] * block));
    }
}
