// tiny.cpp — see tiny.h.
#include "cpu/tiny.h"

#include <algorithm>
#include <cstdint>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "cpu/cpu.h"
#include "cpu/prob.h"
#include "cpu/state.h"
#include "core/thread_pool.h"

namespace diffhmm {
namespace cpu {
namespace {

// Every factor is 0 or at least this: three of them and a rescaling by at most 2^-6 (vectors stay
// below 2N <= 64) multiply to at least 2^-1011, still a normal float64.
constexpr double kFloor = 0x1p-335;
// ... so a score this far below its column's (or step's) maximum is outside the path's range.
const double kSpan = 335.0 * std::log(2.0);

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

bool in_range(double x) { return x == 0.0 || x >= kFloor; }

// A single sequence at least this long sweeps β beside α on a second core (a shorter one is not
// worth waking it).
constexpr int64_t kSplitSteps = 256;

// 2^-e for the exponent e of x > 0 (x·2^-e in [1, 2)): an exact rescaling without a division on the
// chain of dependent steps.
inline double inverse_power_of_two(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    const uint64_t e = (bits >> 52) & 0x7ff;  // biased exponent of a normal x
    const uint64_t inv = (2046 - e) << 52;    // biased exponent of 2^-(e - 1023)
    double out;
    std::memcpy(&out, &inv, sizeof out);
    return out;
}

// The float64 arrays a tiny forward keeps for its backward, per sequence b at [b][t][N] / [b][t].
struct TinyTape {
    double* a;  // α_t / max: max_j a_t(j) = 1, [B][S][N]
    double* w;  // exp(c_k + emit_t − s_t), t >= 1, [B][S][N]
    double* m;  // the normaliser m_t of step t (1 at t = 0), [B][S]
    int64_t S;  // steps per sequence: the longest sequence
};

TinyTape tiny_tape(State& st, const int64_t B, const int64_t S, const int64_t N) {
    const size_t nodes = size_t(B * S * N), steps = size_t(B * S);
    double* base = st.tiny.as<double>(std::max<size_t>(1, 2 * nodes + steps));
    return {base, base + nodes, base + 2 * nodes, S};
}

// E_k = exp(trans_k − c_k) and c_k for every matrix, float64: [K][N][N] then [K][N]. False if a
// finite score lies more than kSpan below its column's maximum, or a NaN/+inf is read.
template <class T>
bool prepare(const Problem<T>& p, Buffer& buffer, const double*& E, const double*& c) {
    const int64_t N = p.N, NN = N * N;
    double* e = buffer.as<double>(size_t(p.K * (NN + N)));
    double* cols = e + p.K * NN;
    for (int64_t k = 0; k < p.K; ++k) {
        const T* mat = p.trans + k * NN;
        double* ck = cols + k * N;
        for (int64_t j = 0; j < N; ++j) ck[j] = kNegInf;
        for (int64_t i = 0; i < N; ++i)
            for (int64_t j = 0; j < N; ++j) {
                const double x = double(mat[i * N + j]);
                if (!(x < std::numeric_limits<double>::infinity())) return false;  // NaN/+inf: the general path names it
                ck[j] = std::max(ck[j], x);
            }
        for (int64_t i = 0; i < N; ++i)
            for (int64_t j = 0; j < N; ++j) {
                const double x = double(mat[i * N + j]);
                if (x == kNegInf) {
                    e[k * NN + i * N + j] = 0.0;
                    continue;
                }
                if (x - ck[j] < -kSpan) return false;
                e[k * NN + i * N + j] = std::exp(x - ck[j]);
            }
    }
    E = e;
    c = cols;
    return true;
}

// One sequence's column factors w_t (t >= 1; w_0 is step 0's scores), N a compile-time constant:
// 0, or NaN when the sequence leaves the exact range (or reads a NaN/+inf), or −inf when a step has
// no state at all (no path).
template <class T, int N>
double columns(const Problem<T>& p, int64_t b, const double* c, const Kernels<double>& kd, double* w,
               double* logs, int64_t t0, int64_t t1) {  // logs: s_t, [L]; steps [t0, t1)
    // Step 0 and every step's column factor: y = c_k + emit_t, shifted by its maximum s_t, then one
    // vectorised exp over the range. logs[t] keeps s_t.
    if (t0 == 0) {
        const T* row = p.initial_row(b);
        const T* col = p.initial_col(b);
        double s = kNegInf;
        for (int j = 0; j < N; ++j) {
            const double y = double(row[j]) + (col ? double(col[j]) : 0.0);
            if (!(y < std::numeric_limits<double>::infinity())) return std::nan("");
            w[j] = y;
            s = std::max(s, y);
        }
        logs[0] = s;
    }
    for (int64_t t = t0 == 0 ? 1 : t0; t < t1; ++t) {
        const double* ck = c + p.trans_of(b, t) * N;
        const T* col = p.column(b, t);
        double* wt = w + t * N;
        double s = kNegInf;
        for (int j = 0; j < N; ++j) {
            const double e = col ? double(col[j]) : 0.0;
            if (!(e < std::numeric_limits<double>::infinity())) return std::nan("");  // NaN/+inf
            const double y = ck[j] + e;
            wt[j] = y;
            s = std::max(s, y);
        }
        logs[t] = s;
    }
    for (int64_t t = t0; t < t1; ++t) {
        const double s = logs[t];
        double* wt = w + t * N;
        if (s == kNegInf) return kNegInf;  // no state can be in this step: no path
        for (int j = 0; j < N; ++j) {
            if (wt[j] == kNegInf) continue;
            if (wt[j] - s < -kSpan) return std::nan("");
            wt[j] -= s;
        }
    }
    kd.exp_f64(w + t0 * N, w + t0 * N, (t1 - t0) * N);  // exp(−inf) = 0
    return 0.0;
}

// One sequence's α sweep over the column factors: writes a and m for steps [0, L); 0, or NaN when
// the sequence leaves the exact range, or −inf when no path reaches a step.
template <class T, int N>
double alpha_chain(const Problem<T>& p, int64_t b, const double* E, const double* w, double* a, double* m) {
    const int64_t L = p.length(b);
    // The previous vector is carried in registers (prev), not reloaded from the tape just written:
    // the sweep is a chain of dependent steps, and a store-to-load round trip would lengthen each.
    double prev[N];
    // Step 0: a_0 = w_0 (max 1).
    for (int j = 0; j < N; ++j) prev[j] = a[j] = w[j];
    m[0] = 1.0;
    for (int64_t t = 1; t < L; ++t) {
        const double* Ek = E + p.trans_of(b, t) * N * N;
        const double* wt = w + t * N;
        // Rescaled by the power of two that brings the previous vector's maximum into [1, 2): found
        // beside the products below rather than after them, so it adds nothing to the chain of steps.
        double mp = 0.0;
        for (int i = 0; i < N; ++i) mp = std::max(mp, prev[i]);
        const double inv = inverse_power_of_two(mp);
        double u[N];
        for (int j = 0; j < N; ++j) u[j] = 0.0;
        for (int i = 0; i < N; ++i) {
            const double x = prev[i];
            // Unreachable states skipped from 9 states up; below, the test would cost more than the
            // products it saves (and mispredict on the clone-structured HMM's sparse vectors).
            if constexpr (N > 8)
                if (x == 0.0) continue;
            for (int j = 0; j < N; ++j) u[j] += x * Ek[i * N + j];
        }
        double* cur = a + t * N;
        double any = 0.0;
        bool ok = true;
        for (int j = 0; j < N; ++j) {
            const double v = u[j] * (wt[j] * inv);  // at most 2N
            cur[j] = prev[j] = v;
            any = std::max(any, v);
            ok &= in_range(v);
        }
        if (!ok) return std::nan("");
        if (any == 0.0) return kNegInf;  // no path reaches step t
        m[t] = 1.0 / inv;
    }
    return 0.0;  // log Z is assembled by the caller from the offsets
}

// One sequence's β sweep over the column factors alone (it needs no α, so it can run beside the α
// sweep on another core): bt[t] = b_t for t in [0, L), rescaled as backward_sequence rescales them.
// False if a β vector has no positive entry left (the full backward then decides what that means).
template <class T, int N>
bool beta_chain(const Problem<T>& p, int64_t b, const double* E, const double* w, double* bt) {
    const int64_t L = p.length(b);
    double beta[N], v[N];
    for (int j = 0; j < N; ++j) beta[j] = bt[(L - 1) * N + j] = 1.0;
    for (int64_t t = L - 1; t >= 1; --t) {
        const double* Ek = E + p.trans_of(b, t) * N * N;
        const double* wt = w + t * N;
        // Only the products with β and one scaling lie on the chain of steps: E·w and the power of
        // two (exact, so applying it after the sums rounds nothing differently) are computed beside it.
        double mb = 0.0;
        for (int j = 0; j < N; ++j) mb = std::max(mb, beta[j]);
        const double inv = inverse_power_of_two(mb);
        for (int j = 0; j < N; ++j) v[j] = beta[j];
        double mx = 0.0;
        double* out = bt + (t - 1) * N;
        for (int i = 0; i < N; ++i) {
            double s = 0.0;
            for (int j = 0; j < N; ++j) s += (Ek[i * N + j] * wt[j]) * v[j];
            beta[i] = out[i] = s * inv;
            mx = std::max(mx, beta[i]);
        }
        if (!(mx > 0.0)) return false;
    }
    return true;
}

template <class T, int N>
bool forward_n(diffhmm_workspace& ws, const Problem<T>& p, const AlphaView<T>& out) {
    State& st = state(ws);
    const double *E = nullptr, *c = nullptr;
    if (!prepare(p, st.tiny_mats, E, c)) return false;
    const TinyTape tape = tiny_tape(st, p.B, p.max_length(), N);
    // Bulk conversions over whole sequences: the widest vectors whatever N is.
    const Kernels<double>& kd = kernels<double>(ws.cpu_isa);
    const Plan plan = Plan::of(ws, p);
    double* logs_all = st.tiny_logs.as<double>(2 * size_t(p.B * tape.S));  // s_t, then log m_t
    // One sequence leaves a core idle: its β sweep runs there, beside the α sweep.
    const bool split = p.B == 1 && plan.threads >= 2 && p.length(0) >= kSplitSteps;
    st.tiny_beta_valid = false;
    double* beta_tape = split ? st.tiny_beta.as<double>(size_t(p.length(0) * N)) : nullptr;
    std::atomic<bool> refused{false};
    plan.over_batch(p.B, [&](int64_t b, int) {
        if (refused.load(std::memory_order_relaxed)) return;
        const int64_t L = p.length(b);
        if (L == 0) {
            out.log_z[b] = 0.0;
            return;
        }
        double* a = tape.a + b * tape.S * N;
        double* w = tape.w + b * tape.S * N;
        double* m = tape.m + b * tape.S;
        double* logs = logs_all + b * tape.S;
        double status = 0.0;
        if (split) {  // the column pass in two halves on the two cores as well
            double half[2] = {0.0, 0.0};
            parallel_for(2, 2, [&](int64_t h, int) {
                half[h] = columns<T, N>(p, b, c, kd, w, logs, h == 0 ? 0 : L / 2, h == 0 ? L / 2 : L);
            });
            // Either half out of the exact range: refuse (the general path decides everything else).
            status = std::isnan(half[0]) || std::isnan(half[1]) ? std::nan("") : half[0] + half[1];
        } else {
            status = columns<T, N>(p, b, c, kd, w, logs, 0, L);
        }
        if (status == 0.0 && split) {
            // The α and β sweeps are chains of dependent steps, each bound by its latency: one on each
            // core. The backward then only sums the edges (accumulate_sequence).
            bool beta_ok = false;
            parallel_for(2, 2, [&](int64_t task, int) {
                if (task == 0) status = alpha_chain<T, N>(p, b, E, w, a, m);
                else beta_ok = beta_chain<T, N>(p, b, E, w, beta_tape);
            });
            st.tiny_beta_valid = beta_ok;
        } else if (status == 0.0) {
            status = alpha_chain<T, N>(p, b, E, w, a, m);
        }
        if (std::isnan(status)) {
            refused = true;
            return;
        }
        T* la = out.messages(b);
        double* off = out.offsets(b);
        if (status == kNegInf) {  // no path: the tape as the general sweep leaves it (all −inf rows)
            for (int64_t e = 0; e < L * N; ++e) la[e] = -std::numeric_limits<T>::infinity();
            for (int64_t t = 0; t < L; ++t) off[t] = 0.0;
            out.log_z[b] = kNegInf;
            return;
        }
        // log Z = log Σ_j a_{L−1}(j) + Σ_t (s_t + log m_t). The general tape's rows (log α) are only
        // read if the backward hands over to the general path: written then (write_tape).
        double* log_m = logs_all + p.B * tape.S + b * tape.S;
        kd.log_from_f64(m, log_m, L);
        double offset = 0.0;
        for (int64_t t = 0; t < L; ++t) offset += logs[t] + log_m[t];
        double sum = 0.0;
        for (int j = 0; j < N; ++j) sum += a[(L - 1) * N + j];
        out.log_z[b] = offset + std::log(sum);
    });
    return !refused.load();
}

// Step t's share of one sequence's gradients, given its β vector b_t: the node marginals
// a_t ∘ b_t / Σ_j a_t(j) b_t(j) (times g) into the emission gradient and, at t = 0, the initial
// one; for t >= 1 the edges into the step, a_{t−1}(i)·E(i,j)·v(j) / Z_t with v = w_t ∘ b_t·2^-e
// (b_t rescaled by the power of two that brings its maximum into [1, 2)) and Z_t = m_t·z, summed
// into acc_trans (may be null). v is left for the caller's β step. False if z is not positive.
template <class T, int N>
bool step_sums(const Problem<T>& p, const Grads<T>& grads, int64_t b, int64_t t, double g, const double* E,
               const TinyTape& tape, const double* beta, double* v, double* acc_trans, double* acc_init) {
    const double* at = tape.a + (b * tape.S + t) * N;
    double z = 0.0;
    for (int j = 0; j < N; ++j) z += at[j] * beta[j];
    if (!(z > 0.0)) return false;
    T* gemit = grads.emit ? grads.emit + b * p.T * N : nullptr;
    if (gemit || t == 0) {
        const double scale = g / z;
        for (int j = 0; j < N; ++j) {
            const double gamma = at[j] * beta[j] * scale;
            if (gemit) gemit[t * N + j] = T(gamma);
            if (t == 0 && grads.init) {
                if (p.init_batched) grads.init[b * N + j] = T(gamma);
                else acc_init[j] += gamma;
            }
        }
    }
    if (t == 0) return true;
    const int64_t k = p.trans_of(b, t);
    const double* Ek = E + k * N * N;
    const double* wt = tape.w + (b * tape.S + t) * N;
    const double* prev = at - N;
    double mb = 0.0;
    for (int j = 0; j < N; ++j) mb = std::max(mb, beta[j]);
    const double inv = inverse_power_of_two(mb);
    for (int j = 0; j < N; ++j) v[j] = wt[j] * (beta[j] * inv);
    if (acc_trans) {
        const double coef = g / (tape.m[b * tape.S + t] * z * inv);  // v carries b·inv
        double* acc = acc_trans + k * N * N;
        for (int i = 0; i < N; ++i) {
            const double x = prev[i] * coef;
            if (x == 0.0) continue;
            for (int j = 0; j < N; ++j) acc[i * N + j] += x * Ek[i * N + j] * v[j];
        }
    }
    return true;
}

// One sequence's backward, N a compile-time constant: gradients into the outputs (emit, a batched
// init) and this slot's float64 accumulators (trans [K][N][N], shared init [N]). False if a β
// vector leaves the exact range.
template <class T, int N>
bool backward_sequence(const Problem<T>& p, const Grads<T>& grads, int64_t b, double g, const double* E,
                       const TinyTape& tape, double* acc_trans, double* acc_init) {
    const int64_t L = p.length(b);
    double beta[N], v[N];
    for (int j = 0; j < N; ++j) beta[j] = 1.0;
    for (int64_t t = L - 1; t >= 0; --t) {
        if (!step_sums<T, N>(p, grads, b, t, g, E, tape, beta, v, acc_trans, acc_init)) return false;
        if (t == 0) break;
        // b_{t−1} = E_k·v (v = w_t ∘ b_t, rescaled).
        const double* Ek = E + p.trans_of(b, t) * N * N;
        const double* prev = tape.a + (b * tape.S + t - 1) * N;
        double mx = 0.0;
        for (int i = 0; i < N; ++i) {
            double s = 0.0;
            for (int j = 0; j < N; ++j) s += Ek[i * N + j] * v[j];
            beta[i] = s;  // at most 2N
            mx = std::max(mx, s);
            // A β entry below the floor matters only where α is not 0 there (a product could underflow).
            if (!in_range(s) && prev[i] != 0.0) return false;
        }
        if (!(mx > 0.0)) return false;
    }
    return true;
}

// The edge and node sums of steps [t0, t1) of one sequence whose β vectors the forward swept
// (beta_chain): the same terms as backward_sequence, which has no chain of dependent steps left, so
// ranges of steps can run on different cores. False if a β entry that matters leaves the exact range.
template <class T, int N>
bool accumulate_sequence(const Problem<T>& p, const Grads<T>& grads, int64_t b, double g, const double* E,
                         const TinyTape& tape, const double* bt, int64_t t0, int64_t t1, double* acc_trans,
                         double* acc_init) {
    double v[N];
    for (int64_t t = t1 - 1; t >= t0; --t) {
        if (t >= 1) {  // the check backward_sequence makes on each β vector it computes
            const double* before = bt + (t - 1) * N;
            const double* prev = tape.a + (b * tape.S + t - 1) * N;
            for (int i = 0; i < N; ++i)
                if (!in_range(before[i]) && prev[i] != 0.0) return false;
        }
        if (!step_sums<T, N>(p, grads, b, t, g, E, tape, bt + t * N, v, acc_trans, acc_init)) return false;
    }
    return true;
}

// The shared gradients from the per-slot float64 accumulators, summed in slot order.
template <class T>
void reduce_slots(const Problem<T>& p, const Grads<T>& grads, const double* accum, int64_t per_slot, int slots) {
    const int64_t trans_size = p.K * p.N * p.N;
    if (grads.trans)
        for (int64_t e = 0; e < trans_size; ++e) {
            double s = 0.0;
            for (int slot = 0; slot < slots; ++slot) s += accum[slot * per_slot + e];
            grads.trans[e] = T(s);
        }
    if (grads.init && !p.init_batched)
        for (int64_t j = 0; j < p.N; ++j) {
            double s = 0.0;
            for (int slot = 0; slot < slots; ++slot) s += accum[slot * per_slot + trans_size + j];
            grads.init[j] = T(s);
        }
}

template <class T, int N>
bool backward_n(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    State& st = state(ws);
    // The forward's matrices E_k are still in the workspace (it is the same problem): no second pass.
    const double* E = st.tiny_mats.as<double>(size_t(p.K * (N * N + N)));
    const TinyTape tape = tiny_tape(st, p.B, p.max_length(), N);
    const AlphaView<T> alpha = alpha_view(st.tape_alpha, p);
    const Plan plan = Plan::of(ws, p);
    const int slots = int(std::min<int64_t>(plan.threads, std::max<int64_t>(1, p.B)));
    const int64_t per_slot = p.K * N * N + N;
    double* accum = st.accum.as<double>(size_t(per_slot) * size_t(plan.threads));
    std::memset(accum, 0, size_t(per_slot) * size_t(slots) * sizeof(double));
    std::atomic<bool> refused{false};
    if (st.tiny_beta_valid && p.B == 1 && alpha.log_z[0] != kNegInf && plan.threads >= 2) {
        // The forward swept this sequence's β too: the sums over its steps, in two halves on two
        // cores, each into its own slot (reduced below in a fixed order).
        const int64_t L = p.length(0);
        const double g = grad_log_z ? double(grad_log_z[0]) : 1.0;
        const double* bt = st.tiny_beta.as<double>(size_t(L * N));
        std::memset(accum + per_slot, 0, size_t(per_slot) * sizeof(double));
        parallel_for(2, 2, [&](int64_t half, int) {
            const int64_t t0 = half == 0 ? L / 2 : 0, t1 = half == 0 ? L : L / 2;
            double* acc = accum + half * per_slot;
            if (!accumulate_sequence<T, N>(p, grads, 0, g, E, tape, bt, t0, t1, grads.trans ? acc : nullptr,
                                           acc + p.K * N * N))
                refused = true;
        });
        if (refused.load()) return false;
        T* gemit = grads.emit;
        if (gemit) zero_fill(gemit + L * N, (p.T - L) * N);  // padding
        reduce_slots(p, grads, accum, per_slot, 2);
        return true;
    }
    plan.over_batch(p.B, [&](int64_t b, int slot) {
        if (refused.load(std::memory_order_relaxed)) return;
        const int64_t L = p.length(b);
        T* gemit = grads.emit ? grads.emit + b * p.T * N : nullptr;
        if (L == 0 || alpha.log_z[b] == kNegInf) {  // skipped: every gradient of the sequence is 0
            if (gemit) zero_fill(gemit, p.T * N);
            if (grads.init && p.init_batched) zero_fill(grads.init + b * N, N);
            return;
        }
        const double g = grad_log_z ? double(grad_log_z[b]) : 1.0;
        double* acc = accum + slot * per_slot;
        if (!backward_sequence<T, N>(p, grads, b, g, E, tape, grads.trans ? acc : nullptr, acc + p.K * N * N)) {
            refused = true;
            return;
        }
        if (gemit) zero_fill(gemit + L * N, (p.T - L) * N);  // padding
    });
    if (refused.load()) return false;
    reduce_slots(p, grads, accum, per_slot, slots);
    return true;
}

// The general tape (alpha_view: log α_t re-centred to max 0 per row, and the float64 offsets) of
// the last tiny forward, from its float64 tape: log α_t = log a_t + Σ_{u <= t} (s_u + log m_u).
// Sequences of length 0 or without a path were written by the forward itself.
template <class T>
void write_tape(diffhmm_workspace& ws, const Problem<T>& p) {
    State& st = state(ws);
    const int64_t N = p.N;
    const TinyTape tape = tiny_tape(st, p.B, p.max_length(), N);
    const AlphaView<T> out = alpha_view(st.tape_alpha, p);
    const double* logs_all = st.tiny_logs.as<double>(2 * size_t(p.B * tape.S));
    const Kernels<T>& kt = kernels<T>(ws.cpu_isa);
    Plan::of(ws, p).over_batch(p.B, [&](int64_t b, int) {
        const int64_t L = p.length(b);
        if (L == 0 || out.log_z[b] == kNegInf) return;
        T* la = out.messages(b);
        double* off = out.offsets(b);
        const double* logs = logs_all + b * tape.S;
        const double* log_m = logs_all + p.B * tape.S + b * tape.S;
        kt.log_from_f64(tape.a + b * tape.S * N, la, L * N);
        double offset = 0.0;
        for (int64_t t = 0; t < L; ++t) {
            offset += logs[t] + log_m[t];
            T* row = la + t * N;
            T top = row[0];
            for (int64_t j = 1; j < N; ++j) top = std::max(top, row[j]);
            for (int64_t j = 0; j < N; ++j) row[j] -= top;
            off[t] = offset + double(top);
        }
    });
}


}  // namespace

template <class T>
bool tiny_forward(diffhmm_workspace& ws, const Problem<T>& p, const AlphaView<T>& out) {
    switch (p.N) {
        case 1: return forward_n<T, 1>(ws, p, out);
        case 2: return forward_n<T, 2>(ws, p, out);
        case 3: return forward_n<T, 3>(ws, p, out);
        case 4: return forward_n<T, 4>(ws, p, out);
        case 5: return forward_n<T, 5>(ws, p, out);
        case 6: return forward_n<T, 6>(ws, p, out);
        case 7: return forward_n<T, 7>(ws, p, out);
        case 8: return forward_n<T, 8>(ws, p, out);
        case 9: return forward_n<T, 9>(ws, p, out);
        case 10: return forward_n<T, 10>(ws, p, out);
        case 11: return forward_n<T, 11>(ws, p, out);
        case 12: return forward_n<T, 12>(ws, p, out);
        case 13: return forward_n<T, 13>(ws, p, out);
        case 14: return forward_n<T, 14>(ws, p, out);
        case 15: return forward_n<T, 15>(ws, p, out);
        case 16: return forward_n<T, 16>(ws, p, out);
        case 17: return forward_n<T, 17>(ws, p, out);
        case 18: return forward_n<T, 18>(ws, p, out);
        case 19: return forward_n<T, 19>(ws, p, out);
        case 20: return forward_n<T, 20>(ws, p, out);
        case 21: return forward_n<T, 21>(ws, p, out);
        case 22: return forward_n<T, 22>(ws, p, out);
        case 23: return forward_n<T, 23>(ws, p, out);
        case 24: return forward_n<T, 24>(ws, p, out);
        case 25: return forward_n<T, 25>(ws, p, out);
        case 26: return forward_n<T, 26>(ws, p, out);
        case 27: return forward_n<T, 27>(ws, p, out);
        case 28: return forward_n<T, 28>(ws, p, out);
        case 29: return forward_n<T, 29>(ws, p, out);
        case 30: return forward_n<T, 30>(ws, p, out);
        case 31: return forward_n<T, 31>(ws, p, out);
        case 32: return forward_n<T, 32>(ws, p, out);
        default: return false;
    }
}

template <class T>
bool backward_any(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    switch (p.N) {
        case 1: return backward_n<T, 1>(ws, p, grad_log_z, grads);
        case 2: return backward_n<T, 2>(ws, p, grad_log_z, grads);
        case 3: return backward_n<T, 3>(ws, p, grad_log_z, grads);
        case 4: return backward_n<T, 4>(ws, p, grad_log_z, grads);
        case 5: return backward_n<T, 5>(ws, p, grad_log_z, grads);
        case 6: return backward_n<T, 6>(ws, p, grad_log_z, grads);
        case 7: return backward_n<T, 7>(ws, p, grad_log_z, grads);
        case 8: return backward_n<T, 8>(ws, p, grad_log_z, grads);
        case 9: return backward_n<T, 9>(ws, p, grad_log_z, grads);
        case 10: return backward_n<T, 10>(ws, p, grad_log_z, grads);
        case 11: return backward_n<T, 11>(ws, p, grad_log_z, grads);
        case 12: return backward_n<T, 12>(ws, p, grad_log_z, grads);
        case 13: return backward_n<T, 13>(ws, p, grad_log_z, grads);
        case 14: return backward_n<T, 14>(ws, p, grad_log_z, grads);
        case 15: return backward_n<T, 15>(ws, p, grad_log_z, grads);
        case 16: return backward_n<T, 16>(ws, p, grad_log_z, grads);
        case 17: return backward_n<T, 17>(ws, p, grad_log_z, grads);
        case 18: return backward_n<T, 18>(ws, p, grad_log_z, grads);
        case 19: return backward_n<T, 19>(ws, p, grad_log_z, grads);
        case 20: return backward_n<T, 20>(ws, p, grad_log_z, grads);
        case 21: return backward_n<T, 21>(ws, p, grad_log_z, grads);
        case 22: return backward_n<T, 22>(ws, p, grad_log_z, grads);
        case 23: return backward_n<T, 23>(ws, p, grad_log_z, grads);
        case 24: return backward_n<T, 24>(ws, p, grad_log_z, grads);
        case 25: return backward_n<T, 25>(ws, p, grad_log_z, grads);
        case 26: return backward_n<T, 26>(ws, p, grad_log_z, grads);
        case 27: return backward_n<T, 27>(ws, p, grad_log_z, grads);
        case 28: return backward_n<T, 28>(ws, p, grad_log_z, grads);
        case 29: return backward_n<T, 29>(ws, p, grad_log_z, grads);
        case 30: return backward_n<T, 30>(ws, p, grad_log_z, grads);
        case 31: return backward_n<T, 31>(ws, p, grad_log_z, grads);
        case 32: return backward_n<T, 32>(ws, p, grad_log_z, grads);
        default: return false;
    }
}

template <class T>
bool tiny_backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    if (backward_any(ws, p, grad_log_z, grads)) return true;
    write_tape(ws, p);  // the general backward that takes over reads it
    return false;
}

template bool tiny_forward(diffhmm_workspace&, const Problem<float>&, const AlphaView<float>&);
template bool tiny_forward(diffhmm_workspace&, const Problem<double>&, const AlphaView<double>&);
template bool tiny_backward(diffhmm_workspace&, const Problem<float>&, const float*, const Grads<float>&);
template bool tiny_backward(diffhmm_workspace&, const Problem<double>&, const double*, const Grads<double>&);

}  // namespace cpu
}  // namespace diffhmm
