package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.diffhmm.train.Em;
import org.diffhmm.train.FitReport;
import org.diffhmm.train.Progress;

/**
 * The Poisson family, added through the family interface (its file, one line in {@code Families},
 * one in Spark's {@code RowCodecs}): its gradient against finite differences, its emission scores
 * against the Poisson log-density written out, EM recovering the generating rates, files, and
 * refusal of negative counts.
 */
class PoissonHmmProperties {
    private static List<int[][]> sample(PoissonHmm hmm, int count, SplittableRandom rng) {
        final List<int[][]> data = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            data.add(hmm.sample(5 + rng.nextInt(30), rng).observations());
        }
        return data;
    }

    @Property(tries = 10)
    void theGradientMatchesFiniteDifferences(@ForAll @IntRange(min = 1, max = 4) int n,
                                            @ForAll @IntRange(min = 1, max = 3) int dims, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final PoissonHmm hmm = PoissonHmm.random(n, dims, 3, rng);
        ModelGradientTest.checkGradient(hmm, sample(PoissonHmm.random(n, dims, 3, rng), 4, rng), "poisson");
    }

    @Property(tries = 20)
    void oneStateScoresArePoissonLogDensities(@ForAll @IntRange(min = 1, max = 3) int dims, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final PoissonHmm hmm = PoissonHmm.random(1, dims, 4, rng);
        final int[][] x = hmm.sample(7, rng).observations();
        double want = 0;
        for (int[] step : x) {
            for (int d = 0; d < dims; d++) {
                final double rate = hmm.rates()[d];
                double logFactorial = 0;
                for (int k = 2; k <= step[d]; k++) {
                    logFactorial += Math.log(k);
                }
                want += step[d] * Math.log(rate) - rate - logFactorial;
            }
        }
        assertEquals(want, hmm.logLikelihood(List.<int[][]>of(x)), 1e-9 * Math.max(1, Math.abs(want)));
    }

    @Property(tries = 20)
    void logFactorialIsExactBeyondTheTable(@ForAll @IntRange(min = 0, max = 3000) int k) {
        double want = 0;
        for (int i = 2; i <= k; i++) {
            want += Math.log(i);
        }
        assertEquals(want, PoissonHmm.logFactorial(k), 1e-12 * Math.max(1, want));
    }

    @Property(tries = 4)
    void emRecoversTheGeneratingRates(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        final Chain chain = Chain.of(new double[] {0.5, 0.5}, new double[][] {{0.9, 0.1}, {0.1, 0.9}});
        final double[] rates = {2, 20};
        final PoissonHmm truth = new PoissonHmm(chain, 1, new double[] {Math.log(rates[0]), Math.log(rates[1])});
        final SplittableRandom rng = new SplittableRandom(seed);
        final List<int[][]> data = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            data.add(truth.sample(80, rng).observations());
        }
        final PoissonHmm hmm = new PoissonHmm(Chain.random(2, 0.1, rng), 1, new double[] {Math.log(5), Math.log(10)});
        final FitReport report = Em.run(hmm, data, 200, 1e-9, (task, total) -> Progress.none());
        final double[] got = hmm.rates();
        Arrays.sort(got);
        assertArrayEquals(rates, got, 0.15 * rates[1], report.summary() + ", rates " + Arrays.toString(got));
        final double[] loss = report.curve().train();
        for (int k = 1; k < loss.length; k++) {
            assertTrue(loss[k] <= loss[k - 1] + 1e-12, "EM loss rose at iteration " + k);
        }
    }

    @Property(tries = 20)
    void filesRoundTripAndBadRatesOrCountsAreRefused(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll long seed)
            throws FileFormatException {
        final SplittableRandom rng = new SplittableRandom(seed);
        final PoissonHmm hmm = PoissonHmm.random(n, 2, 3, rng);
        final Hmm<?> back = Models.fromJson(Models.toJson(hmm));
        assertTrue(back instanceof PoissonHmm, "a poisson model file reads back as one");
        assertArrayEquals(hmm.parameters(), back.parameters(), 0.0);
        assertEquals("poisson", Models.type(hmm));
        final String bad = Models.toJson(hmm).replaceFirst("\"logRates\" : \\[ [^,\\]]+", "\"logRates\" : [ 500.0");
        final FileFormatException e = assertThrows(FileFormatException.class, () -> Models.fromJson(bad));
        assertTrue(e.getMessage().contains("/logRates/0 = 500.0 is out of range"), e.getMessage());
        final List<int[][]> negative = List.<int[][]>of(new int[][] {{1, 2}, {3, -1}});
        final IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> hmm.logLikelihoods(negative));
        assertTrue(e2.getMessage().contains("sequence 0 step 1 count 1 is -1"), e2.getMessage());
        assertEquals((n - 1) + (long) n * (n - 1) + 2L * n, hmm.freeParameters());
    }
}
