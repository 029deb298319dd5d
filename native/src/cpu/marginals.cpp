// marginals.cpp — CPU node marginals γ[B][T][N]: an α sweep into the workspace's auxiliary store
// (the tape of the last forward is left alone), then a β sweep that keeps only γ.
#include <cstring>

#include "cpu/cpu.h"
#include "cpu/beta_sweep.h"

namespace diffhmm {
namespace cpu {
namespace {

template <class T>
struct GammaSink {
    const Problem<T>& p;
    T* gamma;  // [B][T][N]

    EdgeOut edge_out() const { return EdgeOut::none; }
    T* edge_store(int64_t, int64_t) const { return nullptr; }
    double* edge_acc(int64_t, int64_t, int) const { return nullptr; }
    bool wants_nodes() const { return true; }
    void node(int64_t b, int64_t t, const T* g_gamma, int) const {
        std::memcpy(gamma + (b * p.T + t) * p.N, g_gamma, size_t(p.N) * sizeof(T));
    }
    void skip(int64_t b) const { zero_fill(gamma + b * p.T * p.N, p.T * p.N); }
    void finish_sequence(int64_t b, int64_t L) const {
        zero_fill(gamma + (b * p.T + L) * p.N, (p.T - L) * p.N);
    }
};

}  // namespace

template <class T>
void marginals(diffhmm_workspace& ws, const Problem<T>& p, T* log_z, T* gamma) {
    const AlphaView<T> alpha = alpha_view(state(ws).aux_alpha, p);
    alpha_sweep(ws, p, alpha);
    if (log_z)
        for (int64_t b = 0; b < p.B; ++b) log_z[b] = T(alpha.log_z[b]);
    GammaSink<T> sink{p, gamma};
    beta_sweep(ws, p, alpha, static_cast<const T*>(nullptr), sink);
}

template void marginals<float>(diffhmm_workspace&, const Problem<float>&, float*, float*);
template void marginals<double>(diffhmm_workspace&, const Problem<double>&, double*, double*);

}  // namespace cpu
}  // namespace diffhmm
