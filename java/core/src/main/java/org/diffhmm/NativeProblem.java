package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.DIFFHMM_FLAG_ACCUMULATE;
import static org.diffhmm.internal.DiffhmmNative.DIFFHMM_FLAG_TRUSTED_INPUT;
import static org.diffhmm.internal.DiffhmmNative.DIFFHMM_FLOAT32;
import static org.diffhmm.internal.DiffhmmNative.DIFFHMM_FLOAT64;

import java.util.Arrays;
import java.util.Objects;

/**
 * One checked problem — dense or factorized — and the native call of every verb over its operands,
 * in whatever storage the caller chose ({@link Operands}, {@link NativeCalls}). {@link HmmForward}
 * writes each verb once over this: validate → acquire → call → wrap.
 */
abstract class NativeProblem {
    final long B, T, N;
    final DType dtype;
    final long[] lengths;  // a checked private copy

    private NativeProblem(long b, long t, long n, DType dtype, long[] lengths) {
        this.B = b;
        this.T = t;
        this.N = n;
        this.dtype = dtype;
        this.lengths = lengths;
    }

    /** The caller's input tensors of the problem. */
    abstract Tensor[] inputs();

    abstract int forward(Workspaces.Workspace ws, int flags, Operands ops, Object logZ);

    abstract int viterbi(Workspaces.Workspace ws, int flags, Operands ops, Object path, Object score);

    abstract int kbest(Workspaces.Workspace ws, int flags, Operands ops, long k, Object paths, Object scores);

    abstract int marginals(Workspaces.Workspace ws, int flags, Operands ops, Object logZ, Object gamma);

    abstract int sample(Workspaces.Workspace ws, int flags, Operands ops, long samples, long seed, Object paths);

    /** The operands of a call on this problem with these outputs (which decide the storage form too). */
    Operands operands(Tensor... outputs) {
        final Tensor[] in = inputs();
        final Tensor[] all = Arrays.copyOf(in, in.length + outputs.length);
        System.arraycopy(outputs, 0, all, in.length, outputs.length);
        return new Operands(dtype, all);
    }

    /** A pooled workspace for {@code options} and the operands of a call with these outputs, released together. */
    Call call(Options options, Tensor... outputs) {
        return new Call(Workspaces.acquire(options, inputs()), this, outputs);
    }

    /**
     * One native call's workspace and operands (try-with-resources): closing frees the operands'
     * temporary memory and gives the workspace back to its pool — unless a result {@link #keep keeps} it.
     */
    static final class Call implements AutoCloseable {
        final Workspaces.Workspace ws;
        final Operands ops;
        private boolean kept;

        private Call(Workspaces.Workspace ws, NativeProblem p, Tensor[] outputs) {
            this.ws = ws;
            try {
                this.ops = p.operands(outputs);
            } catch (RuntimeException | Error e) {
                Workspaces.release(ws);
                throw e;
            }
        }

        /** The workspace, now held by the result of the call (its forward state): not given back on close. */
        Workspaces.Workspace keep() {
            kept = true;
            return ws;
        }

        @Override
        public void close() {
            try {
                ops.close();
            } finally {
                if (!kept) {
                    Workspaces.release(ws);
                }
            }
        }
    }

    static int flags(Options options) {
        return options.trustedInput() ? DIFFHMM_FLAG_TRUSTED_INPUT : 0;
    }

    /** A backward's flags: its scores are checked again (they may have changed since the forward). */
    static int backwardFlags(boolean accumulate) {
        return accumulate ? DIFFHMM_FLAG_ACCUMULATE : 0;
    }

    int dt() {
        return dtype == DType.FLOAT32 ? DIFFHMM_FLOAT32 : DIFFHMM_FLOAT64;
    }

    // --- The two forms -----------------------------------------------------------------------------

    /** {@code potential [B][T][N][N]}. */
    static final class Dense extends NativeProblem {
        final Tensor potential;

        private Dense(Tensor potential, long[] lengths) {
            super(potential.dim(0), potential.dim(1), potential.dim(2), potential.dtype(), lengths);
            this.potential = potential;
        }

        static Dense of(Tensor potential, long[] lengths, boolean[] mask) {
            Objects.requireNonNull(potential, "potential");
            if (potential.rank() != 4 || potential.dim(2) != potential.dim(3)) {
                throw new IllegalArgumentException("potential must have shape [B][T][N][N], got " + potential.describe());
            }
            if (potential.dim(2) < 1) {
                throw new IllegalArgumentException("potential must have N >= 1 states, got " + potential.describe());
            }
            final long[] len = checkLengths(lengths, potential.dim(0), potential.dim(1));
            checkMask(mask, len, potential.dim(1));
            return new Dense(potential, len);
        }

        @Override
        Tensor[] inputs() {
            return new Tensor[] {potential};
        }

        @Override
        int forward(Workspaces.Workspace ws, int f, Operands ops, Object logZ) {
            return NativeCalls.forwardDense(ws, dt(), f, B, T, N, ops.input(potential), ops.indices(lengths), logZ);
        }

        /** The backward; {@code accumulate}: add into grad instead of writing it. */
        int backward(Workspaces.Workspace ws, boolean accumulate, Operands ops, Object g, Tensor grad) {
            return NativeCalls.backwardDense(ws, dt(), backwardFlags(accumulate), B, T, N, ops.input(potential),
                    ops.indices(lengths), g, ops.output(grad, accumulate));
        }

        @Override
        int viterbi(Workspaces.Workspace ws, int f, Operands ops, Object path, Object score) {
            return NativeCalls.viterbiDense(ws, dt(), f, B, T, N, ops.input(potential), ops.indices(lengths), path, score);
        }

        @Override
        int kbest(Workspaces.Workspace ws, int f, Operands ops, long k, Object paths, Object scores) {
            return NativeCalls.kbestDense(ws, dt(), f, B, T, N, ops.input(potential), ops.indices(lengths), k, paths, scores);
        }

        @Override
        int marginals(Workspaces.Workspace ws, int f, Operands ops, Object logZ, Object gamma) {
            return NativeCalls.marginalsDense(ws, dt(), f, B, T, N, ops.input(potential), ops.indices(lengths), logZ, gamma);
        }

        @Override
        int sample(Workspaces.Workspace ws, int f, Operands ops, long samples, long seed, Object paths) {
            return NativeCalls.sampleDense(ws, dt(), f, B, T, N, ops.input(potential), ops.indices(lengths), samples, seed,
                    paths);
        }
    }

    /** {@link Factorized} potentials: init, trans (+ index), emit. */
    static final class Fact extends NativeProblem {
        final Factorized h;

        private Fact(Factorized h, long[] lengths) {
            super(h.batch(), h.steps(), h.states(), h.dtype(), lengths);
            this.h = h;
        }

        static Fact of(Factorized h, long[] lengths) {
            Objects.requireNonNull(h, "potentials");
            final long[] len = checkLengths(lengths, h.batch(), h.steps());
            h.checkTransIndex(len);
            return new Fact(h, len);
        }

        @Override
        Tensor[] inputs() {
            return new Tensor[] {h.init(), h.trans(), h.emit()};
        }

        private NativeCalls.Factors factors(Operands ops) {
            return new NativeCalls.Factors(dt(), B, T, N, h.numTrans(), ops.input(h.init()), h.initBatched() ? 1 : 0,
                    ops.input(h.trans()), ops.indices(h.transIndexView()), ops.input(h.emit()), ops.indices(lengths));
        }

        @Override
        int forward(Workspaces.Workspace ws, int f, Operands ops, Object logZ) {
            return NativeCalls.forwardFactorized(ws, f, factors(ops), logZ);
        }

        /** The backward; {@code accumulate}: add into the gradients instead of writing them. */
        int backward(Workspaces.Workspace ws, boolean accumulate, Operands ops, Object g, Tensor gradInit, Tensor gradTrans,
                Tensor gradEmit) {
            return NativeCalls.backwardFactorized(ws, backwardFlags(accumulate), factors(ops), g,
                    ops.output(gradInit, accumulate), ops.output(gradTrans, accumulate), ops.output(gradEmit, accumulate));
        }

        @Override
        int viterbi(Workspaces.Workspace ws, int f, Operands ops, Object path, Object score) {
            return NativeCalls.viterbiFactorized(ws, f, factors(ops), path, score);
        }

        @Override
        int kbest(Workspaces.Workspace ws, int f, Operands ops, long k, Object paths, Object scores) {
            return NativeCalls.kbestFactorized(ws, f, factors(ops), k, paths, scores);
        }

        @Override
        int marginals(Workspaces.Workspace ws, int f, Operands ops, Object logZ, Object gamma) {
            return NativeCalls.marginalsFactorized(ws, f, factors(ops), logZ, gamma);
        }

        @Override
        int sample(Workspaces.Workspace ws, int f, Operands ops, long samples, long seed, Object paths) {
            return NativeCalls.sampleFactorized(ws, f, factors(ops), samples, seed, paths);
        }
    }

    // --- Checks Java can make before any native call ------------------------------------------------

    static long[] checkLengths(long[] lengths, long batch, long steps) {
        Objects.requireNonNull(lengths, "lengths");
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries but the batch has B = " + batch);
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " is outside [0, T = " + steps + "]");
            }
        }
        return lengths.clone();
    }

    static void checkMask(boolean[] mask, long[] lengths, long steps) {
        if (mask == null) {
            return;
        }
        if (mask.length != lengths.length * steps) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, expected B*T = " + lengths.length * steps);
        }
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < steps; t++) {
                final boolean real = t < lengths[b];
                if (mask[(int) (b * steps + t)] != real) {
                    throw new IllegalArgumentException("mask[" + b + "][" + t + "] = " + !real + " but lengths[" + b + "] = "
                            + lengths[b] + " (the mask must be the prefix mask implied by lengths)");
                }
            }
        }
    }

    /** The largest Java array the JVM allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The length of a Java result array of {@code factors} entries, or an exception that says why it cannot be one. */
    static int entries(String what, String formula, String remedy, long... factors) {
        long n = 1;
        try {
            for (long f : factors) {
                n = Math.multiplyExact(n, f);
            }
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        if (n > MAX_ARRAY) {
            throw new IllegalArgumentException(what + " need " + formula + " = " + (n == Long.MAX_VALUE ? "more than 2^63"
                    : Long.toString(n)) + " entries, more than one Java array holds (" + MAX_ARRAY + "): " + remedy);
        }
        return (int) n;
    }

    static void checkGradLogZ(double[] gradLogZ, long batch, DType dtype) {
        Objects.requireNonNull(gradLogZ, "gradLogZ");
        if (gradLogZ.length != batch) {
            throw new IllegalArgumentException("gradLogZ has " + gradLogZ.length + " entries but the batch has B = " + batch);
        }
        for (int b = 0; b < gradLogZ.length; b++) {
            if (!Double.isFinite(gradLogZ[b])) {
                throw new IllegalArgumentException("gradLogZ[" + b + "] = " + gradLogZ[b] + " (upstream gradients must be finite)");
            }
            if (dtype == DType.FLOAT32 && Math.abs(gradLogZ[b]) > Float.MAX_VALUE) {
                throw new IllegalArgumentException("gradLogZ[" + b + "] = " + gradLogZ[b] + " is outside the float32 range "
                        + "(|g| <= " + Float.MAX_VALUE + ") of this float32 problem");
            }
        }
    }

    /** {@code t} of a dtype and shape given without a tensor (the emissions' of potentials without any). */
    static void requireLike(Tensor t, DType dtype, long[] shape, String name, String of) {
        if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + " must have the dtype and shape of " + of + " (" + dtype + ", shape "
                    + Arrays.toString(shape) + "), got " + t.describe());
        }
    }

    static void requireLike(Tensor t, Tensor like, String name) {
        if (t.dtype() != like.dtype() || !Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException(name + " must have the dtype and shape of its input " + like.describe()
                    + ", got " + t.describe());
        }
    }

    /**
     * An output the native code will write: not read-only, and sharing no memory with the call's
     * inputs or other outputs (pairs of tensor and name; null tensors are skipped).
     */
    static void requireOutput(Tensor out, String name, Object... others) {
        if (out.isReadOnly()) {
            throw new IllegalArgumentException(name + " is a read-only buffer; the gradient is written into it");
        }
        for (int k = 0; k < others.length; k += 2) {
            final Tensor other = (Tensor) others[k];
            if (other != null && out.overlaps(other)) {
                throw new IllegalArgumentException(name + " shares memory with " + others[k + 1]
                        + "; outputs need storage of their own (the forward state re-reads the inputs)");
            }
        }
    }
}
