package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The invariants of DESIGN §1.3, through the Java API: log Z from α equals log Z from β (γ_0 from
 * the β sweep normalises), γ sums to 1 at each step, Σ_j ξ_t(i, j) = γ_{t-1}(i) and
 * Σ_i ξ_t(i, j) = γ_t(j), Viterbi score <= log Z, and permuting the batch permutes the results.
 */
class InvariantsTest {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);

    @Test
    void coherence() {
        final SplittableRandom rng = new SplittableRandom(401);
        final Problems p = Problems.dense(rng, 6, 15, 11, new Problems.Spec().offset(0.8).negInf(0.05));
        final double[] ones = {1, 1, 1, 1, 1, 1};
        final Reference.Outputs r = Run.all(CPU, p, DType.FLOAT64, ones);
        final int N = p.N, T = p.T;
        for (int b = 0; b < p.B; b++) {
            if (r.logZ[b] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            assertTrue(r.score[b] <= r.logZ[b] + 1e-12, "Viterbi score <= log Z");
            for (int t = 0; t < p.lengths[b]; t++) {
                double sum = 0;
                for (int j = 0; j < N; j++) {
                    sum += r.gamma[(b * T + t) * N + j];
                }
                assertEquals(1.0, sum, 1e-12, "sum of gamma at b=" + b + " t=" + t);
                if (t == 0) {
                    for (int j = 0; j < N; j++) {
                        assertEquals(r.gamma[b * T * N + j], r.gradPotential[b * T * N * N + j], 1e-12,
                                "gamma_0 from the beta sweep equals gamma_0 from alpha");
                    }
                    continue;
                }
                for (int i = 0; i < N; i++) {
                    double row = 0, column = 0;
                    for (int j = 0; j < N; j++) {
                        row += r.gradPotential[((b * T + t) * N + i) * N + j];
                        column += r.gradPotential[((b * T + t) * N + j) * N + i];
                    }
                    assertEquals(r.gamma[(b * T + t - 1) * N + i], row, 1e-12, "sum_j xi = gamma_{t-1}");
                    assertEquals(r.gamma[(b * T + t) * N + i], column, 1e-12, "sum_i xi = gamma_t");
                }
            }
        }
    }

    @Test
    void permutingTheBatchPermutesResults() {
        final SplittableRandom rng = new SplittableRandom(402);
        final Problems p = Problems.dense(rng, 5, 7, 6, new Problems.Spec());
        final int[] perm = {3, 0, 4, 1, 2};
        final int block = p.T * p.N * p.N;
        final double[] permuted = new double[p.potential.length];
        final long[] lengths = new long[p.B];
        for (int b = 0; b < p.B; b++) {
            System.arraycopy(p.potential, perm[b] * block, permuted, b * block, block);
            lengths[b] = p.lengths[perm[b]];
        }
        final double[] g = {1, 1, 1, 1, 1};
        final Reference.Outputs a = Run.all(CPU, p, DType.FLOAT32, g);
        final Tensor q = Tensor.of(toFloat(permuted), p.B, p.T, p.N, p.N);
        try (HmmForward.Result r = HmmForward.apply(CPU, q, lengths, null)) {
            final double[] logZ = r.logZ();
            final double[] grad = r.backward(g).toDoubleArray();
            for (int b = 0; b < p.B; b++) {
                assertEquals(a.logZ[perm[b]], logZ[b]);
                for (int e = 0; e < block; e++) {
                    assertEquals(a.gradPotential[perm[b] * block + e], grad[b * block + e]);
                }
            }
        }
    }

    private static float[] toFloat(double[] a) {
        final float[] f = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            f[k] = (float) a[k];
        }
        return f;
    }
}
