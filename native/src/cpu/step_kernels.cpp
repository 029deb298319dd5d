// step_kernels.cpp — picks the kernels for an instruction set at run time (cpuid through the
// compiler's builtin), so one library serves any x86-64 CPU without -march=native.
#include "cpu/step_kernels.h"

#include "diffhmm/diffhmm.h"

namespace diffhmm {
namespace cpu {

extern const Kernels<float> kernels_generic_f32;
extern const Kernels<double> kernels_generic_f64;
#if DIFFHMM_HAVE_X86_ISAS
extern const Kernels<float> kernels_avx2_f32;
extern const Kernels<double> kernels_avx2_f64;
extern const Kernels<float> kernels_avx512_f32;
extern const Kernels<double> kernels_avx512_f64;
#endif

int detect_isa() {
#if DIFFHMM_HAVE_X86_ISAS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return DIFFHMM_CPU_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return DIFFHMM_CPU_ISA_AVX2;
#endif
    return DIFFHMM_CPU_ISA_GENERIC;
}

template <>
const Kernels<float>& kernels<float>(int isa) {
#if DIFFHMM_HAVE_X86_ISAS
    if (isa == DIFFHMM_CPU_ISA_AVX512) return kernels_avx512_f32;
    if (isa == DIFFHMM_CPU_ISA_AVX2) return kernels_avx2_f32;
#endif
    (void)isa;
    return kernels_generic_f32;
}

template <>
const Kernels<double>& kernels<double>(int isa) {
#if DIFFHMM_HAVE_X86_ISAS
    if (isa == DIFFHMM_CPU_ISA_AVX512) return kernels_avx512_f64;
    if (isa == DIFFHMM_CPU_ISA_AVX2) return kernels_avx2_f64;
#endif
    (void)isa;
    return kernels_generic_f64;
}

// Lanes of one vector of T under an instruction set (16 / 32 / 64 bytes).
template <class T>
static int64_t lanes(int isa) {
    const int64_t bytes = isa == DIFFHMM_CPU_ISA_AVX512 ? 64 : isa == DIFFHMM_CPU_ISA_AVX2 ? 32 : 16;
    return bytes / int64_t(sizeof(T));
}

template <class T>
const Kernels<T>& kernels_for(int isa, int64_t N) {
    while (isa > DIFFHMM_CPU_ISA_GENERIC && lanes<T>(isa) > N) --isa;
    return kernels<T>(isa);
}

template const Kernels<float>& kernels_for<float>(int, int64_t);
template const Kernels<double>& kernels_for<double>(int, int64_t);

}  // namespace cpu
}  // namespace diffhmm
