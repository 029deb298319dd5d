// forward.cu — CUDA forward: the α sweep into the workspace's device tape, then log Z converted to
// the caller's dtype and memory. One launch for the whole sweep, by one of two kernels that write the
// same tape: alpha_kernel (sweep.cuh: global loads in the step loop, any N, small footprint) or
// alpha_pipelined_kernel (pipelined.cuh: step tiles prefetched into shared memory, N ≤ 256). The
// choice is plan_alpha's cost model (docs/cuda.md §3); DIFFHMM_CUDA_SWEEP=sequential|pipelined
// forces one (pipelined only where its tiles fit shared memory). The β sweep the same way
// (beta_sweep: beta_kernel or beta_pipelined_kernel), for backward.cu and marginals.cu.
#include <cstdlib>
#include <cstring>

#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/pipelined.cuh"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

template <class T>
__global__ void convert_kernel(const double* in, T* out, int64_t n) {
    for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
        out[k] = T(in[k]);
}

template <class T>
Tape<T> tape_of(DeviceBuffer& alpha, DeviceBuffer& offset, DeviceBuffer& log_z, const Problem<T>& p) {
    const size_t bt = size_t(p.B) * size_t(p.T);
    return {alpha.as<T>(bt * size_t(p.N)), offset.as<double>(bt), log_z.as<double>(size_t(p.B))};
}

// The largest cp.async size (16, 8 or 4 bytes) that divides every byte offset and address given.
static int copy_size(std::initializer_list<uint64_t> values) {
    for (int g : {16, 8, 4}) {
        bool ok = true;
        for (uint64_t v : values) ok = ok && v % uint64_t(g) == 0;
        if (ok) return g;
    }
    return 0;  // not even 4-byte aligned: no cp.async
}

enum class AlphaKernel { sequential, pipelined };

// DIFFHMM_CUDA_SWEEP: "sequential" or "pipelined" forces the α and β kernels; anything else (or
// unset): the plans.
static const char* forced_sweep() {
    const char* v = std::getenv("DIFFHMM_CUDA_SWEEP");
    return v != nullptr && (std::strcmp(v, "sequential") == 0 || std::strcmp(v, "pipelined") == 0) ? v : nullptr;
}

// Sizes a pipelined kernel's ring of `slot_bytes` slots beside `rows` bytes of other shared memory:
// plan.depth (steps ahead, at most 7), the dynamic shared memory (opting in beyond 48 KB) and the
// threads the kernel's registers allow. False where fewer than 2 steps ahead fit, or — unless the
// kernel is forced — where the batch has more than 4 sequences per SM (docs/cuda.md §3).
template <class Kernel>
bool size_ring(Kernel kernel, int64_t batch, bool forced, size_t slot_bytes, size_t rows, PipelinePlan& plan,
               size_t& shared, int& max_threads) {
    cudaFuncAttributes attributes;
    check(cudaFuncGetAttributes(&attributes, kernel), "cudaFuncGetAttributes");
    int dev = 0, optin = 0, sms = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev), "cudaDeviceGetAttribute");
    check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev), "cudaDeviceGetAttribute");
    const size_t budget = size_t(std::max(optin, 48 * 1024)) - std::min(size_t(optin), attributes.sharedSizeBytes + rows);
    if (budget < 3 * slot_bytes) return false;  // fewer than 2 steps ahead
    if (!forced && batch > 4 * int64_t(sms)) return false;
    plan.depth = int(std::min<size_t>(7, budget / slot_bytes - 1));
    shared = size_t(plan.depth + 1) * slot_bytes + rows;
    max_threads = attributes.maxThreadsPerBlock;
    if (shared + attributes.sharedSizeBytes > 48 * 1024)
        check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
              "cudaFuncSetAttribute (shared memory)");
    return true;
}

// Which α kernel runs `device` (the staged problem: its pointers decide the copy sizes), and the
// pipelined kernel's ring. Pipelined where its ring of at least 2 steps ahead fits shared memory and
// the batch leaves SMs idle (B ≤ 4 per SM): there each step's loads would otherwise sit on the chain
// of dependent steps. Beyond that many resident CTAs per SM hide the latency of the sequential
// kernel's loads, and its small footprint keeps more of them resident (docs/cuda.md §3).
template <class T>
AlphaKernel plan_alpha(const Problem<T>& device, PipelinePlan& plan, size_t& shared) {
    const char* forced = forced_sweep();
    if (forced != nullptr && std::strcmp(forced, "sequential") == 0) return AlphaKernel::sequential;
    const int64_t N = device.N;
    if (N > 256) return AlphaKernel::sequential;
    const bool factorized = device.form == Form::factorized;
    const uint64_t matrix_bytes = uint64_t(N * N) * sizeof(T), column_bytes = uint64_t(N) * sizeof(T);
    const uint64_t matrix_base = reinterpret_cast<uint64_t>(factorized ? device.trans : device.potential);
    plan.copy_matrix = copy_size({matrix_bytes, matrix_base});
    plan.copy_column = factorized ? copy_size({column_bytes, matrix_bytes, reinterpret_cast<uint64_t>(device.emit)}) : 4;
    if (plan.copy_matrix == 0 || plan.copy_column == 0) return AlphaKernel::sequential;
    const int64_t per16 = int64_t(16 / sizeof(T));
    plan.slot = (N * N + (factorized ? N : 0) + per16 - 1) / per16 * per16;
    plan.column = factorized;
    const size_t rows = 2 * size_t(N) * sizeof(T), slot_bytes = size_t(plan.slot) * sizeof(T);
    int max_threads = 0;
    if (!size_ring(alpha_pipelined_kernel<T>, device.B, forced != nullptr, slot_bytes, rows, plan, shared, max_threads))
        return AlphaKernel::sequential;
    plan.threads = unsigned((N + 7) / 8 * 32);  // a warp per 8 states
    if (int(plan.threads) > max_threads) return AlphaKernel::sequential;  // registers
    return AlphaKernel::pipelined;
}

// The α sweep of every sequence into `tape`; throws INVALID_VALUE if a NaN/+inf was read.
template <class T>
void alpha_sweep(State& st, const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, cudaStream_t s) {
    int* flag = st.flag.as<int>(1);
    check(cudaMemsetAsync(flag, 0, sizeof(int), s), "cudaMemsetAsync");
    PipelinePlan plan;
    size_t shared = 0;
    if (plan_alpha(device, plan, shared) == AlphaKernel::pipelined) {
        alpha_pipelined_kernel<T><<<grid_for(host.B), plan.threads, shared, s>>>(device, tape, flag, plan);
        check_launch("alpha_pipelined_kernel", s);
    } else {
        alpha_kernel<T><<<grid_for(host.B), threads_for(host.N), shared_bytes<T>(alpha_kernel<T>, host.N, 1), s>>>(device, tape, flag);
        check_launch("alpha_kernel", s);
    }
    if (host.check_values) report_invalid_values(host, flag, s);
}

// The pipelined β kernel's ring slot for `device` with the α plan's copy sizes; false where it does not
// fit (then the sequential beta_kernel runs). Same choice rule as plan_alpha.
template <class T>
bool plan_beta(const Problem<T>& device, const Tape<T>& tape, PipelinePlan& plan, BetaSlot& slot, size_t& shared) {
    const char* forced = forced_sweep();
    if (forced != nullptr && std::strcmp(forced, "sequential") == 0) return false;
    const int64_t N = device.N;
    if (N > 256) return false;
    const bool factorized = device.form == Form::factorized;
    const uint64_t matrix_bytes = uint64_t(N * N) * sizeof(T), row_bytes = uint64_t(N) * sizeof(T);
    plan.copy_matrix = copy_size({matrix_bytes, reinterpret_cast<uint64_t>(factorized ? device.trans : device.potential)});
    plan.copy_column = factorized ? copy_size({row_bytes, reinterpret_cast<uint64_t>(device.emit)}) : 4;
    slot.copy_la = copy_size({row_bytes, reinterpret_cast<uint64_t>(tape.log_alpha)});
    if (plan.copy_matrix == 0 || plan.copy_column == 0 || slot.copy_la == 0) return false;
    plan.column = factorized;
    auto align16 = [](int64_t x) { return (x + 15) / 16 * 16; };
    slot.matrix = 16;  // after off[t − 1], off[t]
    slot.column = align16(slot.matrix + int64_t(matrix_bytes));
    slot.la_prev = factorized ? align16(slot.column + int64_t(row_bytes)) : slot.column;
    slot.la_cur = align16(slot.la_prev + int64_t(row_bytes));
    slot.bytes = align16(slot.la_cur + int64_t(row_bytes));
    const size_t rows = 2 * size_t(N) * sizeof(T);
    int max_threads = 0;
    if (!size_ring(beta_pipelined_kernel<T>, device.B, forced != nullptr, size_t(slot.bytes), rows, plan, shared,
                   max_threads))
        return false;
    // A warp per ~4 source rows, at most 32 warps, and no more than the kernel's registers allow.
    const int warps = int(std::min<int64_t>({32, std::max<int64_t>(2, (N + 3) / 4), max_threads / 32}));
    plan.threads = unsigned(32 * warps);
    return true;
}

// The β sweep over `tape` writing what `sink` asks into `out`, by the pipelined or the sequential
// kernel (plan_beta).
template <class T>
void beta_sweep(const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, const T* g, Sink sink,
                const BetaOut<T>& out, cudaStream_t s) {
    PipelinePlan plan;
    BetaSlot slot;
    size_t shared = 0;
    if (plan_beta(device, tape, plan, slot, shared)) {
        beta_pipelined_kernel<T><<<grid_for(host.B), plan.threads, shared, s>>>(device, tape, g, sink, out, plan, slot);
        check_launch("beta_pipelined_kernel", s);
    } else {
        beta_kernel<T><<<grid_for(host.B), threads_for(host.N), shared_bytes<T>(beta_kernel<T>, host.N, 3), s>>>(
            device, tape, g, sink, out);
        check_launch("beta_kernel", s);
    }
}

template <class T>
void write_log_z(State& st, const Tape<T>& tape, T* log_z, int64_t B, cudaStream_t s) {
    const Output<T> out(log_z, size_t(B), st.out[0]);
    if (out.device == nullptr) return;
    convert_kernel<T><<<unsigned((B + 255) / 256), 256, 0, s>>>(tape.log_z, out.device, B);
    check_launch("convert_kernel", s);
    out.finish(s);
}

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(alpha_kernel<T>, p.N, 1);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const Tape<T> tape = tape_of(st.tape_alpha, st.tape_offset, st.tape_log_z, p);
    alpha_sweep(st, p, d, tape, s);
    write_log_z(st, tape, log_z, p.B, s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (forward)");
}

template void forward<float>(diffhmm_workspace&, const Problem<float>&, float*);
template void forward<double>(diffhmm_workspace&, const Problem<double>&, double*);
template Tape<float> tape_of(DeviceBuffer&, DeviceBuffer&, DeviceBuffer&, const Problem<float>&);
template Tape<double> tape_of(DeviceBuffer&, DeviceBuffer&, DeviceBuffer&, const Problem<double>&);
template void alpha_sweep(State&, const Problem<float>&, const Problem<float>&, const Tape<float>&, cudaStream_t);
template void alpha_sweep(State&, const Problem<double>&, const Problem<double>&, const Tape<double>&, cudaStream_t);
template void beta_sweep(const Problem<float>&, const Problem<float>&, const Tape<float>&, const float*, Sink,
                         const BetaOut<float>&, cudaStream_t);
template void beta_sweep(const Problem<double>&, const Problem<double>&, const Tape<double>&, const double*, Sink,
                         const BetaOut<double>&, cudaStream_t);
template void write_log_z(State&, const Tape<float>&, float*, int64_t, cudaStream_t);
template void write_log_z(State&, const Tape<double>&, double*, int64_t, cudaStream_t);

}  // namespace cuda
}  // namespace diffhmm
