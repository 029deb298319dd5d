// oracle.h — the top rung of the test ladder: brute-force enumeration of every path of a tiny
// problem (N^L paths per sequence), giving log Z, the gradients, Viterbi and node marginals from
// their definitions, independent of any recursion.
#pragma once

#include <algorithm>

#include "harness.h"

namespace test {

inline Results enumerate(const Problem& p, const std::vector<double>& g) {
    const int64_t B = p.B, T = p.T, N = p.N;
    Results r;
    r.log_z.assign(size_t(B), 0.0);
    r.score.assign(size_t(B), 0.0);
    r.path.assign(size_t(B * T), -1);
    r.gamma.assign(size_t(B * T * N), 0.0);
    if (p.dense) r.grad_potential.assign(size_t(B * T * N * N), 0.0);
    else {
        r.grad_init.assign(p.init.size(), 0.0);
        r.grad_trans.assign(p.trans.size(), 0.0);
        r.grad_emit.assign(p.emit.size(), 0.0);
    }
    for (int64_t b = 0; b < B; ++b) {
        const int64_t L = p.lengths[b];
        if (L == 0) continue;
        int64_t count = 1;
        for (int64_t t = 0; t < L; ++t) count *= N;
        std::vector<double> scores(static_cast<size_t>(count));
        std::vector<int64_t> z(static_cast<size_t>(L));
        auto decode = [&](int64_t code) {
            for (int64_t t = L - 1; t >= 0; --t) { z[t] = code % N; code /= N; }
        };
        double best = kNegInf;
        int64_t best_code = -1;
        for (int64_t c = 0; c < count; ++c) {
            decode(c);
            double s = p.score(b, 0, 0, z[0]);
            for (int64_t t = 1; t < L; ++t) s += p.score(b, t, z[t - 1], z[t]);
            scores[c] = s;
            if (s > best) { best = s; best_code = c; }
        }
        const double m = *std::max_element(scores.begin(), scores.end());
        double sum = 0.0;
        if (m != kNegInf) for (double s : scores) sum += std::exp(s - m);
        const double log_z = m == kNegInf ? kNegInf : m + std::log(sum);
        r.log_z[b] = log_z;
        r.score[b] = best;
        if (best_code >= 0 && best != kNegInf) {
            decode(best_code);
            for (int64_t t = 0; t < L; ++t) r.path[b * T + t] = z[t];
        }
        if (log_z == kNegInf) continue;
        for (int64_t c = 0; c < count; ++c) {
            const double w = std::exp(scores[c] - log_z);
            if (w == 0.0) continue;
            decode(c);
            for (int64_t t = 0; t < L; ++t) r.gamma[(b * T + t) * N + z[t]] += w;
            if (p.dense) {
                r.grad_potential[b * T * N * N + z[0]] += g[b] * w;
                for (int64_t t = 1; t < L; ++t) r.grad_potential[((b * T + t) * N + z[t - 1]) * N + z[t]] += g[b] * w;
            } else {
                r.grad_init[(p.init_batched ? b * N : 0) + z[0]] += g[b] * w;
                for (int64_t t = 0; t < L; ++t) r.grad_emit[(b * T + t) * N + z[t]] += g[b] * w;
                for (int64_t t = 1; t < L; ++t) {
                    const int64_t k = p.trans_index.empty() ? 0 : p.trans_index[b * T + t];
                    r.grad_trans[(k * N + z[t - 1]) * N + z[t]] += g[b] * w;
                }
            }
        }
    }
    return r;
}

}  // namespace test
