package org.diffhmm.models;

import org.diffhmm.DType;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;

/**
 * The HMM as a layer with emissions brought by the caller — the hook for larger JVM training
 * pipelines. The caller computes {@code emit[B][T][N] = log p(x_bt | z = j)} with any model of
 * theirs (a network, a mixture, a lookup), gets {@code log P(x_b)} per sequence, and on the way back
 * the gradient with respect to {@code emit} (to continue their own backpropagation) and with respect
 * to this layer's chain logits.
 *
 * <pre>{@code
 * HmmLayer layer = new HmmLayer(Chain.random(N, 0.5, rng));
 * Optimizer adam = Optimizer.adam();
 * try (HmmLayer.Output out = layer.forward(Tensor.of(emit, B, T, N), lengths)) {
 *     double[] logP = out.logLikelihoods();
 *     HmmLayer.Gradients g = out.backward(gradLogP);     // g.emit(): [B][T][N]; g.chain(): [N + N*N]
 *     double[] theta = layer.parameters();              // the chain's logits, g.chain()'s layout
 *     adam.step(theta, g.lossGradient(), 0.05);          // descend -Σ gradLogP·logP
 *     layer.setParameters(theta);
 * }
 * }</pre>
 * Thread-safety: an {@code HmmLayer} may be used from several threads if its chain is not being
 * updated at the same time; an {@link Output} is used by one thread.
 */
public final class HmmLayer {
    private final Chain chain;
    private final Options options;

    /**
     * A layer over a chain, on the default options.
     *
     * @param chain the hidden chain (shared, not copied)
     */
    public HmmLayer(Chain chain) {
        this(chain, Options.DEFAULT);
    }

    /**
     * A layer over a chain.
     *
     * @param chain   the hidden chain (shared, not copied)
     * @param options backend and threads of the native calls
     */
    public HmmLayer(Chain chain, Options options) {
        this.chain = java.util.Objects.requireNonNull(chain, "chain");
        this.options = java.util.Objects.requireNonNull(options, "options");
    }

    /**
     * The hidden chain.
     *
     * @return the chain itself
     */
    public Chain chain() {
        return chain;
    }

    /**
     * The chain's trainable parameters, in the layout of {@link Gradients#chain()}.
     *
     * @return a copy: initial logits {@code [N]}, then transition logits {@code [N][N]}
     * @see Chain#parameters()
     */
    public double[] parameters() {
        return chain.parameters();
    }

    /**
     * Replaces the chain's parameters (after an optimizer step on {@link Gradients#chain()}).
     *
     * @param parameters {@code N + N²} logits, finite or −inf
     * @throws IllegalArgumentException as {@link Chain#setParameters(double[])}
     */
    public void setParameters(double[] parameters) {
        chain.setParameters(parameters);
    }

    /**
     * The forward pass: {@code log P(x_b)} of every sequence, keeping what the backward needs until
     * the output is closed.
     *
     * @param emit    the caller's emission log-likelihoods, {@code [B][T][N]}, float32 or float64
     * @param lengths {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return the output; close it
     * @throws IllegalArgumentException if {@code emit} is not {@code [B][T][N]} or the lengths are out of range
     */
    public Output forward(Tensor emit, long[] lengths) {
        final int n = chain.states();
        if (emit.rank() != 3 || emit.dim(2) != n) {
            throw new IllegalArgumentException("emit must be [B][T][" + n + "], got " + emit);
        }
        final Factorized f = Factorized.of(tensor(chain.logInit(), emit.dtype(), n),
                tensor(chain.logTrans(), emit.dtype(), n, n), null, emit);
        return new Output(HmmForward.apply(options, f, lengths));
    }

    private static Tensor tensor(double[] values, DType dtype, long... shape) {
        if (dtype == DType.FLOAT64) {
            return Tensor.of(values, shape);
        }
        final float[] f = new float[values.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = (float) values[k];
        }
        return Tensor.of(f, shape);
    }

    /** The forward's result; close it to release its native state. */
    public final class Output implements AutoCloseable {
        private final HmmForward.FactorizedResult result;

        private Output(HmmForward.FactorizedResult result) {
            this.result = result;
        }

        /**
         * The log-likelihood of every sequence.
         *
         * @return {@code log P(x_b)}, {@code [B]} (a copy)
         */
        public double[] logLikelihoods() {
            return result.logZ();
        }

        /**
         * The gradients of {@code Σ_b gradLogP[b] · log P(x_b)}.
         *
         * @param gradLogP {@code [B]} upstream gradient, any finite reals
         * @return with respect to the chain's logits and to {@code emit}
         * @throws IllegalArgumentException if {@code gradLogP} has the wrong length or a non-finite entry
         */
        public Gradients backward(double[] gradLogP) {
            final HmmForward.FactorizedGradient g = result.backward(gradLogP);
            final double[] chainGrad = new double[chain.parameterCount()];
            chain.addGradient(g.init().toDoubleArray(), g.trans().toDoubleArray(), chainGrad, 0);
            return new Gradients(chainGrad, g.emit());
        }

        /** Releases the native state; idempotent. */
        @Override
        public void close() {
            result.close();
        }
    }

    /**
     * The gradients of a {@link HmmLayer} output.
     *
     * @param chain ∂/∂(initial logits {@code [N]}, then transition logits {@code [N][N]})
     * @param emit  ∂/∂emit, shaped and typed like the emissions passed in
     */
    public record Gradients(double[] chain, Tensor emit) {
        /**
         * The gradient of the loss {@code −Σ_b gradLogP[b] · log P(x_b)} with respect to the chain's
         * parameters — what a minimising optimizer ({@code Optimizer.step}) takes.
         *
         * @return {@code −chain()}, a fresh array
         */
        public double[] lossGradient() {
            final double[] out = chain.clone();
            for (int k = 0; k < out.length; k++) {
                out[k] = -out[k];
            }
            return out;
        }
    }
}
