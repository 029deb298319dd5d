// kmax.h — the one operation of the k-max-plus semiring that is not vector arithmetic: offering a
// candidate to a sorted list of the k best. Shared by the CPU (cpu/kbest.cpp) and CUDA
// (cuda/kbest.cu) k-best sweeps, so both order paths the same way.
#pragma once

#include <cstdint>

#include "core/problem.h"  // DIFFHMM_HD

namespace diffhmm {

// Inserts (s, from) into the descending list value[0..k) / back[0..k) if it beats the last entry;
// an equal score goes after the entries already there (candidates are offered in (state, rank)
// order, so ties keep the lower state, then the lower rank).
template <class T>
DIFFHMM_HD inline void offer(T* value, int32_t* back, int64_t k, T s, int32_t from) {
    if (!(s > value[k - 1])) return;
    int64_t at = k - 1;
    while (at > 0 && s > value[at - 1]) {
        value[at] = value[at - 1];
        back[at] = back[at - 1];
        --at;
    }
    value[at] = s;
    back[at] = from;
}

}  // namespace diffhmm
