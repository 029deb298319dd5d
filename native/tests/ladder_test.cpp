// ladder_test.cpp — the test ladder of docs/formulas.md §5: enumeration → float64 reference →
// CPU backend (every instruction set, 1 and several threads, float64 and float32), for every verb,
// dense and factorized, on fresh random problems with ragged lengths (0 and 1 included), N = 1,
// N not a multiple of the vector width, unnormalised scores, -inf entries and sequences without a
// finite path. Float32 tolerances come from the naive float32 reference (2× its error, STYLE.md).
#include <algorithm>
#include <cstdlib>

#include "harness.h"
#include "ladder.h"
#include "oracle.h"

namespace {

using test::Problem;
using test::Results;
using test::compare;

std::vector<int> isas() {
    std::vector<int> all{DIFFHMM_CPU_ISA_GENERIC};
    const int best = diffhmm_cpu_isa_supported();
    if (best >= DIFFHMM_CPU_ISA_AVX2) all.push_back(DIFFHMM_CPU_ISA_AVX2);
    if (best >= DIFFHMM_CPU_ISA_AVX512) all.push_back(DIFFHMM_CPU_ISA_AVX512);
    return all;
}

std::vector<double> random_grad(std::mt19937_64& rng, int64_t B) {
    std::uniform_real_distribution<double> u(-2.0, 2.0);  // negative, positive and near-zero
    std::vector<double> g(static_cast<size_t>(B));
    for (double& v : g) v = u(rng);
    return g;
}

// Runs `p` on the reference (float64 and float32) and on the CPU backend in every configuration.
void check_cpu_against_reference(const std::string& label, const Problem& p, const std::vector<double>& g) {
    for (int isa : isas())
        for (int threads : {1, 2, 3}) {
            test::Workspace cpu(DIFFHMM_BACKEND_CPU, threads, isa);
            test::check_against_reference(label + " isa=" + std::to_string(isa) + " threads=" + std::to_string(threads),
                                          cpu.ws, p, g);
        }
}

using Settings = diffhmm::Settings;

// Forces the CPU's path for factorized problems in the workspaces made in a scope (cpu/plan.h):
// "log", "prob", "tiny"; "" leaves the planner's.
struct FactorizedPath : test::ForcePaths {
    explicit FactorizedPath(const char* path)
        : ForcePaths([path](Settings& s) {
              const std::string p = path;
              s.cpu_factorized = p == "log" ? Settings::CpuFactorized::log : p == "prob" ? Settings::CpuFactorized::prob
                                 : p == "tiny" ? Settings::CpuFactorized::tiny : Settings::CpuFactorized::automatic;
          }) {}
};

// Forces the CPU's step kernels for dense problems in the workspaces made in a scope (cpu/plan.h):
// "rows", "flat"; "" leaves the planner's.
struct DensePath : test::ForcePaths {
    explicit DensePath(const char* path)
        : ForcePaths([path](Settings& s) {
              const std::string p = path;
              s.cpu_dense = p == "rows" ? Settings::CpuDense::rows : p == "flat" ? Settings::CpuDense::flat
                                                                                 : Settings::CpuDense::automatic;
          }) {}
};

// The same scores as a dense problem: potential[b][t][i][j] = score (row 0 of step 0 is the initial row).
Problem as_dense(const Problem& f) {
    Problem d = f;
    d.dense = true;
    d.K = 1;
    d.init.clear();
    d.trans.clear();
    d.emit.clear();
    d.trans_index.clear();
    d.potential.assign(size_t(f.B * f.T * f.N * f.N), 0.0);
    for (int64_t b = 0; b < f.B; ++b)
        for (int64_t t = 0; t < f.T; ++t)
            for (int64_t i = 0; i < f.N; ++i)
                for (int64_t j = 0; j < f.N; ++j) d.potential[size_t(((b * f.T + t) * f.N + i) * f.N + j)] = f.score(b, t, i, j);
    return d;
}

}  // namespace

TEST(dense_flat_and_row_kernels_match_reference_at_every_size) {
    // Both kernel families of the dense form (flat, row by row) forced in turn: N = 1 .. 50 around the vector widths (4, 8,
    // 16 lanes), −inf structure, unnormalised scores of both signs, ragged lengths with 0 and 1.
    std::mt19937_64 rng(23);
    for (const char* path : {"flat", "rows"}) {
        const DensePath forced(path);
        for (int64_t N : {1, 2, 3, 7, 8, 9, 16, 17, 24, 33, 50}) {
            test::Options o;
            o.neg_inf_rate = N % 3 == 0 ? 0.3 : 0.0;
            o.offset = N % 2 ? 2.5 : -1.5;
            o.scale = N % 4 == 0 ? 8.0 : 2.0;  // wide: column maxima far apart, exps spanning e^±16
            Problem p = test::random_problem(rng, true, 5, 11, N, 1, o);
            p.lengths[1] = 1;
            p.lengths[2] = 0;
            check_cpu_against_reference(std::string("dense ") + path + " path N=" + std::to_string(N), p,
                                        random_grad(rng, p.B));
        }
    }
}

TEST(enumeration_agrees_with_reference_and_cpu) {
    std::mt19937_64 rng(11);
    for (bool dense : {true, false})
        for (int64_t N : {1, 2, 3}) {
            test::Options o;
            o.neg_inf_rate = 0.1;
            const Problem p = test::random_problem(rng, dense, 5, 4, N, 3, o);
            const std::vector<double> g = random_grad(rng, p.B);
            const Results truth = test::enumerate(p, g);
            test::Workspace ref(DIFFHMM_BACKEND_REFERENCE);
            const std::string label = std::string(dense ? "dense" : "factorized") + " N=" + std::to_string(N);
            compare(label + " reference", test::run_all<double>(ref.ws, p, g), truth, 1e-12, 1e-12, 1e-12, true);
            test::Workspace cpu(DIFFHMM_BACKEND_CPU);
            compare(label + " cpu", test::run_all<double>(cpu.ws, p, g), truth, 1e-12, 1e-12, 1e-12, true);
        }
}

// An empty batch, and a batch of empty sequences (T = 0): every verb runs, and the shared gradients
// (init, trans) are written as zeros.
TEST(cpu_matches_reference_on_an_empty_batch) {
    std::mt19937_64 rng(61);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    for (bool dense : {true, false}) {
        const test::Problem p = test::random_problem(rng, dense, 0, 5, 4, dense ? 1 : 2);
        test::check_against_reference(dense ? "cpu dense B=0" : "cpu factorized B=0", cpu.ws, p, {});
        const test::Problem q = test::random_problem(rng, dense, 3, 0, 4, dense ? 1 : 2);
        test::check_against_reference(dense ? "cpu dense T=0" : "cpu factorized T=0", cpu.ws, q, {0.5, -1.0, 2.0});
    }
}

TEST(cpu_matches_reference_dense) {
    std::mt19937_64 rng(21);
    for (int64_t N : {1, 5, 17, 50}) {
        test::Options o;
        o.offset = N % 2 ? 3.0 : -1.5;  // unnormalised (CRF) scores, both signs
        const Problem p = test::random_problem(rng, true, 6, 12, N, 1, o);
        check_cpu_against_reference("dense N=" + std::to_string(N), p, random_grad(rng, p.B));
    }
}

TEST(cpu_matches_reference_factorized) {
    std::mt19937_64 rng(31);
    for (int64_t N : {1, 7, 33}) {
        for (int64_t K : {1, 4}) {
            const Problem p = test::random_problem(rng, false, 5, 15, N, K);
            check_cpu_against_reference("factorized N=" + std::to_string(N) + " K=" + std::to_string(K), p,
                                        random_grad(rng, p.B));
        }
    }
}

TEST(cpu_matches_reference_with_minus_inf_and_dead_sequences) {
    std::mt19937_64 rng(41);
    for (bool dense : {true, false}) {
        test::Options o;
        o.neg_inf_rate = 0.3;
        Problem p = test::random_problem(rng, dense, 6, 10, 9, 2, o);
        // Sequence 1 has no finite path: every score into step 3 is -inf.
        p.lengths[1] = 8;
        for (int64_t i = 0; i < p.N; ++i)
            for (int64_t j = 0; j < p.N; ++j) {
                if (dense) p.potential[((1 * p.T + 3) * p.N + i) * p.N + j] = test::kNegInf;
            }
        if (!dense)
            for (int64_t j = 0; j < p.N; ++j) p.emit[(1 * p.T + 3) * p.N + j] = test::kNegInf;
        check_cpu_against_reference(dense ? "dense -inf" : "factorized -inf", p, random_grad(rng, p.B));
        test::Workspace cpu(DIFFHMM_BACKEND_CPU);
        const Results r = test::run_all<double>(cpu.ws, p, random_grad(rng, p.B));
        CHECK(r.log_z[1] == test::kNegInf);
        CHECK(r.score[1] == test::kNegInf);
        for (int64_t t = 0; t < p.T; ++t) CHECK(r.path[p.T + t] == -1);
    }
}

TEST(factorized_prob_path_matches_reference_at_every_size) {
    // The probability-space path forced at the sizes where the default picks the log path too.
    const FactorizedPath prob_path("prob");
    std::mt19937_64 rng(37);
    for (int64_t N : {1, 2, 3, 7, 17}) {
        test::Options o;
        o.neg_inf_rate = N == 7 ? 0.3 : 0.0;
        const Problem p = test::random_problem(rng, false, 5, 12, N, N == 3 ? 4 : 1, o);
        check_cpu_against_reference("factorized prob path N=" + std::to_string(N), p, random_grad(rng, p.B));
    }
}

TEST(factorized_tiny_path_matches_reference_at_every_size) {
    // The small-state path (tiny.h) forced at every N it takes: one or four matrices, −inf structure,
    // ragged lengths with 0 and 1, unnormalised scores of both signs, float32 and float64.
    const FactorizedPath tiny_path("tiny");
    std::mt19937_64 rng(39);
    for (int64_t N = 1; N <= 32; N += N < 10 ? 1 : 11)
        for (int64_t K : {1, 4}) {
            test::Options o;
            o.neg_inf_rate = N % 3 == 0 ? 0.3 : 0.0;
            o.offset = N % 2 ? 2.0 : -1.0;
            Problem p = test::random_problem(rng, false, 6, 14, N, K, o);
            p.lengths[1] = 1;
            p.lengths[2] = 0;
            check_cpu_against_reference("factorized tiny path N=" + std::to_string(N) + " K=" + std::to_string(K), p,
                                        random_grad(rng, p.B));
        }
}

TEST(one_long_sequence_sums_its_gradient_on_a_second_core_bit_for_bit) {
    // B = 1 on the probability-space path hands chunks of 256 rank-1 updates to a flusher on another
    // core (sweep.h, ProbOverlap); they must be summed in the order one thread would sum them. A
    // long walk (many chunks), several matrices (regrouped flushes), −inf structure, and a scale that
    // sends some steps to the direct float64 additions (unnormalised scores far from 0).
    const FactorizedPath prob_path("prob");  // N = 12 with several matrices would take the small-state path
    std::mt19937_64 rng(57);
    for (double offset : {0.0, 40.0}) {
        test::Options o;
        o.ragged = false;
        o.neg_inf_rate = 0.1;
        o.offset = offset;
        const Problem p = test::random_problem(rng, false, 1, 3000, 12, 3, o);
        const std::vector<double> g = random_grad(rng, p.B);
        test::Workspace one(DIFFHMM_BACKEND_CPU, 1), two(DIFFHMM_BACKEND_CPU, 2);
        for (int round = 0; round < 3; ++round) {  // thread timing varies between rounds
            const Results a = test::run_all<double>(one.ws, p, g), b = test::run_all<double>(two.ws, p, g);
            CHECK_MSG(a.grad_trans == b.grad_trans, "offset " << offset << ": grad_trans differs between 1 and 2 threads");
            CHECK(a.grad_init == b.grad_init && a.grad_emit == b.grad_emit && a.log_z == b.log_z);
        }
        check_cpu_against_reference("one long sequence, offset " + std::to_string(offset), p, g);
    }
}

// Probability-space sums that underflow in float32 where it matters (test::trap_problem): the CPU's
// probability-space paths (the dense flat kernels forced at this small N) must recompute them in log
// space.
TEST(cpu_matches_reference_where_float32_sums_underflow) {
    std::mt19937_64 rng(96);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    for (const char* dense_kernels : {"flat", "rows"}) {
        cpu.ws->settings.cpu_dense = std::string(dense_kernels) == "flat" ? Settings::CpuDense::flat : Settings::CpuDense::rows;
        for (bool dense : {true, false}) {
            const test::Problem p = test::trap_problem(rng, dense);
            std::vector<double> g(static_cast<size_t>(p.B), 1.0);
            g[0] = -0.5;
            test::check_against_reference(std::string("cpu trap ") + (dense ? "dense " : "factorized ") + dense_kernels,
                                          cpu.ws, p, g);
        }
    }
}

TEST(cpu_matches_reference_across_states) {
    // B = 1 < threads and N >= 128 switches the CPU backend to splitting each step across states.
    std::mt19937_64 rng(51);
    for (bool dense : {true, false}) {
        const Problem p = test::random_problem(rng, dense, 1, 6, 150, 2);
        check_cpu_against_reference(dense ? "dense N=150 B=1" : "factorized N=150 B=1", p, random_grad(rng, p.B));
    }
}

TEST(factorized_log_path_matches_reference) {
    // The log-space path: what the probability-space path falls back to, forced here on its own.
    const FactorizedPath log_path("log");
    std::mt19937_64 rng(33);
    for (int64_t N : {1, 7, 150}) {
        test::Options o;
        o.neg_inf_rate = N == 7 ? 0.3 : 0.0;
        const Problem p = test::random_problem(rng, false, N == 150 ? 1 : 5, 12, N, N == 7 ? 3 : 1, o);
        check_cpu_against_reference("factorized log path N=" + std::to_string(N), p, random_grad(rng, p.B));
    }
}

// A factorized problem whose mass runs along 0 -> 1 -> 0 -> ... through transitions of `edge` nats
// (all other transitions 0): emissions allow only that state at each step, except that `noisy`
// sequences may also sit in states 2 and 3, whose paths are far more probable. In probability space
// the product for the forced column underflows (e^-120 is below float32's range, e^-800 below
// float64's), so only the exact fallbacks give the right answer.
Problem forced_path(std::mt19937_64& rng, double edge, bool noisy) {
    Problem p;
    p.dense = false;
    p.B = 3; p.T = 40; p.N = 4; p.K = 1;
    p.lengths = {40, 17, 1};
    p.init.assign(4, 0.0);
    p.trans.assign(16, 0.0);
    p.trans[0 * 4 + 1] = edge;
    p.trans[1 * 4 + 0] = edge;
    std::uniform_real_distribution<double> u(-3.0, 1.0);
    p.emit.assign(size_t(p.B * p.T * p.N), test::kNegInf);
    for (int64_t b = 0; b < p.B; ++b)
        for (int64_t t = 0; t < p.T; ++t) {
            double* e = &p.emit[size_t((b * p.T + t) * p.N)];
            e[t % 2] = u(rng);
            if (noisy && b == 1) e[2] = u(rng), e[3] = u(rng);
        }
    return p;
}

TEST(factorized_prob_path_resolves_underflowing_products_exactly) {
    const FactorizedPath prob_path("prob");  // N = 4: below the default threshold of the product path
    std::mt19937_64 rng(35);
    for (double edge : {-120.0, -800.0})
        for (bool noisy : {false, true}) {
            const Problem p = forced_path(rng, edge, noisy);
            const std::string label = "forced path edge=" + std::to_string(int(edge)) + (noisy ? " noisy" : "");
            check_cpu_against_reference(label, p, random_grad(rng, p.B));
            test::Workspace cpu(DIFFHMM_BACKEND_CPU);
            for (const Results& r : {test::run_all<float>(cpu.ws, p, {1, 1, 1}), test::run_all<double>(cpu.ws, p, {1, 1, 1})}) {
                CHECK_MSG(std::isfinite(r.log_z[0]) && r.log_z[0] < 39 * edge + 40, label << ": log Z " << r.log_z[0]);
                // Every one of the 39 transitions of sequence 0 and the 16 of sequence 1 goes 0 <-> 1
                // (sequence 1's noisy states are e^100 more probable only when `noisy`).
                const double crossings = r.grad_trans[1] + r.grad_trans[4];
                const double want = noisy ? 39.0 : 55.0;
                CHECK_MSG(std::abs(crossings - want) < 1e-4 * want, label << ": expected transitions " << crossings);
            }
        }
}

TEST(dense_flat_forward_resolves_underflowing_products_exactly) {
    // The forced path of the factorized test below as dense scores: states whose α is e^-100 below
    // the row's maximum (x underflows), −120- and −800-nat edges (the product of a column underflows,
    // and float64's too): only the per-column log-space fallback gives the right answer.
    const DensePath flat_path("flat");
    std::mt19937_64 rng(25);
    for (double edge : {-120.0, -800.0})
        for (bool noisy : {false, true}) {
            const Problem p = as_dense(forced_path(rng, edge, noisy));
            const std::string label = "dense forced path edge=" + std::to_string(int(edge)) + (noisy ? " noisy" : "");
            check_cpu_against_reference(label, p, random_grad(rng, p.B));
            test::Workspace cpu(DIFFHMM_BACKEND_CPU);
            for (const Results& r : {test::run_all<float>(cpu.ws, p, {1, 1, 1}), test::run_all<double>(cpu.ws, p, {1, 1, 1})}) {
                CHECK_MSG(std::isfinite(r.log_z[0]) && r.log_z[0] < 39 * edge + 40, label << ": log Z " << r.log_z[0]);
                double crossings = 0.0;  // edge marginals on 0 -> 1 and 1 -> 0 over every step of every sequence
                for (int64_t b = 0; b < p.B; ++b)
                    for (int64_t t = 1; t < p.T; ++t) {
                        const size_t base = size_t((b * p.T + t) * p.N * p.N);
                        crossings += r.grad_potential[base + 1] + r.grad_potential[base + 4];
                    }
                const double want = noisy ? 39.0 : 55.0;
                CHECK_MSG(std::abs(crossings - want) < 1e-4 * want, label << ": expected transitions " << crossings);
            }
        }
}

TEST(factorized_tiny_path_hands_what_it_cannot_do_exactly_to_the_general_path) {
    // Forced along 0 <-> 1 through e^-120 transitions while (noisy) states 2 and 3 are e^100 more
    // probable: the forced states' share of the mass falls below the path's 2^-335 floor, and a
    // −800-nat edge is beyond its span; both must come out exact (the general path takes over).
    const FactorizedPath tiny_path("tiny");
    std::mt19937_64 rng(36);
    for (double edge : {-120.0, -800.0})
        for (bool noisy : {false, true}) {
            const Problem p = forced_path(rng, edge, noisy);
            const std::string label = "tiny, forced path edge=" + std::to_string(int(edge)) + (noisy ? " noisy" : "");
            check_cpu_against_reference(label, p, random_grad(rng, p.B));
            test::Workspace cpu(DIFFHMM_BACKEND_CPU);
            const Results r = test::run_all<double>(cpu.ws, p, {1, 1, 1});
            const double crossings = r.grad_trans[1] + r.grad_trans[4];
            const double want = noisy ? 39.0 : 55.0;
            CHECK_MSG(std::abs(crossings - want) < 1e-6 * want, label << ": expected transitions " << crossings);
        }
}

TEST(factorized_tiny_path_sweeps_one_long_sequence_on_two_cores) {
    // One sequence of 600 steps on two or three threads: its β sweep runs beside its α sweep in the
    // forward, and the backward sums the edges in two halves (tiny.cpp, beta_chain,
    // accumulate_sequence); one thread runs the plain sweeps. Several matrices, −inf structure,
    // unnormalised scores; then the forced path, whose β leaves the exact range (the general path
    // takes over in the backward).
    const FactorizedPath tiny_path("tiny");
    std::mt19937_64 rng(38);
    for (int64_t N : {1, 3, 8, 20, 32}) {
        test::Options o;
        o.ragged = false;
        o.neg_inf_rate = N % 3 == 0 ? 0.3 : 0.0;
        o.offset = N % 2 ? 2.0 : -1.0;
        const Problem p = test::random_problem(rng, false, 1, 600, N, 4, o);
        check_cpu_against_reference("tiny, one sequence N=" + std::to_string(N), p, random_grad(rng, p.B));
    }
    for (double edge : {-120.0, -800.0})
        for (bool noisy : {false, true}) {
            Problem p = forced_path(rng, edge, noisy);
            // Sequence 1 of the forced problem (the noisy one when `noisy`), alone and 600 steps long.
            p.B = 1;
            p.T = 600;
            p.lengths = {600};
            p.init.assign(size_t(p.N), 0.0);
            std::uniform_real_distribution<double> u(-3.0, 1.0);
            p.emit.assign(size_t(p.T * p.N), test::kNegInf);
            for (int64_t t = 0; t < p.T; ++t) {
                double* e = &p.emit[size_t(t * p.N)];
                e[t % 2] = u(rng);
                if (noisy) e[2] = u(rng), e[3] = u(rng);
            }
            const std::string label = "tiny, one sequence, forced path edge=" + std::to_string(int(edge)) +
                                      (noisy ? " noisy" : "");
            check_cpu_against_reference(label, p, random_grad(rng, p.B));
            test::Workspace cpu(DIFFHMM_BACKEND_CPU, 2);
            const Results r = test::run_all<double>(cpu.ws, p, {1});
            const double crossings = r.grad_trans[1] + r.grad_trans[4];
            const double want = noisy ? 0.0 : 599.0;
            CHECK_MSG(std::abs(crossings - want) < 1e-6 * (want + 1), label << ": expected transitions " << crossings);
        }
}

TEST(factorized_tiny_path_hands_a_vanishing_beta_to_the_general_backward) {
    // State 1 is absorbing and costs 30 nats per step; state 0 may enter it at any step. α of state 1
    // stays within e^-30 of state 0's (it can be entered at the last moment), but its β shrinks by
    // e^-30 per step back in time and leaves the small-state path's exact range after ~8 steps: the
    // forward succeeds, the backward refuses, writes the general tape it had deferred, and the general
    // backward takes over. One sequence (its β swept beside α on two threads) and three.
    const FactorizedPath tiny_path("tiny");
    std::mt19937_64 rng(40);
    for (int64_t B : {1, 3}) {
        Problem p;
        p.dense = false;
        p.B = B; p.T = 300; p.N = 2; p.K = 1;
        p.lengths.assign(size_t(B), 300);
        if (B == 3) p.lengths[1] = 40;
        p.init = {0.0, 0.0};
        p.trans = {-0.5, -1.0, test::kNegInf, 0.0};
        p.emit.assign(size_t(B * p.T * p.N), 0.0);
        std::uniform_real_distribution<double> u(-0.5, 0.5);
        for (int64_t e = 0; e < B * p.T; ++e) {
            p.emit[size_t(e * 2)] = u(rng);
            p.emit[size_t(e * 2 + 1)] = -30.0 + u(rng);
        }
        check_cpu_against_reference("tiny, vanishing β, B=" + std::to_string(B), p, random_grad(rng, p.B));
    }
}

// Worst |Σ_j v[t][j] - want| over the steps of one sequence, and where it is.
std::pair<double, int64_t> worst_step_sum(const std::vector<double>& v, int64_t T, int64_t width, double want) {
    std::pair<double, int64_t> worst{0.0, -1};
    for (int64_t t = 0; t < T; ++t) {
        double s = 0.0;
        for (int64_t k = 0; k < width; ++k) s += v[size_t(t * width + k)];
        if (std::abs(s - want) > worst.first) worst = {std::abs(s - want), t};
    }
    return worst;
}

TEST(float32_marginals_stay_normalised_at_a_million_steps) {
    // Each step's marginals are normalised by that step's own α·β sum, so float32 rounding does
    // not accumulate along the sequence (one global log Z let Σ_j γ_t drift by ~2e-2 at 10⁶ steps,
    // growing towards t = 0). Targets (DESIGN §1.3): Σ_j γ_t = 1 within 1e-6 at every step, every
    // entry within 2e-6 of float64.
    std::mt19937_64 rng(67);
    test::Options o;
    o.ragged = false;
    const int64_t T = 1000000, N = 8;
    const Problem p = test::random_problem(rng, false, 1, T, N, 1, o);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const Results want = test::run_all<double>(cpu.ws, p, {1.0});
    const Results got = test::run_all<float>(cpu.ws, p, {1.0});
    const auto sum = worst_step_sum(got.gamma, T, N, 1.0);
    CHECK_MSG(sum.first <= 1e-6, "float32 |sum_j gamma_t - 1| = " << sum.first << " at t = " << sum.second);
    const auto emit = worst_step_sum(got.grad_emit, T, N, 1.0);
    CHECK_MSG(emit.first <= 1e-6, "float32 |sum_j grad_emit_t - 1| = " << emit.first << " at t = " << emit.second);
    double entry = 0.0;
    int64_t at = -1;
    for (size_t k = 0; k < got.gamma.size(); ++k) {
        if (std::abs(got.gamma[k] - want.gamma[k]) > entry) entry = std::abs(got.gamma[k] - want.gamma[k]), at = int64_t(k);
    }
    CHECK_MSG(entry <= 2e-6, "float32 gamma differs from float64 by " << entry << " at [t][j] = [" << at / N << "]["
                                                                      << at % N << "]");
}

TEST(float32_edge_marginals_stay_normalised_on_long_dense_sequences) {
    // The dense gradient of one step is g·ξ_t: its N² entries sum to g at every step.
    std::mt19937_64 rng(71);
    test::Options o;
    o.ragged = false;
    const int64_t T = 200000, N = 8;
    const Problem p = test::random_problem(rng, true, 1, T, N, 1, o);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const double g = -2.5;
    const Results got = test::run_all<float>(cpu.ws, p, {g});
    const auto edges = worst_step_sum(got.grad_potential, T, N * N, g);
    CHECK_MSG(edges.first <= 1e-6 * std::abs(g), "float32 |sum_ij grad_t - g| = " << edges.first << " at t = " << edges.second);
}

TEST(float32_stays_accurate_on_long_sequences) {
    // Scaled messages keep float32 marginals accurate where unscaled log-space values would reach
    // |log α| ~ 1e5 and lose every digit of a probability (float32 spacing there is ~0.01).
    std::mt19937_64 rng(61);
    test::Options o;
    o.ragged = false;
    o.offset = -4.0;
    const Problem p = test::random_problem(rng, false, 1, 30000, 8, 1, o);
    const std::vector<double> g{1.0};
    test::Workspace ref(DIFFHMM_BACKEND_REFERENCE), cpu(DIFFHMM_BACKEND_CPU);
    const Results want = test::run_all<double>(ref.ws, p, g);
    const Results got = test::run_all<float>(cpu.ws, p, g);
    CHECK_MSG(std::abs(want.log_z[0]) > 1e5, "log_z = " << want.log_z[0]);
    EXPECT_CLOSE("log_z (relative to |log_z|)", got.log_z, want.log_z, 1e-6 * std::abs(want.log_z[0]));
    EXPECT_CLOSE("gamma", got.gamma, want.gamma, 1e-4);
    EXPECT_CLOSE("grad_emit", got.grad_emit, want.grad_emit, 1e-4);
}

TEST(dense_gradients_past_the_caches_are_streamed_and_equal_the_row_kernels) {
    // A float32 gradient over 32 MiB is written with non-temporal stores (dense_backward_step); at
    // N = 50 each step's block starts 16 bytes further along a 64-byte line, so every head / tail
    // split of the aligned streams occurs. Results equal the row kernels' (same exps; the forwards
    // differ by rounding), and every step's edges sum to g (the gradient of log Z wrt a whole step).
    const int64_t B = 2, T = 1800, N = 50;
    std::mt19937_64 rng(29);
    std::uniform_real_distribution<float> u(-3.0f, 1.0f);
    std::vector<float> pot(size_t(B * T * N * N));
    for (float& v : pot) v = u(rng);
    const std::vector<int64_t> lengths{T, T - 7};
    const std::vector<float> g{1.0f, -0.5f};
    std::vector<float> grads[2];
    const char* paths[2] = {"flat", "rows"};
    for (int k = 0; k < 2; ++k) {
        const DensePath forced(paths[k]);
        test::Workspace cpu(DIFFHMM_BACKEND_CPU, 2);
        std::vector<float> log_z(B);
        grads[k].assign(pot.size(), 7.0f);  // every element is written: padding with zeros
        CHECK_OK(diffhmm_forward_dense(cpu.ws, DIFFHMM_FLOAT32, 0, B, T, N, pot.data(), lengths.data(), log_z.data()));
        CHECK_OK(diffhmm_backward_dense(cpu.ws, DIFFHMM_FLOAT32, 0, B, T, N, pot.data(), lengths.data(), g.data(),
                                        grads[k].data()));
    }
    double worst = 0.0, worst_sum = 0.0;
    for (size_t e = 0; e < pot.size(); ++e) worst = std::max(worst, double(std::abs(grads[0][e] - grads[1][e])));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 1; t < lengths[size_t(b)]; ++t) {
            double sum = 0.0;
            for (int64_t e = 0; e < N * N; ++e) sum += grads[0][size_t((b * T + t) * N * N + e)];
            worst_sum = std::max(worst_sum, std::abs(sum - double(g[size_t(b)])));
        }
    CHECK_MSG(worst <= 1e-6, "flat vs row kernels: max |difference| of the edges " << worst);
    CHECK_MSG(worst_sum <= 1e-5, "flat kernels: max |sum of a step's edges - g| " << worst_sum);
}
