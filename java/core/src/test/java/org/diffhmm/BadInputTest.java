package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Bad input gets a clear exception that names the problem — before any native call where Java can
 * see it — the JVM never crashes, and the caller's arrays are never modified.
 */
class BadInputTest {
    private static final int B = 3, T = 4, N = 3;

    private final SplittableRandom rng = new SplittableRandom(501);
    private final float[] scores = random(B * T * N * N);
    private final long[] lengths = {4, 2, 0};

    private float[] random(int n) {
        final float[] a = new float[n];
        for (int k = 0; k < n; k++) {
            a[k] = (float) (rng.nextDouble() * 4 - 2);
        }
        return a;
    }

    private static <T extends Throwable> T expect(Class<T> type, String fragment, org.junit.jupiter.api.function.Executable call) {
        final T e = assertThrows(type, call);
        assertTrue(e.getMessage() != null && e.getMessage().contains(fragment),
                "message should mention '" + fragment + "': " + e.getMessage());
        return e;
    }

    @Test
    void shapes() {
        expect(IllegalArgumentException.class, "does not match shape", () -> Tensor.of(scores, B, T, N, N + 1));
        expect(IllegalArgumentException.class, "[B][T][N][N]",
                () -> HmmForward.apply(Tensor.of(scores, B, T, N * N), lengths));
        expect(IllegalArgumentException.class, "[B][T][N][N]",
                () -> HmmForward.apply(Tensor.of(new float[B * T * N * 2], B, T, N, 2), lengths));
        expect(IllegalArgumentException.class, "direct buffer",
                () -> Tensor.of(java.nio.FloatBuffer.allocate(4), 4));
        final Tensor init = Tensor.of(random(N), N), emit = Tensor.of(random(B * T * N), B, T, N);
        expect(IllegalArgumentException.class, "trans must be",
                () -> Factorized.of(init, Tensor.of(random(4), 2, 2), null, emit));
        expect(IllegalArgumentException.class, "transIndex is null",
                () -> Factorized.of(init, Tensor.of(random(2 * N * N), 2, N, N), null, emit));
        expect(IllegalArgumentException.class, "share one dtype",
                () -> Factorized.of(init, Tensor.of(new double[N * N], N, N), null, emit));
        final Factorized twoMatrices = Factorized.of(init, Tensor.of(random(2 * N * N), 2, N, N),
                new long[] {0, 1, 5, 0, 0, 1, 0, 0, 0, 0, 0, 0}, emit);
        expect(IllegalArgumentException.class, "transIndex[0][2] = 5", () -> HmmForward.apply(twoMatrices, lengths));
    }

    /**
     * {@link Factorized#withTrans} shares the transition index and what it was checked against: a
     * bad index that shorter lengths never reach passes, longer lengths still find it — in the
     * original and in the copy with other transitions; a replacement of another shape or dtype is refused.
     */
    @Test
    void otherTransitionsKeepTheIndexChecks() {
        final Tensor init = Tensor.of(random(N), N), emit = Tensor.of(random(B * T * N), B, T, N);
        final long[] index = new long[B * T];
        index[2] = 5;  // sequence 0, step 2: outside K = 2
        final Factorized f = Factorized.of(init, Tensor.of(random(2 * N * N), 2, N, N), index, emit);
        final long[] shorter = {2, 2, 0};  // step 2 of sequence 0 is padding
        HmmForward.apply(f, shorter).close();
        final Tensor other = Tensor.of(random(2 * N * N), 2, N, N);
        final Factorized g = f.withTrans(other);
        try (HmmForward.FactorizedResult viaCopy = HmmForward.apply(g, shorter);
                HmmForward.FactorizedResult fresh = HmmForward.apply(Factorized.of(init, other, index, emit), shorter)) {
            assertArrayEquals(fresh.logZ(), viaCopy.logZ());
        }
        expect(IllegalArgumentException.class, "transIndex[0][2] = 5", () -> HmmForward.apply(g, lengths));
        expect(IllegalArgumentException.class, "transIndex[0][2] = 5", () -> HmmForward.apply(f, lengths));
        expect(IllegalArgumentException.class, "shape and dtype", () -> f.withTrans(Tensor.of(random(N * N), N, N)));
        expect(IllegalArgumentException.class, "shape and dtype",
                () -> f.withTrans(Tensor.of(new double[2 * N * N], 2, N, N)));
    }

    @Test
    void lengthsAndMask() {
        final Tensor p = Tensor.of(scores, B, T, N, N);
        expect(IllegalArgumentException.class, "lengths[1] = -1", () -> HmmForward.apply(p, new long[] {4, -1, 0}));
        expect(IllegalArgumentException.class, "lengths[0] = 5", () -> HmmForward.apply(p, new long[] {5, 1, 0}));
        expect(IllegalArgumentException.class, "lengths has 2 entries", () -> HmmForward.apply(p, new long[] {1, 1}));
        final boolean[] mask = new boolean[B * T];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < lengths[b]; t++) {
                mask[b * T + t] = true;
            }
        }
        try (HmmForward.Result r = HmmForward.apply(p, lengths, mask)) {
            assertEquals(0.0, r.logZ()[2]);
        }
        mask[1 * T + 3] = true;
        expect(IllegalArgumentException.class, "mask[1][3] = true but lengths[1] = 2", () -> HmmForward.apply(p, lengths, mask));
        expect(IllegalArgumentException.class, "mask has 3 entries", () -> HmmForward.apply(p, lengths, new boolean[3]));
    }

    @Test
    void nonFiniteValuesAreNamed() {
        final float[] bad = scores.clone();
        bad[((1 * T + 1) * N + 2) * N + 0] = Float.NaN;
        final DiffhmmException e = expect(DiffhmmException.class, "potential[1][1][2][0] is NaN",
                () -> HmmForward.apply(Tensor.of(bad, B, T, N, N), lengths));
        assertEquals(Status.INVALID_VALUE, e.status());
        bad[((1 * T + 1) * N + 2) * N + 0] = 0;
        bad[((0 * T + 3) * N + 0) * N + 1] = Float.POSITIVE_INFINITY;
        expect(DiffhmmException.class, "potential[0][3][0][1] is +inf",
                () -> HmmForward.viterbi(Tensor.of(bad, B, T, N, N), lengths));
        expect(DiffhmmException.class, "is +inf", () -> HmmForward.marginals(Tensor.of(bad, B, T, N, N), lengths));
        final float[] emit = random(B * T * N);
        emit[(0 * T + 2) * N + 1] = Float.NaN;
        expect(DiffhmmException.class, "emit[0][2][1] is NaN", () -> HmmForward.apply(
                Factorized.of(Tensor.of(random(N), N), Tensor.of(random(N * N), N, N), null, Tensor.of(emit, B, T, N)),
                lengths));
        // Padding is never read: a NaN there is not an error.
        final float[] padded = scores.clone();
        padded[((2 * T + 1) * N) * N] = Float.NaN;
        try (HmmForward.Result r = HmmForward.apply(Tensor.of(padded, B, T, N, N), lengths)) {
            assertEquals(3, r.logZ().length);
        }
        // The upstream gradient must be finite.
        try (HmmForward.Result r = HmmForward.apply(Tensor.of(scores, B, T, N, N), lengths)) {
            expect(IllegalArgumentException.class, "gradLogZ[1] = NaN", () -> r.backward(new double[] {1, Double.NaN, 1}));
            expect(IllegalArgumentException.class, "gradLogZ has 1 entries", () -> r.backward(new double[] {1}));
        }
    }

    @Test
    void nulls() {
        final Tensor p = Tensor.of(scores, B, T, N, N);
        expect(NullPointerException.class, "potential", () -> HmmForward.apply((Tensor) null, lengths));
        expect(NullPointerException.class, "lengths", () -> HmmForward.apply(p, null));
        expect(NullPointerException.class, "data", () -> Tensor.of((float[]) null, 1));
        expect(NullPointerException.class, "options", () -> HmmForward.apply(null, p, lengths, null));
        try (HmmForward.Result r = HmmForward.apply(p, lengths)) {
            expect(NullPointerException.class, "gradLogZ", () -> r.backward(null));
            expect(NullPointerException.class, "gradPotential", () -> r.backward(new double[] {1, 1, 1}, null));
            expect(IllegalArgumentException.class, "gradPotential must have the dtype and shape",
                    () -> r.backward(new double[] {1, 1, 1}, Tensor.zeros(DType.FLOAT64, B, T, N, N)));
        }
    }

    @Test
    void useAfterClose() {
        final HmmForward.Result r = HmmForward.apply(Tensor.of(scores, B, T, N, N), lengths);
        r.close();
        r.close();  // idempotent
        expect(IllegalStateException.class, "closed", () -> r.backward(new double[] {1, 1, 1}));
        assertEquals(3, r.logZ().length, "log Z stays readable");
    }

    @Test
    void inputsAreNeverModified() {
        final float[] before = scores.clone();
        final long[] lengthsBefore = lengths.clone();
        final Tensor p = Tensor.of(scores, B, T, N, N);
        final double[] g = {1.5, -2, 0.5};
        final double[] gBefore = g.clone();
        try (HmmForward.Result r = HmmForward.apply(p, lengths)) {
            r.backward(g);
        }
        HmmForward.viterbi(p, lengths);
        HmmForward.marginals(p, lengths);
        assertArrayEquals(before, scores);
        assertArrayEquals(lengthsBefore, lengths);
        assertArrayEquals(gBefore, g);

        final float[] init = random(N), trans = random(2 * N * N), emit = random(B * T * N);
        final long[] index = {0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1};
        final float[][] copies = {init.clone(), trans.clone(), emit.clone()};
        final long[] indexBefore = index.clone();
        final Factorized f = Factorized.of(Tensor.of(init, N), Tensor.of(trans, 2, N, N), index, Tensor.of(emit, B, T, N));
        try (HmmForward.FactorizedResult r = HmmForward.apply(f, lengths)) {
            r.backward(g);
        }
        HmmForward.viterbi(f, lengths);
        HmmForward.marginals(f, lengths);
        assertArrayEquals(copies[0], init);
        assertArrayEquals(copies[1], trans);
        assertArrayEquals(copies[2], emit);
        assertArrayEquals(indexBefore, index);
    }

    @Test
    void cudaUnavailableIsAClearException() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Diffhmm.cudaAvailable(), "a CUDA device is present");
        final BackendUnavailableException e = expect(BackendUnavailableException.class, "CUDA not available: ",
                () -> HmmForward.apply(Options.DEFAULT.backend(Backend.CUDA), Tensor.of(scores, B, T, N, N), lengths, null));
        assertEquals(Status.BACKEND_UNAVAILABLE, e.status());
        assertEquals(Backend.CPU, Diffhmm.autoBackend());
        assertTrue(Diffhmm.cudaUnavailableReason().startsWith("CUDA not available: "));
        try (HmmForward.Result r = HmmForward.apply(Tensor.of(scores, B, T, N, N), lengths)) {
            assertEquals(3, r.logZ().length, "AUTO runs on the CPU");
        }
    }

    @Test
    void unsupportedInstructionSetIsAClearException() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Diffhmm.cpuIsa() != CpuIsa.AVX512, "this CPU has AVX-512");
        expect(BackendUnavailableException.class, "does not support",
                () -> HmmForward.apply(Options.DEFAULT.backend(Backend.CPU).cpuIsa(CpuIsa.AVX512),
                        Tensor.of(scores, B, T, N, N), lengths, null));
    }
}
