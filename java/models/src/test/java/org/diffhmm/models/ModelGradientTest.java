package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.DType;
import org.diffhmm.Tensor;
import org.diffhmm.train.Model;
import org.junit.jupiter.api.Test;

/**
 * Every model's parameter gradient (closed form through the softmax) against central finite
 * differences of its objective: relative agreement better than 1e-6 on every parameter.
 */
class ModelGradientTest {
    static <S> void checkGradient(Model<S> model, List<S> data, String name) {
        final double[] theta = model.parameters();
        final double[] analytic = model.objective(data).gradient();
        final double h = 1e-5;
        double worst = 0;
        for (int k = 0; k < theta.length; k++) {
            final double keep = theta[k];
            theta[k] = keep + h;
            model.setParameters(theta);
            final double up = model.objective(data).value();
            theta[k] = keep - h;
            model.setParameters(theta);
            final double down = model.objective(data).value();
            theta[k] = keep;
            model.setParameters(theta);
            final double numeric = (up - down) / (2 * h);
            worst = Math.max(worst, Math.abs(numeric - analytic[k]) / Math.max(1, Math.abs(numeric)));
        }
        assertTrue(worst < 1e-6, name + ": worst relative difference to finite differences " + worst);
    }

    @Test
    void categorical() {
        final SplittableRandom rng = new SplittableRandom(11);
        final CategoricalHmm hmm = CategoricalHmm.random(3, 4, rng);
        final List<int[]> data = new ArrayList<>();
        for (int len : new int[] {7, 1, 12, 5}) {
            data.add(CategoricalHmm.random(3, 4, rng).sample(len, rng).observations());
        }
        checkGradient(hmm, data, "categorical");
    }

    @Test
    void gaussianDiagonal() {
        final SplittableRandom rng = new SplittableRandom(12);
        final GaussianHmm hmm = GaussianHmm.random(3, 2, 0.0, 1.0, rng);
        final List<double[][]> data = new ArrayList<>();
        for (int len : new int[] {6, 9, 2}) {
            data.add(GaussianHmm.random(3, 2, 0.0, 1.5, rng).sample(len, rng).observations());
        }
        checkGradient(hmm, data, "gaussian");
    }

    @Test
    void cloneHmmWithPseudocount() {
        final SplittableRandom rng = new SplittableRandom(13);
        final CloneHmm hmm = CloneHmm.random(new int[] {2, 3, 1}, 2, 0.3, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>();
        for (int len : new int[] {8, 5, 1}) {
            final int[] actions = new int[Math.max(0, len - 1)];
            for (int t = 0; t < actions.length; t++) {
                actions[t] = rng.nextInt(2);
            }
            walks.add(hmm.sample(actions, rng));
        }
        checkGradient(hmm, walks, "clone");
    }

    @Test
    void layerWithCallerEmissions() {
        final SplittableRandom rng = new SplittableRandom(14);
        final int B = 2, T = 5, N = 3;
        final HmmLayer layer = new HmmLayer(Chain.random(N, 0.7, rng));
        final double[] emit = new double[B * T * N];
        for (int k = 0; k < emit.length; k++) {
            emit[k] = -2 * rng.nextDouble();
        }
        final long[] lengths = {5, 3};
        final double[] g = {0.7, -1.2};
        final HmmLayer.Gradients grads;
        try (HmmLayer.Output out = layer.forward(Tensor.of(emit, B, T, N), lengths)) {
            grads = out.backward(g);
        }
        final java.util.function.DoubleSupplier loss = () -> {
            try (HmmLayer.Output out = layer.forward(Tensor.of(emit, B, T, N), lengths)) {
                final double[] lp = out.logLikelihoods();
                return g[0] * lp[0] + g[1] * lp[1];
            }
        };
        final double h = 1e-5;
        double worst = 0;
        for (int k = 0; k < emit.length; k++) {
            final double keep = emit[k];
            emit[k] = keep + h;
            final double up = loss.getAsDouble();
            emit[k] = keep - h;
            final double down = loss.getAsDouble();
            emit[k] = keep;
            worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grads.emit().doubleArray()[k]));
        }
        final double[] theta = new double[N + N * N];
        layer.chain().copyParameters(theta, 0);
        for (int k = 0; k < theta.length; k++) {
            final double keep = theta[k];
            theta[k] = keep + h;
            layer.chain().setParameters(theta, 0);
            final double up = loss.getAsDouble();
            theta[k] = keep - h;
            layer.chain().setParameters(theta, 0);
            final double down = loss.getAsDouble();
            theta[k] = keep;
            layer.chain().setParameters(theta, 0);
            worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grads.chain()[k]));
        }
        assertTrue(worst < 1e-7, "layer: worst difference to finite differences " + worst);
        assertTrue(grads.emit().dtype() == DType.FLOAT64);
    }

    @Test
    void layerChainTrainsThroughItsParameters() {
        // Emissions from a fixed "network" (a table here), the chain trained by Adam through
        // parameters()/setParameters(): the log-likelihood of the data rises towards the truth's.
        final SplittableRandom rng = new SplittableRandom(15);
        final int B = 16, T = 40, N = 3, V = 4;
        final CategoricalHmm truth = CategoricalHmm.random(N, V, rng);
        final double[] table = truth.logEmissions();
        final double[] emit = new double[B * T * N];
        final long[] lengths = new long[B];
        for (int b = 0; b < B; b++) {
            final int[] x = truth.sample(T, rng).observations();
            lengths[b] = T;
            for (int t = 0; t < T; t++) {
                for (int j = 0; j < N; j++) {
                    emit[(b * T + t) * N + j] = table[j * V + x[t]];
                }
            }
        }
        final HmmLayer layer = new HmmLayer(Chain.random(N, 0.5, rng));
        final org.diffhmm.train.Optimizer adam = org.diffhmm.train.Optimizer.adam();
        final double[] ones = new double[B];
        java.util.Arrays.fill(ones, 1.0);
        double first = Double.NaN, last = Double.NaN;
        for (int step = 0; step < 60; step++) {
            try (HmmLayer.Output out = layer.forward(Tensor.of(emit, B, T, N), lengths)) {
                double total = 0;
                for (double v : out.logLikelihoods()) {
                    total += v;
                }
                if (step == 0) {
                    first = total;
                }
                last = total;
                final HmmLayer.Gradients g = out.backward(ones);
                final double[] theta = layer.parameters();
                final double[] loss = g.lossGradient();
                for (int k = 0; k < loss.length; k++) {
                    loss[k] /= B * T;
                }
                adam.step(theta, loss, 0.05);
                layer.setParameters(theta);
                assertArrayEquals(theta, layer.parameters(), 0.0);
            }
        }
        assertTrue(last > first + 1, "log-likelihood " + first + " -> " + last);
        final double[] bad = layer.parameters();
        bad[N + 2] = Double.NaN;
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.setParameters(bad));
        assertTrue(e.getMessage().contains("transition logit [0][2]"), e.getMessage());
        final double[] dead = layer.parameters();
        java.util.Arrays.fill(dead, N + N, N + 2 * N, Double.NEGATIVE_INFINITY);
        assertThrows(IllegalArgumentException.class, () -> layer.setParameters(dead));
        assertThrows(IllegalArgumentException.class, () -> layer.setParameters(new double[3]));
    }
}
