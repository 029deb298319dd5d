// errors_test.cpp — bad input gets a status and a message that names the problem; nothing crashes
// and inputs are never modified.
#include <cstdlib>
#include <cstring>

#include "harness.h"

namespace {

bool mentions(const char* needle) { return std::strstr(diffhmm_last_error(), needle) != nullptr; }

}  // namespace

TEST(errors_name_the_problem) {
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const int64_t B = 2, T = 3, N = 2;
    std::vector<float> pot(size_t(B * T * N * N), 0.25f);
    std::vector<int64_t> lengths{3, 2};
    std::vector<float> log_z(2), grad(pot.size()), g{1.0f, 1.0f};

    CHECK(diffhmm_forward_dense(nullptr, 0, 0, B, T, N, pot.data(), lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("workspace is null"));
    CHECK(diffhmm_forward_dense(cpu.ws, 7, 0, B, T, N, pot.data(), lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("dtype"));
    CHECK(diffhmm_forward_dense(cpu.ws, 0, 0, B, T, 0, pot.data(), lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("states must be >= 1"));
    CHECK(diffhmm_forward_dense(cpu.ws, 0, 0, B, T, N, nullptr, lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("potential is null"));

    std::vector<int64_t> bad_lengths{3, 4};
    CHECK(diffhmm_forward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), bad_lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("lengths[1] = 4"));

    // Backward before any forward on a fresh workspace.
    test::Workspace fresh(DIFFHMM_BACKEND_CPU);
    CHECK(diffhmm_backward_dense(fresh.ws, 0, 0, B, T, N, pot.data(), lengths.data(), g.data(), grad.data()) ==
          DIFFHMM_ERROR_INVALID_STATE);
    CHECK(mentions("holds no forward"));

    // NaN and +inf are named by index where they are read; padding is never read; the input is
    // untouched either way.
    pot[((1 * T + 2) * N + 1) * N + 0] = std::nanf("");  // step 2 of sequence 1 (length 2): padding
    pot[((0 * T + 0) * N + 1) * N + 1] = std::nanf("");  // step 0, row 1: ignored by definition
    const std::vector<float> before = pot;
    CHECK_OK(diffhmm_forward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), lengths.data(), log_z.data()));
    CHECK(std::memcmp(before.data(), pot.data(), pot.size() * sizeof(float)) == 0);
    pot[((0 * T + 1) * N + 1) * N + 0] = INFINITY;
    CHECK(diffhmm_forward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_VALUE);
    CHECK(mentions("potential[0][1][1][0] is +inf"));
    // Backward after the failed forward is refused rather than reading a half-written tape.
    CHECK(diffhmm_backward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), lengths.data(), g.data(), grad.data()) ==
          DIFFHMM_ERROR_INVALID_STATE);
    // The trusted flag skips the scan.
    CHECK_OK(diffhmm_forward_dense(cpu.ws, 0, DIFFHMM_FLAG_TRUSTED_INPUT, B, T, N, pot.data(), lengths.data(),
                                   log_z.data()));
    pot[((0 * T + 1) * N + 1) * N + 0] = 0.25f;

    // Non-finite upstream gradient.
    CHECK_OK(diffhmm_forward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), lengths.data(), log_z.data()));
    g[1] = std::nanf("");
    CHECK(diffhmm_backward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), lengths.data(), g.data(), grad.data()) ==
          DIFFHMM_ERROR_INVALID_VALUE);
    CHECK(mentions("grad_log_z[1]"));

    // Factorized: index out of range, and a null trans_index with K > 1.
    std::vector<float> init(N, 0.f), trans(size_t(2 * N * N), -0.5f), emit(size_t(B * T * N), -1.f);
    std::vector<int64_t> idx{0, 1, 2, 0, 1, 0};
    CHECK(diffhmm_forward_factorized(cpu.ws, 0, 0, B, T, N, 2, init.data(), 0, trans.data(), idx.data(), emit.data(),
                                     lengths.data(), log_z.data()) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("trans_index[0][2] = 2"));
    CHECK(diffhmm_forward_factorized(cpu.ws, 0, 0, B, T, N, 2, init.data(), 0, trans.data(), nullptr, emit.data(),
                                     lengths.data(), log_z.data()) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("trans_index is null"));
    emit[(1 * T + 1) * N + 1] = std::nanf("");
    idx[2] = 1;
    CHECK(diffhmm_forward_factorized(cpu.ws, 0, 0, B, T, N, 2, init.data(), 0, trans.data(), idx.data(), emit.data(),
                                     lengths.data(), log_z.data()) == DIFFHMM_ERROR_INVALID_VALUE);
    CHECK(mentions("emit[1][1][1] is NaN"));

    // CUDA: unavailable here is a status with a reason, never a crash.
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) != DIFFHMM_OK) {
        CHECK(mentions("CUDA not available"));
        diffhmm_workspace* ws = nullptr;
        CHECK(diffhmm_workspace_create(DIFFHMM_BACKEND_CUDA, &ws) == DIFFHMM_ERROR_BACKEND_UNAVAILABLE);
        CHECK(ws == nullptr);
    }
    // The environment switch turns CUDA off wherever it is.
    setenv("DIFFHMM_DISABLE_CUDA", "1", 1);
    CHECK(diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) == DIFFHMM_ERROR_BACKEND_UNAVAILABLE);
#if DIFFHMM_TESTS_WITH_CUDA
    CHECK(mentions("disabled by DIFFHMM_DISABLE_CUDA"));
#endif
    unsetenv("DIFFHMM_DISABLE_CUDA");

    // A successful call clears the message.
    CHECK_OK(diffhmm_backend_available(DIFFHMM_BACKEND_CPU));
    CHECK(std::strlen(diffhmm_last_error()) == 0);
}

TEST(cuda_device_setting) {
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    CHECK_OK(diffhmm_workspace_set_cuda_device(cpu.ws, -1));  // "the current device" means nothing to the CPU: allowed
    CHECK(diffhmm_workspace_set_cuda_device(cpu.ws, 0) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("CUDA backend only"));
    CHECK(diffhmm_workspace_set_cuda_device(cpu.ws, -2) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(mentions("got -2"));
    CHECK(diffhmm_workspace_set_cuda_device(nullptr, 0) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(diffhmm_cuda_device_count() >= 0);
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) != DIFFHMM_OK) CHECK(diffhmm_cuda_device_count() == 0);
    else CHECK(diffhmm_cuda_device_count() >= 1);
}

TEST(every_dense_forward_step_names_a_nan_or_inf_where_it_reads_it) {
    // Each forward step kernel of the dense form (flat in probability space, row by row in log space)
    // flags a NaN or +inf wherever it sits in a matrix read; the scan then names it.
    const int64_t B = 2, T = 4, N = 20;
    std::vector<int64_t> lengths{4, 3};
    std::vector<float> log_z(B);
    for (const char* path : {"flat", "rows"}) {
        test::Workspace cpu(DIFFHMM_BACKEND_CPU);
        cpu.ws->settings.cpu_dense = std::string(path) == "flat" ? diffhmm::Settings::CpuDense::flat
                                                                 : diffhmm::Settings::CpuDense::rows;
        for (float bad : {std::nanf(""), float(INFINITY)})
            for (int64_t e : {int64_t(0), N + 3, N * N - 1}) {
                std::vector<float> pot(size_t(B * T * N * N), -1.25f);
                pot[size_t((1 * T + 2) * N * N + e)] = bad;  // step 2 of sequence 1
                const int status = diffhmm_forward_dense(cpu.ws, 0, 0, B, T, N, pot.data(), lengths.data(), log_z.data());
                const std::string where = "potential[1][2][" + std::to_string(e / N) + "][" + std::to_string(e % N) + "]";
                CHECK_MSG(status == DIFFHMM_ERROR_INVALID_VALUE && mentions(where.c_str()),
                          path << " path, " << where << ": status " << status << ", " << diffhmm_last_error());
            }
    }
}

TEST(one_long_sequence_on_the_small_state_path_names_a_nan_in_either_half) {
    // A single 600-step sequence with few states runs its column pass in two halves on two threads
    // (tiny.cpp): a NaN or +inf emission in either half still comes back named.
    const int64_t B = 1, T = 600, N = 3, K = 2;
    std::vector<float> init(N, 0.f), trans(size_t(K * N * N), -0.5f), log_z(B);
    std::vector<int64_t> idx(static_cast<size_t>(T)), lengths{T};
    for (int64_t t = 0; t < T; ++t) idx[size_t(t)] = t % K;
    test::Workspace cpu(DIFFHMM_BACKEND_CPU, 2);
    for (int64_t t : {int64_t(7), int64_t(450)})
        for (float bad : {std::nanf(""), float(INFINITY)}) {
            std::vector<float> emit(size_t(T * N), -1.f);
            emit[size_t(t * N + 2)] = bad;
            CHECK(diffhmm_forward_factorized(cpu.ws, 0, 0, B, T, N, K, init.data(), 0, trans.data(), idx.data(),
                                             emit.data(), lengths.data(), log_z.data()) == DIFFHMM_ERROR_INVALID_VALUE);
            const std::string where = "emit[0][" + std::to_string(t) + "][2]";
            CHECK_MSG(mentions(where.c_str()), "step " << t << ": " << diffhmm_last_error());
        }
    // And without one, the same sequence runs (the two halves agree on a finite log Z).
    std::vector<float> emit(size_t(T * N), -1.f);
    CHECK_OK(diffhmm_forward_factorized(cpu.ws, 0, 0, B, T, N, K, init.data(), 0, trans.data(), idx.data(), emit.data(),
                                        lengths.data(), log_z.data()));
    CHECK(std::isfinite(log_z[0]));
}
