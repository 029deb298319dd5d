// step_kernels.inl — the bodies of the Kernels in step_kernels.h, written once over Simd<T> and
// included by one translation unit per instruction set. Everything here has internal linkage
// (anonymous namespace) so the copies compiled for different ISAs never mix at link time; do not
// call std:: templates from here for the same reason.
//
// Forward / Viterbi: one step kernel over a semiring (LogSumExp, MaxPlus below). A block of W
// destination columns lives in registers while the loop runs over every source row i (rows are
// contiguous in j, so each load is one cache line at W·sizeof(T) = 64 B).
// Backward: per source row, one pass: the shift log α_prev + offset makes every exp an edge marginal
// (<= 1), so β's row sum and the gradient come from the same exps (see backward_rows).

#include <cstddef>

#include "cpu/simd.h"

namespace {

using diffhmm::cpu::EdgeOut;
using diffhmm::cpu::Kernels;

template <class T>
constexpr T neg_inf() { return -__builtin_inf(); }

template <class T>
bool any_lane(typename Simd<T>::I m) {
    for (int k = 0; k < Simd<T>::W; ++k)
        if (m[k]) return true;
    return false;
}

// One step of a message recursion, written once and parameterised by its semiring (a small struct
// of vector operations on per-column accumulators):
//   LogSumExp — out[j] = col[j] + logsumexp_i(prev[i] + mat[i][j]): two passes over the rows, the
//               exact column maximum (which also checks for NaN/+inf), then Σ exp(score − max) — one
//               exp per term, no overflow for any finite scores;
//   MaxPlus   — out[j] = col[j] + max_i(prev[i] + mat[i][j]) and back[j] = the lowest maximising i:
//               one pass (strict >, so ties keep the lowest i).
// A semiring provides: struct Acc (per block of W columns), init(), first(acc, s, i) for every
// term, and — when kTwoPass — begin_second(acc) and second(acc, s) over the rows whose prev is
// finite; result(acc); store_extra(acc, extra, j, lanes). The sweeps (sweep.h) are written once over
// the same semirings.
struct LogSumExp {
    static constexpr bool kTwoPass = true;
    using Extra = std::nullptr_t;
    template <class T>
    struct Acc {
        typename Simd<T>::V max, sum, shift;
    };
    template <class T>
    static void init(Acc<T>& a) {
        a.max = Simd<T>::splat(neg_inf<T>());
    }
    template <class T>
    static void first(Acc<T>& a, typename Simd<T>::V s, int64_t) {
        a.max = Simd<T>::max(a.max, s);
    }
    template <class T>
    static void begin_second(Acc<T>& a) {
        a.shift = a.max == Simd<T>::splat(neg_inf<T>()) ? Simd<T>::splat(0) : a.max;
        a.sum = Simd<T>::splat(0);
    }
    template <class T>
    static void second(Acc<T>& a, typename Simd<T>::V s) {
        a.sum += Simd<T>::exp(s - a.shift);
    }
    template <class T>
    static typename Simd<T>::V result(const Acc<T>& a) {
        return a.max + Simd<T>::log(a.sum);
    }
    template <class T>
    static void store_extra(const Acc<T>&, Extra, int64_t, int64_t) {}
};

struct MaxPlus {
    static constexpr bool kTwoPass = false;
    using Extra = int32_t*;  // back-pointers of the step's columns
    template <class T>
    struct Acc {
        typename Simd<T>::V best;
        typename Simd<T>::I arg;
    };
    template <class T>
    static void init(Acc<T>& a) {
        a.best = Simd<T>::splat(neg_inf<T>());
        a.arg = typename Simd<T>::I{};
    }
    template <class T>
    static void first(Acc<T>& a, typename Simd<T>::V s, int64_t i) {
        const typename Simd<T>::I better = s > a.best;  // strict: ties keep the lowest i
        a.best = better ? s : a.best;
        a.arg = better ? Simd<T>::splat_int(i) : a.arg;
    }
    template <class T>
    static void begin_second(Acc<T>&) {}
    template <class T>
    static void second(Acc<T>&, typename Simd<T>::V) {}
    template <class T>
    static typename Simd<T>::V result(const Acc<T>& a) {
        return a.best;
    }
    template <class T>
    static void store_extra(const Acc<T>& a, Extra back, int64_t j, int64_t lanes) {
        for (int64_t l = 0; l < lanes; ++l) back[j + l] = int32_t(a.arg[l]);
    }
};

// A step's destination columns [j0, j1) are cut into blocks of W: full blocks at j0, j0 + W, ...
// and, when W does not divide the range, a last block that ends at j1 and overlaps the one before
// it (its overlapping columns are computed again, with identical results, by the same thread).
// Up to four blocks form a tile that shares each pass over the source rows: four independent
// accumulator chains hide the latency of each. Ranges narrower than W use partial loads.
template <class T, class SR, int NB, bool Partial>
bool step_tile(const T* prev, const T* mat, const T* col, T* out, typename SR::Extra extra, int64_t N,
               const int64_t* jb, int64_t width, bool check) {
    using S = Simd<T>;
    using V = typename S::V;
    using I = typename S::I;
    auto load = [&](const T* p, T fill) { return Partial ? load_partial(p, width, fill) : S::load(p); };
    const V inf = S::splat(__builtin_inf());
    typename SR::template Acc<T> acc[NB];
    I bad = I{};
    for (int k = 0; k < NB; ++k) SR::init(acc[k]);
    for (int64_t i = 0; i < N; ++i) {
        const V a = S::splat(prev[i]);
        const T* row = mat + i * N;
        for (int k = 0; k < NB; ++k) {
            const V x = load(row + jb[k], neg_inf<T>());
            if (check) bad |= !(x < inf);
            SR::first(acc[k], a + x, i);
        }
    }
    if constexpr (SR::kTwoPass) {
        for (int k = 0; k < NB; ++k) SR::begin_second(acc[k]);
        for (int64_t i = 0; i < N; ++i) {
            if (prev[i] == neg_inf<T>()) continue;  // contributes nothing
            const V a = S::splat(prev[i]);
            const T* row = mat + i * N;
            for (int k = 0; k < NB; ++k) SR::second(acc[k], a + load(row + jb[k], neg_inf<T>()));
        }
    }
    for (int k = 0; k < NB; ++k) {
        V result = SR::result(acc[k]);
        if (col != nullptr) {
            const V c = load(col + jb[k], T(0));
            if (check) bad |= !(c < inf);
            result += c;
        }
        if (Partial) store_partial<T>(out + jb[k], result, width); else S::store(out + jb[k], result);
        SR::store_extra(acc[k], extra, jb[k], Partial ? width : Simd<T>::W);
    }
    return any_lane<T>(bad);
}

// Calls tile(starts, count) for groups of up to four block starts covering [j0, j1) as described
// above; returns the OR of the results.
template <class T, class Tile>
bool over_tiles(int64_t j0, int64_t j1, Tile&& tile) {
    constexpr int W = Simd<T>::W;
    int64_t starts[4];
    int count = 0;
    bool flagged = false;
    for (int64_t jb = j0; jb < j1; jb += W) {
        starts[count++] = jb + W <= j1 ? jb : j1 - W;
        if (count == 4) {
            flagged |= tile(starts, count);
            count = 0;
        }
    }
    if (count > 0) flagged |= tile(starts, count);
    return flagged;
}

// One step of the recursion in semiring SR over destination columns [j0, j1).
template <class T, class SR>
bool step(const T* prev, const T* mat, const T* col, T* out, typename SR::Extra extra, int64_t N, int64_t j0,
          int64_t j1, bool check) {
    if (j1 - j0 < Simd<T>::W) {
        const int64_t start[1] = {j0};
        return step_tile<T, SR, 1, true>(prev, mat, col, out, extra, N, start, j1 - j0, check);
    }
    return over_tiles<T>(j0, j1, [&](const int64_t* starts, int count) {
        switch (count) {
            case 4: return step_tile<T, SR, 4, false>(prev, mat, col, out, extra, N, starts, 0, check);
            case 3: return step_tile<T, SR, 3, false>(prev, mat, col, out, extra, N, starts, 0, check);
            case 2: return step_tile<T, SR, 2, false>(prev, mat, col, out, extra, N, starts, 0, check);
            default: return step_tile<T, SR, 1, false>(prev, mat, col, out, extra, N, starts, 0, check);
        }
    });
}

template <class T>
bool forward_step(const T* prev, const T* mat, const T* col, T* out, int64_t N, int64_t j0, int64_t j1, bool check) {
    return step<T, LogSumExp>(prev, mat, col, out, nullptr, N, j0, j1, check);
}

template <class T>
bool viterbi_step(const T* prev, const T* mat, const T* col, T* out, int32_t* back, int64_t N, int64_t j0,
                  int64_t j1, bool check) {
    return step<T, MaxPlus>(prev, mat, col, out, back, N, j0, j1, check);
}

// acc[0..W) += v, in float64 (the sums run over every step of every sequence), W lanes at a time.
template <class T>
inline void accumulate(double* acc, typename Simd<T>::V v) {
    typedef double D __attribute__((vector_size(Simd<T>::W * sizeof(double))));
    D a;
    std::memcpy(&a, acc, sizeof a);
    a += __builtin_convertvector(v, D);
    std::memcpy(acc, &a, sizeof a);
}

// One β step for rows [i0, i1). The edge marginal is xi[i][j] = exp(b_i + v[i][j]) with
// b_i = log_alpha_prev[i] + offset, and xi <= 1, so b_i is a shift that can never overflow: one pass
// per row computes every exp, the row sum (for β: log β_raw[i] = log Σ_j xi[i][j] − b_i) and the
// gradient g·xi — no separate pass for the row maximum. Terms dropped by the exp's flush (< 1e-37 in
// float32) are below 1e-37 of Z: they change no gradient, and a β they would define only ever
// multiplies an α that is as negligible. A row with α_prev = −inf (no path reaches it) gets xi = 0
// and β = −inf.
// Along a row (j in [0, N)): full blocks, then — when W does not divide N — a last block ending at
// N that overlaps the previous one; `fresh` masks the lanes it adds, so sums count every column
// once. Rows narrower than W use partial loads.
template <class T>
void backward_rows(const T* mat, const T* w, const T* log_alpha_prev, T offset, T g, EdgeOut out,
                   T* edge_store, double* edge_acc, T* log_beta_raw, T* scratch, int64_t N,
                   int64_t i0, int64_t i1, const T* next) {
    using S = Simd<T>;
    using V = typename S::V;
    using I = typename S::I;
    constexpr int W = S::W;
    const int64_t rows = i1 - i0;
    // Per-row arrays padded to whole vectors with neutral values, so the vector loops below need no
    // partial loads: the shifts b_i and the row sums.
    const int64_t padded = (rows + W - 1) / W * W;
    T* shift = scratch;
    T* sums = scratch + padded;
    for (int64_t r = 0; r < padded; ++r) {
        shift[r] = r < rows ? log_alpha_prev[i0 + r] + offset : T(0);
        sums[r] = T(1);
    }
    const bool narrow = N < W;
    const int64_t full_end = narrow ? 0 : N / W * W;
    const bool overlap = !narrow && full_end < N;
    const int64_t tail = narrow ? 0 : N - W;
    const I fresh = S::iota() >= S::splat_int(W - (N - full_end));  // lanes of the tail block not yet seen
    const V gv = S::splat(g);
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t i = i0 + r;
        const T* row = mat + i * N;
        if (next != nullptr)
            for (int64_t e = 0; e < N; e += 64 / int64_t(sizeof(T))) __builtin_prefetch(next + i * N + e, 0, 3);
        const V b = S::splat(shift[r]);  // -inf for an unreachable row: every xi is exp(-inf) = 0
        V sum = S::splat(0);
        for (int64_t jb = 0; jb < full_end; jb += W) {
            const V e = S::exp(S::load(row + jb) + S::load(w + jb) + b);
            sum += e;
            if (out == EdgeOut::store) {
                S::store(edge_store + i * N + jb, gv * e);
            } else if (out == EdgeOut::accumulate) {
                accumulate<T>(edge_acc + i * N + jb, gv * e);
            }
        }
        if (narrow || overlap) {
            const V v = narrow ? load_partial(row, N, neg_inf<T>()) + load_partial(w, N, T(0))
                               : S::load(row + tail) + S::load(w + tail);
            V e = S::exp(v + b);
            if (overlap) e = fresh ? e : S::splat(0);
            sum += e;
            const V ge = gv * e;
            const int64_t first = narrow ? 0 : full_end;  // first column this block adds
            if (out == EdgeOut::store) {
                if (narrow) store_partial<T>(edge_store + i * N, ge, N);
                else for (int64_t j = first; j < N; ++j) edge_store[i * N + j] = ge[j - tail];
            } else if (out == EdgeOut::accumulate) {
                for (int64_t j = first; j < N; ++j) edge_acc[i * N + j] += double(ge[j - (narrow ? 0 : tail)]);
            }
        }
        sums[r] = hsum<T>(sum);
    }
    // log β (raw, not yet normalised) = log(sum) − b; a zero sum (unreachable row) gives −inf.
    for (int64_t r = 0; r < padded; r += W) {
        const V s = S::load(sums + r);
        const V lb = S::log(s) - S::load(shift + r);
        S::store(sums + r, s > S::splat(0) ? lb : S::splat(neg_inf<T>()));
    }
    for (int64_t r = 0; r < rows; ++r) log_beta_raw[i0 + r] = sums[r];
}

// lcm(N, W): after this many values a per-column pattern laid along a flat N×N matrix repeats at
// the same vector offsets (a whole number of rows and of vectors of W).
inline int64_t column_period(int64_t N, int64_t W) {
    int64_t g = N, h = W;
    while (h != 0) {
        const int64_t r = g % h;
        g = h;
        h = r;
    }
    return N / g * W;
}

// One dense β step over every row at once (see step_kernels.h), N >= W. The exponentials run over
// the matrix as one flat array as dense_prob_step does: per element exp(mat + w[j] + b_i), with w
// laid out in its repeating pattern; a vector holds the end of at most one row (N >= W), so its
// lanes take b_i or b_{i+1} by a mask, and the row sums (β) are accumulated on the way — a row's
// sum is closed by the vector that ends it. The gradient g·xi is stored from the same registers —
// when `stream`, as aligned non-temporal stores: no read for ownership of a gradient line that is
// written whole and, in a gradient larger than the caches, evicted before anyone reads it.
template <class T>
void dense_backward_step(const T* mat, const T* w, const T* log_alpha_prev, T offset, T g, T* edge_store,
                         bool stream, T* log_beta_raw, T* scratch, int64_t N, const T* next) {
    using S = Simd<T>;
    using V = typename S::V;
    using I = typename S::I;
    constexpr int64_t W = S::W;
    const int64_t NN = N * N;
    const int64_t P = column_period(N, W);
    T* pattern = scratch;          // [P] + W
    T* shift = pattern + P + W;    // [N] + W
    T* sums = shift + N + W;       // [N] padded to whole vectors
    const int64_t padded = (N + W - 1) / W * W;
    for (int64_t i = 0; i < N + W; ++i) shift[i] = i < N ? log_alpha_prev[i] + offset : T(0);
    // w's pattern, W values beyond one period so a vector may start anywhere in it.
    std::memcpy(pattern, w, size_t(N) * sizeof(T));
    for (int64_t k = N; k < P + W; k += N)
        std::memcpy(pattern + k, pattern, size_t(k + N <= P + W ? N : P + W - k) * sizeof(T));
    // Streams need aligned addresses: the vectors start at the first element whose edge is aligned
    // (a partial vector before it); edges not even aligned to T are stored plainly.
    const V gv = S::splat(g);
    int64_t head = 0;
    if (stream && edge_store != nullptr) {
        constexpr uintptr_t kAlign = uintptr_t(W) * sizeof(T);
        const uintptr_t addr = reinterpret_cast<uintptr_t>(edge_store);
        if (addr % sizeof(T) != 0) stream = false;
        else head = int64_t((kAlign - addr % kAlign) % kAlign / sizeof(T));
        if (head > NN) head = NN;
    }
    int64_t row = 0, row_end = N;  // the row of the next element, and where it ends
    V acc = S::splat(0);
    // The shifts of lanes [0, W) of the vector starting at element e: row's up to its end, then the next's.
    auto shifts = [&](int64_t e) {
        const int64_t rem = row_end - e;
        if (rem >= W) return S::splat(shift[row]);
        return S::iota() < S::splat_int(int32_t(rem)) ? S::splat(shift[row]) : S::splat(shift[row + 1]);
    };
    // Adds the exps of the vector at e (lanes past its n elements are 0) to the row sums.
    auto add = [&](V x, int64_t e, int64_t n) {
        const int64_t rem = row_end - e;
        if (rem > n) {
            acc += x;
            return;
        }
        const I mine = S::iota() < S::splat_int(int32_t(rem));
        acc += mine ? x : S::splat(0);
        sums[row] = hsum<T>(acc);
        acc = mine ? S::splat(0) : x;
        ++row;
        row_end += N;
    };
    auto partial = [&](int64_t from, int64_t n, int64_t phase) {  // elements [from, from + n), n < W
        const V v = load_partial(mat + from, n, neg_inf<T>()) + load_partial(pattern + phase, n, T(0));
        const V x = S::exp(v + shifts(from));
        if (edge_store != nullptr) store_partial<T>(edge_store + from, gv * x, n);
        add(x, from, n);
    };
    if (head > 0) partial(0, head, 0);
    int64_t e = head, phase = head;
    for (; e + W <= NN; e += W) {
        if (next != nullptr && e % (64 / int64_t(sizeof(T))) == 0) __builtin_prefetch(next + e, 0, 2);
        const V x = S::exp(S::load(mat + e) + S::load(pattern + phase) + shifts(e));
        if (edge_store != nullptr) {
            if (stream) S::stream(edge_store + e, gv * x); else S::store(edge_store + e, gv * x);
        }
        add(x, e, W);
        phase += W;
        if (phase >= P) phase -= P;
    }
    if (e < NN) partial(e, NN - e, phase);
    for (int64_t i = N; i < padded; ++i) sums[i] = T(1);
    // log β (raw, not yet normalised) = log(sum) − b; a zero sum (unreachable row) gives −inf.
    for (int64_t i = 0; i < padded; i += W) {
        const V sv = S::load(sums + i);
        const V lb = S::log(sv) - S::load(shift + i);
        S::store(sums + i, sv > S::splat(0) ? lb : S::splat(neg_inf<T>()));
    }
    for (int64_t i = 0; i < N; ++i) log_beta_raw[i] = sums[i];
}

template <class T>
void node_marginals(const T* log_alpha, const T* log_beta, T offset, T g, T* out, int64_t N) {
    using S = Simd<T>;
    using V = typename S::V;
    constexpr int W = S::W;
    int64_t j = 0;
    for (; j + W <= N; j += W)
        S::store(out + j, S::splat(g) * S::exp(S::load(log_alpha + j) + S::load(log_beta + j) + S::splat(offset)));
    if (j < N) {
        const V x = load_partial(log_alpha + j, N - j, neg_inf<T>()) + load_partial(log_beta + j, N - j, T(0));
        store_partial<T>(out + j, S::splat(g) * S::exp(x + S::splat(offset)), N - j);
    }
}

// A tile of up to four blocks of W columns of prob_step (see step_kernels.h); the blocks share each
// pass over the source rows, skipping rows whose x is 0 (unreachable states: sparse α costs less).
template <class T, int NB, bool Partial>
int prob_tile(const T* x, const T* a, const T* c, const T* col, T* out, int64_t N, const int64_t* jb, int64_t width,
              T tiny, bool check) {
    using S = Simd<T>;
    using V = typename S::V;
    using I = typename S::I;
    auto load = [&](const T* p, T fill) { return Partial ? load_partial(p, width, fill) : S::load(p); };
    V acc[NB];
    for (int k = 0; k < NB; ++k) acc[k] = S::splat(0);
    for (int64_t i = 0; i < N; ++i) {
        if (x[i] == T(0)) continue;
        const V xi = S::splat(x[i]);
        const T* row = a + i * N;
        for (int k = 0; k < NB; ++k) acc[k] += xi * load(row + jb[k], T(0));
    }
    const V inf = S::splat(__builtin_inf()), ninf = S::splat(neg_inf<T>()), nan = S::splat(__builtin_nan(""));
    I bad = I{}, fall = I{};
    for (int k = 0; k < NB; ++k) {
        V score = load(c + jb[k], neg_inf<T>());
        if (col != nullptr) {
            const V e = load(col + jb[k], T(0));
            if (check) bad |= !(e < inf);
            score += e;
        }
        const I exact = (acc[k] < S::splat(tiny)) & (score > ninf);
        fall |= exact;
        const V result = exact ? nan : S::log(acc[k]) + score;
        if (Partial) store_partial<T>(out + jb[k], result, width); else S::store(out + jb[k], result);
    }
    return (any_lane<T>(fall) ? 1 : 0) | (any_lane<T>(bad) ? 2 : 0);
}

template <class T>
int prob_step(const T* prev, const T* a, const T* c, const T* col, T* out, T* x, int64_t N, int64_t j0, int64_t j1,
              T tiny, bool check) {
    using S = Simd<T>;
    constexpr int W = S::W;
    int64_t i = 0;
    for (; i + W <= N; i += W) S::store(x + i, S::exp(S::load(prev + i)));
    if (i < N) store_partial<T>(x + i, S::exp(load_partial(prev + i, N - i, neg_inf<T>())), N - i);
    if (j1 - j0 < W) {
        const int64_t start[1] = {j0};
        return prob_tile<T, 1, true>(x, a, c, col, out, N, start, j1 - j0, tiny, check);
    }
    int flags = 0;
    over_tiles<T>(j0, j1, [&](const int64_t* starts, int count) {
        switch (count) {
            case 4: flags |= prob_tile<T, 4, false>(x, a, c, col, out, N, starts, 0, tiny, check); break;
            case 3: flags |= prob_tile<T, 3, false>(x, a, c, col, out, N, starts, 0, tiny, check); break;
            case 2: flags |= prob_tile<T, 2, false>(x, a, c, col, out, N, starts, 0, tiny, check); break;
            default: flags |= prob_tile<T, 1, false>(x, a, c, col, out, N, starts, 0, tiny, check); break;
        }
        return false;
    });
    return flags;
}

// One dense step in probability space (see step_kernels.h): the step's matrix is exponentiated once
// with its column maxima as shifts, then prob_step does the product. The exponentials run over the
// matrix as one flat array — N² values in ⌈N²/W⌉ vectors, none wasted on a partial column block —
// with the shifts laid out in a pattern that repeats every P = lcm(N, W) values (a whole number of
// rows and of vectors), so vector v reads its shifts at (v·W mod P).
template <class T>
int dense_prob_step(const T* prev, const T* mat, const T* col, T* out, T* scratch, int64_t N, T tiny, bool check,
                    const T* next) {
    using S = Simd<T>;
    using V = typename S::V;
    using I = typename S::I;
    constexpr int64_t W = S::W;
    const int64_t NN = N * N;
    const int64_t P = column_period(N, W);
    T* a = scratch;                            // [N*N] exp(mat − c), padded by W
    T* c = a + NN + W;                         // [N] column maxima, padded
    T* x = c + N + W;                          // [N] prob_step's exp(prev), padded
    T* pattern = x + N + W;                    // [P] shifts, c[j] or 0 for a column of −inf
    // Column maxima (and the NaN/+inf check), in tiles of up to four blocks as the step kernels do.
    const V inf = S::splat(__builtin_inf()), ninf = S::splat(neg_inf<T>());
    I bad = I{};
    auto max_tile = [&](const int64_t* jb, int count, int64_t width) {
        V m[4] = {ninf, ninf, ninf, ninf};
        for (int64_t i = 0; i < N; ++i) {
            const T* row = mat + i * N;
            for (int k = 0; k < count; ++k) {
                const V v = width > 0 ? load_partial(row + jb[k], width, neg_inf<T>()) : S::load(row + jb[k]);
                if (check) bad |= !(v < inf);
                m[k] = S::max(m[k], v);
            }
        }
        for (int k = 0; k < count; ++k) {
            if (width > 0) store_partial<T>(c + jb[k], m[k], width); else S::store(c + jb[k], m[k]);
        }
        return false;
    };
    if (N < W) {
        const int64_t start[1] = {0};
        max_tile(start, 1, N);
    } else {
        over_tiles<T>(0, N, [&](const int64_t* starts, int count) { return max_tile(starts, count, 0); });
    }
    for (int64_t j = 0; j < N; ++j) pattern[j] = c[j] == neg_inf<T>() ? T(0) : c[j];
    for (int64_t k = N; k < P; k += N) std::memcpy(pattern + k, pattern, size_t(N) * sizeof(T));
    int64_t e = 0, phase = 0;
    for (; e + W <= NN; e += W) {
        if (next != nullptr && e % (64 / int64_t(sizeof(T))) == 0) __builtin_prefetch(next + e, 0, 2);
        S::store(a + e, S::exp(S::load(mat + e) - S::load(pattern + phase)));
        phase += W;
        if (phase == P) phase = 0;
    }
    if (e < NN) {
        const V shifts = load_partial(pattern + phase, NN - e, T(0));
        store_partial<T>(a + e, S::exp(load_partial(mat + e, NN - e, neg_inf<T>()) - shifts), NN - e);
    }
    return prob_step<T>(prev, a, c, col, out, x, N, 0, N, tiny, check) | (any_lane<T>(bad) ? 2 : 0);
}

// The rank-1 update of the factorized transition gradient, in float64 vectors of W lanes of T's
// width (so an AVX-512 build does 8 doubles at a time).
template <class T>
void outer_accumulate(double* acc, const double* x, const double* y, int64_t N) {
    typedef double D __attribute__((vector_size(DIFFHMM_VBYTES)));
    constexpr int64_t WD = DIFFHMM_VBYTES / int64_t(sizeof(double));
    const int64_t full = N / WD * WD;
    for (int64_t i = 0; i < N; ++i) {
        const double xi = x[i];
        if (xi == 0.0) continue;
        double* row = acc + i * N;
        const D xv = D{} + xi;
        int64_t j = 0;
        for (; j < full; j += WD) {
            D a, b;
            std::memcpy(&a, row + j, sizeof a);
            std::memcpy(&b, y + j, sizeof b);
            a += xv * b;
            std::memcpy(row + j, &a, sizeof a);
        }
        for (; j < N; ++j) row[j] += xi * y[j];
    }
}

template <class T>
void outer_block(double* acc, const T* x, const T* y, int64_t S, int64_t N, int64_t i0, int64_t i1) {
    using S_ = Simd<T>;
    using V = typename S_::V;
    constexpr int W = S_::W;
    typedef double D __attribute__((vector_size(W * sizeof(double))));
    const int64_t full = N / W * W;
    for (int64_t i = i0; i < i1; ++i) {
        bool any = false;
        for (int64_t s = 0; s < S; ++s) any |= x[s * N + i] != T(0);
        if (!any) continue;
        double* row = acc + i * N;
        int64_t j = 0;
        for (; j + 2 * W <= full; j += 2 * W) {  // two column blocks per pass: two independent chains
            V a0 = S_::splat(0), a1 = S_::splat(0);
            for (int64_t s = 0; s < S; ++s) {
                const V xs = S_::splat(x[s * N + i]);
                a0 += xs * S_::load(y + s * N + j);
                a1 += xs * S_::load(y + s * N + j + W);
            }
            D d0, d1;
            std::memcpy(&d0, row + j, sizeof d0);
            std::memcpy(&d1, row + j + W, sizeof d1);
            d0 += __builtin_convertvector(a0, D);
            d1 += __builtin_convertvector(a1, D);
            std::memcpy(row + j, &d0, sizeof d0);
            std::memcpy(row + j + W, &d1, sizeof d1);
        }
        for (; j < full; j += W) {
            V a0 = S_::splat(0);
            for (int64_t s = 0; s < S; ++s) a0 += S_::splat(x[s * N + i]) * S_::load(y + s * N + j);
            D d0;
            std::memcpy(&d0, row + j, sizeof d0);
            d0 += __builtin_convertvector(a0, D);
            std::memcpy(row + j, &d0, sizeof d0);
        }
        for (; j < N; ++j) {
            T a = 0;
            for (int64_t s = 0; s < S; ++s) a += x[s * N + i] * y[s * N + j];
            row[j] += double(a);
        }
    }
}

template <class T>
T row_max(const T* v, int64_t n) {
    using S = Simd<T>;
    constexpr int W = S::W;
    typename S::V m = S::splat(neg_inf<T>());
    int64_t i = 0;
    for (; i + W <= n; i += W) m = S::max(m, S::load(v + i));
    if (i < n) m = S::max(m, load_partial(v + i, n - i, neg_inf<T>()));
    return hmax<T>(m);
}

template <class T>
double row_sum(const T* v, int64_t n) {
    using S = Simd<T>;
    constexpr int W = S::W;
    typedef double D __attribute__((vector_size(W * sizeof(double))));
    D acc = D{};
    int64_t i = 0;
    for (; i + W <= n; i += W) acc += __builtin_convertvector(S::load(v + i), D);
    if (i < n) acc += __builtin_convertvector(load_partial(v + i, n - i, T(0)), D);
    double lanes[W];
    std::memcpy(lanes, &acc, sizeof acc);
    double sum = 0.0;
    for (int k = 0; k < W; ++k) sum += lanes[k];
    return sum;
}

template <class T>
void exp_sum_f64(const T* a, const T* b, double shift, double* out, int64_t N) {
    using D = Simd<double>;
    constexpr int64_t WD = D::W;
    double lanes[WD];
    int64_t i = 0;
    for (; i + WD <= N; i += WD) {
        for (int64_t l = 0; l < WD; ++l) lanes[l] = double(a[i + l]) + double(b[i + l]);
        D::store(out + i, D::exp(D::load(lanes) - D::splat(shift)));
    }
    if (i < N) {  // the last partial vector
        for (int64_t l = 0; l < WD; ++l) lanes[l] = i + l < N ? double(a[i + l]) + double(b[i + l]) : neg_inf<double>();
        double result[WD];
        D::store(result, D::exp(D::load(lanes) - D::splat(shift)));
        for (int64_t l = 0; i + l < N; ++l) out[i + l] = result[l];
    }
}

// out[i] = exp(in[i]) in float64 (exp(−inf) = 0).
template <class T>
void exp_f64(const double* in, double* out, int64_t n) {
    using D = Simd<double>;
    constexpr int64_t WD = D::W;
    int64_t i = 0;
    for (; i + WD <= n; i += WD) D::store(out + i, D::exp(D::load(in + i)));
    if (i < n) {
        double lanes[WD], result[WD];
        for (int64_t l = 0; l < WD; ++l) lanes[l] = i + l < n ? in[i + l] : 0.0;
        D::store(result, D::exp(D::load(lanes)));
        for (int64_t l = 0; i + l < n; ++l) out[i + l] = result[l];
    }
}

// out[i] = T(log(in[i])) for in[i] >= 0 (log 0 = −inf).
template <class T>
void log_from_f64(const double* in, T* out, int64_t n) {
    using D = Simd<double>;
    constexpr int64_t WD = D::W;
    double result[WD];
    int64_t i = 0;
    for (; i + WD <= n; i += WD) {
        D::store(result, D::log(D::load(in + i)));
        for (int64_t l = 0; l < WD; ++l) out[i + l] = T(result[l]);
    }
    if (i < n) {
        double lanes[WD];
        for (int64_t l = 0; l < WD; ++l) lanes[l] = i + l < n ? in[i + l] : 1.0;
        D::store(result, D::log(D::load(lanes)));
        for (int64_t l = 0; i + l < n; ++l) out[i + l] = T(result[l]);
    }
}

template <class T>
Kernels<T> make_kernels() {
    Kernels<T> k;
    k.forward_step = &forward_step<T>;
    k.viterbi_step = &viterbi_step<T>;
    k.backward_rows = &backward_rows<T>;
    k.node_marginals = &node_marginals<T>;
    k.prob_step = &prob_step<T>;
    k.dense_prob_step = &dense_prob_step<T>;
    k.dense_backward_step = &dense_backward_step<T>;
    k.store_fence = &store_fence;
    k.outer_accumulate = &outer_accumulate<T>;
    k.exp_sum_f64 = &exp_sum_f64<T>;
    k.exp_f64 = &exp_f64<T>;
    k.log_from_f64 = &log_from_f64<T>;
    k.outer_block = &outer_block<T>;
    k.row_max = &row_max<T>;
    k.row_sum = &row_sum<T>;
    return k;
}

}  // namespace
