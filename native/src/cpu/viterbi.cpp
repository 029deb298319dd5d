// viterbi.cpp — CPU Viterbi: the message sweep (sweep.h) in the max-plus semiring with back-pointers
// ([B][T][N] int32 in the workspace), then a backtrace. Rows are re-centred on their maximum every
// step (offset kept in float64), so float32 decisions compare numbers of moderate size at any
// length. Ties go to the lowest index (strict > in the kernel, first maximum at the end).
#include <algorithm>

#include "cpu/cpu.h"
#include "cpu/sweep.h"

namespace diffhmm {
namespace cpu {

template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score) {
    const Plan plan = Plan::of(ws, p);
    const int64_t N = p.N, S = p.max_length();
    struct Rows {
        const Problem<T>& p;
        int64_t* path;
        T* score;
        int32_t* back;    // [B][S][N], S the longest sequence
        int64_t S;
        T* scratch;       // two rows per slot, used in turn
        T* row(int64_t, int64_t t, int slot) const { return scratch + (slot * 2 + (t & 1)) * p.N; }
        int32_t* extra(int64_t b, int64_t t) const { return back + (b * S + t) * p.N; }
        void offset(int64_t, int64_t, double) const {}
        void empty(int64_t b) const {
            std::fill(path + b * p.T, path + (b + 1) * p.T, int64_t(-1));
            score[b] = T(0);
        }
        void finish(int64_t b, int64_t L, const T* last, double offset) const {
            int64_t* best = path + b * p.T;
            std::fill(best, best + p.T, int64_t(-1));
            int64_t arg = 0;
            for (int64_t j = 1; j < p.N; ++j)
                if (last[j] > last[arg]) arg = j;
            if (last[arg] == minus_inf<T>()) {
                score[b] = minus_inf<T>();  // no finite path: the path stays -1
                return;
            }
            score[b] = T(offset + double(last[arg]));
            best[L - 1] = arg;
            const int32_t* bp = back + b * S * p.N;
            for (int64_t t = L - 1; t >= 1; --t) best[t - 1] = bp[t * p.N + best[t]];
        }
    } rows{p, path, score, state(ws).back.as<int32_t>(size_t(std::max<int64_t>(1, p.B * S * N))), S,
           state(ws).scratch.as<T>(size_t(2 * N) * size_t(plan.threads))};
    message_sweep(ws, p, MaxPlusSweep{}, rows);
}

template void viterbi<float>(diffhmm_workspace&, const Problem<float>&, int64_t*, float*);
template void viterbi<double>(diffhmm_workspace&, const Problem<double>&, int64_t*, double*);

}  // namespace cpu
}  // namespace diffhmm
