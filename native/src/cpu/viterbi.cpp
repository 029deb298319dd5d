// viterbi.cpp — CPU Viterbi: the forward recursion in the max-plus semiring with back-pointers
// ([B][T][N] int32 in the workspace), then a backtrace. Messages are re-centred on their maximum
// every step (offset kept in float64), so float32 decisions compare numbers of moderate size at
// any length. Ties go to the lowest index (strict > in the kernel, first maximum at the end).
#include <cstring>
#include <string>

#include "cpu/cpu.h"
#include "cpu/sweep.h"

namespace diffhmm {
namespace cpu {

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score) {
    const Kernels<T>& k = kernels<T>(ws.cpu_isa);
    const Plan plan = Plan::of(ws, p);
    const int64_t N = p.N;
    int32_t* back = ws.back.as<int32_t>(size_t(std::max<int64_t>(1, p.B * p.T * N)));
    T* scratch = ws.scratch.as<T>(size_t(2 * N) * size_t(plan.threads));
    std::atomic<bool> bad{false};
    plan.over_batch(p.B, [&](int64_t b, int unit) {
        const int64_t L = p.length(b);
        int64_t* best_path = path + b * p.T;
        for (int64_t t = 0; t < p.T; ++t) best_path[t] = -1;
        if (L == 0) {
            score[b] = T(0);
            return;
        }
        T* prev = scratch + unit * 2 * N;
        T* cur = prev + N;
        int32_t* bp = back + b * p.T * N;
        const bool seen_bad = initial_scores(p, b, prev);
        double offset = normalize(prev, N);
        for (int64_t t = 1; t < L; ++t) {
            const T* mat = p.matrix(b, t);
            const T* colt = p.column(b, t);
            plan.over_states(N, unit, [&](int64_t j0, int64_t j1, int) {
                if (k.viterbi_step(prev, mat, colt, cur, bp + t * N, N, j0, j1, p.check_values))
                    bad.store(true, std::memory_order_relaxed);
            });
            offset += normalize(cur, N);
            std::swap(prev, cur);
        }
        if (seen_bad) bad.store(true, std::memory_order_relaxed);
        int64_t arg = 0;
        for (int64_t j = 1; j < N; ++j)
            if (prev[j] > prev[arg]) arg = j;
        if (prev[arg] == minus_inf<T>()) {
            score[b] = minus_inf<T>();  // no finite path: the path stays -1
            return;
        }
        score[b] = T(offset + double(prev[arg]));
        best_path[L - 1] = arg;
        for (int64_t t = L - 1; t >= 1; --t) best_path[t - 1] = bp[t * N + best_path[t]];
    });
    if (bad.load()) fail(DIFFHMM_ERROR_INVALID_VALUE, find_invalid_value(p));
}

template void viterbi<float>(diffhmm_workspace&, const Problem<float>&, int64_t*, float*);
template void viterbi<double>(diffhmm_workspace&, const Problem<double>&, int64_t*, double*);

}  // namespace cpu
}  // namespace diffhmm
