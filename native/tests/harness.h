// harness.h — a minimal test harness for the native tests (no third-party framework is available
// to a fresh machine's CMake), plus the fixtures every test shares: random problems, calls through
// the C ABI, and comparisons with tolerances that print what failed.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/settings.h"
#include "core/workspace.h"
#include "diffhmm/diffhmm.h"

namespace test {

struct Registry {
    static std::vector<std::pair<std::string, std::function<void()>>>& all() {
        static std::vector<std::pair<std::string, std::function<void()>>> tests;
        return tests;
    }
};
struct Register {
    Register(const char* name, std::function<void()> fn) { Registry::all().emplace_back(name, fn); }
};
inline int& failures() { static int n = 0; return n; }
inline int& skips() { static int n = 0; return n; }

// Exit code CTest reads as "skipped" (SKIP_RETURN_CODE in cmake/NativeTests.cmake).
constexpr int kSkipped = 77;

inline void report(const char* file, int line, const std::string& what) {
    ++failures();
    std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
}

}  // namespace test

#define TEST(name)                                                    \
    static void test_##name();                                        \
    static test::Register register_##name(#name, &test_##name);       \
    static void test_##name()

// Ends the current test as skipped (e.g. no CUDA device), printing why.
#define SKIP(why)                                                                       \
    do {                                                                                \
        std::printf("skipped: %s\n", std::string(why).c_str());                         \
        ++test::skips();                                                                \
        return;                                                                         \
    } while (0)

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) test::report(__FILE__, __LINE__, #cond);                           \
    } while (0)

#define CHECK_MSG(cond, msg)                                                            \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            std::ostringstream os_;                                                     \
            os_ << #cond << " — " << msg;                                               \
            test::report(__FILE__, __LINE__, os_.str());                                \
        }                                                                               \
    } while (0)

#define CHECK_OK(call)                                                                  \
    do {                                                                                \
        const diffhmm_status s_ = (call);                                               \
        if (s_ != DIFFHMM_OK)                                                           \
            test::report(__FILE__, __LINE__, std::string(#call) + " returned " +        \
                                                 std::to_string(s_) + ": " + diffhmm_last_error()); \
    } while (0)

namespace test {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// A problem held in float64; converted to float32 on demand. Dense uses `potential`; factorized
// uses init/trans/trans_index/emit.
struct Problem {
    bool dense = true;
    int64_t B = 0, T = 0, N = 0, K = 1;
    bool init_batched = false;
    std::vector<int64_t> lengths;
    std::vector<double> potential, init, trans, emit;
    std::vector<int64_t> trans_index;

    double score(int64_t b, int64_t t, int64_t i, int64_t j) const {
        if (dense) return potential[((b * T + t) * N + i) * N + j];
        if (t == 0) return init[(init_batched ? b * N : 0) + j] + emit[(b * T) * N + j];
        const int64_t k = trans_index.empty() ? 0 : trans_index[b * T + t];
        return trans[(k * N + i) * N + j] + emit[(b * T + t) * N + j];
    }
};

struct Options {
    double scale = 2.0;          // scores ~ U(-scale, scale) + offset
    double offset = 0.0;         // CRF-style positive or negative shift (unnormalised scores)
    double neg_inf_rate = 0.0;   // fraction of -inf entries
    bool ragged = true;
};

inline Problem random_problem(std::mt19937_64& rng, bool dense, int64_t B, int64_t T, int64_t N, int64_t K,
                              const Options& o = Options()) {
    std::uniform_real_distribution<double> u(-o.scale, o.scale);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    auto draw = [&] { return coin(rng) < o.neg_inf_rate ? kNegInf : u(rng) + o.offset; };
    Problem p;
    p.dense = dense;
    p.B = B; p.T = T; p.N = N; p.K = dense ? 1 : K;
    p.lengths.resize(size_t(B));
    std::uniform_int_distribution<int64_t> len(0, T);
    for (int64_t b = 0; b < B; ++b) p.lengths[b] = o.ragged ? len(rng) : T;
    if (B > 0 && o.ragged) p.lengths[0] = T;  // one full-length sequence
    if (dense) {
        p.potential.resize(size_t(B * T * N * N));
        for (double& v : p.potential) v = draw();
    } else {
        p.init_batched = coin(rng) < 0.5;
        p.init.resize(size_t((p.init_batched ? B : 1) * N));
        p.trans.resize(size_t(K * N * N));
        p.emit.resize(size_t(B * T * N));
        for (double& v : p.init) v = draw();
        for (double& v : p.trans) v = draw();
        for (double& v : p.emit) v = draw();
        if (K > 1) {
            p.trans_index.resize(size_t(B * T));
            std::uniform_int_distribution<int64_t> pick(0, K - 1);
            for (int64_t& k : p.trans_index) k = pick(rng);
        }
    }
    return p;
}

template <class T>
std::vector<T> cast(const std::vector<double>& v) { return std::vector<T>(v.begin(), v.end()); }

template <class T>
constexpr int dtype() { return sizeof(T) == 4 ? DIFFHMM_FLOAT32 : DIFFHMM_FLOAT64; }

// Results of every verb of one backend for one problem, as float64.
struct Results {
    std::vector<double> log_z, grad_potential, grad_init, grad_trans, grad_emit, gamma, score;
    std::vector<int64_t> path;
};

// The settings every test::Workspace starts with (core/settings.h): the planners' own choices unless
// a test forces a path for a scope (ForcePaths), whatever the environment says.
inline diffhmm::Settings& forced_settings() {
    static diffhmm::Settings s;
    return s;
}

// Forces paths for the workspaces made in a scope: the settings `change` makes to forced_settings(),
// undone at the end of the scope.
struct ForcePaths {
    diffhmm::Settings before = forced_settings();
    template <class F>
    explicit ForcePaths(F&& change) { change(forced_settings()); }
    ~ForcePaths() { forced_settings() = before; }
};

struct Workspace {
    diffhmm_workspace* ws = nullptr;
    Workspace(int backend, int threads = 0, int isa = DIFFHMM_CPU_ISA_AUTO) {
        CHECK_OK(diffhmm_workspace_create(backend, &ws));
        if (ws) {
            ws->settings = forced_settings();
            CHECK_OK(diffhmm_workspace_set_num_threads(ws, threads));
            CHECK_OK(diffhmm_workspace_set_cpu_isa(ws, isa));
        }
    }
    ~Workspace() { diffhmm_workspace_destroy(ws); }
};

template <class T>
// no_emit: a factorized problem's emissions passed as NULL (no emission scores: its emit must be all 0).
Results run_all(diffhmm_workspace* ws, const Problem& p, const std::vector<double>& grad_log_z, bool no_emit = false) {
    Results r;
    const int dt = dtype<T>();
    std::vector<T> log_z(size_t(p.B)), g = cast<T>(grad_log_z), score(size_t(p.B));
    std::vector<T> gamma(size_t(p.B * p.T * p.N));
    r.path.assign(size_t(p.B * p.T), 0);
    if (p.dense) {
        const std::vector<T> pot = cast<T>(p.potential);
        std::vector<T> grad(pot.size(), T(7));  // garbage: every element must be written
        CHECK_OK(diffhmm_forward_dense(ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), log_z.data()));
        CHECK_OK(diffhmm_backward_dense(ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), g.data(), grad.data()));
        CHECK_OK(diffhmm_viterbi_dense(ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), r.path.data(), score.data()));
        CHECK_OK(diffhmm_marginals_dense(ws, dt, 0, p.B, p.T, p.N, pot.data(), p.lengths.data(), nullptr, gamma.data()));
        r.grad_potential.assign(grad.begin(), grad.end());
    } else {
        const std::vector<T> init = cast<T>(p.init), trans = cast<T>(p.trans), emit = cast<T>(p.emit);
        const int64_t* idx = p.trans_index.empty() ? nullptr : p.trans_index.data();
        std::vector<T> gi(init.size(), T(7)), gt(trans.size(), T(7)), ge(emit.size(), T(7));
        const T* e = no_emit ? nullptr : emit.data();
        CHECK_OK(diffhmm_forward_factorized(ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched,
                                            trans.data(), idx, e, p.lengths.data(), log_z.data()));
        CHECK_OK(diffhmm_backward_factorized(ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched,
                                             trans.data(), idx, e, p.lengths.data(), g.data(),
                                             gi.data(), gt.data(), ge.data()));
        CHECK_OK(diffhmm_viterbi_factorized(ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched,
                                            trans.data(), idx, e, p.lengths.data(), r.path.data(),
                                            score.data()));
        CHECK_OK(diffhmm_marginals_factorized(ws, dt, 0, p.B, p.T, p.N, p.K, init.data(), p.init_batched,
                                              trans.data(), idx, e, p.lengths.data(), nullptr,
                                              gamma.data()));
        r.grad_init.assign(gi.begin(), gi.end());
        r.grad_trans.assign(gt.begin(), gt.end());
        r.grad_emit.assign(ge.begin(), ge.end());
    }
    r.log_z.assign(log_z.begin(), log_z.end());
    r.score.assign(score.begin(), score.end());
    r.gamma.assign(gamma.begin(), gamma.end());
    return r;
}

// Largest |a - b| over finite pairs; infinities must match exactly (returns +inf otherwise).
inline double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return std::numeric_limits<double>::infinity();
    double m = 0.0;
    for (size_t k = 0; k < a.size(); ++k) {
        if (std::isnan(a[k]) || std::isnan(b[k])) return std::numeric_limits<double>::infinity();
        if (std::isinf(a[k]) || std::isinf(b[k])) {
            if (a[k] != b[k]) return std::numeric_limits<double>::infinity();
            continue;
        }
        m = std::max(m, std::abs(a[k] - b[k]));
    }
    return m;
}

inline double max_abs(const std::vector<double>& a) {
    double m = 0.0;
    for (double v : a)
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
    return m;
}

// `what`: got within tol of want (infinities exactly).
inline void expect_close(const char* file, int line, const std::string& what, const std::vector<double>& got,
                         const std::vector<double>& want, double tol) {
    const double diff = max_abs_diff(got, want);
    if (!(diff <= tol)) {
        std::ostringstream os;
        os << what << ": max |got - want| = " << diff << " > tolerance " << tol;
        report(file, line, os.str());
    }
}

#define EXPECT_CLOSE(what, got, want, tol) test::expect_close(__FILE__, __LINE__, what, got, want, tol)

}  // namespace test
