// workspace_memory_test.cpp — what a workspace holds follows what its calls need: rows sized by the
// lengths (not by T), a much smaller problem after a large one shrinks the buffers, memory no recent
// call used is given back — and none of it ever loses the saved state a backward reads.
#include <cstring>

#include "harness.h"

namespace {

constexpr int64_t kMiB = int64_t(1) << 20;

bool mentions(const char* needle) { return std::strstr(diffhmm_last_error(), needle) != nullptr; }

// A dense float32 problem with scores ~ U(-2, 2) and the given lengths.
struct Dense {
    int64_t B, T, N;
    std::vector<int64_t> lengths;
    std::vector<float> pot;
    Dense(std::mt19937_64& rng, int64_t b, int64_t t, int64_t n, std::vector<int64_t> len)
        : B(b), T(t), N(n), lengths(std::move(len)), pot(size_t(b * t * n * n)) {
        std::uniform_real_distribution<float> u(-2.f, 2.f);
        for (float& v : pot) v = u(rng);
    }
    diffhmm_status forward(diffhmm_workspace* ws, std::vector<float>& log_z) const {
        log_z.assign(size_t(B), 0.f);
        return diffhmm_forward_dense(ws, DIFFHMM_FLOAT32, 0, B, T, N, pot.data(), lengths.data(), log_z.data());
    }
    diffhmm_status backward(diffhmm_workspace* ws, std::vector<float>& grad) const {
        const std::vector<float> g(size_t(B), 1.f);
        grad.assign(pot.size(), 7.f);
        return diffhmm_backward_dense(ws, DIFFHMM_FLOAT32, 0, B, T, N, pot.data(), lengths.data(), g.data(), grad.data());
    }
    diffhmm_status viterbi(diffhmm_workspace* ws) const {
        std::vector<int64_t> path(size_t(B * T));
        std::vector<float> score(static_cast<size_t>(B));
        return diffhmm_viterbi_dense(ws, DIFFHMM_FLOAT32, 0, B, T, N, pot.data(), lengths.data(), path.data(),
                                     score.data());
    }
};

}  // namespace

TEST(workspace_rows_follow_the_lengths_not_the_padding) {
    // T = 2^30 steps of padding and no real step: the C ABI reads no score (nothing is real), and
    // the workspace holds next to nothing. (A B × T × N tape would be 8 GB.)
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    std::vector<float> one(1, 0.5f), log_z(2, 9.f);
    const std::vector<int64_t> empty{0, 0};
    CHECK_OK(diffhmm_forward_dense(cpu.ws, DIFFHMM_FLOAT32, 0, 2, int64_t(1) << 30, 1, one.data(), empty.data(),
                                   log_z.data()));
    CHECK(log_z[0] == 0.f && log_z[1] == 0.f);
    CHECK_MSG(diffhmm_workspace_bytes(cpu.ws) < kMiB, "holds " << diffhmm_workspace_bytes(cpu.ws) << " bytes");

    // Ragged: one sequence of 400 steps among 64 of T = 4000 — rows for 64 × 400 steps, not 64 × 4000.
    std::mt19937_64 rng(11);
    std::vector<int64_t> lengths(64, 3);
    lengths[17] = 400;
    const Dense ragged(rng, 64, 4000, 8, lengths);
    std::vector<float> lz;
    CHECK_OK(ragged.forward(cpu.ws, lz));
    const int64_t tape = 64 * 400 * 8 * 4 + 64 * 400 * 8;  // float32 rows and float64 offsets
    CHECK_MSG(diffhmm_workspace_bytes(cpu.ws) < 2 * tape + kMiB,
              "holds " << diffhmm_workspace_bytes(cpu.ws) << " bytes for a tape of " << tape);
    std::vector<float> grad;
    CHECK_OK(ragged.backward(cpu.ws, grad));
}

TEST(a_small_problem_after_a_large_one_shrinks_the_workspace) {
    std::mt19937_64 rng(3);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const Dense large(rng, 1, 100000, 16, {100000}), small(rng, 2, 50, 16, {50, 31});
    std::vector<float> lz, grad;
    CHECK_OK(large.forward(cpu.ws, lz));
    const int64_t big = diffhmm_workspace_bytes(cpu.ws);
    CHECK_MSG(big >= 100000 * 16 * 4, "the large forward's tape: " << big << " bytes");
    CHECK_OK(small.forward(cpu.ws, lz));
    CHECK_MSG(diffhmm_workspace_bytes(cpu.ws) < 4 * kMiB,
              "after the small forward the workspace still holds " << diffhmm_workspace_bytes(cpu.ws) << " bytes");
    // ... and the small problem's backward reads its own tape: equal to a fresh workspace's.
    CHECK_OK(small.backward(cpu.ws, grad));
    test::Workspace fresh(DIFFHMM_BACKEND_CPU);
    std::vector<float> lz2, grad2;
    CHECK_OK(small.forward(fresh.ws, lz2));
    CHECK_OK(small.backward(fresh.ws, grad2));
    CHECK(lz == lz2);
    CHECK(grad == grad2);
}

TEST(memory_no_recent_call_used_is_given_back_but_never_the_tape) {
    std::mt19937_64 rng(5);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    // A large Viterbi leaves large back-pointers; small forwards that never ask for them free them.
    const Dense large(rng, 4, 20000, 8, {20000, 20000, 20000, 20000}), small(rng, 3, 40, 8, {40, 12, 0});
    CHECK_OK(large.viterbi(cpu.ws));
    CHECK(diffhmm_workspace_bytes(cpu.ws) >= 4 * 20000 * 8 * 4);
    std::vector<float> lz, grad;
    for (int call = 0; call < 10; ++call) CHECK_OK(small.forward(cpu.ws, lz));
    CHECK_MSG(diffhmm_workspace_bytes(cpu.ws) < 4 * kMiB,
              "ten small calls later the workspace holds " << diffhmm_workspace_bytes(cpu.ws) << " bytes");

    // A large forward's tape survives any number of other calls on its workspace until its backward.
    const Dense tape(rng, 2, 30000, 8, {30000, 29000});
    CHECK_OK(tape.forward(cpu.ws, lz));
    for (int call = 0; call < 3 * 8; ++call) CHECK_OK(small.viterbi(cpu.ws));
    CHECK_OK(tape.backward(cpu.ws, grad));
    test::Workspace fresh(DIFFHMM_BACKEND_CPU);
    std::vector<float> lz2, grad2;
    CHECK_OK(tape.forward(fresh.ws, lz2));
    CHECK_OK(tape.backward(fresh.ws, grad2));
    CHECK(lz == lz2);
    CHECK_MSG(grad == grad2, "the backward after 24 other calls differs from a fresh workspace's");
}

TEST(a_backward_with_other_lengths_than_its_forward_is_refused) {
    std::mt19937_64 rng(9);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    const Dense fwd(rng, 3, 20, 4, {5, 20, 7});
    Dense other = fwd;
    other.lengths = {5, 20, 8};
    std::vector<float> lz, grad;
    CHECK_OK(fwd.forward(cpu.ws, lz));
    CHECK(other.backward(cpu.ws, grad) == DIFFHMM_ERROR_INVALID_STATE);
    CHECK_MSG(mentions("lengths[2] = 8 but the forward had 7"), diffhmm_last_error());
    CHECK_OK(fwd.backward(cpu.ws, grad));
}
