// plan.h — the CUDA backend's planners, one per sweep: which kernel runs a problem's α sweep
// (plan_alpha: sequential, pipelined or batch), whether the chunked scan cuts it into chunks and how
// many (plan_chunks), and the pipelined β kernel's ring (plan_beta) — cost models in docs/cuda.md
// §3, §4. A workspace's settings (core/settings.h: DIFFHMM_CUDA_SWEEP, DIFFHMM_CUDA_CHUNKS) force a
// choice where it can run. Included by sweeps.cu, whose launches follow these plans.
#pragma once

#include <cmath>
#include <initializer_list>

#include "core/settings.h"
#include "cuda/batch.cuh"
#include "cuda/chunked.cuh"
#include "cuda/launch.h"
#include "cuda/pipelined.cuh"
#include "cuda/sweep.cuh"

namespace diffhmm {
namespace cuda {

// The largest cp.async size (16, 8 or 4 bytes) that divides every byte offset and address given.
inline int copy_size(std::initializer_list<uint64_t> values) {
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

inline bool forced(const Settings& s, Sweep kernel) { return s.cuda_sweep == kernel; }

// An attribute of the current device.
inline int device_attribute(cudaDeviceAttr attribute) {
    int dev = 0, value = 0;
    check(cudaGetDevice(&dev), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&value, attribute, dev), "cudaDeviceGetAttribute");
    return value;
}

// More than 4 sequences per SM: many resident CTAs per SM hide each other's latencies, so the plans
// take the batch (or sequential) kernels rather than the pipelined ones (docs/cuda.md §3).
inline bool large_batch(int64_t batch) {
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

}  // namespace cuda
}  // namespace diffhmm
