// reference.cpp — see reference.h. Formulas: docs/formulas.md §1–2.
#include "reference/reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/random.h"

namespace diffhmm {
namespace reference {
namespace {

template <class T>
T minus_inf() { return -std::numeric_limits<T>::infinity(); }

template <class T>
T log_sum_exp(const std::vector<T>& x) {
    T m = minus_inf<T>();
    for (T v : x) m = std::max(m, v);
    if (m == minus_inf<T>()) return m;
    T s = 0;
    for (T v : x) s += std::exp(v - m);
    return m + std::log(s);
}

// score(b, t, i, j) of the dense potential this problem stands for; t = 0 reads i = 0 only.
template <class T>
T score(const Problem<T>& p, int64_t b, int64_t t, int64_t i, int64_t j) {
    if (t == 0) {
        const T* col = p.initial_col(b);
        return p.initial_row(b)[j] + (col ? col[j] : T(0));
    }
    const T* col = p.column(b, t);
    return p.matrix(b, t)[i * p.N + j] + (col ? col[j] : T(0));
}

// log_alpha [L][N] and log_beta [L][N] of one sequence, and log Z.
template <class T>
struct Messages {
    std::vector<std::vector<T>> log_alpha, log_beta;
    T log_z = 0;
};

template <class T>
Messages<T> messages(const Problem<T>& p, int64_t b) {
    const int64_t L = p.length(b), N = p.N;
    Messages<T> m;
    m.log_alpha.assign(size_t(L), std::vector<T>(size_t(N)));
    m.log_beta.assign(size_t(L), std::vector<T>(size_t(N), T(0)));
    if (L == 0) return m;
    for (int64_t j = 0; j < N; ++j) m.log_alpha[0][j] = score(p, b, 0, 0, j);
    std::vector<T> terms(static_cast<size_t>(N));
    for (int64_t t = 1; t < L; ++t)
        for (int64_t j = 0; j < N; ++j) {
            for (int64_t i = 0; i < N; ++i) terms[i] = m.log_alpha[t - 1][i] + score(p, b, t, i, j);
            m.log_alpha[t][j] = log_sum_exp(terms);
        }
    for (int64_t t = L - 1; t >= 1; --t)
        for (int64_t i = 0; i < N; ++i) {
            for (int64_t j = 0; j < N; ++j) terms[j] = score(p, b, t, i, j) + m.log_beta[t][j];
            m.log_beta[t - 1][i] = log_sum_exp(terms);
        }
    m.log_z = log_sum_exp(m.log_alpha[L - 1]);
    return m;
}

}  // namespace

template <class T>
void forward(const Problem<T>& p, T* log_z) {
    for (int64_t b = 0; b < p.B; ++b) log_z[b] = messages(p, b).log_z;
}

template <class T>
void backward(const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    const int64_t N = p.N, TT = p.T;
    if (grads.potential)
        for (int64_t e = 0; e < p.B * TT * N * N; ++e) grads.potential[e] = 0;
    if (grads.emit)
        for (int64_t e = 0; e < p.B * TT * N; ++e) grads.emit[e] = 0;
    if (grads.trans)
        for (int64_t e = 0; e < p.K * N * N; ++e) grads.trans[e] = 0;
    if (grads.init)
        for (int64_t e = 0; e < (p.init_batched ? p.B : 1) * N; ++e) grads.init[e] = 0;
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.length(b);
        const Messages<T> m = messages(p, b);
        if (L == 0 || m.log_z == minus_inf<T>()) continue;
        const T g = grad_log_z[b];
        for (int64_t t = 0; t < L; ++t) {
            for (int64_t j = 0; j < N; ++j) {
                const T gamma = std::exp(m.log_alpha[t][j] + m.log_beta[t][j] - m.log_z);
                if (grads.emit) grads.emit[(b * TT + t) * N + j] = g * gamma;
                if (t == 0 && grads.potential) grads.potential[b * TT * N * N + j] = g * gamma;
                if (t == 0 && grads.init) grads.init[(p.init_batched ? b * N : 0) + j] += g * gamma;
            }
            if (t == 0) continue;
            for (int64_t i = 0; i < N; ++i)
                for (int64_t j = 0; j < N; ++j) {
                    const T xi = std::exp(m.log_alpha[t - 1][i] + score(p, b, t, i, j) +
                                          m.log_beta[t][j] - m.log_z);
                    if (grads.potential) grads.potential[((b * TT + t) * N + i) * N + j] = g * xi;
                    if (grads.trans) grads.trans[(p.trans_of(b, t) * N + i) * N + j] += g * xi;
                }
        }
    }
}

template <class T>
void kbest(const Problem<T>& p, int64_t k, int64_t* paths, T* scores) {
    const int64_t N = p.N;
    struct Entry {
        T score;
        int64_t from_state, from_rank;
    };
    // Best first; equal scores in (state, rank) order of the step before.
    auto before = [](const Entry& a, const Entry& b) {
        if (a.score != b.score) return a.score > b.score;
        return a.from_state != b.from_state ? a.from_state < b.from_state : a.from_rank < b.from_rank;
    };
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.length(b);
        for (int64_t n = 0; n < k; ++n) {
            scores[b * k + n] = minus_inf<T>();
            for (int64_t t = 0; t < p.T; ++t) paths[(b * k + n) * p.T + t] = -1;
        }
        if (L == 0) {
            scores[b * k] = 0;
            continue;
        }
        // table[t][j]: the (up to) k best entries ending in j at step t.
        std::vector<std::vector<std::vector<Entry>>> table(static_cast<size_t>(L),
                                                           std::vector<std::vector<Entry>>(static_cast<size_t>(N)));
        for (int64_t j = 0; j < N; ++j) {
            const T s = score(p, b, 0, 0, j);
            if (s > minus_inf<T>()) table[0][j].push_back({s, -1, -1});
        }
        for (int64_t t = 1; t < L; ++t)
            for (int64_t j = 0; j < N; ++j) {
                std::vector<Entry> all;
                for (int64_t i = 0; i < N; ++i)
                    for (size_t r = 0; r < table[t - 1][i].size(); ++r) {
                        const T s = table[t - 1][i][r].score + score(p, b, t, i, j);
                        if (s > minus_inf<T>()) all.push_back({s, i, static_cast<int64_t>(r)});
                    }
                std::stable_sort(all.begin(), all.end(), before);
                if (static_cast<int64_t>(all.size()) > k) all.resize(static_cast<size_t>(k));
                table[t][j] = all;
            }
        std::vector<Entry> last;
        for (int64_t j = 0; j < N; ++j)
            for (size_t r = 0; r < table[L - 1][j].size(); ++r) last.push_back({table[L - 1][j][r].score, j, static_cast<int64_t>(r)});
        std::stable_sort(last.begin(), last.end(), before);
        for (int64_t n = 0; n < k && n < static_cast<int64_t>(last.size()); ++n) {
            scores[b * k + n] = last[n].score;
            int64_t* path = paths + (b * k + n) * p.T;
            int64_t j = last[n].from_state, r = last[n].from_rank;
            for (int64_t t = L - 1; t >= 0; --t) {
                path[t] = j;
                const Entry& e = table[t][j][r];
                j = e.from_state;
                r = e.from_rank;
            }
        }
    }
}

template <class T>
void viterbi(const Problem<T>& p, int64_t* path, T* score_out) {
    const int64_t N = p.N;
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.length(b);
        for (int64_t t = 0; t < p.T; ++t) path[b * p.T + t] = -1;
        if (L == 0) {
            score_out[b] = 0;
            continue;
        }
        std::vector<std::vector<T>> delta(static_cast<size_t>(L), std::vector<T>(static_cast<size_t>(N)));
        std::vector<std::vector<int64_t>> back(static_cast<size_t>(L), std::vector<int64_t>(static_cast<size_t>(N), 0));
        for (int64_t j = 0; j < N; ++j) delta[0][j] = score(p, b, 0, 0, j);
        for (int64_t t = 1; t < L; ++t)
            for (int64_t j = 0; j < N; ++j) {
                T best = minus_inf<T>();
                for (int64_t i = 0; i < N; ++i) {
                    const T s = delta[t - 1][i] + score(p, b, t, i, j);
                    if (s > best) {
                        best = s;
                        back[t][j] = i;
                    }
                }
                delta[t][j] = best;
            }
        int64_t arg = 0;
        for (int64_t j = 1; j < N; ++j)
            if (delta[L - 1][j] > delta[L - 1][arg]) arg = j;
        score_out[b] = delta[L - 1][arg];
        if (score_out[b] == minus_inf<T>()) continue;
        path[b * p.T + L - 1] = arg;
        for (int64_t t = L - 1; t >= 1; --t) path[b * p.T + t - 1] = back[t][path[b * p.T + t]];
    }
}

template <class T>
void marginals(const Problem<T>& p, T* log_z, T* gamma) {
    const int64_t N = p.N;
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.length(b);
        const Messages<T> m = messages(p, b);
        if (log_z) log_z[b] = m.log_z;
        for (int64_t t = 0; t < p.T; ++t)
            for (int64_t j = 0; j < N; ++j) {
                const bool real = t < L && m.log_z != minus_inf<T>();
                gamma[(b * p.T + t) * N + j] =
                    real ? std::exp(m.log_alpha[t][j] + m.log_beta[t][j] - m.log_z) : T(0);
            }
    }
}

template <class T>
void sample(const Problem<T>& p, int64_t S, uint64_t seed, int64_t* paths) {
    const int64_t N = p.N;
    std::vector<double> w(static_cast<size_t>(N));
    // Draws i with probability proportional to exp(x[i]); -1 if every x[i] is -inf.
    auto draw = [&](const std::vector<T>& x, double u) -> int64_t {
        const T m = *std::max_element(x.begin(), x.end());
        if (m == minus_inf<T>()) return -1;
        double total = 0;
        for (int64_t i = 0; i < N; ++i) total += (w[i] = std::exp(double(x[i] - m)));
        double target = u * total;
        int64_t last = -1;
        for (int64_t i = 0; i < N; ++i) {
            if (w[i] <= 0) continue;
            last = i;
            if ((target -= w[i]) < 0) return i;
        }
        return last;
    };
    std::vector<T> x(static_cast<size_t>(N));
    for (int64_t b = 0; b < p.B; ++b) {
        const int64_t L = p.length(b);
        for (int64_t e = 0; e < S * p.T; ++e) paths[b * S * p.T + e] = -1;
        const Messages<T> m = messages(p, b);
        if (L == 0 || m.log_z == minus_inf<T>()) continue;
        for (int64_t s = 0; s < S; ++s) {
            int64_t* path = paths + (b * S + s) * p.T;
            int64_t z = draw(m.log_alpha[L - 1], uniform01(seed, b, s, L - 1));
            path[L - 1] = z;
            for (int64_t t = L - 1; t >= 1 && z >= 0; --t) {
                for (int64_t i = 0; i < N; ++i) x[i] = m.log_alpha[t - 1][i] + score(p, b, t, i, z);
                z = draw(x, uniform01(seed, b, s, t - 1));
                path[t - 1] = z;
            }
        }
    }
}

#define DIFFHMM_INSTANTIATE(T)                                                      \
    template void forward<T>(const Problem<T>&, T*);                                \
    template void backward<T>(const Problem<T>&, const T*, const Grads<T>&);        \
    template void viterbi<T>(const Problem<T>&, int64_t*, T*);                      \
    template void kbest<T>(const Problem<T>&, int64_t, int64_t*, T*);               \
    template void marginals<T>(const Problem<T>&, T*, T*);                          \
    template void sample<T>(const Problem<T>&, int64_t, uint64_t, int64_t*);
DIFFHMM_INSTANTIATE(float)
DIFFHMM_INSTANTIATE(double)
#undef DIFFHMM_INSTANTIATE

}  // namespace reference
}  // namespace diffhmm
