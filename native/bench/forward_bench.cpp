// forward_bench.cpp — native timer for the published table's shape: dense float32 potentials,
// B = 8, N = 50, L in {100, 500, 1000, 2000, 3000} by default. Times forward and forward+backward
// (median of repetitions, several input sets rotated so caches do not flatter) on one backend and
// prints a markdown table. The JMH benchmarks (bench/) measure the same through Java.
//
//   diffhmm_bench [--backend cpu|cuda] [--threads n] [--isa 0-3] [--batch 8] [--states 50]
//                 [--lengths 100,500,...] [--reps 5] [--dtype f32|f64] [--form dense|factorized]
//                 [--paths prob,log]  (factorized on the CPU: which paths, timed in the same run)
// With --backend cuda the inputs and outputs live in device memory (allocated once, like a training
// pipeline's tensors), so times are kernel times, not PCIe copies; the device's copy bandwidth is
// measured first and the effective bandwidth of the potential reads is printed beside it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "diffhmm/diffhmm.h"
#if DIFFHMM_BENCH_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace {

struct Args {
    int backend = DIFFHMM_BACKEND_CPU, threads = 0, isa = DIFFHMM_CPU_ISA_AUTO, reps = 5, dtype = DIFFHMM_FLOAT32;
    int64_t batch = 8, states = 50;
    std::vector<int64_t> lengths{100, 500, 1000, 2000, 3000};
    bool factorized = false;
    std::vector<std::string> paths{"prob", "log"};
};

void die(const char* what) {
    std::fprintf(stderr, "diffhmm_bench: %s: %s\n", what, diffhmm_last_error());
    std::exit(1);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Memory the backend reads and writes: host vectors, or device copies of them for CUDA.
template <class T>
struct Operand {
    std::vector<T> host;
    void* device = nullptr;
    T* data() { return device ? static_cast<T*>(device) : host.data(); }
    void upload(bool on_device) {
#if DIFFHMM_BENCH_WITH_CUDA
        if (!on_device) return;
        if (cudaMalloc(&device, host.size() * sizeof(T)) != cudaSuccess) die("cudaMalloc");
        cudaMemcpy(device, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice);
#else
        if (on_device) die("this benchmark was built without the CUDA toolkit");
#endif
    }
    ~Operand() {
#if DIFFHMM_BENCH_WITH_CUDA
        if (device) cudaFree(device);
#endif
    }
};

double copy_bandwidth_gbs() {
#if DIFFHMM_BENCH_WITH_CUDA
    const size_t bytes = size_t(1) << 30;
    void *a = nullptr, *b = nullptr;
    if (cudaMalloc(&a, bytes) != cudaSuccess || cudaMalloc(&b, bytes) != cudaSuccess) return 0;
    cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
    cudaDeviceSynchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < 10; ++r) cudaMemcpy(b, a, bytes, cudaMemcpyDeviceToDevice);
    cudaDeviceSynchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cudaFree(a);
    cudaFree(b);
    return 2.0 * 10 * double(bytes) / s / 1e9;  // read + write
#else
    return 0;
#endif
}

// Scores in [-3, 1) from a counter-based hash of (seed, index), filled by every hardware thread: the
// large batch (4·10⁹ terms) would take minutes with one generator on one thread.
template <class T>
void fill_uniform(std::vector<T>& v, uint64_t seed) {
    const size_t n = v.size();
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    for (unsigned w = 0; w < threads; ++w)
        pool.emplace_back([&, w] {
            for (size_t k = n * w / threads; k < n * (w + 1) / threads; ++k) {
                uint64_t z = seed * 0x9e3779b97f4a7c15ull + k;  // SplitMix64
                z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
                z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
                z ^= z >> 31;
                v[k] = T(-3.0 + 4.0 * double(z >> 11) * 0x1.0p-53);
            }
        });
    for (std::thread& t : pool) t.join();
}

// Whether `bytes` more fit in the device's free memory (with a tenth kept for the workspace).
bool fits_on_device(double bytes) {
#if DIFFHMM_BENCH_WITH_CUDA
    size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess) return true;
    return bytes < 0.9 * double(free);
#else
    (void)bytes;
    return true;
#endif
}

// The memory floor of one sweep, measured on the same arrays in the same run: the time `threads`
// threads take to read `src` once (a sum), and to copy it into `dst` (a read and a write). The
// forward reads the potential once; forward + backward read it twice and write the gradient once,
// so read + copy is that pair's floor.
template <class T>
std::pair<double, double> stream_floor_ms(const T* src, T* dst, size_t n, int threads, int reps) {
    std::vector<double> reads, copies;
    std::vector<double> sink(static_cast<size_t>(threads));
    for (int r = 0; r < reps + 1; ++r) {
        auto run = [&](bool copy) {
            std::vector<std::thread> pool;
            for (int w = 0; w < threads; ++w)
                pool.emplace_back([&, w] {
                    const size_t lo = n * size_t(w) / size_t(threads), hi = n * size_t(w + 1) / size_t(threads);
                    if (copy) {
                        std::memcpy(dst + lo, src + lo, (hi - lo) * sizeof(T));
                        return;
                    }
                    T acc[16] = {};
                    size_t k = lo;
                    for (; k + 16 <= hi; k += 16)
                        for (int l = 0; l < 16; ++l) acc[l] += src[k + l];
                    double total = 0;
                    for (; k < hi; ++k) total += double(src[k]);
                    for (int l = 0; l < 16; ++l) total += double(acc[l]);
                    sink[size_t(w)] = total;
                });
            for (std::thread& t : pool) t.join();
        };
        auto t0 = std::chrono::steady_clock::now();
        run(false);
        auto t1 = std::chrono::steady_clock::now();
        run(true);
        auto t2 = std::chrono::steady_clock::now();
        if (r == 0) continue;
        reads.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        copies.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    volatile double keep = sink[0];
    (void)keep;
    return {median(reads), median(copies)};
}

template <class T>
void run(const Args& a, diffhmm_workspace* ws) {
    const int64_t B = a.batch, N = a.states;
    const bool on_device = a.backend == DIFFHMM_BACKEND_CUDA;
    constexpr int kSets = 2;  // rotated input sets: each is larger than the last-level cache at L >= 500
    if (on_device) std::printf("device copy bandwidth (read + write): %.0f GB/s\n\n", copy_bandwidth_gbs());
    if (on_device) {
        std::printf("| L | forward ms | forward+backward ms | ns per term (fwd) | potential read GB/s (fwd) |\n"
                    "|---|---|---|---|---|\n");
    } else {
        std::printf("Floors measured in the same run on the same arrays: read = one pass over the potential, "
                    "copy = read it and write the gradient.\n\n"
                    "| L | forward ms | forward+backward ms | read floor ms | read+copy floor ms | fwd / read | "
                    "fwd+bwd / (read+copy) |\n|---|---|---|---|---|---|---|\n");
    }
    for (int64_t L : a.lengths) {
        const double bytes = double(kSets + 1) * double(B * L * N * N) * sizeof(T);  // inputs + gradient
        if (on_device && !fits_on_device(bytes)) {
            std::printf("| %lld | skipped: needs %.1f GB of device memory | | | |\n", (long long)L, bytes / 1e9);
            continue;
        }
        std::vector<Operand<T>> pot(kSets);
        for (int set = 0; set < kSets; ++set) {
            pot[set].host.resize(static_cast<size_t>(B * L * N * N));
            fill_uniform(pot[set].host, uint64_t(1234 + set));
            pot[set].upload(on_device);
            if (on_device) std::vector<T>().swap(pot[set].host);
        }
        Operand<int64_t> lengths;
        lengths.host.assign(static_cast<size_t>(B), L);
        lengths.upload(on_device);
        Operand<T> log_z, g, grad;
        log_z.host.assign(static_cast<size_t>(B), T(0));
        g.host.assign(static_cast<size_t>(B), T(1));
        grad.host.assign(static_cast<size_t>(B * L * N * N), T(0));
        log_z.upload(on_device);
        g.upload(on_device);
        grad.upload(on_device);
        if (on_device) std::vector<T>().swap(grad.host);
        std::vector<double> fwd, both;
        for (int r = 0; r < a.reps + 1; ++r) {  // first round warms up
            const T* p = pot[r % kSets].data();
            auto t0 = std::chrono::steady_clock::now();
            if (diffhmm_forward_dense(ws, a.dtype, 0, B, L, N, p, lengths.data(), log_z.data())) die("forward");
            auto t1 = std::chrono::steady_clock::now();
            if (diffhmm_backward_dense(ws, a.dtype, 0, B, L, N, p, lengths.data(), g.data(), grad.data())) die("backward");
            auto t2 = std::chrono::steady_clock::now();
            if (r == 0) continue;
            fwd.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
            both.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
        }
        const double f = median(fwd), fb = median(both);
        const double terms = double(B * L * N * N);
        if (on_device) {
            std::printf("| %lld | %.3f | %.3f | %.3f | %.1f |\n", (long long)L, f, fb, f * 1e6 / terms,
                        terms * sizeof(T) / (f * 1e-3) / 1e9);
        } else {
            const int threads = a.threads > 0 ? a.threads : diffhmm_cpu_default_threads();
            const auto floor = stream_floor_ms(pot[0].data(), grad.data(), size_t(B * L * N * N), threads, a.reps);
            std::printf("| %lld | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f |\n", (long long)L, f, fb, floor.first,
                        floor.first + floor.second, f / floor.first, fb / (floor.first + floor.second));
        }
        std::fflush(stdout);
    }
}

// The factorized form (shared init and transitions, per-step emissions: what neural HMMs train),
// timed on both CPU paths in the same run — probability space (matrix products, the default) and
// log space (DIFFHMM_CPU_FACTORIZED=log) — so their ratio is a same-run figure. Transitions are
// log-softmax rows of random logits, emissions uniform in [-3, 1).
template <class T>
void run_factorized(const Args& a, diffhmm_workspace* ws) {
    const int64_t B = a.batch, N = a.states;
    const bool on_device = a.backend == DIFFHMM_BACKEND_CUDA;
    std::printf("| L | path | forward ms | forward+backward ms | ns per term (fwd+bwd) |\n|---|---|---|---|---|\n");
    // CUDA: one row per length, the kernels the plan picks (DIFFHMM_CUDA_SWEEP forces them); the CPU:
    // one row per CPU path asked for (DIFFHMM_CPU_FACTORIZED).
    const std::vector<std::string> paths = on_device ? std::vector<std::string>{"cuda"} : a.paths;
    for (int64_t L : a.lengths) {
        Operand<T> init, trans, emit, log_z, g, g_init, g_trans, g_emit;
        Operand<int64_t> lengths;
        init.host.resize(static_cast<size_t>(N));
        trans.host.resize(static_cast<size_t>(N * N));
        emit.host.resize(static_cast<size_t>(B * L * N));
        fill_uniform(init.host, 11);
        fill_uniform(trans.host, 12);
        fill_uniform(emit.host, 13);
        for (int64_t i = 0; i < N; ++i) {  // log-softmax rows
            T* row = trans.host.data() + i * N;
            double m = -1e300, s = 0;
            for (int64_t j = 0; j < N; ++j) m = std::max(m, double(row[j]));
            for (int64_t j = 0; j < N; ++j) s += std::exp(double(row[j]) - m);
            for (int64_t j = 0; j < N; ++j) row[j] = T(double(row[j]) - m - std::log(s));
        }
        lengths.host.assign(static_cast<size_t>(B), L);
        log_z.host.assign(static_cast<size_t>(B), T(0));
        g.host.assign(static_cast<size_t>(B), T(1));
        g_init.host.assign(static_cast<size_t>(N), T(0));
        g_trans.host.assign(static_cast<size_t>(N * N), T(0));
        g_emit.host.assign(static_cast<size_t>(B * L * N), T(0));
        for (Operand<T>* x : {&init, &trans, &emit, &log_z, &g, &g_init, &g_trans, &g_emit}) x->upload(on_device);
        lengths.upload(on_device);
        for (const std::string& path : paths) {
            if (!on_device && diffhmm_workspace_set_option(ws, "DIFFHMM_CPU_FACTORIZED", path.c_str()) != DIFFHMM_OK)
                die("DIFFHMM_CPU_FACTORIZED");
            std::vector<double> fwd, both;
            for (int r = 0; r < a.reps + 1; ++r) {
                auto t0 = std::chrono::steady_clock::now();
                if (diffhmm_forward_factorized(ws, a.dtype, 0, B, L, N, 1, init.data(), 0, trans.data(), nullptr,
                                               emit.data(), lengths.data(), log_z.data()))
                    die("forward");
                auto t1 = std::chrono::steady_clock::now();
                if (diffhmm_backward_factorized(ws, a.dtype, 0, B, L, N, 1, init.data(), 0, trans.data(), nullptr,
                                                emit.data(), lengths.data(), g.data(), g_init.data(), g_trans.data(),
                                                g_emit.data()))
                    die("backward");
                auto t2 = std::chrono::steady_clock::now();
                if (r == 0) continue;
                fwd.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
                both.push_back(std::chrono::duration<double, std::milli>(t2 - t0).count());
            }
            const double f = median(fwd), fb = median(both);
            std::printf("| %lld | %s | %.3f | %.3f | %.3f |\n", (long long)L, path.c_str(), f, fb,
                        fb * 1e6 / double(B * L * N * N));
            std::fflush(stdout);
        }
        if (!on_device) diffhmm_workspace_set_option(ws, "DIFFHMM_CPU_FACTORIZED", "auto");
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
        else if (k == "--form") a.factorized = v == "factorized";
        else if (k == "--paths") {
            a.paths.clear();
            for (size_t s = 0; s < v.size();) {
                size_t e = v.find(',', s);
                if (e == std::string::npos) e = v.size();
                a.paths.push_back(v.substr(s, e - s));
                s = e + 1;
            }
        }
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
    if (a.factorized) {
        if (a.dtype == DIFFHMM_FLOAT32) run_factorized<float>(a, ws); else run_factorized<double>(a, ws);
    } else if (a.dtype == DIFFHMM_FLOAT32) {
        run<float>(a, ws);
    } else {
        run<double>(a, ws);
    }
    diffhmm_workspace_destroy(ws);
    return 0;
}
