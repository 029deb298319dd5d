// forward.cpp — CPU forward: the scaled α sweep into the workspace's tape, then log Z.
#include "cpu/cpu.h"
#include "cpu/sweep.h"
#include "cpu/tiny.h"

namespace diffhmm {
namespace cpu {

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
    const AlphaView<T> alpha = alpha_view(state(ws).tape_alpha, p);
    State& st = state(ws);
    st.tiny_tape = Plan::of(ws, p).tiny && tiny_forward(ws, p, alpha);
    if (!st.tiny_tape) alpha_sweep(ws, p, alpha);
    for (int64_t b = 0; b < p.B; ++b) log_z[b] = T(alpha.log_z[b]);
}

template void forward<float>(diffhmm_workspace&, const Problem<float>&, float*);
template void forward<double>(diffhmm_workspace&, const Problem<double>&, double*);

}  // namespace cpu
}  // namespace diffhmm
