// backward.cu — CUDA backward: one β sweep over the device tape (sweeps.cu: beta_sweep) that writes
// the gradient inside it. Dense: every element of grad_potential. Factorized: grad_trans and a shared
// grad_init summed per CTA in float64 and reduced in a fixed order (float atomics onto grad_trans only
// where those partials would not fit), grad_emit written directly. With DIFFHMM_FLAG_ACCUMULATE the
// same into device scratch, then added to the caller's outputs.
#include <algorithm>
#include <vector>

#include "cuda/cuda.h"
#include "cuda/sweeps.h"

namespace diffhmm {
namespace cuda {
namespace {

// dst[i] += src[i]: the last step of an accumulating backward.
template <class T>
__global__ void add_kernel(T* __restrict__ dst, const T* __restrict__ src, int64_t n) {
    const int64_t stride = int64_t(gridDim.x) * blockDim.x;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) dst[i] += src[i];
}

// Writes `count` zeros to an output in host or device memory (null: skipped).
template <class T>
void zero_output(T* out, size_t count, cudaStream_t s) {
    if (out == nullptr || count == 0) return;
    if (!is_device(out)) {
        std::fill(out, out + count, T(0));
        return;
    }
    check(cudaMemsetAsync(out, 0, count * sizeof(T), s), "cudaMemsetAsync (zero gradient)");
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (zero gradient)");
}

}  // namespace

template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads);

// DIFFHMM_FLAG_ACCUMULATE: the gradients are written into device scratch by the plain backward, then
// added to the caller's outputs — in place in device memory, through a staged copy in host memory.
template <class T>
void accumulating_backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    State& st = state_of(ws);
    const std::array<int64_t, 4> counts = grad_counts(p);
    Grads<T> fresh;  // fresh.accumulate is false: the plain backward
    for (int k = 0; k < 4; ++k)
        if (grads.*kGradOutputs<T>[k] != nullptr && counts[k] > 0)
            fresh.*kGradOutputs<T>[k] = st.fresh[k].as<T>(size_t(counts[k]));
    backward(ws, p, grad_log_z, fresh);  // ends synchronised
    const cudaStream_t s = stream_of(ws);
    const SyncOnError sync_on_error(s);  // the copies below read and write the caller's memory
    for (int k = 0; k < 4; ++k) {
        T* const caller = grads.*kGradOutputs<T>[k];
        const T* const added = fresh.*kGradOutputs<T>[k];
        if (added == nullptr) continue;
        const size_t bytes = size_t(counts[k]) * sizeof(T);
        T* target = caller;
        if (!is_device(caller)) {  // host memory: added on the device in a staged copy
            target = st.out[k].as<T>(size_t(counts[k]));
            check(cudaMemcpyAsync(target, caller, bytes, cudaMemcpyHostToDevice, s), "cudaMemcpyAsync (accumulated output)");
        }
        const unsigned blocks = unsigned(std::min<int64_t>((counts[k] + 255) / 256, 4096));
        add_kernel<T><<<blocks, 256, 0, s>>>(target, added, counts[k]);
        check_launch("add_kernel", s);
        if (target != caller)
            check(cudaMemcpyAsync(caller, target, bytes, cudaMemcpyDeviceToHost, s), "cudaMemcpyAsync (accumulated output)");
    }
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (accumulating backward)");
}

template <class T>
void backward(diffhmm_workspace& ws, const Problem<T>& p, const T* grad_log_z, const Grads<T>& grads) {
    if (grads.accumulate) {
        accumulating_backward(ws, p, grad_log_z, grads);
        return;
    }
    validate_device_indices(p, stream_of(ws));
    if (p.B == 0) {  // nothing to sum: the shared gradients are 0 (the per-sequence ones are empty)
        const std::array<int64_t, 4> counts = grad_counts(p);
        zero_output(grads.init, size_t(counts[1]), stream_of(ws));
        zero_output(grads.trans, size_t(counts[2]), stream_of(ws));
        return;
    }
    if (is_device(grad_log_z)) {  // dispatch checked host gradients; check a device one here, on the call's stream
        std::vector<T> g(static_cast<size_t>(p.B));
        check(cudaMemcpyAsync(g.data(), grad_log_z, g.size() * sizeof(T), cudaMemcpyDeviceToHost, stream_of(ws)),
              "cudaMemcpyAsync (grad_log_z)");
        check(cudaStreamSynchronize(stream_of(ws)), "cudaStreamSynchronize (grad_log_z)");
        check_grad_log_z(g.data(), p.B);
    }
    State& st = state_of(ws);
    const cudaStream_t s = stream_of(ws);
    shared_bytes<T>(beta_kernel<T>, p.N, 3);  // sizes checked before anything is staged
    const SyncOnError sync_on_error(s);  // copies below may read the caller's memory
    const Problem<T> d = on_device(p, st, s);
    const T* g = stage(grad_log_z, size_t(p.B), st.in[6], s);
    const Tape<T> tape = tape_of(st.tape, p);
    // Float64 partials of shared gradients: one row per β CTA — per sequence, or per chunk of it
    // when the forward ran the chunked scan (rows of chunks the β sweep does not use stay zero).
    const size_t rows = size_t(p.B) * size_t(tape.chunks);
    const size_t B = size_t(p.B), N = size_t(p.N), K = size_t(p.K);
    BetaOut<T> out{};
    Sink sink = Sink::dense_grad;
    const std::array<int64_t, 4> counts = grad_counts(p);
    Output<T> potential(grads.potential, size_t(counts[0]), st.out[0]);
    Output<T> init(grads.init, size_t(counts[1]), st.out[1]);
    Output<T> trans(grads.trans, size_t(counts[2]), st.out[2]);
    Output<T> emit(grads.emit, size_t(counts[3]), st.out[3]);
    if (p.form == Form::dense) {
        out.grad_potential = potential.device;
    } else {
        sink = Sink::factorized_grad;
        out.grad_init = init.device;
        out.grad_trans = trans.device;
        out.grad_emit = emit.device;
        // Shared gradients: per-sequence float64 partial sums, reduced in order after the sweep. A
        // trans partial too large for device memory falls back to float atomics onto the output.
        const size_t trans_partial =
            trans.device && rows * K * N * N * sizeof(double) <= (size_t(1) << 30) ? rows * K * N * N : 0;
        const size_t init_partial = init.device && !p.init_batched ? B * N : 0;
        if (trans_partial + init_partial > 0) {
            double* partial = st.partial.as<double>(trans_partial + init_partial);
            check(cudaMemsetAsync(partial, 0, (trans_partial + init_partial) * sizeof(double), s), "cudaMemsetAsync");
            out.trans_partial = trans_partial ? partial : nullptr;
            out.init_partial = init_partial ? partial + trans_partial : nullptr;
        }
        if (trans.device && !trans_partial)
            check(cudaMemsetAsync(trans.device, 0, trans.count * sizeof(T), s), "cudaMemsetAsync");
    }
    beta_sweep(st, p, d, tape, g, sink, out, s);
    auto reduce = [&](const double* partial, size_t partial_rows, size_t count, T* target) {
        const unsigned blocks = unsigned(std::min<size_t>((count + 255) / 256, 4096));
        reduce_partials<T><<<blocks, 256, 0, s>>>(partial, int64_t(partial_rows), int64_t(count), target);
        check_launch("reduce_partials", s);
    };
    if (out.trans_partial) reduce(out.trans_partial, rows, K * N * N, trans.device);
    if (out.init_partial) reduce(out.init_partial, B, N, init.device);
    for (const Output<T>* o : {&potential, &init, &trans, &emit}) o->finish(s);
    check(cudaStreamSynchronize(s), "cudaStreamSynchronize (backward)");
}

template void backward<float>(diffhmm_workspace&, const Problem<float>&, const float*, const Grads<float>&);
template void backward<double>(diffhmm_workspace&, const Problem<double>&, const double*, const Grads<double>&);

}  // namespace cuda
}  // namespace diffhmm
