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
import org.diffhmm.train.Restarts;

/**
 * Starts and restarts: a k-means++ start lets EM find the generating means of well-separated states
 * (where random means get stuck), the same seed gives the same start, and {@link Restarts} keeps the
 * best of its fits whatever their timing.
 */
class StartsProperties {
    private static final double[] TRUE_MEANS = {-6, 0, 6};

    /** Sequences from a 3-state chain with sticky transitions and unit-variance Gaussian emissions. */
    private static List<double[][]> data(long seed) {
        final Chain chain = Chain.of(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0},
                new double[][] {{0.9, 0.05, 0.05}, {0.05, 0.9, 0.05}, {0.05, 0.05, 0.9}});
        final GaussianHmm truth = new GaussianHmm(chain, 1, TRUE_MEANS, new double[3]);
        final SplittableRandom rng = new SplittableRandom(seed);
        final List<double[][]> out = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            out.add(truth.sample(60, rng).observations());
        }
        return out;
    }

    private static double[] sortedMeans(GaussianHmm hmm) {
        final double[] m = hmm.means();
        Arrays.sort(m);
        return m;
    }

    @Property(tries = 5)
    void aKMeansStartLetsEmFindTheGeneratingMeans(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        final List<double[][]> data = data(seed);
        final GaussianHmm hmm = GaussianHmm.kMeansStart(3, data, new SplittableRandom(seed));
        Em.fit(hmm, data, 100, 1e-9, false);
        assertArrayEquals(TRUE_MEANS, sortedMeans(hmm), 0.4, "EM from a k-means++ start, seed " + seed);
    }

    @Property(tries = 10)
    void theSameSeedGivesTheSameStart(@ForAll @IntRange(min = 1, max = 5) int states, @ForAll long seed) {
        final List<double[][]> data = data(seed);
        final GaussianHmm a = GaussianHmm.kMeansStart(states, data, new SplittableRandom(seed));
        final GaussianHmm b = GaussianHmm.kMeansStart(states, data, new SplittableRandom(seed));
        assertArrayEquals(a.parameters(), b.parameters(), 0.0);
        for (double m : a.means()) {
            assertTrue(m >= -12 && m <= 12, "a centre lies among the data: " + m);
        }
    }

    @Property(tries = 5)
    void restartsKeepTheBestFitWhateverTheirTiming(@ForAll @IntRange(min = 1, max = 4) int restarts,
                                                   @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        final List<double[][]> data = data(seed);
        final Restarts.Best<GaussianHmm> best = Restarts.best(restarts, seed,
                s -> GaussianHmm.random(3, 1, 0, 6, new SplittableRandom(s)),
                hmm -> {
                    Em.fit(hmm, data, 30, 1e-9, false);
                    return hmm.logLikelihood(data);
                });
        assertEquals(restarts, best.objectives().length);
        for (double o : best.objectives()) {
            assertTrue(best.objective() >= o, "the best objective " + best.objective() + " beats every start's " + o);
        }
        assertEquals(best.model().logLikelihood(data), best.objective(), 1e-9);
        final Restarts.Best<GaussianHmm> again = Restarts.best(restarts, seed,
                s -> GaussianHmm.random(3, 1, 0, 6, new SplittableRandom(s)),
                hmm -> {
                    Em.fit(hmm, data, 30, 1e-9, false);
                    return hmm.logLikelihood(data);
                });
        assertEquals(best.start(), again.start());
        assertArrayEquals(best.model().parameters(), again.model().parameters(), 0.0, "the same fits, whatever the timing");
    }

    @Property(tries = 5)
    void fitReportsSayWhyAFitStopped(@ForAll @LongRange(min = 0, max = 1_000_000) long seed,
                                     @ForAll @IntRange(min = 1, max = 6) int limit) {
        final List<double[][]> data = data(seed);
        final org.diffhmm.train.FitReport capped = Em.run(GaussianHmm.kMeansStart(3, data, new SplittableRandom(seed)), data,
                limit, 0, (task, total) -> org.diffhmm.train.Progress.none());
        assertEquals(org.diffhmm.train.FitReport.Stop.ITERATION_LIMIT, capped.stop(), capped.summary());
        assertEquals(limit, capped.iterations());
        assertEquals(capped.curve().train()[limit - 1], capped.loss(), 0.0);
        final org.diffhmm.train.FitReport done = Em.run(GaussianHmm.kMeansStart(3, data, new SplittableRandom(seed)), data,
                500, 1e-6, (task, total) -> org.diffhmm.train.Progress.none());
        assertTrue(done.converged(), done.summary());
        assertTrue(done.summary().startsWith("converged after " + done.iterations() + " iterations"), done.summary());
        // Gradient training with held-out data and patience: early stopping restores the best epoch.
        final GaussianHmm g = GaussianHmm.random(3, 1, 0, 6, new SplittableRandom(seed));
        final org.diffhmm.train.Trainer.Result r = org.diffhmm.train.Trainer.builder().epochs(400).learningRate(0.5)
                .patience(3).build().fit(g, data.subList(0, 6), data.subList(6, 8));
        final org.diffhmm.train.FitReport report = r.report();
        assertEquals(r.stoppedEarly() ? org.diffhmm.train.FitReport.Stop.EARLY_STOPPING
                : org.diffhmm.train.FitReport.Stop.COMPLETED, report.stop());
        assertEquals(r.bestEpoch(), report.best());
        assertEquals(r.bestHeldOutLoss(), report.loss(), 0.0);
        assertEquals(r.curve().size(), report.iterations());
    }

    @Property(tries = 10)
    void badStartsAreRefused(@ForAll @IntRange(min = -3, max = 0) int restarts) {
        assertThrows(IllegalArgumentException.class, () -> Restarts.best(restarts, 1, s -> "model", m -> 0.0));
        assertThrows(IllegalArgumentException.class, () -> GaussianHmm.kMeansStart(2, List.<double[][]>of(new double[0][]),
                new SplittableRandom(1)));
        final List<double[][]> nan = List.<double[][]>of(new double[][] {{1}, {Double.NaN}});
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GaussianHmm.kMeansStart(2, nan, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("sequence 0 step 1 dimension 0 is NaN"), e.getMessage());
    }
}
