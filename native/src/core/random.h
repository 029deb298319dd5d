// random.h — the counter-based random numbers of `sample`: a uniform in [0, 1) that depends only on
// (seed, b, sample, t), so draws do not depend on thread scheduling or backend. SplitMix64 finaliser
// over a combined key; 53 random bits.
#pragma once

#include <cstdint>

#include "core/problem.h"  // DIFFHMM_HD

namespace diffhmm {

DIFFHMM_HD inline uint64_t mix64(uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

DIFFHMM_HD inline double uniform01(uint64_t seed, int64_t b, int64_t sample, int64_t t) {
    const uint64_t key = mix64(mix64(mix64(seed) ^ uint64_t(b)) ^ uint64_t(sample)) ^ uint64_t(t);
    return double(mix64(key) >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace diffhmm
