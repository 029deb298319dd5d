// no_emissions_test.cpp — a factorized problem whose emissions are NULL (no emission scores) gives
// exactly what the same problem with all-zero emissions gives, on every backend and verb: log Z, all
// three gradients (the emission gradient is still the node marginals), Viterbi, marginals.
#include "harness.h"

namespace {

template <class Real>
void same_as_zero_emissions(int backend, const char* name) {
    std::mt19937_64 rng(41);
    for (int round = 0; round < 12; ++round) {
        const int64_t B = 1 + round % 4, T = 1 + (round * 7) % 23, N = 1 + (round * 5) % 19, K = 1 + round % 3;
        test::Options o;
        o.neg_inf_rate = round % 3 == 0 ? 0.2 : 0.0;
        test::Problem p = test::random_problem(rng, false, B, T, N, K, o);
        std::fill(p.emit.begin(), p.emit.end(), 0.0);
        std::vector<double> g(static_cast<size_t>(B));
        std::uniform_real_distribution<double> u(-2.0, 2.0);
        for (double& v : g) v = u(rng);
        test::Workspace a(backend), b(backend);
        const test::Results zeros = test::run_all<Real>(a.ws, p, g, false);
        const test::Results none = test::run_all<Real>(b.ws, p, g, true);
        const std::string what = std::string(name) + (sizeof(Real) == 4 ? " float32" : " float64") + " round " +
                                 std::to_string(round);
        EXPECT_CLOSE(what + " log Z", none.log_z, zeros.log_z, 0.0);
        EXPECT_CLOSE(what + " grad init", none.grad_init, zeros.grad_init, 0.0);
        EXPECT_CLOSE(what + " grad trans", none.grad_trans, zeros.grad_trans, 0.0);
        EXPECT_CLOSE(what + " grad emit", none.grad_emit, zeros.grad_emit, 0.0);
        EXPECT_CLOSE(what + " Viterbi score", none.score, zeros.score, 0.0);
        EXPECT_CLOSE(what + " marginals", none.gamma, zeros.gamma, 0.0);
        CHECK_MSG(none.path == zeros.path, what + " Viterbi paths differ");
    }
}

}  // namespace

TEST(factorized_without_emissions_equals_zero_emissions) {
    same_as_zero_emissions<float>(DIFFHMM_BACKEND_CPU, "CPU");
    same_as_zero_emissions<double>(DIFFHMM_BACKEND_CPU, "CPU");
    same_as_zero_emissions<float>(DIFFHMM_BACKEND_REFERENCE, "reference");
    same_as_zero_emissions<double>(DIFFHMM_BACKEND_REFERENCE, "reference");
}

TEST(cuda_factorized_without_emissions_equals_zero_emissions) {
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) != DIFFHMM_OK) SKIP("no CUDA device");
    same_as_zero_emissions<float>(DIFFHMM_BACKEND_CUDA, "CUDA");
    same_as_zero_emissions<double>(DIFFHMM_BACKEND_CUDA, "CUDA");
}
