// step_kernels_avx2.cpp — the step kernels compiled for avx2 (32-byte vectors); the build
// gives this file its instruction-set flags (cmake/CpuIsa.cmake) and step_kernels.cpp picks it at
// run time only where the CPU supports it.
#define DIFFHMM_VBYTES 32
#include "cpu/step_kernels.h"
#include "cpu/step_kernels.inl"

namespace diffhmm {
namespace cpu {

extern const Kernels<float> kernels_avx2_f32 = make_kernels<float>();
extern const Kernels<double> kernels_avx2_f64 = make_kernels<double>();

}  // namespace cpu
}  // namespace diffhmm
