// backward.cpp — CPU backward: one β sweep over the tape that writes the gradient as it goes
// (docs/formulas.md §2). Dense: every element of grad_potential is written. Factorized: edge
// marginals are summed per transition matrix in float64 per-slot accumulators, then reduced.
#include <algorithm>
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/beta_sweep.h"
#include "cpu/tiny.h"

namespace diffhmm {
namespace cpu {
namespace {

template <class T>
struct DenseGradSink {
    const Problem<T>& p;
    T* grad;  // [B][T][N][N]

    EdgeOut edge_out() const { return EdgeOut::store; }
    T* edge_store(int64_t b, int64_t t) const { return grad + (b * p.T + t) * p.N * p.N; }
    double* edge_acc(int64_t, int64_t, int) const { return nullptr; }
    bool wants_nodes() const { return false; }
    void node(int64_t b, int64_t t, const T* g_gamma, int) const {
        if (t == 0) std::memcpy(grad + b * p.T * p.N * p.N, g_gamma, size_t(p.N) * sizeof(T));
    }
    void skip(int64_t b) const {
        zero_fill(grad + b * p.T * p.N * p.N, p.T * p.N * p.N);
    }
    void finish_sequence(int64_t b, int64_t L) const {
        T* base = grad + b * p.T * p.N * p.N;
        zero_fill(base + p.N, (p.N - 1) * p.N);  // step 0, rows 1..N-1
        zero_fill(base + L * p.N * p.N, (p.T - L) * p.N * p.N);
    }
};

template <class T>
struct FactorizedGradSink {
    const Problem<T>& p;
    const Grads<T>& grads;
    double* accum;  // per slot: [K][N][N] trans, then [N] init
    int64_t per_slot;

    EdgeOut edge_out() const { return grads.trans ? EdgeOut::accumulate : EdgeOut::none; }
    T* edge_store(int64_t, int64_t) const { return nullptr; }
    double* edge_acc(int64_t b, int64_t t, int slot) const {
        return grads.trans ? accum + slot * per_slot + p.trans_of(b, t) * p.N * p.N : nullptr;
    }
    bool wants_nodes() const { return grads.emit != nullptr; }
    void node(int64_t b, int64_t t, const T* g_gamma, int slot) const {
        if (grads.emit) std::memcpy(grads.emit + (b * p.T + t) * p.N, g_gamma, size_t(p.N) * sizeof(T));
        if (t != 0 || grads.init == nullptr) return;
        if (p.init_batched) {
            std::memcpy(grads.init + b * p.N, g_gamma, size_t(p.N) * sizeof(T));
        } else {
            double* acc = accum + slot * per_slot + p.K * p.N * p.N;
            for (int64_t j = 0; j < p.N; ++j) acc[j] += double(g_gamma[j]);
        }
    }
    void skip(int64_t b) const {
        if (grads.emit) zero_fill(grads.emit + b * p.T * p.N, p.T * p.N);
        if (grads.init && p.init_batched) zero_fill(grads.init + b * p.N, p.N);
    }
    void finish_sequence(int64_t b, int64_t L) const {
        if (grads.emit)
            zero_fill(grads.emit + (b * p.T + L) * p.N, (p.T - L) * p.N);
    }
};

}  // namespace

template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    const AlphaView<T> alpha = alpha_view(state(ws).tape_alpha, p);
    if (p.form == Form::dense) {
        DenseGradSink<T> sink{p, grads.potential};
        beta_sweep(ws, p, alpha, grad_log_z, sink);
        return;
    }
    if (state(ws).tiny_tape && tiny_backward(ws, p, grad_log_z, grads)) return;
    const Plan plan = Plan::of(ws, p);
    const int64_t per_slot = p.K * p.N * p.N + p.N;
    // The β sweep deals sequences to at most min(threads, B) slots (Plan::over_batch); only those
    // accumulate, so only those are cleared and reduced.
    const int slots = int(std::min<int64_t>(plan.threads, std::max<int64_t>(1, p.B)));
    double* accum = state(ws).accum.as<double>(size_t(per_slot) * size_t(plan.threads));
    std::memset(accum, 0, size_t(per_slot) * size_t(slots) * sizeof(double));
    FactorizedGradSink<T> sink{p, grads, accum, per_slot};
    bool prob = plan.prob;
    if (!beta_sweep(ws, p, alpha, grad_log_z, sink)) {
        // A probability-space scale left the float64 range (scores spanning ~700 nats): redo in log space.
        std::memset(accum, 0, size_t(per_slot) * size_t(slots) * sizeof(double));
        beta_sweep(ws, p, alpha, grad_log_z, sink, false);
        prob = false;
    }
    // Reduce the slots in a fixed order, so the result does not depend on thread timing.
    const int64_t trans_size = p.K * p.N * p.N;
    if (grads.trans) {
        for (int64_t e = 0; e < trans_size; ++e) {
            double s = 0.0;
            for (int slot = 0; slot < slots; ++slot) s += accum[slot * per_slot + e];
            accum[e] = s;
        }
        if (prob) prob_edge_sums(ws, p, accum);
        for (int64_t e = 0; e < trans_size; ++e) grads.trans[e] = T(accum[e]);
    }
    if (grads.init && !p.init_batched) {
        for (int64_t j = 0; j < p.N; ++j) {
            double s = 0.0;
            for (int slot = 0; slot < slots; ++slot) s += accum[slot * per_slot + trans_size + j];
            grads.init[j] = T(s);
        }
    }
}

template void backward<float>(diffhmm_workspace&, const Problem<float>&, const float*, const Grads<float>&);
template void backward<double>(diffhmm_workspace&, const Problem<double>&, const double*, const Grads<double>&);

}  // namespace cpu
}  // namespace diffhmm
