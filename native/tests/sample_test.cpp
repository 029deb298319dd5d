// sample_test.cpp — posterior sampling (forward filtering, backward sampling): on tiny problems the
// frequency of every path over 20,000 samples matches its exact posterior probability (enumeration)
// within 5 standard deviations, impossible paths are never drawn, the draws are identical for every
// thread count and instruction set, and padding / sequences without a path are -1. CPU, reference,
// and CUDA where a device exists.
#include <map>

#include "harness.h"

namespace {

constexpr int64_t kSamples = 20000;

std::vector<int64_t> run_sample(diffhmm_workspace* ws, const test::Problem& p, int64_t S, uint64_t seed) {
    std::vector<int64_t> paths(static_cast<size_t>(p.B * S * p.T), 7);
    const int64_t* idx = p.trans_index.empty() ? nullptr : p.trans_index.data();
    if (p.dense)
        CHECK_OK(diffhmm_sample_dense(ws, DIFFHMM_FLOAT64, 0, p.B, p.T, p.N, p.potential.data(), p.lengths.data(), S,
                                      seed, paths.data()));
    else
        CHECK_OK(diffhmm_sample_factorized(ws, DIFFHMM_FLOAT64, 0, p.B, p.T, p.N, p.K, p.init.data(), p.init_batched,
                                           p.trans.data(), idx, p.emit.data(), p.lengths.data(), S, seed, paths.data()));
    return paths;
}

// Path frequencies of sequence b against exact posteriors by enumeration.
void check_frequencies(const std::string& label, const test::Problem& p, const std::vector<int64_t>& paths, int64_t b) {
    const int64_t L = p.lengths[b], N = p.N;
    std::map<int64_t, int64_t> counts;
    for (int64_t s = 0; s < kSamples; ++s) {
        int64_t code = 0;
        for (int64_t t = 0; t < L; ++t) {
            const int64_t z = paths[(b * kSamples + s) * p.T + t];
            CHECK_MSG(z >= 0 && z < N, label << " sample " << s << " step " << t << " state " << z);
            code = code * N + z;
        }
        for (int64_t t = L; t < p.T; ++t) CHECK(paths[(b * kSamples + s) * p.T + t] == -1);
        ++counts[code];
    }
    int64_t total = 1;
    for (int64_t t = 0; t < L; ++t) total *= N;
    std::vector<double> score(static_cast<size_t>(total));
    std::vector<int64_t> z(static_cast<size_t>(L));
    double m = test::kNegInf;
    for (int64_t c = 0; c < total; ++c) {
        for (int64_t t = L - 1, k = c; t >= 0; --t, k /= N) z[t] = k % N;
        double v = p.score(b, 0, 0, z[0]);
        for (int64_t t = 1; t < L; ++t) v += p.score(b, t, z[t - 1], z[t]);
        score[c] = v;
        m = std::max(m, v);
    }
    double sum = 0;
    for (double v : score) sum += std::exp(v - m);
    for (int64_t c = 0; c < total; ++c) {
        const double prob = std::exp(score[c] - m) / sum;
        const double freq = double(counts[c]) / kSamples;
        if (prob == 0) {
            CHECK_MSG(counts[c] == 0, label << ": impossible path " << c << " drawn " << counts[c] << " times");
            continue;
        }
        const double tol = 5 * std::sqrt(prob * (1 - prob) / kSamples) + 1.0 / kSamples;
        CHECK_MSG(std::abs(freq - prob) <= tol, label << " path " << c << ": frequency " << freq << ", probability "
                                                      << prob << ", tolerance " << tol);
    }
}

test::Problem tiny(std::mt19937_64& rng, bool dense) {
    test::Options o;
    o.neg_inf_rate = 0.15;
    o.ragged = false;
    test::Problem p = test::random_problem(rng, dense, 3, 4, 3, 2, o);
    p.lengths = {4, 3, 0};
    return p;
}

}  // namespace

TEST(sample_matches_posterior_path_probabilities) {
    std::mt19937_64 rng(111);
    for (bool dense : {true, false}) {
        const test::Problem p = tiny(rng, dense);
        for (int backend : {DIFFHMM_BACKEND_CPU, DIFFHMM_BACKEND_REFERENCE}) {
            test::Workspace ws(backend);
            const std::vector<int64_t> paths = run_sample(ws.ws, p, kSamples, 42);
            const std::string label = std::string(dense ? "dense" : "factorized") + " backend " + std::to_string(backend);
            check_frequencies(label + " b=0", p, paths, 0);
            check_frequencies(label + " b=1", p, paths, 1);
            for (int64_t e = 0; e < kSamples * p.T; ++e) CHECK(paths[2 * kSamples * p.T + e] == -1);  // length 0
        }
    }
}

TEST(sample_is_reproducible_across_threads_and_isas) {
    std::mt19937_64 rng(112);
    const test::Problem p = test::random_problem(rng, false, 5, 30, 40, 3);
    test::Workspace one(DIFFHMM_BACKEND_CPU, 1, DIFFHMM_CPU_ISA_GENERIC), many(DIFFHMM_BACKEND_CPU, 3);
    const std::vector<int64_t> a = run_sample(one.ws, p, 50, 9), b = run_sample(many.ws, p, 50, 9);
    CHECK(a == b);
    CHECK(a != run_sample(many.ws, p, 50, 10));
    // A sequence without a finite path samples -1 everywhere.
    test::Problem dead = test::random_problem(rng, true, 2, 5, 4, 1);
    for (int64_t k = 0; k < 16; ++k) dead.potential[(1 * 5 + 2) * 16 + k] = test::kNegInf;
    dead.lengths = {5, 5};
    const std::vector<int64_t> d = run_sample(many.ws, dead, 3, 1);
    for (int64_t e = 0; e < 3 * 5; ++e) CHECK(d[15 + e] == -1);
    for (int64_t e = 0; e < 3 * 5; ++e) CHECK(d[e] >= 0);
}

TEST(cuda_sample_matches_posterior_path_probabilities) {
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) != DIFFHMM_OK) SKIP(diffhmm_last_error());
    std::mt19937_64 rng(113);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA);
    for (bool dense : {true, false}) {
        const test::Problem p = tiny(rng, dense);
        const std::vector<int64_t> paths = run_sample(gpu.ws, p, kSamples, 42);
        check_frequencies(std::string("cuda ") + (dense ? "dense" : "factorized"), p, paths, 0);
        check_frequencies(std::string("cuda ") + (dense ? "dense" : "factorized"), p, paths, 1);
    }
}
