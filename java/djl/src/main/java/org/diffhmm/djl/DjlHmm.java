package org.diffhmm.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.diffhmm.DType;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;

/**
 * The HMM negative log-likelihood as a Deep Java Library (DJL) operation: a network produces the
 * emission scores (and perhaps the transition and initial scores) as NDArrays, diffhmm computes
 * {@code −Σ_b log p(x_b)} and its exact gradient in one forward-backward, and DJL's autograd carries
 * that gradient on into the network.
 *
 * <p>DJL cannot run a Java-defined backward, so {@link #nll} returns a surrogate:
 * {@code value + Σ x·stop(∂) − stop(Σ x·∂)} over the inputs x that require gradients, where
 * {@code value} and {@code ∂} are diffhmm's. Its value is the negative log-likelihood and its autograd
 * gradient is exactly diffhmm's (to the inputs' precision); its second derivative is not the HMM's.
 * Zero-copy on the CPU: diffhmm reads the arrays' own memory (a contiguous array is used in place)
 * and writes the gradients into arrays the engine allocated. Inside a {@code GradientCollector} the
 * surrogate is recorded like any other operation:
 *
 * <pre>{@code
 * try (GradientCollector collector = trainer.newGradientCollector()) {
 *     NDArray emit = net.forward(ps, features, true).singletonOrThrow();  // [B][T][N] log p(x_bt | z = j)
 *     NDArray loss = DjlHmm.nll(emit, transLogits.logSoftmax(1), initLogits.logSoftmax(0), lengths);
 *     collector.backward(loss);
 * }
 * }</pre>
 *
 * <p>{@link #nllBackward} does without the surrogate (DJL's PyTorch engine only): it returns the value
 * and starts libtorch's autograd from the inputs with diffhmm's gradients, for a step whose loss is
 * this term.
 *
 * <p>{@link HmmNllBlock} packages the same operation as a {@code Block} with its own transition and
 * initial logits. Arrays on a GPU (all inputs on one device) are copied to the CPU for diffhmm and
 * their gradients copied back — one copy each way; the surrogate stays on the GPU (not yet run on a
 * GPU).
 */
public final class DjlHmm {
    private DjlHmm() {}

    /**
     * {@code −Σ_b log p(x_b)} under an HMM with one transition matrix (default options).
     *
     * @param emit    emission log-likelihoods {@code [B][T][N]}
     * @param trans   transition log-scores {@code [N][N]} (log-probabilities, or any reals: then the
     *                "likelihood" is the partition function of a linear-chain CRF)
     * @param init    initial log-scores {@code [N]}
     * @param lengths {@code B} sequence lengths, each in {@code [0, T]}
     * @return a scalar array: the negative log-likelihood, with diffhmm's gradient under autograd
     * @throws IllegalArgumentException if a shape, data type or device is wrong (the message names it)
     */
    public static NDArray nll(NDArray emit, NDArray trans, NDArray init, long[] lengths) {
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
     * @return a scalar array: the negative log-likelihood, with diffhmm's gradient under autograd
     * @throws IllegalArgumentException if a shape, data type or device is wrong (the message names it)
     * @throws org.diffhmm.DiffhmmException if diffhmm refuses the values: INVALID_ARGUMENT for lengths
     *                                  out of range, INVALID_VALUE for NaN scores (the message names them)
     */
    public static NDArray nll(Options options, NDArray emit, NDArray trans, NDArray init, long[] lengths,
            long[] transIndex) {
        final NDArray[] inputs = {emit, trans, init};
        final Device device = validate(options, inputs, lengths);
        final NDManager manager = emit.getManager();
        try (NDManager scratch = scratch(manager, inputs)) {
            final NDArray[] grads = new NDArray[3];
            final double value = compute(options, inputs, lengths, transIndex, 1.0, scratch, grads, false);
            return surrogate(manager, value, new NDArray[][] {
                {emit, on(device, grads[0])}, {trans, on(device, grads[1])}, {init, on(device, grads[2])}});
        }
    }

    /**
     * {@code −Σ_b log p(x_b)}, and autograd's backward run at once from the inputs with diffhmm's
     * gradient (times {@code weight}) — no surrogate in the graph, so none of its passes over the
     * emissions: for a training step of a custom loop whose loss is this term (or a weighted sum of
     * terms, each backpropagated on its own). Gradients accumulate as {@code collector.backward(loss)}
     * would: into a parameter's gradient (added in place when it has one, as after DJL's in-place
     * zeroing), and on through the network into its parameters for an input the network computed.
     * Needs DJL's PyTorch engine (it starts libtorch's autograd from given gradients, which DJL's API
     * cannot); with another engine use {@link #nll}.
     *
     * <pre>{@code
     * try (GradientCollector collector = trainer.newGradientCollector()) {
     *     NDArray emit = net.forward(ps, features, true).singletonOrThrow();
     *     double nll = DjlHmm.nllBackward(Options.DEFAULT, emit, transLogits.logSoftmax(1), initLogits.logSoftmax(0),
     *             lengths, null, 1.0);
     * }
     * trainer.step();
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
     * @throws IllegalArgumentException if a shape, data type, device or the engine is wrong (the
     *                                  message names it)
     * @throws org.diffhmm.DiffhmmException if diffhmm refuses the values (lengths out of range, NaN)
     */
    public static double nllBackward(Options options, NDArray emit, NDArray trans, NDArray init, long[] lengths,
            long[] transIndex, double weight) {
        final NDArray[] inputs = {emit, trans, init};
        final Device device = validate(options, inputs, lengths);
        final String engine = emit.getManager().getEngine().getEngineName();
        if (!PtAutograd.ENGINE.equals(engine)) {
            throw new IllegalArgumentException("nllBackward needs DJL's " + PtAutograd.ENGINE + " engine; the arrays are "
                    + engine + "'s (DjlHmm.nll works with any engine)");
        }
        try (NDManager scratch = scratch(emit.getManager(), inputs)) {
            // Three parameters that have gradients already (as after DJL's in-place zeroing): diffhmm
            // adds into those gradients' memory itself — no gradient arrays, and nothing run in libtorch.
            final NDArray[] own = new NDArray[3];
            boolean inPlace = "cpu".equals(device.getDeviceType());
            for (int k = 0; k < 3 && inPlace; k++) {
                own[k] = PtAutograd.gradientInPlace(inputs[k], scratch);
                inPlace = own[k] != null;
            }
            if (inPlace) {
                return compute(options, inputs, lengths, transIndex, weight, scratch, own, true);
            }
            final NDArray[] grads = new NDArray[3];
            final double value = compute(options, inputs, lengths, transIndex, weight, scratch, grads, false);
            // DJL tells whether a parameter requires a gradient but not whether a network's output
            // does; libtorch refuses the backward of an array that needs none, and that one is skipped.
            for (int k = 0; k < 3; k++) {
                // Inputs may share a graph (two outputs of one network): all but the last pass keep it.
                PtAutograd.backwardIfRequired(inputs[k], on(device, grads[k]), k < 2);
            }
            return value;
        }
    }

    /** The inputs' one device, after checking what a call needs of the inputs and lengths. */
    private static Device validate(Options options, NDArray[] inputs, long[] lengths) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(lengths, "lengths");
        final Device device = oneDevice(inputs, "emit", "trans", "init");
        final NDArray emit = inputs[0], trans = inputs[1], init = inputs[2];
        final DType dtype = dtypeOf(emit, "emit");
        if (dtypeOf(trans, "trans") != dtype || dtypeOf(init, "init") != dtype) {
            throw new IllegalArgumentException("emit, trans and init must have one data type; got "
                    + emit.getDataType() + ", " + trans.getDataType() + ", " + init.getDataType());
        }
        if (emit.getShape().dimension() != 3) {
            throw new IllegalArgumentException("emit must be [B][T][N], got " + emit.getShape());
        }
        final long batch = emit.getShape().get(0);
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries for a batch of " + batch);
        }
        return device;
    }

    /**
     * Runs diffhmm's forward and backward on CPU views of the (validated) inputs and returns
     * {@code −Σ_b log p(x_b)}. {@code weight · ∂(−Σ log p)/∂input} goes into grads: added to the CPU
     * arrays it holds ({@code accumulate}), or written into new CPU arrays in {@code scratch}.
     */
    private static double compute(Options options, NDArray[] inputs, long[] lengths, long[] transIndex, double weight,
            NDManager scratch, NDArray[] grads, boolean accumulate) {
        final DType dtype = dtypeOf(inputs[0], "emit");
        if (!accumulate) {
            for (int k = 0; k < 3; k++) {
                grads[k] = empty(scratch, inputs[k]);
            }
        }
        final double[] logZ;
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, Factorized.of(view(onCpu(inputs[2]), dtype),
                view(onCpu(inputs[1]), dtype), transIndex, view(onCpu(inputs[0]), dtype)), lengths)) {
            logZ = r.logZ();
            final double[] seed = filled(lengths.length, -weight);
            if (accumulate) {
                r.addGradients(seed, view(grads[2], dtype), view(grads[1], dtype), view(grads[0], dtype));
            } else {
                r.backward(seed, view(grads[2], dtype), view(grads[1], dtype), view(grads[0], dtype));
            }
        }
        return -sum(logZ);
    }

    /**
     * {@code −Σ_b log Z_b} for dense potentials — a linear-chain CRF or an HMM whose step scores come
     * whole from the caller: {@code potential[b][t][i][j]} scores the transition {@code i → j} into
     * step t (step 0 reads row 0: {@code potential[b][0][0][j]} is the initial score of j).
     *
     * @param options   diffhmm's options
     * @param potential {@code [B][T][N][N]} log-scores, float32 or float64
     * @param lengths   {@code B} sequence lengths, each in {@code [0, T]}
     * @return a scalar array, {@code −Σ_b log Z_b}, with diffhmm's gradient under autograd
     * @throws IllegalArgumentException if the shape, data type or device is wrong
     * @throws org.diffhmm.DiffhmmException if diffhmm refuses the values (lengths out of range, NaN)
     */
    public static NDArray nllDense(Options options, NDArray potential, long[] lengths) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(lengths, "lengths");
        final Device device = oneDevice(new NDArray[] {potential}, "potential");
        final DType dtype = dtypeOf(potential, "potential");
        final Shape shape = potential.getShape();
        if (shape.dimension() != 4 || shape.get(2) != shape.get(3)) {
            throw new IllegalArgumentException("potential must be [B][T][N][N], got " + shape);
        }
        if (lengths.length != shape.get(0)) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries for a batch of " + shape.get(0));
        }
        final NDManager manager = potential.getManager();
        try (NDManager scratch = scratch(manager, potential)) {
            final NDArray grad = empty(scratch, potential);
            final double[] logZ;
            try (HmmForward.Result r = HmmForward.apply(options, view(onCpu(potential), dtype), lengths)) {
                logZ = r.logZ();
                r.backward(filled(lengths.length, -1.0), view(grad, dtype));
            }
            return surrogate(manager, -sum(logZ), new NDArray[][] {{potential, on(device, grad)}});
        }
    }

    /**
     * A diffhmm tensor viewing a CPU array's memory, for calling diffhmm's own API (HmmForward,
     * Viterbi, marginals, sampling) on DJL data; outputs written through the view land in the array.
     * A non-contiguous array is viewed through the contiguous copy DJL makes of it, so writes to such
     * a view do not reach the array.
     *
     * @param x a float32 or float64 array on the CPU; it must stay open while the view is used
     * @return the view, with {@code x}'s shape
     * @throws IllegalArgumentException if {@code x} is on a GPU or of another data type
     */
    public static Tensor view(NDArray x) {
        Objects.requireNonNull(x, "x");
        if (!"cpu".equals(x.getDevice().getDeviceType())) {
            throw new IllegalArgumentException("x is on " + x.getDevice() + "; a view needs a CPU array");
        }
        return view(x, dtypeOf(x, "x"));
    }

    private static Tensor view(NDArray x, DType dtype) {
        final ByteBuffer bytes = x.toByteBuffer(true).order(ByteOrder.nativeOrder());
        if (!bytes.isDirect()) {
            throw new IllegalArgumentException("the engine (" + x.getManager().getEngine().getEngineName()
                    + ") gives no direct view of " + x.getShape() + "; diffhmm-djl needs one (the PyTorch engine gives it)");
        }
        final long[] shape = x.getShape().getShape();
        return dtype == DType.FLOAT32 ? Tensor.of(bytes.asFloatBuffer(), shape) : Tensor.of(bytes.asDoubleBuffer(), shape);
    }

    /** {@code value + Σ x·∂ − stop(Σ x·∂)} over the pairs (x, ∂), on the inputs' device. */
    private static NDArray surrogate(NDManager manager, double value, NDArray[][] pairs) {
        // Every input gets its term: DJL tells whether a leaf requires a gradient, not whether a
        // network's output does, and a term whose input needs none costs one dot product and adds 0.
        NDArray linear = null;
        for (NDArray[] pair : pairs) {
            final NDArray term = pair[0].flatten().dot(pair[1].flatten());
            linear = linear == null ? term : linear.add(term);
        }
        // One read of the sum (one synchronisation on a GPU, not one per input). NaN: some input has
        // −inf scores (structural zeros, gradient 0), and −inf·0 = NaN; those leave them out.
        if (Double.isNaN(linear.toType(DataType.FLOAT64, false).getDouble())) {
            linear = null;
            for (NDArray[] pair : pairs) {
                final NDArray x = pair[0].flatten();
                final NDArray term = NDArrays.where(x.isInfinite(), x.zerosLike(), x).dot(pair[1].flatten());
                linear = linear == null ? term : linear.add(term);
            }
        }
        // The value as a scalar of the inputs' type (a double would promote a float32 loss to float64).
        final Number scalar = linear.getDataType() == DataType.FLOAT32 ? (Number) (float) value : (Number) value;
        final NDArray result = linear.sub(linear.stopGradient()).add(scalar);
        // The rest goes with the scratch manager; the graph keeps what its backward needs.
        result.attach(manager);
        return result;
    }

    /**
     * A sub-manager for a call's temporaries, the inputs attached to it for the call so that the
     * operations on them put their results there; closing it frees them and gives the inputs back.
     */
    private static NDManager scratch(NDManager manager, NDArray... inputs) {
        final NDManager scratch = manager.newSubManager();
        for (NDArray x : inputs) {
            x.tempAttach(scratch);
        }
        return scratch;
    }

    /** An uninitialised CPU array shaped like {@code like}, for diffhmm to write a gradient into. */
    private static NDArray empty(NDManager manager, NDArray like) {
        return manager.create(like.getShape(), like.getDataType(), Device.cpu());
    }

    private static double[] filled(int n, double value) {
        final double[] a = new double[n];
        Arrays.fill(a, value);
        return a;
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /** The one device every input is on (the CPU, or one GPU); an input elsewhere is named. */
    private static Device oneDevice(NDArray[] xs, String... names) {
        for (int k = 0; k < xs.length; k++) {
            Objects.requireNonNull(xs[k], names[k]);
        }
        final Device device = xs[0].getDevice();
        for (int k = 1; k < xs.length; k++) {
            if (!xs[k].getDevice().equals(device)) {
                throw new IllegalArgumentException(names[k] + " is on " + xs[k].getDevice() + " but " + names[0] + " is on "
                        + device + "; all inputs must be on one device");
            }
        }
        return device;
    }

    /** The array itself on the CPU; elsewhere a CPU copy (diffhmm runs on the CPU for DJL's GPU arrays). */
    private static NDArray onCpu(NDArray x) {
        return "cpu".equals(x.getDevice().getDeviceType()) ? x : x.toDevice(Device.cpu(), true);
    }

    /** A CPU gradient where its input lives: itself on the CPU, a copy on a GPU. */
    private static NDArray on(Device device, NDArray cpuArray) {
        return "cpu".equals(device.getDeviceType()) ? cpuArray : cpuArray.toDevice(device, true);
    }

    private static DType dtypeOf(NDArray x, String name) {
        if (x.getDataType() == DataType.FLOAT32) {
            return DType.FLOAT32;
        }
        if (x.getDataType() == DataType.FLOAT64) {
            return DType.FLOAT64;
        }
        throw new IllegalArgumentException(name + " must be float32 or float64, got " + x.getDataType());
    }
}
