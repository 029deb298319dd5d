// kbest_test.cpp — k-best Viterbi (CPU and reference backends; CUDA against the CPU where a GPU is
// present) against enumeration of every path:
// the k highest scores in order, the paths themselves with ties ordered by the reversed path, fewer
// than k finite paths, -inf structure, length 0 and 1, dense and factorized; k = 1 is Viterbi.
#include <algorithm>

#include "harness.h"

namespace {

using test::Problem;

struct KBest {
    std::vector<int64_t> paths;  // [B][k][T]
    std::vector<double> scores;  // [B][k]
};

template <class T>
KBest run(diffhmm_workspace* ws, const Problem& p, int64_t k) {
    KBest r;
    r.paths.assign(size_t(p.B * k * p.T), 99);
    std::vector<T> scores(size_t(p.B * k), T(99));
    const int dt = test::dtype<T>();
    if (p.dense) {
        const std::vector<T> pot = test::cast<T>(p.potential);
        CHECK_OK(diffhmm_kbest_dense(ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), k, r.paths.data(),
                                     scores.data()));
    } else {
        const std::vector<T> init = test::cast<T>(p.init), trans = test::cast<T>(p.trans), emit = test::cast<T>(p.emit);
        CHECK_OK(diffhmm_kbest_factorized(ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched, trans.data(),
                                          p.trans_index.empty() ? nullptr : p.trans_index.data(), emit.data(),
                                          p.lengths.data(), k, r.paths.data(), scores.data()));
    }
    r.scores.assign(scores.begin(), scores.end());
    return r;
}

// Every finite path ranked: score descending, then the reversed path (last state first) ascending.
KBest enumerate(const Problem& p, int64_t k) {
    KBest r;
    r.paths.assign(size_t(p.B * k * p.T), -1);
    r.scores.assign(size_t(p.B * k), test::kNegInf);
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.lengths[b];
        if (L == 0) {
            r.scores[size_t(b * k)] = 0.0;
            continue;
        }
        std::vector<std::pair<double, std::vector<int64_t>>> all;
        std::vector<int64_t> z(size_t(L), 0);
        for (;;) {
            double s = p.score(b, 0, 0, z[0]);
            for (int64_t t = 1; t < L; ++t) s += p.score(b, t, z[t - 1], z[t]);
            if (s > test::kNegInf) all.push_back({s, z});
            int64_t t = L - 1;  // next path in base N
            while (t >= 0 && ++z[t] == p.N) z[t--] = 0;
            if (t < 0) break;
        }
        std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
            if (x.first != y.first) return x.first > y.first;
            return std::lexicographical_compare(x.second.rbegin(), x.second.rend(), y.second.rbegin(), y.second.rend());
        });
        for (int64_t n = 0; n < k && n < int64_t(all.size()); ++n) {
            r.scores[size_t(b * k + n)] = all[n].first;
            std::copy(all[n].second.begin(), all[n].second.end(), r.paths.begin() + (b * k + n) * p.T);
        }
    }
    return r;
}

void check(const char* file, int line, const std::string& what, const KBest& got, const KBest& want, double tol) {
    test::expect_close(file, line, what + " scores", got.scores, want.scores, tol);
    if (got.paths != want.paths) {
        size_t at = 0;
        while (got.paths[at] == want.paths[at]) ++at;
        std::ostringstream os;
        os << what << ": paths differ first at flat index " << at << " (got " << got.paths[at] << ", want "
           << want.paths[at] << ")";
        test::report(file, line, os.str());
    }
}

TEST(kbest_matches_enumeration) {
    std::mt19937_64 rng(91);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU), ref(DIFFHMM_BACKEND_REFERENCE), one(DIFFHMM_BACKEND_CPU, 1);
    for (int trial = 0; trial < 40; ++trial) {
        test::Options o;
        o.neg_inf_rate = trial % 3 == 0 ? 0.35 : 0.0;
        o.offset = trial % 4 == 1 ? 3.0 : 0.0;
        const bool dense = trial % 2 == 0;
        const int64_t N = 1 + trial % 3, T = 1 + trial % 5;
        const Problem p = test::random_problem(rng, dense, 3, T, N, dense ? 1 : 1 + trial % 2, o);
        for (int64_t k : {int64_t(1), int64_t(2), int64_t(5), int64_t(64)}) {
            const KBest want = enumerate(p, k);
            std::ostringstream what;
            what << "trial " << trial << " (" << (dense ? "dense" : "factorized") << ", N=" << N << ", T=" << T
                 << ", k=" << k << ")";
            check(__FILE__, __LINE__, what.str() + " cpu", run<double>(cpu.ws, p, k), want, 1e-12);
            check(__FILE__, __LINE__, what.str() + " cpu 1 thread", run<double>(one.ws, p, k), want, 1e-12);
            check(__FILE__, __LINE__, what.str() + " reference", run<double>(ref.ws, p, k), want, 1e-12);
        }
    }
}

TEST(kbest_orders_ties_by_the_reversed_path) {
    // Integer scores from {0, 1}: many paths share a score, and float64 sums are exact.
    std::mt19937_64 rng(97);
    std::uniform_int_distribution<int> bit(0, 1);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    for (int trial = 0; trial < 20; ++trial) {
        Problem p = test::random_problem(rng, true, 2, 4, 3, 1);
        for (double& v : p.potential) v = bit(rng);
        const KBest want = enumerate(p, 20);
        check(__FILE__, __LINE__, "ties, trial " + std::to_string(trial), run<double>(cpu.ws, p, 20), want, 0.0);
        check(__FILE__, __LINE__, "ties float32, trial " + std::to_string(trial), run<float>(cpu.ws, p, 20), want, 0.0);
    }
}

TEST(kbest_with_k_one_is_viterbi) {
    std::mt19937_64 rng(101);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    for (bool dense : {true, false}) {
        const Problem p = test::random_problem(rng, dense, 6, 40, 13, dense ? 1 : 2);
        const test::Results v = test::run_all<float>(cpu.ws, p, std::vector<double>(6, 1.0));
        const KBest k1 = run<float>(cpu.ws, p, 1);
        CHECK_MSG(k1.paths == v.path, (dense ? "dense" : "factorized") << ": k = 1 paths differ from Viterbi");
        EXPECT_CLOSE("k = 1 scores vs Viterbi", k1.scores, v.score, 0.0);
    }
}

TEST(cuda_kbest_matches_cpu) {
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) != DIFFHMM_OK) SKIP(std::string(diffhmm_last_error()));
    std::mt19937_64 rng(103);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA), cpu(DIFFHMM_BACKEND_CPU);
    for (int trial = 0; trial < 12; ++trial) {
        test::Options o;
        o.neg_inf_rate = trial % 3 == 0 ? 0.3 : 0.0;
        const bool dense = trial % 2 == 0;
        const Problem p = test::random_problem(rng, dense, 5, 3 + trial, 1 + trial % 7, dense ? 1 : 2, o);
        for (int64_t k : {int64_t(1), int64_t(4), int64_t(32)}) {
            const std::string what = "trial " + std::to_string(trial) + " k " + std::to_string(k);
            check(__FILE__, __LINE__, what, run<double>(gpu.ws, p, k), run<double>(cpu.ws, p, k), 1e-9);
        }
    }
    // Long ragged sequences: the chunked parallel backtrace (lengths ≥ 64; chunk boundaries at every
    // offset as the lengths vary), against the CPU's plain walk.
    for (int trial = 0; trial < 4; ++trial) {
        const bool dense = trial % 2 == 0;
        const Problem p = test::random_problem(rng, dense, 7, 200 + 397 * trial, 3 + 5 * trial, dense ? 1 : 3);
        for (int64_t k : {int64_t(1), int64_t(5)}) {
            const std::string what = "long trial " + std::to_string(trial) + " k " + std::to_string(k);
            check(__FILE__, __LINE__, what, run<double>(gpu.ws, p, k), run<double>(cpu.ws, p, k), 1e-9);
        }
    }
}

TEST(kbest_refuses_k_out_of_range) {
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const double pot[4] = {0, 0, 0, 0};
    const int64_t lengths[1] = {1};
    int64_t paths[65];
    double scores[65];
    for (int64_t k : {int64_t(0), int64_t(-3), int64_t(65)}) {
        CHECK_MSG(diffhmm_kbest_dense(cpu.ws, DIFFHMM_FLOAT64, 0, 1, 1, 2, pot, lengths, k, paths, scores) ==
                      DIFFHMM_ERROR_INVALID_ARGUMENT,
                  "k = " << k << " accepted");
        CHECK_MSG(std::string(diffhmm_last_error()).find("k must be in [1, 64]") != std::string::npos,
                  diffhmm_last_error());
    }
}

}  // namespace
