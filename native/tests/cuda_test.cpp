// cuda_test.cpp — the CUDA rung of the ladder: the CUDA backend against the float64 reference on the
// same problems as the CPU (ragged lengths, N = 1, N not a multiple of 32, N > threads per CTA,
// unnormalised scores, -inf entries, sequences without a path, both signs of upstream gradient),
// a batch of 100,000 sequences, device pointers through the C ABI, and errors as statuses. Every
// test skips (CTest: skipped) where diffhmm_backend_available(CUDA) says CUDA cannot run.
#include <cstdlib>
#include <cstring>

#include "harness.h"
#include "ladder.h"
#if DIFFHMM_TESTS_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace {

bool cuda_available(std::string& reason) {
    if (diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) == DIFFHMM_OK) return true;
    reason = diffhmm_last_error();
    return false;
}

std::vector<double> grads(std::mt19937_64& rng, int64_t B) {
    std::uniform_real_distribution<double> u(-2.0, 2.0);
    std::vector<double> g(static_cast<size_t>(B));
    for (double& v : g) v = u(rng);
    return g;
}

// Sequence 1 of length 1 and sequence 2 of length 0, beside the ragged rest.
void lengths_with_zero_and_one(test::Problem& p) {
    if (p.B >= 3) {
        p.lengths[1] = 1;
        p.lengths[2] = 0;
    }
}

}  // namespace

// A CUDA sweep forced through a workspace's settings (core/settings.h), by its DIFFHMM_CUDA_SWEEP name.
static diffhmm::Settings::CudaSweep sweep(const std::string& name) {
    using S = diffhmm::Settings::CudaSweep;
    return name == "sequential" ? S::sequential : name == "pipelined" ? S::pipelined : name == "chunked" ? S::chunked
           : name == "batch" ? S::batch : S::automatic;
}

TEST(cuda_matches_reference) {
    std::string reason;
    if (!cuda_available(reason)) SKIP(reason);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA);
    std::mt19937_64 rng(91);
    for (int64_t N : {1, 5, 33, 50, 300}) {
        test::Options o;
        o.offset = N % 2 ? 2.5 : -1.0;
        o.neg_inf_rate = N == 33 ? 0.2 : 0.0;
        const test::Problem dense = test::random_problem(rng, true, 5, 9, N, 1, o);
        test::check_against_reference("cuda dense N=" + std::to_string(N), gpu.ws, dense, grads(rng, dense.B));
        const test::Problem fact = test::random_problem(rng, false, 5, 11, N, 3, o);
        test::check_against_reference("cuda factorized N=" + std::to_string(N), gpu.ws, fact, grads(rng, fact.B));
    }
    // An empty batch and a batch of empty sequences: every verb runs, the shared gradients written as zeros.
    for (bool dense : {true, false}) {
        const test::Problem none = test::random_problem(rng, dense, 0, 5, 4, dense ? 1 : 2);
        test::check_against_reference(dense ? "cuda dense B=0" : "cuda factorized B=0", gpu.ws, none, {});
        const test::Problem empty = test::random_problem(rng, dense, 3, 0, 4, dense ? 1 : 2);
        test::check_against_reference(dense ? "cuda dense T=0" : "cuda factorized T=0", gpu.ws, empty, {0.5, -1.0, 2.0});
    }
    // A sequence with no finite path.
    test::Problem dead = test::random_problem(rng, true, 3, 6, 7, 1);
    for (int64_t k = 0; k < 49; ++k) dead.potential[(1 * 6 + 2) * 49 + k] = test::kNegInf;
    test::check_against_reference("cuda no path", gpu.ws, dead, grads(rng, dead.B));
}

// Each α and β kernel pair, forced by DIFFHMM_CUDA_SWEEP, on every shape class: N = 1, 33 (odd rows: 4-byte
// copies), 50 (the published N), 64, 256 (the pipelined kernel's limit: 1024 threads) and 300 (beyond
// it: the sequential kernel runs whatever is asked); ragged lengths with 0 and 1; unnormalised and
// −inf scores; factorized with one and with several transition matrices; a sequence with no path;
// a long sequence (ring reuse, drift); and a 100,000-sequence batch. "chunked" is the chunked scan
// (at least 4 chunks per sequence where its tiles fit; N = 256 and 300 run unchunked), once with the
// planned number of chunks and once with 7 (DIFFHMM_CUDA_CHUNKS: chunks of uneven use, some empty);
// "batch" is the large-batch α kernel (N ≤ 128; several sequences of different lengths per CTA) and,
// for the factorized form, the large-batch β kernel (N ≤ 64 float32, ≤ 16 float64).
TEST(cuda_sweep_kernels_match_reference) {
    std::string reason;
    if (!cuda_available(reason)) SKIP(reason);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA);
    for (const char* kernel : {"sequential", "pipelined", "chunked", "chunked-7", "batch"}) {
        const bool seven = std::strcmp(kernel, "chunked-7") == 0;
        gpu.ws->settings.cuda_sweep = sweep(seven ? "chunked" : kernel);
        gpu.ws->settings.cuda_chunks = seven ? 7 : 0;
        const std::string k = kernel;
        std::mt19937_64 rng(94);
        for (int64_t N : {1, 33, 50, 64, 256, 300}) {
            test::Options o;
            o.offset = N % 2 ? 1.5 : -0.5;
            o.neg_inf_rate = N == 33 || N == 64 ? 0.25 : 0.0;
            test::Problem dense = test::random_problem(rng, true, 6, 8, N, 1, o);
            lengths_with_zero_and_one(dense);
            test::check_against_reference(k + " dense N=" + std::to_string(N), gpu.ws, dense, grads(rng, dense.B));
            for (int64_t K : {1, 3}) {
                test::Problem fact = test::random_problem(rng, false, 6, 9, N, K, o);
                lengths_with_zero_and_one(fact);
                test::check_against_reference(k + " factorized K=" + std::to_string(K) + " N=" + std::to_string(N), gpu.ws,
                                              fact, grads(rng, fact.B));
            }
        }
        test::Problem dead = test::random_problem(rng, true, 3, 6, 7, 1);
        for (int64_t e = 0; e < 49; ++e) dead.potential[(1 * 6 + 2) * 49 + e] = test::kNegInf;
        test::check_against_reference(k + " no path", gpu.ws, dead, grads(rng, dead.B));
        test::Options flat;
        flat.ragged = false;
        const test::Problem long_one = test::random_problem(rng, true, 2, 3000, 50, 1, flat);
        test::check_against_reference(k + " L=3000 N=50", gpu.ws, long_one, grads(rng, long_one.B));
        const test::Problem wide = test::random_problem(rng, false, 100000, 5, 8, 2);
        test::Workspace cpu(DIFFHMM_BACKEND_CPU);
        const std::vector<double> g = grads(rng, wide.B);
        const test::Results a = test::run_all<double>(gpu.ws, wide, g), b = test::run_all<double>(cpu.ws, wide, g);
        EXPECT_CLOSE(k + " B=100000 log_z", a.log_z, b.log_z, 1e-9);
        EXPECT_CLOSE(k + " B=100000 grad_emit", a.grad_emit, b.grad_emit, 1e-9);
    }
}

// Viterbi by the pipelined max-plus sweep equals kbest_kernel's (forced sequential) bit for bit —
// paths and scores, float32 and float64 — on scores rounded to integers, so exact ties are everywhere
// and the tie rule (the first maximising source, then the first best last state) decides.
TEST(cuda_viterbi_pipelined_equals_sequential_bit_for_bit) {
    std::string reason;
    if (!cuda_available(reason)) SKIP(reason);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA);
    std::mt19937_64 rng(97);
    for (bool dense : {true, false}) {
        test::Options o;
        o.neg_inf_rate = 0.1;
        test::Problem p = test::random_problem(rng, dense, 5, 300, 33, 2, o);
        for (auto* v : {&p.potential, &p.init, &p.trans, &p.emit})
            for (double& x : *v) x = std::isfinite(x) ? std::round(x) : x;
        const std::vector<double> g(static_cast<size_t>(p.B), 1.0);
        gpu.ws->settings.cuda_sweep = sweep("sequential");
        const test::Results seq32 = test::run_all<float>(gpu.ws, p, g), seq64 = test::run_all<double>(gpu.ws, p, g);
        gpu.ws->settings.cuda_sweep = sweep("pipelined");
        const test::Results pip32 = test::run_all<float>(gpu.ws, p, g), pip64 = test::run_all<double>(gpu.ws, p, g);
        const std::string form = dense ? "dense" : "factorized";
        CHECK_MSG(seq32.path == pip32.path, form << " float32 paths differ");
        CHECK_MSG(seq64.path == pip64.path, form << " float64 paths differ");
        CHECK_MSG(seq32.score == pip32.score, form << " float32 scores differ");
        CHECK_MSG(seq64.score == pip64.score, form << " float64 scores differ");
    }
}

// The chunked scan where float32 sums underflow inside a chunk (test::trap_problem: mass gathered on
// one state, then leaving it made e^120 times dearer than leaving the flushed ones): the
// recomputation in the transfer kernel must keep log Z and the gradients on the reference.
TEST(cuda_chunked_scan_recomputes_underflow) {
    std::string reason;
    if (!cuda_available(reason)) SKIP(reason);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA);
    gpu.ws->settings.cuda_sweep = sweep("chunked");
    gpu.ws->settings.cuda_chunks = 6;
    std::mt19937_64 rng(95);
    for (bool dense : {true, false}) {
        const test::Problem p = test::trap_problem(rng, dense);
        test::check_against_reference(dense ? "chunked trap dense" : "chunked trap factorized", gpu.ws, p,
                                      grads(rng, p.B));
    }
}

TEST(cuda_large_batch_matches_cpu) {
    std::string reason;
    if (!cuda_available(reason)) SKIP(reason);
    std::mt19937_64 rng(92);
    const test::Problem p = test::random_problem(rng, false, 100000, 6, 4, 2);
    const std::vector<double> g = grads(rng, p.B);
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA), cpu(DIFFHMM_BACKEND_CPU);
    const test::Results a = test::run_all<double>(gpu.ws, p, g), b = test::run_all<double>(cpu.ws, p, g);
    EXPECT_CLOSE("B=100000 log_z", a.log_z, b.log_z, 1e-9);
    EXPECT_CLOSE("B=100000 grad_emit", a.grad_emit, b.grad_emit, 1e-9);
    EXPECT_CLOSE("B=100000 grad_trans (summed over 500,000 steps)", a.grad_trans, b.grad_trans, 1e-6);
    CHECK(a.path == b.path);
}

TEST(cuda_device_pointers_and_errors) {
    std::string reason;
    if (!cuda_available(reason)) SKIP(reason);
#if DIFFHMM_TESTS_WITH_CUDA
    std::mt19937_64 rng(93);
    const test::Problem p = test::random_problem(rng, true, 4, 7, 6, 1);
    const std::vector<float> pot(p.potential.begin(), p.potential.end());
    const std::vector<float> g{1.0f, -0.5f, 2.0f, 0.25f};
    test::Workspace gpu(DIFFHMM_BACKEND_CUDA);
    // Host pointers: the reference answer of this backend.
    std::vector<float> log_z(4), grad(pot.size());
    CHECK_OK(diffhmm_forward_dense(gpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), log_z.data()));
    CHECK_OK(diffhmm_backward_dense(gpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), g.data(),
                                    grad.data()));
    // Device pointers for everything, on a stream of the caller's.
    float *d_pot, *d_log_z, *d_grad, *d_g;
    int64_t* d_len;
    cudaStream_t stream;
    CHECK(cudaStreamCreate(&stream) == cudaSuccess);
    CHECK(cudaMalloc(&d_pot, pot.size() * 4) == cudaSuccess);
    CHECK(cudaMalloc(&d_grad, pot.size() * 4) == cudaSuccess);
    CHECK(cudaMalloc(&d_log_z, 16) == cudaSuccess);
    CHECK(cudaMalloc(&d_g, 16) == cudaSuccess);
    CHECK(cudaMalloc(&d_len, 32) == cudaSuccess);
    cudaMemcpy(d_pot, pot.data(), pot.size() * 4, cudaMemcpyHostToDevice);
    cudaMemcpy(d_g, g.data(), 16, cudaMemcpyHostToDevice);
    cudaMemcpy(d_len, p.lengths.data(), 32, cudaMemcpyHostToDevice);
    CHECK_OK(diffhmm_workspace_set_stream(gpu.ws, stream));
    CHECK_OK(diffhmm_forward_dense(gpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, d_pot, d_len, d_log_z));
    CHECK_OK(diffhmm_backward_dense(gpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, d_pot, d_len, d_g, d_grad));
    std::vector<float> log_z2(4), grad2(pot.size());
    cudaMemcpy(log_z2.data(), d_log_z, 16, cudaMemcpyDeviceToHost);
    cudaMemcpy(grad2.data(), d_grad, pot.size() * 4, cudaMemcpyDeviceToHost);
    CHECK(log_z == log_z2);
    CHECK(grad == grad2);
    // Accumulating into device memory: the gradient added once more, in place.
    CHECK_OK(diffhmm_backward_dense(gpu.ws, DIFFHMM_FLOAT32, DIFFHMM_FLAG_ACCUMULATE, p.B, p.T, p.N, d_pot, d_len, d_g,
                                    d_grad));
    cudaMemcpy(grad2.data(), d_grad, pot.size() * 4, cudaMemcpyDeviceToHost);
    for (size_t k = 0; k < grad.size(); ++k) CHECK_MSG(grad2[k] == grad[k] + grad[k], "accumulated [" << k << "]");
    // A NaN in device memory is still named by index; a device pointer on the CPU backend is refused.
    const float nan = std::nanf("");
    cudaMemcpy(d_pot + ((0 * p.T + 1) * p.N + 2) * p.N + 3, &nan, 4, cudaMemcpyHostToDevice);
    CHECK(diffhmm_forward_dense(gpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, d_pot, d_len, d_log_z) ==
          DIFFHMM_ERROR_INVALID_VALUE);
    CHECK(std::strstr(diffhmm_last_error(), "potential[0][1][2][3] is NaN") != nullptr);
    test::Workspace cpu(DIFFHMM_BACKEND_CPU);
    CHECK(diffhmm_forward_dense(cpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, d_pot, p.lengths.data(), log_z.data()) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(std::strstr(diffhmm_last_error(), "device memory") != nullptr);
    // Bad lengths in device memory are caught too.
    const int64_t bad = 99;
    cudaMemcpy(d_len + 1, &bad, 8, cudaMemcpyHostToDevice);
    CHECK(diffhmm_forward_dense(gpu.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, d_pot, d_len, d_log_z) ==
          DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(std::strstr(diffhmm_last_error(), "lengths[1] = 99") != nullptr);
    // An explicit device: the same results on device 0, the caller's current device untouched, an
    // ordinal beyond the machine refused by name, and a backward after a device change refused.
    CHECK(cudaSetDevice(0) == cudaSuccess);
    test::Workspace chosen(DIFFHMM_BACKEND_CUDA);
    CHECK_OK(diffhmm_workspace_set_cuda_device(chosen.ws, 0));
    std::vector<float> log_z3(4);
    CHECK_OK(diffhmm_forward_dense(chosen.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), log_z3.data()));
    CHECK(log_z3 == log_z);
    int current = -1;
    CHECK(cudaGetDevice(&current) == cudaSuccess && current == 0);
    const int count = diffhmm_cuda_device_count();
    CHECK(count >= 1);
    CHECK_OK(diffhmm_workspace_set_cuda_device(chosen.ws, count));
    CHECK(diffhmm_backward_dense(chosen.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), g.data(),
                                 grad2.data()) == DIFFHMM_ERROR_INVALID_STATE);
    CHECK(diffhmm_forward_dense(chosen.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(),
                                log_z3.data()) == DIFFHMM_ERROR_INVALID_ARGUMENT);
    CHECK(std::strstr(diffhmm_last_error(), "cuda device") != nullptr);
    CHECK(cudaGetDevice(&current) == cudaSuccess && current == 0);
    if (count >= 2) {
        // Device 1 for the call while device 0 stays current: device-0 memory is refused, host memory works,
        // and the workspace moves between devices, freeing what it kept on the old one.
        CHECK_OK(diffhmm_workspace_set_cuda_device(chosen.ws, 1));
        CHECK(diffhmm_forward_dense(chosen.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, d_pot, d_len, d_log_z) ==
              DIFFHMM_ERROR_INVALID_ARGUMENT);
        CHECK_OK(diffhmm_forward_dense(chosen.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(),
                                       log_z3.data()));
        CHECK_OK(diffhmm_backward_dense(chosen.ws, DIFFHMM_FLOAT32, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(),
                                        g.data(), grad2.data()));
        CHECK(log_z3 == log_z);
        CHECK(grad2 == grad);
        CHECK(cudaGetDevice(&current) == cudaSuccess && current == 0);
    }
    cudaFree(d_pot);
    cudaFree(d_grad);
    cudaFree(d_log_z);
    cudaFree(d_g);
    cudaFree(d_len);
    cudaStreamDestroy(stream);
#else
    SKIP("the tests were built without the CUDA toolkit");
#endif
}
