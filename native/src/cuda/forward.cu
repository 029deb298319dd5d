// forward.cu — CUDA forward: the α sweep into the workspace's device tape, then log Z converted to
// the caller's dtype and memory. One launch for the whole sweep (three for the chunked scan), by one
// of the kernels that write the same tape: alpha_kernel (sweep.cuh: global loads in the step loop,
// any N, small footprint), alpha_pipelined_kernel (pipelined.cuh: step tiles prefetched into shared
// memory, N ≤ 256), alpha_batch_kernel (batch.cuh: large batches, N ≤ 128), or the chunked scan
// (chunked.cuh: chunk transfers, α carried across them, then the pipelined kernel re-sweeping every
// chunk at once). The choice is the cost model of plan_alpha and plan_chunks (docs/cuda.md §3, §4);
// DIFFHMM_CUDA_SWEEP=sequential|pipelined|chunked|batch forces one where it can run and
// DIFFHMM_CUDA_CHUNKS=n fixes the chunks per sequence. The β sweep the same way (beta_sweep:
// beta_batch_kernel, beta_pipelined_kernel — chunked when the tape was — or beta_kernel), for
// backward.cu and marginals.cu; viterbi_pipelined runs Viterbi on the pipelined kernel for kbest.cu.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "cuda/batch.cuh"
#include "cuda/chunked.cuh"
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

// The largest cp.async size (16, 8 or 4 bytes) that divides every byte offset and address given.
static int copy_size(std::initializer_list<uint64_t> values) {
    for (int g : {16, 8, 4}) {
        bool ok = true;
        for (uint64_t v : values) ok = ok && v % uint64_t(g) == 0;
        if (ok) return g;
    }
    return 0;  // not even 4-byte aligned: no cp.async
}

enum class AlphaKernel { sequential, pipelined, batch };

// The workspace's settings (DIFFHMM_CUDA_SWEEP, core/settings.h) force the α and β kernels: chunked —
// the pipelined kernels re-sweeping chunks; batch — the batch kernels where their N limits allow, the
// sequential ones beyond; automatic — the plans.
using Sweep = Settings::CudaSweep;

static bool forced(const Settings& s, Sweep kernel) { return s.cuda_sweep == kernel; }

// An attribute of the current device.
static int device_attribute(cudaDeviceAttr attribute) {
    int dev = 0, value = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&value, attribute, dev), "cudaDeviceGetAttribute");
    return value;
}

// More than 4 sequences per SM: many resident CTAs per SM hide each other's latencies, so the plans
// take the batch (or sequential) kernels rather than the pipelined ones (docs/cuda.md §3).
static bool large_batch(int64_t batch) {
    return batch > 4 * int64_t(device_attribute(cudaDevAttrMultiProcessorCount));
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
    const int optin = device_attribute(cudaDevAttrMaxSharedMemoryPerBlockOptin);
    const size_t budget = size_t(std::max(optin, 48 * 1024)) - std::min(size_t(optin), attributes.sharedSizeBytes + rows);
    if (budget < 3 * slot_bytes) return false;  // fewer than 2 steps ahead
    if (!forced && large_batch(batch)) return false;
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
AlphaKernel plan_alpha(const Settings& settings, const Problem<T>& device, PipelinePlan& plan, size_t& shared) {
    const bool any = settings.cuda_sweep != Sweep::automatic;
    if (forced(settings, Sweep::sequential)) return AlphaKernel::sequential;
    const int64_t N = device.N;
    // Large batches: many sequences per SM hide each other's latencies; the batch kernel (N ≤ 128)
    // keeps its loads in flight with N fixed at compile time (batch.cuh).
    if (forced(settings, Sweep::batch) || (!any && large_batch(device.B)))
        return N <= 128 ? AlphaKernel::batch : AlphaKernel::sequential;
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
    if (!size_ring(alpha_pipelined_kernel<T>, device.B, any, slot_bytes, rows, plan, shared, max_threads))
        return AlphaKernel::sequential;
    plan.threads = unsigned((N + 7) / 8 * 32);  // a warp per 8 states
    if (int(plan.threads) > max_threads) return AlphaKernel::sequential;  // registers
    return AlphaKernel::pipelined;
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

// The chunked scan's shapes for `device` (docs/cuda.md §4), or false where one sweep per sequence
// is expected to be faster or the scan cannot run. The transfer kernel's CTA takes as many rows of a
// chunk's transfer as 32 warps cover (four rows per thread, one lane per column). The number of chunks
// minimises the estimated time of its three phases — every chunk's transfer (≈ N³ FMAs and 2N²
// exponentials per step for a CTA of N rows), the carry across the chunks (one block reduction and N
// exponentials per chunk, in order), the pipelined re-sweep of every chunk — counted in waves of CTAs
// over the device's SMs; the scan runs where that estimate is below 3/4 of the pipelined sweep's
// (T steps of one CTA). So it runs for batches that leave most SMs idle and long sequences.
// DIFFHMM_CUDA_SWEEP=chunked runs it wherever it can; DIFFHMM_CUDA_CHUNKS=n fixes the chunks.
template <class T>
bool plan_chunks(const Settings& settings, const Problem<T>& device, ChunkPlan& plan) {
    if (forced(settings, Sweep::sequential) || forced(settings, Sweep::pipelined) || forced(settings, Sweep::batch))
        return false;
    const int64_t N = device.N, B = device.B, L = device.T;
    if (N > 256 || L < 3 || B == 0) return false;
    ChunkPlan c;
    c.np = int((N * int64_t(sizeof(T)) + 15) / 16 * 16 / int64_t(sizeof(T)));
    c.warps_j = int((N + 31) / 32);
    const int64_t max_sets = 32 / c.warps_j, sets = (N + kRowsPerThread - 1) / kRowsPerThread;
    c.groups = int((sets + max_sets - 1) / max_sets);
    c.rows = int((N + c.groups - 1) / c.groups);
    c.row_sets = (c.rows + kRowsPerThread - 1) / kRowsPerThread;
    c.shared = chunk_transfer_elements(N, c) * sizeof(T);
    cudaFuncAttributes attributes;
    check(cudaFuncGetAttributes(&attributes, chunk_transfer_kernel<T>), "cudaFuncGetAttributes");
    const int optin = device_attribute(cudaDevAttrMaxSharedMemoryPerBlockOptin);
    const int sms = device_attribute(cudaDevAttrMultiProcessorCount);
    const int per_sm = device_attribute(cudaDevAttrMaxSharedMemoryPerMultiprocessor);
    const int regs_per_sm = device_attribute(cudaDevAttrMaxRegistersPerMultiprocessor);
    const unsigned threads = 32u * unsigned(c.warps_j * c.row_sets);
    if (c.shared + attributes.sharedSizeBytes > size_t(std::max(optin, 48 * 1024)) ||
        int(threads) > attributes.maxThreadsPerBlock)
        return false;
    // Estimated cycles (docs/cuda.md §2–§4).
    const double n = double(N);
    const double pipe_step = n * n / 16.0 + 250.0;
    const double transfer_step = double(c.rows) * c.np * n / 64.0 + (n * n + double(c.rows) * n) / 16.0 + 200.0;
    const double carry_step = 900.0 + 30.0 * n;
    // Transfer CTAs resident per SM: by shared memory, threads and registers.
    const double resident = std::max(
        1.0, std::min({std::floor(double(per_sm) / double(c.shared + attributes.sharedSizeBytes)),
                       std::floor(2048.0 / threads),
                       std::floor(double(regs_per_sm) / (double(threads) * std::max(1, attributes.numRegs)))}));
    const double one_sweep = double(L) * pipe_step;
    const size_t transfer_limit = size_t(256) << 20;  // bytes of transfers kept with the tape
    int64_t best = 1;
    double best_time = one_sweep;
    const int64_t wanted = settings.cuda_chunks;  // DIFFHMM_CUDA_CHUNKS
    for (int64_t chunks = 2; chunks <= 1024 && chunks < L; chunks *= 2) {
        if (size_t(B * chunks) * size_t(N * N) * sizeof(T) > transfer_limit || B * chunks * c.groups > 2147483647) break;
        const double steps = std::ceil(double(L - 1) / double(chunks));
        const double waves_transfer = std::ceil(double(B * chunks * c.groups) / (double(sms) * resident));
        const double waves_sweep = std::ceil(double(B * chunks) / double(sms));
        const double time = steps * transfer_step * waves_transfer + double(chunks) * carry_step +
                            steps * pipe_step * waves_sweep;
        if (time < best_time) {
            best_time = time;
            best = chunks;
        }
    }
    if (wanted >= 1) {
        best = std::min<int64_t>(wanted, L - 1);
        if (size_t(B * best) * size_t(N * N) * sizeof(T) > transfer_limit) return false;
    } else if (forced(settings, Sweep::chunked)) {
        best = std::max<int64_t>(best, std::min<int64_t>(4, L - 1));
    } else if (best_time > 0.75 * one_sweep) {
        return false;
    }
    if (best < 2) return false;
    c.chunks = int(best);
    plan = c;
    return true;
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

// The pipelined β kernel's ring slot for `device` with the α plan's copy sizes; false where it does not
// fit (then the sequential beta_kernel runs). Same choice rule as plan_alpha.
template <class T>
bool plan_beta(const Settings& settings, const Problem<T>& device, const Tape<T>& tape, PipelinePlan& plan, BetaSlot& slot,
               size_t& shared) {
    const bool any = settings.cuda_sweep != Sweep::automatic;
    if (forced(settings, Sweep::sequential) || forced(settings, Sweep::batch)) return false;
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
    if (!size_ring(beta_pipelined_kernel<T>, device.B, any, size_t(slot.bytes), rows, plan, shared,
                   max_threads))
        return false;
    // A warp per ~4 source rows, at most 32 warps, and no more than the kernel's registers allow.
    const int warps = int(std::min<int64_t>({32, std::max<int64_t>(2, (N + 3) / 4), max_threads / 32}));
    plan.threads = unsigned(32 * warps);
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

template <class T>
void forward(diffhmm_workspace& ws, const Problem<T>& p, T* log_z) {
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) return;
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(alpha_kernel<T>, p.N, 2);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const Tape<T> tape = alpha_sweep(st, st.tape, p, d, s);
    write_log_z(st, tape, log_z, p.B, s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (forward)");
}

template void forward<float>(diffhmm_workspace&, const Problem<float>&, float*);
template void forward<double>(diffhmm_workspace&, const Problem<double>&, double*);
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
