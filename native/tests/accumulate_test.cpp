// accumulate_test.cpp — DIFFHMM_FLAG_ACCUMULATE: a backward that adds into its outputs gives exactly
// what they held plus the gradient a plain backward writes, on every backend (CUDA: host outputs
// here, device outputs in cuda_test.cpp), both forms and dtypes, with any of the factorized outputs
// skipped; the other verbs refuse the flag.
#include <algorithm>
#include <cstring>
#include <random>

#include "harness.h"

namespace {

// Random values of T, so that the sums are not trivially exact.
template <class T>
std::vector<T> random_values(std::mt19937_64& rng, size_t n) {
    std::uniform_real_distribution<double> u(-3.0, 3.0);
    std::vector<T> v(n);
    for (T& x : v) x = T(u(rng));
    return v;
}

template <class T>
void check_added(const std::vector<T>& before, const std::vector<T>& fresh, const std::vector<T>& got,
                 const char* what, int backend) {
    for (size_t i = 0; i < got.size(); ++i) {
        const T want = T(before[i] + fresh[i]);
        CHECK_MSG(std::memcmp(&want, &got[i], sizeof(T)) == 0,
                  what << "[" << i << "] on backend " << backend << ": " << before[i] << " + " << fresh[i]
                       << " = " << want << ", got " << got[i]);
    }
}

template <class T>
void check_problem(int backend, const test::Problem& p, std::mt19937_64& rng, int skip_mask) {
    test::Workspace w(backend);
    const int dt = test::dtype<T>();
    std::vector<T> log_z(size_t(p.B)), g = random_values<T>(rng, size_t(p.B));
    if (p.dense) {
        const std::vector<T> pot = test::cast<T>(p.potential);
        CHECK_OK(diffhmm_forward_dense(w.ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), log_z.data()));
        std::vector<T> fresh(pot.size()), before = random_values<T>(rng, pot.size()), acc = before;
        CHECK_OK(diffhmm_backward_dense(w.ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), g.data(), fresh.data()));
        CHECK_OK(diffhmm_backward_dense(w.ws, dt, DIFFHMM_FLAG_ACCUMULATE, p.B, p.T, p.N, pot.data(), p.lengths.data(),
                                        g.data(), acc.data()));
        check_added(before, fresh, acc, "grad_potential", backend);
        return;
    }
    const std::vector<T> init = test::cast<T>(p.init), trans = test::cast<T>(p.trans), emit = test::cast<T>(p.emit);
    const int64_t* idx = p.trans_index.empty() ? nullptr : p.trans_index.data();
    CHECK_OK(diffhmm_forward_factorized(w.ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched, trans.data(),
                                        idx, emit.data(), p.lengths.data(), log_z.data()));
    const size_t sizes[3] = {init.size(), trans.size(), emit.size()};
    std::vector<T> fresh[3], before[3], acc[3];
    T* fresh_ptr[3] = {};
    T* acc_ptr[3] = {};
    for (int k = 0; k < 3; ++k) {
        if (skip_mask & (1 << k)) continue;  // this output skipped (null)
        fresh[k].resize(sizes[k]);
        before[k] = random_values<T>(rng, sizes[k]);
        acc[k] = before[k];
        fresh_ptr[k] = fresh[k].data();
        acc_ptr[k] = acc[k].data();
    }
    CHECK_OK(diffhmm_backward_factorized(w.ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched, trans.data(),
                                         idx, emit.data(), p.lengths.data(), g.data(), fresh_ptr[0], fresh_ptr[1],
                                         fresh_ptr[2]));
    CHECK_OK(diffhmm_backward_factorized(w.ws, dt, DIFFHMM_FLAG_ACCUMULATE, p.B, p.T, p.N, p.K, init.data(),
                                         p.init_batched, trans.data(), idx, emit.data(), p.lengths.data(), g.data(),
                                         acc_ptr[0], acc_ptr[1], acc_ptr[2]));
    const char* names[3] = {"grad_init", "grad_trans", "grad_emit"};
    for (int k = 0; k < 3; ++k)
        if (acc_ptr[k] != nullptr) check_added(before[k], fresh[k], acc[k], names[k], backend);
}

}  // namespace

TEST(accumulate_adds_exactly_what_backward_writes) {
    std::mt19937_64 rng(2211);
    test::Options o;
    o.neg_inf_rate = 0.1;
    for (int backend : {DIFFHMM_BACKEND_CPU, DIFFHMM_BACKEND_REFERENCE}) {
        int case_no = 0;
        for (int64_t N : {1, 3, 8, 50}) {
            for (bool dense : {true, false}) {
                const int64_t K = N % 2 == 0 ? 3 : 1;
                const test::Problem p = test::random_problem(rng, dense, 5, backend == DIFFHMM_BACKEND_REFERENCE ? 6 : 40,
                                                             N, K, o);
                const int skip = dense ? 0 : case_no++ % 8;  // every subset of the three outputs skipped
                check_problem<float>(backend, p, rng, skip);
                check_problem<double>(backend, p, rng, skip);
            }
        }
    }
}

// An empty batch: the shared gradients are 0 — written as zeros, added as nothing — on every backend.
TEST(accumulate_over_an_empty_batch_adds_nothing) {
    for (int backend : {DIFFHMM_BACKEND_CPU, DIFFHMM_BACKEND_REFERENCE, DIFFHMM_BACKEND_CUDA}) {
        if (diffhmm_backend_available(backend) != DIFFHMM_OK) continue;
        test::Workspace w(backend);
        const int64_t T = 4, N = 3;
        std::vector<double> init(N, -1.0), trans(N * N, -0.5), emit(1, 0.0), log_z(1), g(1, 1.0);
        std::vector<int64_t> lengths(1);
        CHECK_OK(diffhmm_forward_factorized(w.ws, 1, 0, 0, T, N, 1, init.data(), 0, trans.data(), nullptr, emit.data(),
                                            lengths.data(), log_z.data()));
        std::vector<double> gi(N, 7.0), gt(N * N, 7.0);
        CHECK_OK(diffhmm_backward_factorized(w.ws, 1, 0, 0, T, N, 1, init.data(), 0, trans.data(), nullptr, emit.data(),
                                             lengths.data(), g.data(), gi.data(), gt.data(), nullptr));
        for (double v : gi) CHECK_MSG(v == 0.0, "backend " << backend << ": grad_init written as 0, got " << v);
        for (double v : gt) CHECK_MSG(v == 0.0, "backend " << backend << ": grad_trans written as 0, got " << v);
        std::fill(gi.begin(), gi.end(), 7.0);
        std::fill(gt.begin(), gt.end(), 7.0);
        CHECK_OK(diffhmm_backward_factorized(w.ws, 1, DIFFHMM_FLAG_ACCUMULATE, 0, T, N, 1, init.data(), 0, trans.data(),
                                             nullptr, emit.data(), lengths.data(), g.data(), gi.data(), gt.data(), nullptr));
        for (double v : gi) CHECK_MSG(v == 7.0, "backend " << backend << ": grad_init kept, got " << v);
        for (double v : gt) CHECK_MSG(v == 7.0, "backend " << backend << ": grad_trans kept, got " << v);
    }
}

TEST(accumulate_is_refused_where_it_has_no_meaning) {
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const int64_t B = 1, T = 2, N = 2;
    std::vector<double> pot(size_t(B * T * N * N), -0.5), log_z(1), path_score(1);
    std::vector<int64_t> lengths{2}, path(2);
    CHECK(diffhmm_forward_dense(cpu.ws, 1, DIFFHMM_FLAG_ACCUMULATE, B, T, N, pot.data(), lengths.data(),
                                log_z.data()) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(std::strstr(diffhmm_last_error(), "DIFFHMM_FLAG_ACCUMULATE is a flag of the backward calls only") != nullptr);
    CHECK(diffhmm_viterbi_dense(cpu.ws, 1, DIFFHMM_FLAG_ACCUMULATE, B, T, N, pot.data(), lengths.data(), path.data(),
                                path_score.data()) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK_OK(diffhmm_forward_dense(cpu.ws, 1, 0, B, T, N, pot.data(), lengths.data(), log_z.data()));
    std::vector<double> g{1.0}, grad(pot.size(), 0.0);
    CHECK(diffhmm_backward_dense(cpu.ws, 1, 8, B, T, N, pot.data(), lengths.data(), g.data(), grad.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(std::strstr(diffhmm_last_error(), "unknown flags") != nullptr);
}

TEST(cuda_accumulate_adds_exactly_what_backward_writes) {
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) != DIFFHMM_OK) SKIP(diffhmm_last_error());
    std::mt19937_64 rng(2212);
    test::Options o;
    o.neg_inf_rate = 0.1;
    int case_no = 0;
    for (int64_t N : {1, 5, 33, 64}) {
        for (bool dense : {true, false}) {
            const test::Problem p = test::random_problem(rng, dense, 6, 30, N, N % 2 == 0 ? 3 : 1, o);
            const int skip = dense ? 0 : case_no++ % 8;
            check_problem<float>(DIFFHMM_BACKEND_CUDA, p, rng, skip);
            check_problem<double>(DIFFHMM_BACKEND_CUDA, p, rng, skip);
        }
    }
}
