// sample.cpp — CPU posterior sampling by forward filtering, backward sampling: an α sweep into the
// auxiliary store, then per sample z_{L-1} ~ α_{L-1} and z_{t-1} ~ α_{t-1}(i)·exp(score_t(i, z_t))
// (the column term of step t is the same for every i and cancels). Random numbers: core/random.h.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/random.h"
#include "cpu/cpu.h"
#include "cpu/sweep.h"

namespace diffhmm {
namespace cpu {
namespace {

// Index drawn with probability proportional to exp(x[i]) (x may hold -inf); -1 if all are -inf.
template <class T>
int64_t draw(const T* x, int64_t stride, int64_t N, double u, double* weights) {
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < N; ++i) m = std::max(m, double(x[i * stride]));
    if (m == -std::numeric_limits<double>::infinity()) return -1;
    double total = 0.0;
    for (int64_t i = 0; i < N; ++i) total += (weights[i] = std::exp(double(x[i * stride]) - m));
    double target = u * total;
    int64_t last = -1;
    for (int64_t i = 0; i < N; ++i) {
        if (weights[i] <= 0.0) continue;
        last = i;
        if ((target -= weights[i]) < 0.0) return i;
    }
    return last;  // rounding left target >= 0: the last state with weight
}

}  // namespace

template <class T>
void sample(diffhmm_workspace& ws, const Problem<T>& p, int64_t S, uint64_t seed, int64_t* paths) {
    const AlphaView<T> alpha = alpha_view(state(ws).aux_alpha, p);
    alpha_sweep(ws, p, alpha);
    const Plan plan = Plan::of(ws, p);
    const int64_t N = p.N;
    // Per unit: the weights of one draw (float64) and the scores of one column (T).
    double* weights = state(ws).accum.as<double>(size_t(N) * size_t(plan.threads));
    T* column = state(ws).scratch.as<T>(size_t(N) * size_t(plan.threads));
    plan.over_batch(p.B, [&](int64_t b, int unit) {
        int64_t* out = paths + b * S * p.T;
        std::fill(out, out + S * p.T, int64_t(-1));
        const int64_t L = p.length(b);
        if (L == 0 || alpha.log_z[b] == -std::numeric_limits<double>::infinity()) return;
        const T* la = alpha.messages(b);
        double* w = weights + unit * N;
        T* x = column + unit * N;
        for (int64_t s = 0; s < S; ++s) {
            int64_t* path = out + s * p.T;
            int64_t z = draw(la + (L - 1) * N, 1, N, uniform01(seed, b, s, L - 1), w);
            path[L - 1] = z;
            for (int64_t t = L - 1; t >= 1 && z >= 0; --t) {
                const T* mat = p.matrix(b, t);
                for (int64_t i = 0; i < N; ++i) x[i] = la[(t - 1) * N + i] + mat[i * N + z];
                z = draw(x, 1, N, uniform01(seed, b, s, t - 1), w);
                path[t - 1] = z;
            }
        }
    });
}

template void sample<float>(diffhmm_workspace&, const Problem<float>&, int64_t, uint64_t, int64_t*);
template void sample<double>(diffhmm_workspace&, const Problem<double>&, int64_t, uint64_t, int64_t*);

}  // namespace cpu
}  // namespace diffhmm
