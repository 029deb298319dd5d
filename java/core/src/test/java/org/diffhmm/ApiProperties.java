package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * The API under random input: malformed calls raise a clear exception (a Java argument exception
 * or a native status, with a message) and leave every input unchanged; valid calls — any finite
 * scores, {@code -inf} entries, ragged lengths including 0 — never produce NaN.
 */
class ApiProperties {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);

    @Property(tries = 200)
    void malformedDenseCallsAreRefusedClearlyAndChangeNothing(@ForAll @IntRange(min = 1, max = 4) int b,
                                                              @ForAll @IntRange(min = 1, max = 5) int t,
                                                              @ForAll @IntRange(min = 1, max = 4) int n,
                                                              @ForAll @IntRange(min = 0, max = 9) int defect,
                                                              @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final float[] scores = randoms(rng, b * t * n * n);
        final long[] lengths = new long[b];
        for (int k = 0; k < b; k++) {
            lengths[k] = rng.nextInt(t + 1);
        }
        boolean[] mask = null;
        long[] shape = {b, t, n, n};
        float[] data = scores;
        long[] lens = lengths;
        final int victim = rng.nextInt(b);
        switch (defect) {
            case 0: shape = new long[] {b, t, n * n}; break;                                  // rank 3
            case 1: shape = new long[] {b, t, n, n + 1}; data = new float[b * t * n * (n + 1)]; break;  // N x N+1
            case 2: lens = lengths.clone(); lens[victim] = -1 - rng.nextInt(5); break;         // negative length
            case 3: lens = lengths.clone(); lens[victim] = t + 1 + rng.nextInt(5); break;      // longer than T
            case 4: lens = new long[b + 1]; break;                                             // wrong count
            case 5: mask = new boolean[b * t]; mask[victim * t + t - 1] = lengths[victim] < t; // not the prefix mask
                    if (!mask[victim * t + t - 1]) { mask = new boolean[b * t + 1]; } break;
            case 6: lens = null; break;
            case 7: data = scores.clone(); data[index(lengths, t, n, rng, scores.length)] = Float.NaN; break;
            case 8: data = scores.clone(); data[index(lengths, t, n, rng, scores.length)] = Float.POSITIVE_INFINITY; break;
            default: data = null; break;
        }
        final float[] dataBefore = data == null ? null : data.clone();
        final long[] lensBefore = lens == null ? null : lens.clone();
        final float[] d = data;
        final long[] l = lens;
        final long[] s = shape;
        final boolean[] m = mask;
        final RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> {
            try (HmmForward.Result r = HmmForward.apply(CPU, Tensor.of(d, s), l, m)) {
                r.logZ();
            }
        }, "defect " + defect);
        assertTrue(e instanceof IllegalArgumentException || e instanceof NullPointerException || e instanceof DiffhmmException,
                "defect " + defect + ": " + e);
        assertNotNull(e.getMessage(), "defect " + defect + ": " + e);
        if (dataBefore != null) {
            assertArrayEquals(dataBefore, data, "the scores are unchanged");
        }
        if (lensBefore != null) {
            assertArrayEquals(lensBefore, lens, "the lengths are unchanged");
        }
    }

    /** An entry the forward reads: step 0 row 0, or a later real step (at least one exists if some length > 0). */
    private static int index(long[] lengths, int t, int n, SplittableRandom rng, int size) {
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] > 0) {
                final int step = rng.nextInt((int) lengths[b]);
                final int row = step == 0 ? 0 : rng.nextInt(n);
                return ((b * t + step) * n + row) * n + rng.nextInt(n);
            }
        }
        lengths[0] = 1;  // every length was 0: make one step real so the value is read
        return rng.nextInt(n);
    }

    @Property(tries = 150)
    void validInputsNeverGiveNaNAndStayUnchanged(@ForAll @IntRange(min = 1, max = 4) int b,
                                                 @ForAll @IntRange(min = 1, max = 6) int t,
                                                 @ForAll @IntRange(min = 1, max = 6) int n,
                                                 @ForAll @DoubleRange(min = 0, max = 0.6) double minusInfRate,
                                                 @ForAll @DoubleRange(min = -50, max = 50) double offset,
                                                 @ForAll boolean float64, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final double[] scores = new double[b * t * n * n];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = rng.nextDouble() < minusInfRate ? Double.NEGATIVE_INFINITY : rng.nextDouble(-4, 4) + offset;
        }
        final long[] lengths = new long[b];
        for (int k = 0; k < b; k++) {
            lengths[k] = rng.nextInt(t + 1);
        }
        final double[] g = new double[b];
        for (int k = 0; k < b; k++) {
            g[k] = rng.nextDouble(-3, 3);
        }
        final long[] lengthsBefore = lengths.clone();
        final Tensor potential;
        final Object before;
        if (float64) {
            potential = Tensor.of(scores, b, t, n, n);
            before = scores.clone();
        } else {
            final float[] f = new float[scores.length];
            for (int k = 0; k < f.length; k++) {
                f[k] = (float) scores[k];
            }
            potential = Tensor.of(f, b, t, n, n);
            before = f.clone();
        }
        try (HmmForward.Result r = HmmForward.apply(CPU, potential, lengths)) {
            for (double z : r.logZ()) {
                assertFalse(Double.isNaN(z) || z == Double.POSITIVE_INFINITY, "log Z = " + z);
            }
            for (double v : r.backward(g).toDoubleArray()) {
                assertTrue(Double.isFinite(v), "gradient entry " + v);
            }
        }
        for (double v : HmmForward.marginals(CPU, potential, lengths).gamma().toDoubleArray()) {
            assertTrue(v >= 0 && v <= 1 + 1e-6, "marginal " + v);
        }
        for (double v : HmmForward.viterbi(CPU, potential, lengths).scores()) {
            assertFalse(Double.isNaN(v), "Viterbi score " + v);
        }
        assertArrayEquals(lengthsBefore, lengths);
        if (float64) {
            assertArrayEquals((double[]) before, potential.doubleArray());
        } else {
            assertArrayEquals((float[]) before, potential.floatArray());
        }
    }

    /**
     * {@link Factorized#withTrans}: a replacement of another shape, rank or dtype is refused (the
     * message names both); one of the same shape and dtype gives exactly what the problem built afresh
     * with it gives; and an index outside [0, K) at a step the lengths reach is refused whatever
     * lengths the original was checked against before.
     */
    @Property(tries = 100)
    void otherTransitionsBehaveAsAFreshProblem(@ForAll @IntRange(min = 1, max = 3) int b,
                                               @ForAll @IntRange(min = 2, max = 5) int t,
                                               @ForAll @IntRange(min = 1, max = 4) int n,
                                               @ForAll @IntRange(min = 1, max = 3) int k,
                                               @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final Tensor init = Tensor.of(randoms(rng, n), n), emit = Tensor.of(randoms(rng, b * t * n), b, t, n);
        final long[] index = new long[b * t];
        for (int e = 0; e < index.length; e++) {
            index[e] = rng.nextInt(k);
        }
        final long[] lengths = new long[b];
        for (int e = 0; e < b; e++) {
            lengths[e] = rng.nextInt(t + 1);
        }
        final Factorized f = Factorized.of(init, Tensor.of(randoms(rng, k * n * n), k, n, n), index, emit);
        try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, f, lengths)) {
            r.logZ();  // checks the index against these lengths
        }
        final Tensor wrong;
        switch (rng.nextInt(3)) {
            case 0: wrong = Tensor.of(randoms(rng, k * n * (n + 1)), k, n, n + 1); break;
            case 1: wrong = Tensor.of(randoms(rng, (k + 1) * n * n), k + 1, n, n); break;
            default: wrong = Tensor.of(new double[k * n * n], k, n, n); break;
        }
        final IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> f.withTrans(wrong));
        assertTrue(e.getMessage().contains("shape and dtype"), e.getMessage());
        final Tensor other = Tensor.of(randoms(rng, k * n * n), k, n, n);
        try (HmmForward.FactorizedResult viaCopy = HmmForward.apply(CPU, f.withTrans(other), lengths);
                HmmForward.FactorizedResult fresh = HmmForward.apply(CPU, Factorized.of(init, other, index, emit), lengths)) {
            assertArrayEquals(fresh.logZ(), viaCopy.logZ());
        }
        // A bad index at step s of one sequence: unseen while that sequence is shorter, found after.
        final int victim = rng.nextInt(b), s = 1 + rng.nextInt(t - 1);
        final long[] bad = index.clone();
        bad[victim * t + s] = k + rng.nextInt(3);
        final long[] shorter = lengths.clone();
        shorter[victim] = s;
        final long[] longer = lengths.clone();
        longer[victim] = t;
        final Factorized g = Factorized.of(init, other, bad, emit);
        try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, g, shorter)) {
            assertFalse(Double.isNaN(r.logZ()[victim]));
        }
        final IllegalArgumentException found = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> HmmForward.apply(CPU, g.withTrans(Tensor.of(randoms(rng, k * n * n), k, n, n)), longer));
        assertTrue(found.getMessage().contains("transIndex[" + victim + "][" + s + "]"), found.getMessage());
    }

    /** {@code count} scores uniform in [−3, 3). */
    private static float[] randoms(SplittableRandom rng, int count) {
        final float[] a = new float[count];
        for (int e = 0; e < count; e++) {
            a[e] = (float) rng.nextDouble(-3, 3);
        }
        return a;
    }
}
