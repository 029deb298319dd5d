// chunk_test.cpp — the CUDA kernels' arithmetic (src/cuda/chunk_math.h) on the host, so it is checked
// on every machine and not only where a GPU runs the kernels that use it. The pipelined α kernel's
// base-2 log-sum-exp: one sequence swept as the kernel sweeps it (four lanes per state merged in the
// shuffles' order, the shift one step late, the tape back in natural logs) against the float64
// reference. The chunked scan: chunk transfers built step by
// step as the transfer kernel builds them (column-shifted step matrices exponentiated once, rows
// exponentiated once, their product, the exact log-space recomputation of underflowing entries), α
// carried forward and β carried back across the chunks, compared at every chunk boundary with a plain
// float64 forward and backward recursion, and log Z with the float64 reference backend. Random
// problems of both forms, −inf structure, sequences without a path, lengths 0 and 1, and a problem
// built so float32 sums underflow where it matters (the recomputation must happen, and without it the
// check fails).
#include <algorithm>

#include "cuda/chunk_math.h"
#include "harness.h"
#include "ladder.h"

namespace chunk = diffhmm::cuda::chunk;

namespace {

// Step t ≥ 1 of sequence b as the kernels see it: the N×N matrix and the column added after it.
template <class T>
void step_of(const test::Problem& p, int64_t b, int64_t t, std::vector<T>& m, std::vector<T>& col) {
    const int64_t N = p.N;
    m.resize(static_cast<size_t>(N * N));
    col.assign(size_t(N), T(0));
    if (p.dense) {
        for (int64_t e = 0; e < N * N; ++e) m[e] = T(p.potential[(b * p.T + t) * N * N + e]);
        return;
    }
    const int64_t k = p.trans_index.empty() ? 0 : p.trans_index[b * p.T + t];
    for (int64_t e = 0; e < N * N; ++e) m[e] = T(p.trans[k * N * N + e]);
    for (int64_t j = 0; j < N; ++j) col[j] = T(p.emit[(b * p.T + t) * N + j]);
}

template <class T>
struct Transfer {
    std::vector<T> lr;        // [N][N], each reachable row's maximum 0
    std::vector<double> off;  // [N], −inf for a row that reaches nothing
    int fallbacks = 0;
};

// A chunk's transfer as chunk_transfer_kernel computes it. `recompute` false drops the log-space
// recomputation (entries keep log(sum) + shift), to show the tests below depend on it.
template <class T>
Transfer<T> transfer(const test::Problem& p, int64_t b, chunk::Span s, bool recompute = true) {
    const int64_t N = p.N;
    Transfer<T> x;
    x.lr.assign(size_t(N * N), chunk::neg_inf<T>());
    for (int64_t r = 0; r < N; ++r) x.lr[r * N + r] = T(0);
    x.off.assign(size_t(N), 0.0);
    const T tiny = chunk::tiny<T>(N);
    std::vector<T> m, col, shift(static_cast<size_t>(N)), E(static_cast<size_t>(N * N)), R(static_cast<size_t>(N * N)), next(static_cast<size_t>(N * N));
    for (int64_t t = s.first; t < s.end; ++t) {
        step_of(p, b, t, m, col);
        for (int64_t j = 0; j < N; ++j) shift[j] = chunk::column_shift(m.data(), N, col[j], N, j);
        for (int64_t k = 0; k < N; ++k)
            for (int64_t j = 0; j < N; ++j)
                E[k * N + j] = shift[j] > chunk::neg_inf<T>() ? chunk::exp_t(m[k * N + j] + col[j] - shift[j]) : T(0);
        for (int64_t e = 0; e < N * N; ++e) R[e] = chunk::exp_t(x.lr[e]);
        for (int64_t r = 0; r < N; ++r)
            for (int64_t j = 0; j < N; ++j) {
                T sum = 0;
                for (int64_t k = 0; k < N; ++k) sum += R[r * N + k] * E[k * N + j];
                auto exact = [&] {
                    return recompute ? chunk::exact_entry(&x.lr[r * N], m.data(), N, col[j], N, j)
                                     : (sum > T(0) ? chunk::log_t(sum) + shift[j] : chunk::neg_inf<T>());
                };
                next[r * N + j] = chunk::finish_entry(sum, shift[j], tiny, exact, &x.fallbacks);
            }
        for (int64_t r = 0; r < N; ++r) {
            T mx = chunk::neg_inf<T>();
            for (int64_t j = 0; j < N; ++j) mx = std::max(mx, next[r * N + j]);
            const T sh = mx > chunk::neg_inf<T>() ? mx : T(0);
            for (int64_t j = 0; j < N; ++j) x.lr[r * N + j] = next[r * N + j] - sh;
            x.off[r] = mx > chunk::neg_inf<T>() ? x.off[r] + double(sh) : -INFINITY;
        }
    }
    return x;
}

// A log-space row re-centred on its maximum: row + offset are the absolute values.
template <class T>
void recentre(const std::vector<double>& v, std::vector<T>& row, double& offset) {
    double mx = -INFINITY;
    for (double x : v) mx = std::max(mx, x);
    offset = mx > -INFINITY ? mx : 0.0;
    row.resize(v.size());
    for (size_t k = 0; k < v.size(); ++k) row[k] = T(v[k] - offset);
}

template <class T>
std::vector<double> absolute(const std::vector<T>& row, double offset) {
    std::vector<double> v(row.size());
    for (size_t k = 0; k < row.size(); ++k) v[k] = double(row[k]) + offset;
    return v;
}

double lse(const std::vector<double>& v) {
    double mx = -INFINITY;
    for (double x : v) mx = std::max(mx, x);
    if (mx == -INFINITY) return mx;
    double s = 0;
    for (double x : v) s += std::exp(x - mx);
    return mx + std::log(s);
}

// Plain float64 log α_t and log β_t of sequence b, every step.
void plain_messages(const test::Problem& p, int64_t b, std::vector<std::vector<double>>& alpha,
                    std::vector<std::vector<double>>& beta) {
    const int64_t N = p.N, L = p.lengths[b];
    alpha.assign(size_t(L), std::vector<double>(size_t(N)));
    beta.assign(size_t(L), std::vector<double>(size_t(N), 0.0));
    std::vector<double> terms(static_cast<size_t>(N));
    for (int64_t j = 0; j < N && L > 0; ++j) alpha[0][j] = p.score(b, 0, 0, j);
    for (int64_t t = 1; t < L; ++t)
        for (int64_t j = 0; j < N; ++j) {
            for (int64_t i = 0; i < N; ++i) terms[i] = alpha[t - 1][i] + p.score(b, t, i, j);
            alpha[t][j] = lse(terms);
        }
    for (int64_t t = L - 1; t >= 1; --t)
        for (int64_t i = 0; i < N; ++i) {
            for (int64_t j = 0; j < N; ++j) terms[j] = p.score(b, t, i, j) + beta[t][j];
            beta[t - 1][i] = lse(terms);
        }
}

struct Outcome {
    int fallbacks = 0;   // entries recomputed in log space
    int mismatches = 0;  // boundaries (or log Z) outside the tolerance
};

// Carries α forward and β back across `chunks` chunks of every sequence with the transfers and
// compares each boundary (and log Z) with the float64 recursion. Mismatches are reported as
// failures when `report`, else only counted.
template <class T>
Outcome check_chunked(const std::string& what, const test::Problem& p, int64_t chunks, double tol,
                      bool recompute = true, bool report = true) {
    const int64_t N = p.N;
    Outcome out;
    auto compare = [&](const std::string& label, const std::vector<double>& got, const std::vector<double>& want,
                       double tolerance) {
        if (test::max_abs_diff(got, want) <= tolerance) return;
        ++out.mismatches;
        if (report) EXPECT_CLOSE(label, got, want, tolerance);
    };
    test::Workspace ref(DIFFHMM_BACKEND_REFERENCE);
    const test::Results want = test::run_all<double>(ref.ws, p, std::vector<double>(size_t(p.B), 1.0));
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.lengths[b];
        if (L == 0) continue;
        const std::string at = what + " C=" + std::to_string(chunks) + " b=" + std::to_string(b);
        std::vector<std::vector<double>> alpha, beta;
        plain_messages(p, b, alpha, beta);
        std::vector<Transfer<T>> xs(static_cast<size_t>(chunks));
        for (int64_t c = 0; c < chunks; ++c) {
            const chunk::Span s = chunk::span(L, chunks, c);
            if (s.empty()) continue;
            xs[c] = transfer<T>(p, b, s, recompute);
            out.fallbacks += xs[c].fallbacks;
        }
        // α: step 0 from the initial scores, then across each chunk (as chunk_alpha_kernel does).
        std::vector<double> v(static_cast<size_t>(N));
        for (int64_t j = 0; j < N; ++j) v[j] = double(T(p.score(b, 0, 0, j)));
        std::vector<T> a, w(static_cast<size_t>(N));
        double a_off = 0;
        recentre(v, a, a_off);
        int64_t t_end = 1;
        for (int64_t c = 0; c < chunks; ++c) {
            const chunk::Span s = chunk::span(L, chunks, c);
            if (s.empty()) break;
            const Transfer<T>& x = xs[c];
            double base = -INFINITY;
            for (int64_t r = 0; r < N; ++r)
                if (a[r] > chunk::neg_inf<T>()) base = std::max(base, double(a[r]) + a_off + x.off[r]);
            for (int64_t r = 0; r < N; ++r)
                w[r] = a[r] > chunk::neg_inf<T>() && base > -INFINITY ? T(double(a[r]) + a_off + x.off[r] - base)
                                                                      : chunk::neg_inf<T>();
            for (int64_t j = 0; j < N; ++j) v[j] = double(chunk::alpha_across(w.data(), x.lr.data(), N, j)) + base;
            recentre(v, a, a_off);
            t_end = s.end;
            compare(at + " alpha after chunk " + std::to_string(c), absolute(a, a_off), alpha[t_end - 1],
                    tol * double(t_end));
        }
        compare(at + " log Z", std::vector<double>{lse(absolute(a, a_off))}, std::vector<double>{want.log_z[b]},
                tol * double(L));
        // β: 0 after the last step, then back across chunks last .. 1 (as chunk_beta_kernel does).
        std::vector<T> be(size_t(N), T(0));
        double be_off = 0;
        for (int64_t c = chunk::last_chunk(L, chunks); c >= 1; --c) {
            const chunk::Span s = chunk::span(L, chunks, c);
            const Transfer<T>& x = xs[c];
            for (int64_t r = 0; r < N; ++r)
                v[r] = x.off[r] > -INFINITY ? double(chunk::beta_across(be.data(), x.lr.data(), N, r)) + x.off[r] + be_off
                                            : -INFINITY;
            recentre(v, be, be_off);
            compare(at + " beta before chunk " + std::to_string(c), absolute(be, be_off), beta[s.first - 1],
                    tol * double(L - s.first + 1));
        }
    }
    return out;
}

// Random scores for N states: unnormalised (offset by N's parity), −inf structure at N = 33.
test::Options options_for(int64_t N) {
    test::Options o;
    o.offset = N % 2 ? 1.5 : -0.5;
    o.neg_inf_rate = N == 33 ? 0.3 : 0.0;
    return o;
}

// Tolerance per step of the chain: a few rounding errors of T on scores of magnitude `scale`.
template <class T>
double per_step(double scale) {
    return 16.0 * double(std::numeric_limits<T>::epsilon()) * (1.0 + scale);
}

// Sequence b's α as alpha_pipelined_kernel computes it in float32 base 2 (pipelined.cuh): returns log Z
// and writes the tape (natural logs, offsets) into la [L][N] and off [L].
double pipelined_alpha(const test::Problem& p, int64_t b, std::vector<float>& la, std::vector<double>& off) {
    const int64_t N = p.N, L = p.lengths[b];
    const float in = float(chunk::kLog2e);
    const double out = 1.0 / chunk::kLog2e;
    la.assign(static_cast<size_t>(L * N), 0.0f);
    off.assign(static_cast<size_t>(L), 0.0);
    if (L == 0) return 0.0;
    std::vector<float> prev(static_cast<size_t>(N)), raw(static_cast<size_t>(N)), m, col;
    auto recentre = [&](int64_t t, float& shift, double& offset) {
        float mx = chunk::neg_inf<float>();
        for (float v : raw) mx = std::max(mx, v);
        shift = mx > chunk::neg_inf<float>() ? mx : 0.0f;
        offset += double(shift) * out;
        for (int64_t j = 0; j < N; ++j) la[size_t(t * N + j)] = float(double(raw[j] - shift) * out);
        off[size_t(t)] = offset;
        prev = raw;
    };
    for (int64_t j = 0; j < N; ++j) raw[j] = float(p.score(b, 0, 0, j)) * in;
    if (!p.dense)  // factorized: init and emission enter as the kernel adds them, in float32
        for (int64_t j = 0; j < N; ++j)
            raw[j] = (float(p.init[(p.init_batched ? b * N : 0) + j]) + float(p.emit[(b * p.T) * N + j])) * in;
    float shift = 0;
    double offset = 0;
    recentre(0, shift, offset);
    for (int64_t t = 1; t < L; ++t) {
        step_of(p, b, t, m, col);
        for (int64_t j = 0; j < N; ++j) {
            float lm[4], ls[4];
            for (int q = 0; q < 4; ++q) {
                lm[q] = chunk::neg_inf<float>();
                ls[q] = 0.0f;
                for (int64_t i = q; i < N; i += 4) chunk::lse_push<chunk::Base2>(lm[q], ls[q], std::fma(m[i * N + j], in, prev[i]));
            }
            // The owner lane (q = 0) after the shuffles: merge with lane 1, then with lanes 2+3's merge.
            float m01 = lm[0], s01 = ls[0], m23 = lm[2], s23 = ls[2];
            chunk::lse_merge<chunk::Base2>(m01, s01, lm[1], ls[1]);
            chunk::lse_merge<chunk::Base2>(m23, s23, lm[3], ls[3]);
            chunk::lse_merge<chunk::Base2>(m01, s01, m23, s23);
            const float v = chunk::lse_value<chunk::Base2>(m01, s01);
            raw[j] = v == chunk::neg_inf<float>() ? v : v - shift + (p.dense ? 0.0f : col[j] * in);
        }
        recentre(t, shift, offset);
    }
    double sum = 0;
    for (int64_t j = 0; j < N; ++j)
        if (prev[j] > chunk::neg_inf<float>()) sum += std::exp2(double(prev[j]) - double(shift));
    return sum > 0 ? offset + std::log(sum) : -INFINITY;
}

}  // namespace

TEST(pipelined_base2_alpha_matches_reference) {
    std::mt19937_64 rng(303);
    for (int64_t N : {1, 5, 33, 50}) {
        const test::Options o = options_for(N);
        for (bool dense : {true, false}) {
            test::Problem p = test::random_problem(rng, dense, 4, 200, N, 3, o);
            p.lengths[1] = 1;
            p.lengths[2] = 0;
            test::Workspace ref(DIFFHMM_BACKEND_REFERENCE);
            const test::Results want = test::run_all<double>(ref.ws, p, std::vector<double>(size_t(p.B), 1.0));
            for (int64_t b = 0; b < p.B; ++b) {
                std::vector<float> la;
                std::vector<double> off;
                const double log_z = pipelined_alpha(p, b, la, off);
                std::vector<std::vector<double>> alpha, beta;
                plain_messages(p, b, alpha, beta);
                const std::string at = std::string(dense ? "dense" : "factorized") + " N=" + std::to_string(N) +
                                       " b=" + std::to_string(b);
                const double tol = per_step<float>(o.scale + 2);
                for (int64_t t = 0; t < p.lengths[b]; ++t) {
                    std::vector<double> got(static_cast<size_t>(N));
                    for (int64_t j = 0; j < N; ++j) got[j] = double(la[size_t(t * N + j)]) + off[size_t(t)];
                    EXPECT_CLOSE(at + " log alpha t=" + std::to_string(t), got, alpha[t], tol * double(t + 1));
                }
                EXPECT_CLOSE(at + " log Z", std::vector<double>{log_z}, std::vector<double>{want.log_z[b]},
                             tol * double(std::max<int64_t>(1, p.lengths[b])));
            }
        }
    }
}

TEST(chunk_spans_cover_every_transition_once) {
    for (int64_t L : {0, 1, 2, 3, 7, 100, 3000})
        for (int64_t C : {1, 2, 3, 16, 64}) {
            std::vector<int> seen(size_t(std::max<int64_t>(L, 1)), 0);
            int64_t last = -1;
            for (int64_t c = 0; c < C; ++c) {
                const chunk::Span s = chunk::span(L, C, c);
                if (s.empty()) continue;
                CHECK_MSG(last == c - 1, "L=" << L << " C=" << C << ": chunk " << c << " follows an empty one");
                last = c;
                for (int64_t t = s.first; t < s.end; ++t) ++seen[size_t(t)];
            }
            for (int64_t t = 1; t < L; ++t) CHECK_MSG(seen[size_t(t)] == 1, "L=" << L << " C=" << C << " t=" << t);
            CHECK_MSG(chunk::last_chunk(L, C) == std::max<int64_t>(last, 0), "L=" << L << " C=" << C);
            if (L > 1) CHECK(chunk::span(L, C, chunk::last_chunk(L, C)).end == L);
        }
}

TEST(chunk_transfers_carry_alpha_and_beta_exactly) {
    std::mt19937_64 rng(301);
    for (int64_t N : {1, 5, 33, 50}) {
        const test::Options o = options_for(N);
        test::Problem dense = test::random_problem(rng, true, 4, 120, N, 1, o);
        dense.lengths[1] = 1;
        dense.lengths[2] = 0;
        test::Problem fact = test::random_problem(rng, false, 3, 160, N, 3, o);
        for (int64_t C : {1, 2, 7, 16}) {
            const std::string n = " N=" + std::to_string(N);
            check_chunked<double>("float64 dense" + n, dense, C, per_step<double>(o.scale + 2));
            check_chunked<float>("float32 dense" + n, dense, C, per_step<float>(o.scale + 2));
            check_chunked<double>("float64 factorized" + n, fact, C, per_step<double>(o.scale + 2));
            check_chunked<float>("float32 factorized" + n, fact, C, per_step<float>(o.scale + 2));
        }
    }
    // A sequence with no path: every boundary −inf, log Z −inf.
    test::Problem dead = test::random_problem(rng, true, 2, 40, 6, 1);
    for (int64_t e = 0; e < 36; ++e) dead.potential[(0 * 40 + 17) * 36 + e] = test::kNegInf;
    check_chunked<float>("no path", dead, 4, per_step<float>(4));
}

// test::trap_problem (ladder.h): float32 sums underflow inside chunks where it matters. The
// recomputation keeps those entries exact; without it the boundaries are wrong (so the check can see it).
TEST(chunk_transfers_recompute_underflowing_entries) {
    std::mt19937_64 rng(302);
    for (bool dense : {true, false}) {
        const test::Problem p = test::trap_problem(rng, dense);
        const std::string what = dense ? "trap dense" : "trap factorized";
        const Outcome exact = check_chunked<float>(what, p, 6, per_step<float>(62));
        CHECK_MSG(exact.fallbacks > 0, what << ": no entry underflowed, so the recomputation was not exercised");
        check_chunked<double>(what + " float64", p, 6, per_step<double>(62));
        const Outcome dropped = check_chunked<float>(what, p, 6, per_step<float>(62), false, false);
        CHECK_MSG(dropped.mismatches > 0, what << ": dropping the recomputation changed nothing the check can see");
    }
}
