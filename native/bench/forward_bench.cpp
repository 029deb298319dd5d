// forward_bench.cpp — native timer for the published table's shape: dense float32 potentials,
// B = 8, N = 50, L in {100, 500, 1000, 2000, 3000} by default. Times forward and forward+backward
// (median of repetitions, several input sets rotated so caches do not flatter) on one backend and
// prints a markdown table. The JMH benchmarks (bench/) measure the same through Java.
//
//   diffhmm_bench [--backend cpu|cuda] [--threads n] [--isa 0-3] [--batch 8] [--states 50]
//                 [--lengths 100,500,...] [--reps 5] [--dtype f32|f64]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "diffhmm/diffhmm.h"

namespace {

struct Args {
    int backend = DIFFHMM_BACKEND_CPU, threads = 0, isa = DIFFHMM_CPU_ISA_AUTO, reps = 5, dtype = DIFFHMM_FLOAT32;
    int64_t batch = 8, states = 50;
    std::vector<int64_t> lengths{100, 500, 1000, 2000, 3000};
};

void die(const char* what) {
    std::fprintf(stderr, "diffhmm_bench: %s: %s\n", what, diffhmm_last_error());
    std::exit(1);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

template <class T>
void run(const Args& a, diffhmm_workspace* ws) {
    const int64_t B = a.batch, N = a.states;
    constexpr int kSets = 2;  // rotated input sets: each is larger than the last-level cache at L >= 500
    std::printf("| L | forward ms | forward+backward ms | ns per term (fwd) |\n|---|---|---|---|\n");
    for (int64_t L : a.lengths) {
        std::mt19937 rng(1234);
        std::uniform_real_distribution<float> u(-3.0f, 1.0f);
        std::vector<std::vector<T>> pot(kSets, std::vector<T>(static_cast<size_t>(B * L * N * N)));
        for (auto& set : pot) for (T& v : set) v = T(u(rng));
        std::vector<int64_t> lengths(static_cast<size_t>(B), L);
        std::vector<T> log_z(static_cast<size_t>(B)), g(static_cast<size_t>(B), T(1));
        std::vector<T> grad(pot[0].size());
        std::vector<double> fwd, both;
        for (int r = 0; r < a.reps + 1; ++r) {  // first round warms up
            const T* p = pot[r % kSets].data();
            auto t0 = std::chrono::steady_clock::now();
            if (diffhmm_forward_dense(ws, a.dtype, 0, B, L, N, p, lengths.data(), log_z.data())) die("forward");
            auto t1 = std::chrono::steady_clock::now();
            if (diffhmm_backward_dense(ws, a.dtype, B, L, N, p, lengths.data(), g.data(), grad.data())) die("backward");
            auto t2 = std::chrono::steady_clock::now();
            if (r == 0) continue;
            fwd.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            both.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
        }
        const double f = median(fwd), fb = median(both);
        std::printf("| %lld | %.3f | %.3f | %.3f |\n", (long long)L, f, fb, f * 1e6 / double(B * L * N * N));
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--backend") a.backend = v == "cuda" ? DIFFHMM_BACKEND_CUDA : DIFFHMM_BACKEND_CPU;
        else if (k == "--threads") a.threads = std::atoi(v.c_str());
        else if (k == "--isa") a.isa = std::atoi(v.c_str());
        else if (k == "--batch") a.batch = std::atoll(v.c_str());
        else if (k == "--states") a.states = std::atoll(v.c_str());
        else if (k == "--reps") a.reps = std::atoi(v.c_str());
        else if (k == "--dtype") a.dtype = v == "f64" ? DIFFHMM_FLOAT64 : DIFFHMM_FLOAT32;
        else if (k == "--lengths") {
            a.lengths.clear();
            for (size_t s = 0; s < v.size();) {
                size_t e = v.find(',', s);
                if (e == std::string::npos) e = v.size();
                a.lengths.push_back(std::atoll(v.substr(s, e - s).c_str()));
                s = e + 1;
            }
        } else {
            std::fprintf(stderr, "unknown option %s\n", k.c_str());
            return 2;
        }
    }
    diffhmm_workspace* ws = nullptr;
    if (diffhmm_workspace_create(a.backend, &ws)) die("workspace");
    if (diffhmm_workspace_set_num_threads(ws, a.threads)) die("threads");
    if (diffhmm_workspace_set_cpu_isa(ws, a.isa)) die("isa");
    std::printf("diffhmm %s, backend %s, isa %d, threads %d, B=%lld N=%lld, %s dense\n\n", diffhmm_version(),
                a.backend == DIFFHMM_BACKEND_CUDA ? "cuda" : "cpu", diffhmm_workspace_cpu_isa(ws),
                a.threads > 0 ? a.threads : diffhmm_cpu_default_threads(), (long long)a.batch, (long long)a.states,
                a.dtype == DIFFHMM_FLOAT32 ? "float32" : "float64");
    if (a.dtype == DIFFHMM_FLOAT32) run<float>(a, ws); else run<double>(a, ws);
    diffhmm_workspace_destroy(ws);
    return 0;
}
