package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forgetting {@code close()} is safe and visible: forgotten results give their native memory back
 * through the cleaner, the memory held by open results stays under the bound, the leak is reported
 * with the place the result was created, and results that stay open beyond the bound are refused.
 */
class LeakSafetyTest {
    private static final long BOUND = 24L << 20;
    private static final int B = 8, T = 1000, N = 64;
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU).threads(1);
    private long[] previous;
    private final Factorized problem = problem();

    @BeforeEach
    void smallBoundEverySiteRecorded() {
        previous = Leases.configure(BOUND, 1);
    }

    @AfterEach
    void restore() {
        Leases.configure(previous[0], (int) previous[1]);
    }

    @Test
    void forgottenResultsAreReclaimedWithinTheBoundAndReported() throws InterruptedException {
        final long leakedBefore = Leases.leaked();
        long worst = 0;
        for (int k = 0; k < 200; k++) {
            final HmmForward.FactorizedResult forgotten = HmmForward.apply(CPU, problem, lengths());
            assertTrue(Double.isFinite(forgotten.logZ()[0]));
            worst = Math.max(worst, Leases.openBytes());
        }
        // ~2 MB per result (its saved forward): 200 of them would hold ~400 MB without the bound.
        assertTrue(worst <= BOUND + (4L << 20), "open results held " + worst + " bytes; bound " + BOUND);
        for (int wait = 0; wait < 100 && Leases.leaked() == leakedBefore; wait++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(Leases.leaked() > leakedBefore, "no forgotten result was reclaimed");
        final String warning = Leases.lastWarning();
        assertTrue(warning.contains("HmmForward.FactorizedResult was never closed")
                && warning.contains("LeakSafetyTest.forgottenResultsAreReclaimedWithinTheBoundAndReported"), warning);
    }

    @Test
    void resultsKeptOpenBeyondTheBoundAreRefused() {
        final long before = Leases.openBytes();
        final List<HmmForward.FactorizedResult> open = new ArrayList<>();
        final DiffhmmException e = assertThrows(DiffhmmException.class, () -> {
            for (int k = 0; k < 100; k++) {
                open.add(HmmForward.apply(CPU, problem, lengths()));
            }
        });
        assertEquals(Status.OUT_OF_MEMORY, e.status());
        assertTrue(e.getMessage().contains("results that are still open hold")
                && e.getMessage().contains("-Ddiffhmm.maxOpenResultBytes"), e.getMessage());
        assertTrue(open.size() >= 8, "refused after " + open.size() + " results");
        open.forEach(HmmForward.FactorizedResult::close);
        assertEquals(before, Leases.openBytes(), "closing gives every byte back");
        try (HmmForward.FactorizedResult again = HmmForward.apply(CPU, problem, lengths())) {
            assertTrue(Double.isFinite(again.logZ()[0]));
        }
    }

    @Test
    void closedResultsAreNeverReportedAsLeaks() throws InterruptedException {
        final long leakedBefore = Leases.leaked();
        for (int k = 0; k < 50; k++) {
            try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, problem, lengths())) {
                r.backward(new double[B]);
            }
        }
        for (int k = 0; k < 5; k++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(leakedBefore, Leases.leaked());
    }

    /**
     * JavaCPP users (libtorch through the presets) free a training step's native objects with a
     * {@code PointerScope}; a workspace the pool creates inside it belongs to the pool and must
     * survive the scope, as must a result still open when it closes.
     */
    @Test
    void aCallersPointerScopeFreesNothingDiffhmmOwns() {
        Workspaces.clear();   // the next call creates its workspace inside the scope
        final double expected;
        try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, problem, lengths())) {
            expected = r.logZ()[0];
        }
        Workspaces.clear();
        final HmmForward.FactorizedResult open;
        try (org.bytedeco.javacpp.PointerScope step = new org.bytedeco.javacpp.PointerScope();
                org.bytedeco.javacpp.FloatPointer grad = new org.bytedeco.javacpp.FloatPointer((long) B * T * N)) {
            try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, problem, lengths())) {
                assertEquals(expected, r.logZ()[0]);
                r.backward(new double[B], null, null, Tensor.of(grad, B, T, N));
            }
            open = HmmForward.apply(CPU, problem, lengths());
        }
        final float[] gradEmit = new float[B * T * N];
        open.backward(new double[B], null, null, Tensor.of(gradEmit, B, T, N));
        open.close();
        try (HmmForward.FactorizedResult again = HmmForward.apply(CPU, problem, lengths())) {
            assertEquals(expected, again.logZ()[0]);
        }
    }

    private static long[] lengths() {
        final long[] lengths = new long[B];
        java.util.Arrays.fill(lengths, T);
        return lengths;
    }

    private static Factorized problem() {
        final SplittableRandom rng = new SplittableRandom(9);
        final float[] init = new float[N], trans = new float[N * N], emit = new float[B * T * N];
        for (float[] a : new float[][] {init, trans, emit}) {
            for (int k = 0; k < a.length; k++) {
                a[k] = (float) rng.nextDouble(-2, 2);
            }
        }
        return Factorized.of(Tensor.of(init, N), Tensor.of(trans, N, N), null, Tensor.of(emit, B, T, N));
    }
}
