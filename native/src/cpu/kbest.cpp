// kbest.cpp — CPU k-best Viterbi: the message sweep (sweep.h) in the k-max-plus semiring. A row holds,
// for every state j, the k best scores of paths ending in j (best first) and, per entry, a
// back-pointer to the (state, rank) it extends; then k backtraces. Order: higher score first; equal
// scores keep the lower (state, rank) of the step before — over whole paths, the reversed path
// compared lexicographically (last state first), so k = 1 is Viterbi and its tie rule. Paths with
// score -inf are not paths: fewer than k finite ones leave the rest -1 with score -inf.
// Tested against enumeration of every path (tests/kbest_test.cpp).
#include <algorithm>
#include <vector>

#include "core/kmax.h"
#include "cpu/cpu.h"
#include "cpu/sweep.h"

namespace diffhmm {
namespace cpu {
namespace {

// The k-max-plus semiring: rows of N·k values, back-pointers i·k + r (or -1).
struct KMaxPlusSweep {
    int64_t k;
    int64_t width(int64_t N) const { return N * k; }

    template <class T>
    bool initial(const Problem<T>& p, int64_t b, T* row) const {
        std::vector<T> first(size_t(p.N));
        const bool bad = initial_scores(p, b, first.data());
        for (int64_t j = 0; j < p.N; ++j) {
            std::fill(row + j * k, row + (j + 1) * k, minus_inf<T>());
            row[j * k] = first[size_t(j)];
        }
        return bad;
    }

    template <class T>
    bool step(const Kernels<T>&, const T* prev, const T* mat, const T* col, T* out, int32_t* back, int64_t N,
              int64_t j0, int64_t j1, bool check, int) const {
        bool bad = false;
        for (int64_t j = j0; j < j1; ++j) {
            T* value = out + j * k;
            int32_t* from = back + j * k;
            std::fill(value, value + k, minus_inf<T>());
            std::fill(from, from + k, int32_t(-1));
            for (int64_t i = 0; i < N; ++i) {
                const T x = mat[i * N + j];
                if (check) bad |= invalid_value(x);
                const T* src = prev + i * k;
                for (int64_t r = 0; r < k; ++r) {  // src is sorted: stop once nothing can enter
                    const T s = src[r] + x;
                    if (!(s > value[k - 1])) break;
                    offer(value, from, k, s, int32_t(i * k + r));
                }
            }
            if (col != nullptr) {
                if (check) bad |= invalid_value(col[j]);
                for (int64_t r = 0; r < k; ++r) value[r] += col[j];
            }
        }
        return bad;
    }
};

}  // namespace

template <class T>
void kbest(diffhmm_workspace& ws, const Problem<T>& p, int64_t k, int64_t* paths, T* scores) {
    const Plan plan = Plan::of(ws, p);
    const int64_t N = p.N, width = N * k, S = p.max_length();
    struct Rows {
        const Problem<T>& p;
        int64_t k;
        int64_t* paths;   // [B][k][T]
        T* scores;        // [B][k]
        int32_t* back;    // [B][S][N][k], S the longest sequence
        int64_t S;
        T* scratch;       // two rows of N·k per slot, used in turn
        T* row(int64_t, int64_t t, int slot) const { return scratch + (slot * 2 + (t & 1)) * p.N * k; }
        int32_t* extra(int64_t b, int64_t t) const { return back + (b * S + t) * p.N * k; }
        void offset(int64_t, int64_t, double) const {}
        void clear(int64_t b) const {
            std::fill(paths + b * k * p.T, paths + (b + 1) * k * p.T, int64_t(-1));
            std::fill(scores + b * k, scores + (b + 1) * k, minus_inf<T>());
        }
        void empty(int64_t b) const {
            clear(b);
            scores[b * k] = T(0);  // the empty path, once
        }
        void finish(int64_t b, int64_t L, const T* last, double offset) const {
            clear(b);
            // The k best over (state, rank), in (state, rank) order on ties.
            std::vector<T> best(size_t(k), minus_inf<T>());
            std::vector<int32_t> where(size_t(k), -1);
            for (int64_t j = 0; j < p.N; ++j)
                for (int64_t r = 0; r < k; ++r) {
                    if (!(last[j * k + r] > best[size_t(k - 1)])) break;
                    offer(best.data(), where.data(), k, last[j * k + r], int32_t(j * k + r));
                }
            const int32_t* bp = back + b * S * p.N * k;
            for (int64_t n = 0; n < k && where[size_t(n)] >= 0; ++n) {
                int64_t* path = paths + (b * k + n) * p.T;
                scores[b * k + n] = T(offset + double(best[size_t(n)]));
                int64_t j = where[size_t(n)] / k, r = where[size_t(n)] % k;
                path[L - 1] = j;
                for (int64_t t = L - 1; t >= 1; --t) {
                    const int32_t from = bp[(t * p.N + j) * k + r];
                    j = from / k;
                    r = from % k;
                    path[t - 1] = j;
                }
            }
        }
    } rows{p, k, paths, scores, state(ws).back.as<int32_t>(size_t(std::max<int64_t>(1, p.B * S * width))), S,
           state(ws).scratch.as<T>(size_t(2 * width) * size_t(plan.threads))};
    message_sweep(ws, p, KMaxPlusSweep{k}, rows);
}

template void kbest<float>(diffhmm_workspace&, const Problem<float>&, int64_t, int64_t*, float*);
template void kbest<double>(diffhmm_workspace&, const Problem<double>&, int64_t, int64_t*, double*);

}  // namespace cpu
}  // namespace diffhmm
