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
 * try (HmmLayer.Output out = layer.forward(Tensor.of(emit, B, T, N), lengths)) {
 *     double[] logP = out.logLikelihoods();
 *     HmmLayer.Gradients g = out.backward(gradLogP);     // g.emit(): [B][T][N]; g.chain(): [N + N*N]
 * }
 * }</pre>
 * Thread-safety: an {@code HmmLayer} may be used from several threads if its chain is not being
 * updated at the same time; an {@link Output} is used by one thread.
 */
public final class HmmLayer {
    private final Chain chain;
    private final Options options;

    public HmmLayer(Chain chain) {
        this(chain, Options.DEFAULT);
    }

    public HmmLayer(Chain chain, Options options) {
        this.chain = chain;
        this.options = options;
    }

    public Chain chain() {
        return chain;
    }

    /** log P(x_b) for every sequence, keeping what the backward needs until the output is closed. */
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

        /** log P(x_b) per sequence. */
        public double[] logLikelihoods() {
            return result.logZ();
        }

        /** Gradients of {@code Σ_b gradLogP[b] · log P(x_b)}. */
        public Gradients backward(double[] gradLogP) {
            final HmmForward.FactorizedGradient g = result.backward(gradLogP);
            final double[] chainGrad = new double[chain.parameterCount()];
            chain.addGradient(g.init().toDoubleArray(), g.trans().toDoubleArray(), chainGrad, 0);
            return new Gradients(chainGrad, g.emit());
        }

        @Override
        public void close() {
            result.close();
        }
    }

    /**
     * {@code chain}: ∂/∂(initial logits [N], transition logits [N][N]); {@code emit}: ∂/∂emit, shaped
     * and typed like the emissions passed in.
     */
    public record Gradients(double[] chain, Tensor emit) {}
}
