package org.diffhmm.pytorch;

import java.util.Objects;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.diffhmm.DType;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;

/**
 * The HMM negative log-likelihood as a PyTorch operation (JavaCPP presets): a neural network in
 * PyTorch produces the emission scores (and perhaps the transition and initial scores), diffhmm
 * computes {@code −Σ_b log p(x_b)} and its exact gradient in one forward-backward, and PyTorch's
 * autograd carries that gradient on into the network.
 *
 * <p>Java cannot define a custom autograd function for libtorch, so {@link #nll} returns a
 * surrogate: {@code value + Σ x·stop(∂) − stop(Σ x·∂)} over the inputs x that require gradients,
 * where {@code value} and {@code ∂} are diffhmm's. Its value is the negative log-likelihood and its
 * autograd gradient is exactly diffhmm's (to the inputs' precision); its second derivative is not
 * the HMM's. Zero-copy: diffhmm reads the tensors' own memory (contiguous inputs are used in place)
 * and writes the gradients into tensors allocated by libtorch.
 *
 * <pre>{@code
 * Tensor emit = net.forward(features).view(B, T, N);          // log p(x_bt | z = j), [B][T][N]
 * Tensor trans = torch.log_softmax(transLogits, 1);            // [N][N]
 * Tensor init = torch.log_softmax(initLogits, 0);              // [N]
 * Tensor loss = TorchHmm.nll(emit, trans, init, lengths);      // −Σ_b log p(x_b), a scalar
 * loss.backward();                                             // exact gradients into net, transLogits, initLogits
 * }</pre>
 *
 * <p>{@link #nllBackward} does without the surrogate: it returns the value and runs autograd's
 * backward from the inputs with diffhmm's gradients at once, for a step whose loss is this term.
 *
 * <p>libtorch's OpenMP workers spin-wait after each parallel operation on the cores diffhmm's threads
 * need: with both on one machine, set {@code OMP_WAIT_POLICY=PASSIVE} (and
 * {@code OPENBLAS_NUM_THREADS=1} where OpenBLAS is libtorch's BLAS) in the environment.
 *
 * <p>Float32 or float64 (all inputs the same), all on the CPU or all on one CUDA device. CUDA
 * tensors run on diffhmm's CUDA backend, on the tensors' device and libtorch's current stream there
 * (so the call orders with the network's kernels, no synchronisation), reading and writing device
 * memory in place; that needs the presets' GPU build ({@code linux-x86_64-gpu}) and diffhmm's CUDA
 * library. The CUDA path has not yet run on a GPU (its test skips without one).
 */
public final class TorchHmm {
    private TorchHmm() {}

    /**
     * {@code −Σ_b log p(x_b)} under an HMM with one transition matrix (default options).
     *
     * @param emit    emission log-likelihoods {@code [B][T][N]}
     * @param trans   transition log-scores {@code [N][N]} (log-probabilities, or any reals: then the
     *                "likelihood" is the partition function of a linear-chain CRF)
     * @param init    initial log-scores {@code [N]}
     * @param lengths {@code B} sequence lengths, each in {@code [0, T]}
     * @return a scalar tensor: the negative log-likelihood, with diffhmm's gradient under autograd
     * @throws IllegalArgumentException if a shape, dtype or device is wrong (the message names it)
     */
    public static Tensor nll(Tensor emit, Tensor trans, Tensor init, long[] lengths) {
        return nll(Options.DEFAULT, emit, trans, init, lengths, null);
    }

    /**
     * {@code −Σ_b log p(x_b)} with per-step transition matrices and explicit options.
     *
     * @param options    diffhmm's options (threads, CPU instruction set, trusted input)
     * @param emit       emission log-likelihoods {@code [B][T][N]}
     * @param trans      transition log-scores {@code [N][N]} or {@code [K][N][N]}
     * @param init       initial log-scores {@code [N]} or {@code [B][N]}
     * @param lengths    {@code B} sequence lengths, each in {@code [0, T]}
     * @param transIndex {@code [B*T]} matrix of each step (row-major {@code [b][t]}; step 0 ignored),
     *                   or null when there is one matrix
     * @return a scalar tensor: the negative log-likelihood, with diffhmm's gradient under autograd
     * @throws IllegalArgumentException if a shape, dtype or device is wrong (the message names it)
     * @throws org.diffhmm.DiffhmmException if diffhmm refuses the values: INVALID_ARGUMENT for lengths
     *                                  out of range, INVALID_VALUE for NaN scores (the message names them)
     */
    public static Tensor nll(Options options, Tensor emit, Tensor trans, Tensor init, long[] lengths, long[] transIndex) {
        final Tensor[] inputs = {emit, trans, init};
        // Fresh gradient tensors every call: the surrogate's autograd graph keeps them until its
        // backward runs, which may come after later calls (a tested case).
        final Tensor[] grads = new Tensor[3];
        final double value = compute(options, inputs, lengths, transIndex, 1.0, grads, false);
        return surrogate(value, emit.scalar_type(), new Tensor[][] {{emit, grads[0]}, {trans, grads[1]}, {init, grads[2]}});
    }

    /**
     * {@code −Σ_b log p(x_b)}, and autograd's backward run at once from the inputs with diffhmm's
     * gradient (times {@code weight}) — no surrogate in the graph, so none of its extra passes over
     * the emissions: for a training step whose loss is this term (or a weighted sum of terms, each
     * backpropagated on its own). Gradients accumulate into the leaves' {@code .grad()} as
     * {@code loss.backward()} would. An input that is itself a contiguous leaf (a parameter) gets
     * diffhmm's gradient tensor as its {@code .grad()} (added to it if it has one) directly, without
     * the copy autograd would make of a tensor this method still holds; when all three inputs are
     * such CPU leaves with contiguous gradients already, diffhmm adds into those gradients' memory
     * itself. Hooks registered on such a leaf are therefore not run (pass a view,
     * {@code x.view_as(x)}, to have autograd run them).
     *
     * <pre>{@code
     * optimizer.zero_grad();
     * double nll = TorchHmm.nllBackward(Options.DEFAULT, net.forward(x), transLogSoftmax, initLogSoftmax, lengths, null, 1.0);
     * optimizer.step();
     * }</pre>
     *
     * @param options    diffhmm's options
     * @param emit       emission log-likelihoods {@code [B][T][N]}
     * @param trans      transition log-scores {@code [N][N]} or {@code [K][N][N]}
     * @param init       initial log-scores {@code [N]} or {@code [B][N]}
     * @param lengths    {@code B} sequence lengths, each in {@code [0, T]}
     * @param transIndex {@code [B*T]} matrix of each step, or null when there is one matrix
     * @param weight     the factor of this term in the loss (its gradient is scaled by it)
     * @return the negative log-likelihood (unweighted)
     * @throws IllegalArgumentException if a shape, dtype or device is wrong (the message names it)
     * @throws org.diffhmm.DiffhmmException if diffhmm refuses the values (lengths out of range, NaN)
     */
    public static double nllBackward(Options options, Tensor emit, Tensor trans, Tensor init, long[] lengths,
            long[] transIndex, double weight) {
        final Tensor[] inputs = {emit, trans, init};
        final Tensor[] grads = new Tensor[3];
        if (ownGradients(inputs, grads)) {
            // Three parameters with gradients already (optimizer.zero_grad(false), or a second term of
            // the loss): diffhmm adds into their memory — no gradient tensors, nothing run in libtorch.
            return compute(options, inputs, lengths, transIndex, weight, grads, true);
        }
        final double value = compute(options, inputs, lengths, transIndex, weight, grads, false);
        final java.util.List<Tensor> roots = new java.util.ArrayList<>(3), seeds = new java.util.ArrayList<>(3);
        for (int k = 0; k < 3; k++) {
            if (!inputs[k].requires_grad()) {
                continue;
            }
            if (inputs[k].is_leaf() && inputs[k].is_contiguous()) {
                // What autograd's AccumulateGrad does for a leaf, without its copy: the engine would see
                // this method still holding the tensor and clone it (4 MB a step for B = 32, T = 500,
                // N = 64), where nobody else ever sees it.
                final Tensor grad = inputs[k].mutable_grad();
                if (grad.defined()) {
                    grad.add_(grads[k]);
                } else {
                    grad.put(grads[k]);
                }
                continue;
            }
            roots.add(inputs[k]);
            seeds.add(grads[k]);
        }
        if (!roots.isEmpty()) {
            torch.backward(new TensorVector(roots.toArray(new Tensor[0])), new TensorVector(seeds.toArray(new Tensor[0])),
                    new BoolOptional(), false, new TensorVector());
        }
        return value;
    }

    /**
     * Whether every input is a contiguous CPU leaf whose {@code .grad()} exists and is contiguous (then
     * in grads): what {@code nllBackward} can add into in place.
     */
    private static boolean ownGradients(Tensor[] inputs, Tensor[] grads) {
        for (int k = 0; k < inputs.length; k++) {
            final Tensor x = inputs[k];
            if (!x.requires_grad() || !x.is_leaf() || x.is_cuda() || !x.is_contiguous()) {
                return false;
            }
            final Tensor grad = x.grad();
            if (!grad.defined() || !grad.is_contiguous() || grad.is_cuda()
                    || grad.scalar_type().intern() != x.scalar_type().intern()) {
                return false;
            }
            grads[k] = grad;
        }
        return true;
    }

    /**
     * Validates the inputs, runs diffhmm's forward and backward on views of them, and returns the
     * negative log-likelihood. {@code weight · ∂(−Σ log p)/∂input} is added to the tensors in grads
     * ({@code accumulate}: contiguous tensors on the inputs' device) or written into fresh ones.
     */
    private static double compute(Options options, Tensor[] inputs, long[] lengths, long[] transIndex, double weight,
            Tensor[] grads, boolean accumulate) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(lengths, "lengths");
        final Tensor emit = inputs[0], trans = inputs[1], init = inputs[2];
        final Options opts = placed(options, inputs, "emit", "trans", "init");
        final DType dtype = dtypeOf(emit, "emit");
        if (dtypeOf(trans, "trans") != dtype || dtypeOf(init, "init") != dtype) {
            throw new IllegalArgumentException("emit, trans and init must have one dtype; got " + emit.scalar_type()
                    + ", " + trans.scalar_type() + ", " + init.scalar_type());
        }
        if (emit.dim() != 3) {
            throw new IllegalArgumentException("emit must be [B][T][N], got " + emit.dim() + " dimensions");
        }
        final long batch = emit.size(0);
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries for a batch of " + batch);
        }
        final Tensor e = emit.detach().contiguous(), t = trans.detach().contiguous(), i = init.detach().contiguous();
        if (!accumulate) {
            grads[0] = torch.empty_like(e);
            grads[1] = torch.empty_like(t);
            grads[2] = torch.empty_like(i);
        }
        final double[] logZ;
        try (HmmForward.FactorizedResult r = HmmForward.apply(opts,
                Factorized.of(view(i, dtype), view(t, dtype), transIndex, view(e, dtype)), lengths)) {
            logZ = r.logZ();
            final double[] seed = new double[(int) batch];
            java.util.Arrays.fill(seed, -weight);
            if (accumulate) {
                r.addGradients(seed, view(grads[2], dtype), view(grads[1], dtype), view(grads[0], dtype));
            } else {
                r.backward(seed, view(grads[2], dtype), view(grads[1], dtype), view(grads[0], dtype));
            }
        }
        double value = 0;
        for (double z : logZ) {
            value -= z;
        }
        return value;
    }

    /**
     * {@code −Σ_b log Z_b} for dense potentials — a linear-chain CRF or an HMM whose step scores come
     * whole from the caller: {@code potential[b][t][i][j]} scores the transition {@code i → j} into
     * step t (step 0 reads row 0: {@code potential[b][0][0][j]} is the initial score of j).
     *
     * @param options   diffhmm's options
     * @param potential {@code [B][T][N][N]} log-scores, float32 or float64, on the CPU
     * @param lengths   {@code B} sequence lengths, each in {@code [0, T]}
     * @return a scalar tensor, {@code −Σ_b log Z_b}, with diffhmm's gradient under autograd
     * @throws IllegalArgumentException if the shape, dtype or device is wrong
     * @throws org.diffhmm.DiffhmmException if diffhmm refuses the values (lengths out of range, NaN)
     */
    public static Tensor nllDense(Options options, Tensor potential, long[] lengths) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(lengths, "lengths");
        final Options opts = placed(options, new Tensor[] {potential}, "potential");
        final DType dtype = dtypeOf(potential, "potential");
        if (potential.dim() != 4 || potential.size(2) != potential.size(3)) {
            throw new IllegalArgumentException("potential must be [B][T][N][N], got " + shapeOf(potential));
        }
        if (lengths.length != potential.size(0)) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries for a batch of "
                    + potential.size(0));
        }
        final Tensor p = potential.detach().contiguous();
        final Tensor grad = torch.empty_like(p);
        final double[] logZ;
        try (HmmForward.Result r = HmmForward.apply(opts, view(p, dtype), lengths)) {
            logZ = r.logZ();
            final double[] minusOne = new double[lengths.length];
            java.util.Arrays.fill(minusOne, -1.0);
            r.backward(minusOne, view(grad, dtype));
        }
        double value = 0;
        for (double z : logZ) {
            value -= z;
        }
        return surrogate(value, potential.scalar_type(), new Tensor[][] {{potential, grad}});
    }

    /** {@code value + Σ x·∂ − stop(Σ x·∂)} over the pairs (x, ∂) whose x requires a gradient. */
    private static Tensor surrogate(double value, torch.ScalarType type, Tensor[][] pairs) {
        Tensor linear = null;
        for (Tensor[] pair : pairs) {
            if (pair[0].requires_grad()) {
                // One dot product: no intermediate tensor of the input's size.
                final Tensor term = pair[0].flatten().dot(pair[1].flatten());
                linear = linear == null ? term : linear.add(term);
            }
        }
        // One read of the sum (one synchronisation on a GPU, not one per input). NaN: some input has
        // −inf scores (structural zeros, gradient 0), and −inf·0 = NaN; those leave them out.
        if (linear != null && Double.isNaN(linear.item_double())) {
            linear = null;
            for (Tensor[] pair : pairs) {
                if (pair[0].requires_grad()) {
                    final Tensor term = torch.where(pair[0].isfinite(), pair[0], new org.bytedeco.pytorch.Scalar(0.0))
                            .flatten().dot(pair[1].flatten());
                    linear = linear == null ? term : linear.add(term);
                }
            }
        }
        if (linear != null) {
            return linear.sub(linear.detach()).add(new org.bytedeco.pytorch.Scalar(value));  // on the inputs' device
        }
        final Tensor constant = torch.full(new long[0], new org.bytedeco.pytorch.Scalar(value),
                new org.bytedeco.pytorch.TensorOptions(type));
        return pairs[0][0].is_cuda() ? constant.to(pairs[0][0].device(), type) : constant;
    }

    private static String shapeOf(Tensor x) {
        final StringBuilder b = new StringBuilder();
        for (int d = 0; d < x.dim(); d++) {
            b.append('[').append(x.size(d)).append(']');
        }
        return b.length() == 0 ? "a scalar" : b.toString();
    }

    /**
     * The options for a call on these tensors: as given for CPU tensors; for CUDA tensors (all on
     * one device), diffhmm's CUDA backend on that device and libtorch's current stream there.
     */
    private static Options placed(Options options, Tensor[] xs, String... names) {
        for (int k = 0; k < xs.length; k++) {
            Objects.requireNonNull(xs[k], names[k]);
        }
        final boolean cuda = xs[0].is_cuda();
        final int device = cuda ? xs[0].device().index() : -1;
        for (int k = 1; k < xs.length; k++) {
            final boolean c = xs[k].is_cuda();
            if (c != cuda || c && xs[k].device().index() != device) {
                throw new IllegalArgumentException(names[k] + " is on " + where(xs[k]) + " but " + names[0] + " is on "
                        + where(xs[0]) + "; all inputs must be on one device");
            }
        }
        if (!cuda) {
            return options;
        }
        return options.backend(org.diffhmm.Backend.CUDA).cudaDevice(device).stream(CurrentStream.of(device));
    }

    private static String where(Tensor x) {
        return x.is_cuda() ? "CUDA device " + x.device().index() : "the CPU";
    }

    /** libtorch's current CUDA stream; a class of its own so that CPU users never load torch_cuda. */
    private static final class CurrentStream {
        static Pointer of(int device) {
            return org.bytedeco.pytorch.global.torch_cuda.getCurrentCUDAStream((byte) device).stream();
        }
    }

    private static DType dtypeOf(Tensor x, String name) {
        final torch.ScalarType type = x.scalar_type().intern();  // JavaCPP hands out fresh enum objects: intern
        if (type == torch.ScalarType.Float) {
            return DType.FLOAT32;
        }
        if (type == torch.ScalarType.Double) {
            return DType.FLOAT64;
        }
        throw new IllegalArgumentException(name + " must be float32 or float64, got " + type);
    }

    /**
     * A diffhmm tensor viewing a torch tensor's memory, for calling diffhmm's own API (HmmForward,
     * Viterbi, marginals, sampling) on torch data without a copy; outputs written through the view
     * land in the torch tensor.
     *
     * <p>A CUDA tensor gives a device view ({@link org.diffhmm.Tensor#ofDevice}) for diffhmm's CUDA
     * backend; pass its device and libtorch's current stream in the call's {@link Options}.
     *
     * @param x a contiguous float32 or float64 tensor; it must outlive the view's use
     * @return the view, with {@code x}'s shape
     * @throws IllegalArgumentException if {@code x} is not contiguous or of another dtype
     */
    public static org.diffhmm.Tensor view(Tensor x) {
        Objects.requireNonNull(x, "x");
        if (!x.is_contiguous()) {
            throw new IllegalArgumentException("x must be contiguous (call contiguous() first)");
        }
        return view(x, dtypeOf(x, "x"));
    }

    /** A diffhmm view of a contiguous tensor's memory (no copy), host or device. */
    private static org.diffhmm.Tensor view(Tensor x, DType dtype) {
        final long n = x.numel();
        final long[] shape = new long[(int) x.dim()];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = x.size(d);
        }
        if (n == 0) {
            // An empty tensor may have no storage at all (a null data pointer): nothing to view.
            return dtype == DType.FLOAT32 ? org.diffhmm.Tensor.of(new float[0], shape) : org.diffhmm.Tensor.of(new double[0], shape);
        }
        final Pointer data = x.data_ptr();
        if (x.is_cuda()) {
            return org.diffhmm.Tensor.ofDevice(data, dtype, shape);
        }
        if (dtype == DType.FLOAT32) {
            return org.diffhmm.Tensor.of(new FloatPointer(data).capacity(n).limit(n), shape);
        }
        return org.diffhmm.Tensor.of(new DoublePointer(data).capacity(n).limit(n), shape);
    }
}
