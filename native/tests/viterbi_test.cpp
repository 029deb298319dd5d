// viterbi_test.cpp — Viterbi ties: the lowest index wins, at every step and at the end, on every
// instruction set; integer-valued scores make ties exact in float32 and float64.
#include "harness.h"

TEST(viterbi_ties_go_to_lowest_index) {
    // All-equal scores: every path ties, so the answer is state 0 at every step.
    test::Problem flat;
    flat.B = 2; flat.T = 5; flat.N = 6;
    flat.lengths = {5, 3};
    flat.potential.assign(size_t(flat.B * flat.T * flat.N * flat.N), 0.5);
    std::mt19937_64 rng(3);
    test::Problem coarse = test::random_problem(rng, true, 4, 9, 11, 1);
    for (double& v : coarse.potential) v = std::floor(v);  // values in {-2,-1,0,1}: many ties
    for (int isa = DIFFHMM_CPU_ISA_GENERIC; isa <= diffhmm_cpu_isa_supported(); ++isa) {
        test::Workspace cpu(DIFFHMM_BACKEND_CPU, 0, isa), ref(DIFFHMM_BACKEND_REFERENCE);
        const std::vector<double> g(4, 1.0);
        const test::Results f = test::run_all<float>(cpu.ws, flat, g);
        const std::vector<int64_t> zeros_then_pad{0, 0, 0, 0, 0, 0, 0, 0, -1, -1};
        CHECK_MSG(f.path == zeros_then_pad, "isa " << isa);
        CHECK(test::run_all<double>(cpu.ws, coarse, g).path == test::run_all<double>(ref.ws, coarse, g).path);
        CHECK(test::run_all<float>(cpu.ws, coarse, g).path == test::run_all<double>(ref.ws, coarse, g).path);
    }
}
