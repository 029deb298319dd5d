package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Posterior sampling through the Java API: state frequencies over many samples match the node
 * marginals within 5 standard deviations (dense and factorized, float32 and float64), draws are
 * reproducible for a seed and change with it, and padding is -1.
 */
class SampleTest {
    private static final int SAMPLES = 4000;

    private static void checkAgainstMarginals(String label, HmmForward.Samples samples, double[] gamma, Problems p) {
        final long[] paths = samples.paths();
        for (int b = 0; b < p.B; b++) {
            for (int t = 0; t < p.T; t++) {
                final int[] counts = new int[p.N];
                for (int s = 0; s < SAMPLES; s++) {
                    final long z = paths[(b * SAMPLES + s) * p.T + t];
                    if (t >= p.lengths[b]) {
                        assertEquals(-1, z, label + " padding");
                        continue;
                    }
                    counts[(int) z]++;
                }
                if (t >= p.lengths[b]) {
                    continue;
                }
                for (int j = 0; j < p.N; j++) {
                    final double prob = gamma[(b * p.T + t) * p.N + j];
                    final double freq = counts[j] / (double) SAMPLES;
                    final double tol = 5 * Math.sqrt(prob * (1 - prob) / SAMPLES) + 1e-3;
                    assertTrue(Math.abs(freq - prob) <= tol, label + " b=" + b + " t=" + t + " j=" + j + ": frequency " + freq
                            + ", marginal " + prob + ", tolerance " + tol);
                }
            }
        }
    }

    @Test
    void frequenciesMatchMarginals() {
        final SplittableRandom rng = new SplittableRandom(1001);
        for (DType dtype : DType.values()) {
            final Problems dense = Problems.dense(rng, 3, 8, 5, new Problems.Spec().negInf(0.1));
            final Tensor potential = dense.potentialTensor(dtype);
            checkAgainstMarginals("dense " + dtype, HmmForward.sample(potential, dense.lengths, SAMPLES, 7),
                    HmmForward.marginals(potential, dense.lengths).gamma().toDoubleArray(), dense);
            final Problems fact = Problems.factorized(rng, 3, 8, 4, 2, new Problems.Spec());
            final Factorized f = fact.factorized(dtype);
            checkAgainstMarginals("factorized " + dtype, HmmForward.sample(f, fact.lengths, SAMPLES, 7),
                    HmmForward.marginals(f, fact.lengths).gamma().toDoubleArray(), fact);
        }
    }

    @Test
    void reproducibleForASeed() {
        final SplittableRandom rng = new SplittableRandom(1002);
        final Problems p = Problems.dense(rng, 4, 20, 6, new Problems.Spec());
        final Tensor potential = p.potentialTensor(DType.FLOAT32);
        final HmmForward.Samples a = HmmForward.sample(Options.DEFAULT.threads(1), potential, p.lengths, 10, 5);
        final HmmForward.Samples b = HmmForward.sample(Options.DEFAULT.threads(2), potential, p.lengths, 10, 5);
        assertArrayEquals(a.paths(), b.paths());
        assertFalse(Arrays.equals(a.paths(), HmmForward.sample(potential, p.lengths, 10, 6).paths()));
        assertEquals(p.lengths[0], a.path(0, 3).length);
        assertThrows(IllegalArgumentException.class, () -> HmmForward.sample(potential, p.lengths, -1, 5));
    }
}
