// sweeps.cu — the CUDA sweeps every verb is made of (declared in sweeps.h): the α sweep into a
// tape by one of the kernels that write it — alpha_kernel (sweep.cuh: global loads in the step
// loop, any N, small footprint), alpha_pipelined_kernel (pipelined.cuh: step tiles prefetched into
// shared memory, N ≤ 256), alpha_batch_kernel (batch.cuh: large batches, N ≤ 128), or the chunked scan
// (chunked.cuh: chunk transfers, α carried across them, then the pipelined kernel re-sweeping every
// chunk at once); the β sweep the same way (beta_batch_kernel, beta_pipelined_kernel — chunked when
// the tape was — or beta_kernel), for backward.cu and marginals.cu; Viterbi on the pipelined kernel
// for kbest.cu; log Z in the caller's dtype. Which kernel runs is plan.h's.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "cuda/batch.cuh"
#include "cuda/chunked.cuh"
#include "cuda/cuda.h"
#include "cuda/launch.h"
#include "cuda/pipelined.cuh"
#include "cuda/plan.h"
#include "cuda/sweep.cuh"
#include "cuda/sweeps.h"

namespace diffhmm {
namespace cuda {

template <class T>
__global__ void convert_kernel(const double* in, T* out, int64_t n) {
    for (int64_t k = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; k < n; k += int64_t(gridDim.x) * blockDim.x)
        out[k] = T(in[k]);
}

template <class T>
Tape<T> tape_of(TapeBuffers& buffers, const Problem<T>& p) {
    const size_t bt = size_t(p.B) * size_t(p.T), N = size_t(p.N);
    Tape<T> tape{buffers.alpha.as<T>(bt * N), buffers.offset.as<double>(bt), buffers.log_z.as<double>(size_t(p.B))};
    tape.chunks = buffers.chunks;
    if (tape.chunks > 1) {
        const size_t chunks = size_t(p.B) * size_t(tape.chunks);
        tape.transfer = buffers.transfer.as<T>(chunks * N * N);
        tape.row_off = buffers.row_off.as<double>(chunks * N);
    }
    return tape;
}

// alpha_batch_kernel with NS the smallest of 16, 32, 64, 128 covering N, the transition matrices in
// shared memory when they fit in 40 KB (factorized).
template <class T>
void launch_alpha_batch(const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, int* flag,
                        cudaStream_t s) {
    const size_t trans_bytes = size_t(host.K) * size_t(host.N) * size_t(host.N) * sizeof(T);
    const bool in_shared = host.form == Form::factorized && trans_bytes <= 40 * 1024;
    const size_t shared = in_shared ? trans_bytes : 0;
    auto launch = [&](auto kernel, int ns) {
        const int64_t per_cta = kBatchThreads / ns;
        kernel<<<grid_for((host.B + per_cta - 1) / per_cta), kBatchThreads, shared, s>>>(device, tape, flag, in_shared);
        check_launch("alpha_batch_kernel", s);
    };
    if (host.N <= 16) launch(alpha_batch_kernel<T, 16>, 16);
    else if (host.N <= 32) launch(alpha_batch_kernel<T, 32>, 32);
    else if (host.N <= 64) launch(alpha_batch_kernel<T, 64>, 64);
    else launch(alpha_batch_kernel<T, 128>, 128);
}

// The α sweep of every sequence into `buffers`; throws INVALID_VALUE if a NaN/+inf was read.
template <class T>
Tape<T> alpha_sweep(State& st, TapeBuffers& buffers, const Problem<T>& host, const Problem<T>& device,
                    cudaStream_t s) {
    int* flag = st.flag.as<int>(1);
    check(cudaMemsetAsync(flag, 0, sizeof(int), s), "cudaMemsetAsync");
    PipelinePlan plan;
    ChunkPlan chunks;
    size_t shared = 0;
    buffers.chunks = 1;
    Tape<T> tape = tape_of(buffers, host);
    const AlphaKernel kernel = plan_alpha(st.settings, device, plan, shared);
    if (kernel == AlphaKernel::batch) {
        launch_alpha_batch(host, device, tape, flag, s);
    } else if (kernel == AlphaKernel::pipelined) {
        ChunkStart<T> from;
        unsigned grid = grid_for(host.B);
        if (plan_chunks(st.settings, device, chunks)) {
            buffers.chunks = chunks.chunks;
            tape = tape_of(buffers, host);
            const size_t count = size_t(host.B) * size_t(chunks.chunks);
            const ChunkData<T> data{tape.transfer, tape.row_off, st.chunk_start.as<T>(count * size_t(host.N)),
                                    st.chunk_start_off.as<double>(count)};
            const unsigned threads = 32u * unsigned(chunks.warps_j * chunks.row_sets);
            shared_for(chunk_transfer_kernel<T>, chunks.shared, "the chunked scan");
            chunk_transfer_kernel<T><<<grid_for(host.B * chunks.chunks * chunks.groups), threads, chunks.shared, s>>>(
                device, chunks, data);
            check_launch("chunk_transfer_kernel", s);
            const size_t carry_shared = shared_for(chunk_alpha_kernel<T>, 2 * size_t(host.N) * sizeof(T), "the chunked scan");
            chunk_alpha_kernel<T><<<grid_for(host.B), unsigned((host.N + 31) / 32 * 32), carry_shared, s>>>(device, chunks,
                                                                                                            data);
            check_launch("chunk_alpha_kernel", s);
            from = {chunks.chunks, data.start, data.start_off};
            grid = grid_for(host.B * chunks.chunks);
        }
        alpha_pipelined_kernel<T><<<grid, plan.threads, shared, s>>>(device, tape, flag, plan, from);
        check_launch("alpha_pipelined_kernel", s);
    } else {
        alpha_kernel<T><<<grid_for(host.B), threads_for(host.N), shared_bytes<T>(alpha_kernel<T>, host.N, 2), s>>>(device, tape, flag);
        check_launch("alpha_kernel", s);
    }
    if (host.check_values) report_invalid_values(host, flag, s);
    return tape;
}

// Viterbi by the pipelined max-plus sweep where the α plan would pipeline (few sequences; the ring
// fits): back-pointers into vit.back, each sequence's last row and offset into vit; false (nothing
// launched) where kbest_kernel should run instead.
template <class T>
bool viterbi_pipelined(const Settings& settings, const Problem<T>& host, const Problem<T>& device, const ViterbiRows<T>& vit,
                       int* flag, cudaStream_t s) {
    PipelinePlan plan;
    size_t shared = 0;
    if (plan_alpha(settings, device, plan, shared) != AlphaKernel::pipelined) return false;
    // The max-plus kernel's own registers (the plan measured the log-sum-exp one).
    cudaFuncAttributes attributes;
    check(cudaFuncGetAttributes(&attributes, alpha_pipelined_kernel<T, PipelinedMaxPlus<T>>), "cudaFuncGetAttributes");
    if (int(plan.threads) > attributes.maxThreadsPerBlock) return false;
    if (shared + attributes.sharedSizeBytes > 48 * 1024)
        check(cudaFuncSetAttribute(alpha_pipelined_kernel<T, PipelinedMaxPlus<T>>,
                                   cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
              "cudaFuncSetAttribute (shared memory)");
    const Tape<T> no_tape{nullptr, nullptr, nullptr};
    alpha_pipelined_kernel<T, PipelinedMaxPlus<T>><<<grid_for(host.B), plan.threads, shared, s>>>(
        device, no_tape, flag, plan, ChunkStart<T>(), vit);
    check_launch("alpha_pipelined_kernel (max-plus)", s);
    return true;
}

// The β sweep over `tape` writing what `sink` asks into `out`, by the pipelined or the sequential
// kernel (plan_beta); a tape the chunked scan wrote is swept back chunk by chunk where the pipelined
// kernel runs (β carried across the chunks first), else whole.
// beta_batch_kernel for large batches of the factorized form (gradients or γ) with N ≤ 64 in float32,
// ≤ 16 in float64 (its NS accumulators live in registers: 128 without spills for float32 N = 64, while
// float64 N = 32 spills ~1 KB); false where another β kernel runs.
template <class T>
bool beta_batch(const Settings& settings, const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, const T* g,
                Sink sink, const BetaOut<T>& out, cudaStream_t s) {
    if (host.form != Form::factorized || sink == Sink::dense_grad || host.N > (sizeof(T) == 4 ? 64 : 16)) return false;
    if (forced(settings, Sweep::sequential) || forced(settings, Sweep::pipelined) || forced(settings, Sweep::chunked))
        return false;
    if (!forced(settings, Sweep::batch) && !large_batch(host.B)) return false;
    const size_t trans_bytes = size_t(host.K) * size_t(host.N) * size_t(host.N + 1) * sizeof(T);
    const bool in_shared = trans_bytes <= 40 * 1024;
    const size_t shared = in_shared ? trans_bytes : 0;
    auto launch = [&](auto kernel, int ns) {
        const int64_t per_cta = kBatchThreads / ns;
        kernel<<<grid_for((host.B + per_cta - 1) / per_cta), kBatchThreads, shared, s>>>(device, tape, g, sink, out,
                                                                                         in_shared);
        check_launch("beta_batch_kernel", s);
    };
    if (host.N <= 16) {
        launch(beta_batch_kernel<T, 16>, 16);
    } else if constexpr (sizeof(T) == 4) {
        if (host.N <= 32) launch(beta_batch_kernel<T, 32>, 32);
        else launch(beta_batch_kernel<T, 64>, 64);
    }
    return true;
}

template <class T>
void beta_sweep(State& st, const Problem<T>& host, const Problem<T>& device, const Tape<T>& tape, const T* g,
                Sink sink, const BetaOut<T>& out, cudaStream_t s) {
    if (beta_batch(st.settings, host, device, tape, g, sink, out, s)) return;
    PipelinePlan plan;
    BetaSlot slot;
    size_t shared = 0;
    if (plan_beta(st.settings, device, tape, plan, slot, shared)) {
        ChunkStart<T> from;
        unsigned grid = grid_for(host.B);
        if (tape.chunks > 1) {
            ChunkPlan chunks;
            chunks.chunks = tape.chunks;
            const size_t count = size_t(host.B) * size_t(tape.chunks);
            const ChunkData<T> data{tape.transfer, tape.row_off, st.chunk_start.as<T>(count * size_t(host.N)),
                                    st.chunk_start_off.as<double>(count)};
            const size_t carry_shared = shared_for(
                chunk_beta_kernel<T>, (size_t(host.N) * size_t(host.N) + size_t(host.N)) * sizeof(T), "the chunked scan");
            chunk_beta_kernel<T><<<grid_for(host.B), unsigned((host.N + 31) / 32 * 32), carry_shared, s>>>(
                device, chunks, data, tape.log_z);
            check_launch("chunk_beta_kernel", s);
            from = {tape.chunks, data.start, data.start_off};
            grid = grid_for(host.B * tape.chunks);
        }
        beta_pipelined_kernel<T><<<grid, plan.threads, shared, s>>>(device, tape, g, sink, out, plan, slot, from);
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

template Tape<float> tape_of(TapeBuffers&, const Problem<float>&);
template Tape<double> tape_of(TapeBuffers&, const Problem<double>&);
template Tape<float> alpha_sweep(State&, TapeBuffers&, const Problem<float>&, const Problem<float>&, cudaStream_t);
template Tape<double> alpha_sweep(State&, TapeBuffers&, const Problem<double>&, const Problem<double>&, cudaStream_t);
template void beta_sweep(State&, const Problem<float>&, const Problem<float>&, const Tape<float>&, const float*, Sink,
                         const BetaOut<float>&, cudaStream_t);
template void beta_sweep(State&, const Problem<double>&, const Problem<double>&, const Tape<double>&, const double*,
                         Sink, const BetaOut<double>&, cudaStream_t);
template bool viterbi_pipelined(const Settings&, const Problem<float>&, const Problem<float>&, const ViterbiRows<float>&, int*,
                                cudaStream_t);
template bool viterbi_pipelined(const Settings&, const Problem<double>&, const Problem<double>&, const ViterbiRows<double>&, int*,
                                cudaStream_t);
template void write_log_z(State&, const Tape<float>&, float*, int64_t, cudaStream_t);
template void write_log_z(State&, const Tape<double>&, double*, int64_t, cudaStream_t);

}  // namespace cuda
}  // namespace diffhmm
