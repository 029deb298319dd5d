// viterbi.cu — CUDA Viterbi: the max-plus semiring is the k-max-plus one with k = 1, so Viterbi is
// k-best with k = 1 (kbest.cu), which runs the pipelined max-plus sweep (pipelined.cuh) where the α
// plan would pipeline and kbest_kernel elsewhere — the same comparisons bit for bit: the lowest
// maximising i, messages re-centred every step, offset in float64; then the chunked backtrace.
#include "cuda/cuda.h"

namespace diffhmm {
namespace cuda {

// Viterbi is the k-best kernel with k = 1 (kbest.cu): the same order and tie rule (the lowest
// maximising index), the same -inf handling; its path [B][1][T] and score [B][1] are [B][T] and [B].
template <class T>
void viterbi(diffhmm_workspace& ws, const Problem<T>& p, int64_t* path, T* score) {
    kbest(ws, p, 1, path, score);
}

template void viterbi<float>(diffhmm_workspace&, const Problem<float>&, int64_t*, float*);
template void viterbi<double>(diffhmm_workspace&, const Problem<double>&, int64_t*, double*);

}  // namespace cuda
}  // namespace diffhmm
