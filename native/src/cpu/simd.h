// simd.h — portable fixed-width vectors (GCC/Clang vector extensions) with the exp and log the
// sweeps need. Included only by step_kernels.inl, by translation units compiled for one instruction
// set each (DIFFHMM_VBYTES = 16 for SSE2, 32 for AVX2, 64 for AVX-512). Everything below the system
// headers is in an anonymous namespace, so every ISA gets its own copy with internal linkage and
// nothing leaks between them (were Simd<float>::splat a weak global symbol, the linker would keep
// one ISA's body for all: a Debug build then runs AVX-512 code in the SSE2 kernels).
//
// exp: Cody–Waite reduction x = n·ln2 + r, |r| <= ln2/2, polynomial for e^r, 2^n by adding n to
// the exponent bits (n comes out of the low bits of a "magic" round-to-nearest). Inputs below the
// normal range (float < -86.5, double < -708) return 0: such terms are < 1e-37 (resp. 1e-307) of the
// largest term of every sum here, so dropping them changes no result. exp(-inf) = 0.
// Accuracy: float ~1 ulp (minimax degree-6 polynomial), double ~1 ulp (degree-13 Taylor; truncation
// 4e-18); AVX-512 float applies 2^n with vscalefps instead (same values, fewer instructions). log
// (float): mantissa/exponent split and a degree-9 polynomial for log(1+f), ~1 ulp;
// log(0) = -inf. Double log: see Simd<double>::log.

#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#ifndef DIFFHMM_VBYTES
#error "DIFFHMM_VBYTES must be defined by the including translation unit"
#endif

namespace {

template <class T>
struct Simd;

template <>
struct Simd<float> {
    static constexpr int W = DIFFHMM_VBYTES / 4;
    typedef float V __attribute__((vector_size(DIFFHMM_VBYTES)));
    typedef int32_t I __attribute__((vector_size(DIFFHMM_VBYTES)));  // lane masks and integers

    static V load(const float* p) { V v; std::memcpy(&v, p, sizeof v); return v; }
    static void store(float* p, V v) { std::memcpy(p, &v, sizeof v); }
    // A non-temporal store (past the caches, no read for ownership) to p aligned to sizeof(V); visible
    // to other threads after store_fence().
    static void stream(float* p, V v) {
#if DIFFHMM_VBYTES == 64 && defined(__AVX512F__)
        _mm512_stream_ps(p, (__m512)v);
#elif DIFFHMM_VBYTES == 32 && defined(__AVX__)
        _mm256_stream_ps(p, (__m256)v);
#elif DIFFHMM_VBYTES == 16 && defined(__SSE__)
        _mm_stream_ps(p, (__m128)v);
#else
        store(p, v);
#endif
    }
    static V splat(float x) { return V{} + x; }
    static I splat_int(int32_t x) { return I{} + x; }
    static I iota() {
        I v;
        for (int k = 0; k < W; ++k) v[k] = k;
        return v;
    }

    // max(a, b) for non-NaN lanes (NaN is caught by the value check, never computed with).
    static V max(V a, V b) {
#if DIFFHMM_VBYTES == 64 && defined(__AVX512F__)
        return (V)_mm512_max_ps((__m512)a, (__m512)b);
#elif DIFFHMM_VBYTES == 32 && defined(__AVX__)
        return (V)_mm256_max_ps((__m256)a, (__m256)b);
#elif DIFFHMM_VBYTES == 16 && defined(__SSE__)
        return (V)_mm_max_ps((__m128)a, (__m128)b);
#else
        return a > b ? a : b;
#endif
    }

    static V exp(V x) {
#if DIFFHMM_VBYTES == 64 && defined(__AVX512F__)
        // The same reduction and polynomial; 2^n applied by vscalefps, and lanes below the normal
        // range (−inf included, whose r is NaN) zeroed by the same compare's mask: three
        // instructions fewer than the exponent-bits form below.
        const __m512 xv = (__m512)x;
        const __m512 magic512 = _mm512_set1_ps(12582912.0f);
        const __m512 n512 = _mm512_sub_ps(_mm512_fmadd_ps(xv, _mm512_set1_ps(1.44269504088896341f), magic512), magic512);
        __m512 r512 = _mm512_fnmadd_ps(n512, _mm512_set1_ps(0.693359375f), xv);
        r512 = _mm512_fnmadd_ps(n512, _mm512_set1_ps(-2.12194440e-4f), r512);
        const V rr = (V)r512;
        V q = splat(1.9875691500e-4f);
        q = q * rr + splat(1.3981999507e-3f);
        q = q * rr + splat(8.3334519073e-3f);
        q = q * rr + splat(4.1665795894e-2f);
        q = q * rr + splat(1.6666665459e-1f);
        q = q * rr + splat(5.0000001201e-1f);
        q = q * (rr * rr) + rr + splat(1.0f);
        const __mmask16 normal = _mm512_cmp_ps_mask(xv, _mm512_set1_ps(-86.5f), _CMP_NLT_UQ);  // NaN kept
        return (V)_mm512_maskz_scalef_ps(normal, (__m512)q, n512);
#else
        const V clamped = x < splat(-100.0f) ? splat(-100.0f) : x;  // -inf -> -100 (result 0 below)
        const V magic = splat(12582912.0f);                          // 1.5 * 2^23
        const V t = clamped * splat(1.44269504088896341f) + magic;
        const V n = t - magic;
        V r = clamped - n * splat(0.693359375f);
        r = r - n * splat(-2.12194440e-4f);
        V p = splat(1.9875691500e-4f);
        p = p * r + splat(1.3981999507e-3f);
        p = p * r + splat(8.3334519073e-3f);
        p = p * r + splat(4.1665795894e-2f);
        p = p * r + splat(1.6666665459e-1f);
        p = p * r + splat(5.0000001201e-1f);
        p = p * (r * r) + r + splat(1.0f);
        const I bits = (I)p + ((I)t << 23);
        return x < splat(-86.5f) ? splat(0.0f) : (V)bits;
#endif
    }

    // x >= 0; log(0) = -inf.
    static V log(V x) {
        const I xi = (I)x;
        I e = ((xi >> 23) & splat_int(0xff)) - splat_int(126);
        V m = (V)((xi & splat_int(int32_t(0x807fffff))) | splat_int(0x3f000000));  // [0.5, 1)
        const I small = m < splat(0.707106781186547524f);
        e = e + small;  // small is -1 where true
        m = small ? m + m - splat(1.0f) : m - splat(1.0f);
        const V fe = __builtin_convertvector(e, V);
        const V z = m * m;
        V y = splat(7.0376836292e-2f);
        y = y * m + splat(-1.1514610310e-1f);
        y = y * m + splat(1.1676998740e-1f);
        y = y * m + splat(-1.2420140846e-1f);
        y = y * m + splat(1.4249322787e-1f);
        y = y * m + splat(-1.6668057665e-1f);
        y = y * m + splat(2.0000714765e-1f);
        y = y * m + splat(-2.4999993993e-1f);
        y = y * m + splat(3.3333331174e-1f);
        y = y * m * z;
        y = y + fe * splat(-2.12194440e-4f);
        y = y - splat(0.5f) * z;
        V r = m + y;
        r = r + fe * splat(0.693359375f);
        return x > splat(0.0f) ? r : splat(-INFINITY);
    }
};

template <>
struct Simd<double> {
    static constexpr int W = DIFFHMM_VBYTES / 8;
    typedef double V __attribute__((vector_size(DIFFHMM_VBYTES)));
    typedef int64_t I __attribute__((vector_size(DIFFHMM_VBYTES)));

    static V load(const double* p) { V v; std::memcpy(&v, p, sizeof v); return v; }
    static void store(double* p, V v) { std::memcpy(p, &v, sizeof v); }
    static void stream(double* p, V v) {
#if DIFFHMM_VBYTES == 64 && defined(__AVX512F__)
        _mm512_stream_pd(p, (__m512d)v);
#elif DIFFHMM_VBYTES == 32 && defined(__AVX__)
        _mm256_stream_pd(p, (__m256d)v);
#elif DIFFHMM_VBYTES == 16 && defined(__SSE2__)
        _mm_stream_pd(p, (__m128d)v);
#else
        store(p, v);
#endif
    }
    static V splat(double x) { return V{} + x; }
    static I splat_int(int64_t x) { return I{} + x; }
    static I iota() {
        I v;
        for (int k = 0; k < W; ++k) v[k] = k;
        return v;
    }

    static V max(V a, V b) {
#if DIFFHMM_VBYTES == 64 && defined(__AVX512F__)
        return (V)_mm512_max_pd((__m512d)a, (__m512d)b);
#elif DIFFHMM_VBYTES == 32 && defined(__AVX__)
        return (V)_mm256_max_pd((__m256d)a, (__m256d)b);
#elif DIFFHMM_VBYTES == 16 && defined(__SSE2__)
        return (V)_mm_max_pd((__m128d)a, (__m128d)b);
#else
        return a > b ? a : b;
#endif
    }

    static V exp(V x) {
        const V clamped = x < splat(-750.0) ? splat(-750.0) : x;
        const V magic = splat(6755399441055744.0);  // 1.5 * 2^52
        const V t = clamped * splat(1.4426950408889634074) + magic;
        const V n = t - magic;
        V r = clamped - n * splat(6.93147180369123816490e-01);
        r = r - n * splat(1.90821492927058770002e-10);
        // Taylor coefficients 1/k!, k = 13 .. 2.
        V p = splat(1.0 / 6227020800.0);
        p = p * r + splat(1.0 / 479001600.0);
        p = p * r + splat(1.0 / 39916800.0);
        p = p * r + splat(1.0 / 3628800.0);
        p = p * r + splat(1.0 / 362880.0);
        p = p * r + splat(1.0 / 40320.0);
        p = p * r + splat(1.0 / 5040.0);
        p = p * r + splat(1.0 / 720.0);
        p = p * r + splat(1.0 / 120.0);
        p = p * r + splat(1.0 / 24.0);
        p = p * r + splat(1.0 / 6.0);
        p = p * r + splat(0.5);
        p = p * (r * r) + r + splat(1.0);
        const I bits = (I)p + ((I)t << 52);
        return x < splat(-708.0) ? splat(0.0) : (V)bits;
    }

    // x >= 0; log(0) = -inf. x = 2^e·m with m in [sqrt(1/2), sqrt(2)), then
    // log m = 2·atanh(f) = 2f·(1 + f²/3 + f⁴/5 + ...), f = (m − 1)/(m + 1), |f| <= 0.1716: eleven
    // terms leave a truncation below 2^-55; e·ln2 is added in two parts (Cody–Waite). ~1 ulp.
    static V log(V x) {
        const I xi = (I)x;
        I e = ((xi >> 52) & splat_int(0x7ff)) - splat_int(1022);
        V m = (V)((xi & splat_int(int64_t(0x800fffffffffffffULL))) | splat_int(0x3fe0000000000000LL));  // [0.5, 1)
        const I small = m < splat(0.70710678118654752440);
        e = e + small;  // small is -1 where true
        m = small ? m + m : m;
        const V f = (m - splat(1.0)) / (m + splat(1.0));
        const V z = f * f;
        V p = splat(1.0 / 21.0);
        p = p * z + splat(1.0 / 19.0);
        p = p * z + splat(1.0 / 17.0);
        p = p * z + splat(1.0 / 15.0);
        p = p * z + splat(1.0 / 13.0);
        p = p * z + splat(1.0 / 11.0);
        p = p * z + splat(1.0 / 9.0);
        p = p * z + splat(1.0 / 7.0);
        p = p * z + splat(1.0 / 5.0);
        p = p * z + splat(1.0 / 3.0);
        p = p * z * (f + f);
        const V fe = __builtin_convertvector(e, V);
        const V r = fe * splat(6.93147180369123816490e-01) + ((f + f) + (p + fe * splat(1.90821492927058770002e-10)));
        const V out = x > splat(0.0) ? (x < splat(__builtin_inf()) ? r : x) : splat(-__builtin_inf());
        return x == x ? out : x;  // NaN stays NaN
    }
};

// Loads n < W elements, filling the remaining lanes; the tail of every row uses these so nothing
// is read past the caller's arrays.
// Orders the non-temporal stores issued so far before any later store (x86: sfence).
inline void store_fence() {
#if defined(__SSE__)
    _mm_sfence();
#endif
}

template <class T>
typename Simd<T>::V load_partial(const T* p, int64_t n, T fill) {
    T lanes[Simd<T>::W];
    for (int k = 0; k < Simd<T>::W; ++k) lanes[k] = fill;
    std::memcpy(lanes, p, size_t(n) * sizeof(T));
    return Simd<T>::load(lanes);
}

template <class T>
void store_partial(T* p, typename Simd<T>::V v, int64_t n) {
    T lanes[Simd<T>::W];
    Simd<T>::store(lanes, v);
    for (int64_t k = 0; k < n; ++k) p[k] = lanes[k];
}

// Horizontal max / sum by halving: log2(W) vector steps instead of W scalar ones (they run once
// per row in the β sweep, where a scalar loop cost as much as the row's arithmetic).
template <class T, int Bytes>
struct Halves {
    typedef T V __attribute__((vector_size(Bytes)));
    typedef T H __attribute__((vector_size(Bytes / 2)));
    static void split(V v, H& lo, H& hi) {
        std::memcpy(&lo, &v, Bytes / 2);
        std::memcpy(&hi, reinterpret_cast<const char*>(&v) + Bytes / 2, Bytes / 2);
    }
    static T max(V v) {
        H lo, hi;
        split(v, lo, hi);
        if constexpr (Bytes / 2 == sizeof(T)) return lo[0] > hi[0] ? lo[0] : hi[0];
        else return Halves<T, Bytes / 2>::max(lo > hi ? lo : hi);
    }
    static T sum(V v) {
        H lo, hi;
        split(v, lo, hi);
        if constexpr (Bytes / 2 == sizeof(T)) return lo[0] + hi[0];
        else return Halves<T, Bytes / 2>::sum(lo + hi);
    }
};

template <class T>
T hmax(typename Simd<T>::V v) { return Halves<T, DIFFHMM_VBYTES>::max(v); }

template <class T>
T hsum(typename Simd<T>::V v) { return Halves<T, DIFFHMM_VBYTES>::sum(v); }

}  // namespace
