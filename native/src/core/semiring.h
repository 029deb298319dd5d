// semiring.h — the scalar arithmetic of the message sweeps' two semirings, written once for host and
// device (DIFFHMM_HD): the online log-sum-exp in base e or 2 (lse_push, lse_merge, lse_value) and its
// accumulator (LogSumExp), and the max-plus accumulator with Viterbi's tie rule (MaxPlus: the lowest
// maximising source). The CUDA kernels accumulate with these (pipelined.cuh, chunk_math.h); the
// CPU's vectorised step kernels (cpu/step_kernels.inl) follow the same rules and are checked against
// them by the ladder. The reference backend keeps its own textbook arithmetic: it is the oracle.
#pragma once

#include <math.h>
#include <stdint.h>

#include "core/problem.h"  // DIFFHMM_HD

namespace diffhmm {
namespace semiring {

template <class T>
DIFFHMM_HD inline T neg_inf() { return -static_cast<T>(INFINITY); }

DIFFHMM_HD inline float exp_t(float x) { return expf(x); }
DIFFHMM_HD inline double exp_t(double x) { return exp(x); }
DIFFHMM_HD inline float log_t(float x) { return logf(x); }
DIFFHMM_HD inline double log_t(double x) { return log(x); }

DIFFHMM_HD inline float exp2_t(float x) { return exp2f(x); }
DIFFHMM_HD inline double exp2_t(double x) { return exp2(x); }
DIFFHMM_HD inline float log2_t(float x) { return log2f(x); }
DIFFHMM_HD inline double log2_t(double x) { return log2(x); }

// The base of a log-sum-exp: e (BaseE) or 2 (Base2).
struct BaseE {
    template <class T>
    DIFFHMM_HD static T power(T x) { return exp_t(x); }
    template <class T>
    DIFFHMM_HD static T log(T x) { return log_t(x); }
};
struct Base2 {
    template <class T>
    DIFFHMM_HD static T power(T x) { return exp2_t(x); }
    template <class T>
    DIFFHMM_HD static T log(T x) { return log2_t(x); }
};

// Online log-sum-exp in `Base`: (m, s) stands for s·base^m; push adds base^v (nothing for a −inf
// source or a structural zero), merge adds another pair.
template <class Base = BaseE, class T>
DIFFHMM_HD inline void lse_push(T& m, T& s, T v) {
    if (!(v > neg_inf<T>())) return;
    if (v <= m) {
        s += Base::power(v - m);
    } else {
        s = m == neg_inf<T>() ? T(1) : s * Base::power(m - v) + T(1);
        m = v;
    }
}

template <class Base = BaseE, class T>
DIFFHMM_HD inline void lse_merge(T& m, T& s, T m2, T s2) {
    if (m2 == neg_inf<T>()) return;
    if (m == neg_inf<T>()) {
        m = m2;
        s = s2;
    } else if (m2 <= m) {
        s += s2 * Base::power(m2 - m);
    } else {
        s = s * Base::power(m - m2) + s2;
        m = m2;
    }
}

template <class Base = BaseE, class T>
DIFFHMM_HD inline T lse_value(T m, T s) { return m == neg_inf<T>() ? m : m + Base::log(s); }

// The log-sum-exp semiring as an accumulator of terms base^v.
template <class T, class Base = BaseE>
struct LogSumExp {
    struct Acc {
        T m = neg_inf<T>(), s = T(0);
    };
    DIFFHMM_HD static void push(Acc& a, T v, int32_t) { lse_push<Base>(a.m, a.s, v); }
    DIFFHMM_HD static void merge(Acc& a, const Acc& b) { lse_merge<Base>(a.m, a.s, b.m, b.s); }
    DIFFHMM_HD static T value(const Acc& a) { return lse_value<Base>(a.m, a.s); }
};

// The max-plus semiring with back-pointers: the best term and its source, ties to the lowest source
// (-1: no finite term).
template <class T>
struct MaxPlus {
    struct Acc {
        T best = neg_inf<T>();
        int32_t arg = -1;
    };
    DIFFHMM_HD static void push(Acc& a, T v, int32_t i) {
        if (v > a.best) {
            a.best = v;
            a.arg = i;
        }
    }
    DIFFHMM_HD static void merge(Acc& a, const Acc& b) {
        if (b.arg >= 0 && (b.best > a.best || (b.best == a.best && (a.arg < 0 || b.arg < a.arg)))) a = b;
    }
    DIFFHMM_HD static T value(const Acc& a) { return a.best; }
};

}  // namespace semiring
}  // namespace diffhmm
