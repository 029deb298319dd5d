package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model layer refuses what it cannot honour with a message naming the argument, never writes
 * NaN parameters, keeps structural zeros, and saves safely from many threads.
 */
class ModelInputTest {
    // --- Chain.of and Softmax ----------------------------------------------------------------------

    @Property(tries = 60)
    void chainsOfNonDistributionsAreRefusedNamingTheEntry(@ForAll @IntRange(min = 1, max = 5) int n,
                                                          @ForAll @IntRange(min = 0, max = 3) int defect,
                                                          @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final double[] init = distribution(n, rng);
        final double[][] trans = new double[n][];
        for (int i = 0; i < n; i++) {
            trans[i] = distribution(n, rng);
        }
        final int row = rng.nextInt(n), col = rng.nextInt(n);
        final String expected;
        switch (defect) {
            case 0: trans[row][col] = -0.25 - rng.nextDouble(); expected = "trans[" + row + "][" + col + "] = "; break;
            case 1:
                for (int j = 0; j < n; j++) {
                    trans[row][j] *= 0.8;  // entries stay probabilities; the row sums to 0.8
                }
                expected = "trans[" + row + "] sums to";
                break;
            case 2: trans[row] = new double[n + 1]; expected = "trans[" + row + "] must have " + n + " entries"; break;
            default: init[col] = Double.NaN; expected = "init[" + col + "] = NaN"; break;
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chain.of(init, trans));
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " (expected: " + expected + ")");
    }

    @Test
    void zeroProbabilitiesAreStructuralZeros() {
        final Chain c = Chain.of(new double[] {1, 0}, new double[][] {{0.5, 0.5}, {0, 1}});
        assertEquals(Double.NEGATIVE_INFINITY, c.logInit()[1]);
        assertEquals(Double.NEGATIVE_INFINITY, c.logTrans()[2]);
        assertEquals(0.0, c.logTrans()[3], 1e-15);
    }

    @Test
    void aRowOfOnlyMinusInfinityLogitsStaysMinusInfinity() {
        final double ninf = Double.NEGATIVE_INFINITY;
        final double[] logP = Softmax.logProbabilities(new double[] {0, 1, ninf, ninf, ninf, ninf}, 3, 2);
        assertArrayEquals(new double[] {-Math.log1p(Math.E), 1 - Math.log1p(Math.E), ninf, ninf, ninf, ninf}, logP, 1e-15);
    }

    // --- Trainer and Schedule -----------------------------------------------------------------------

    @Property(tries = 40)
    void trainerSettingsOutOfRangeAreRefusedAtBuildTime(@ForAll("badRates") double rate, @ForAll("badInts") int count,
                                                       @ForAll("badClips") double clip) {
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().learningRate(rate));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(rate, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().batchSize(count));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().epochs(count));
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().patience(count));
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.builder().clipNorm(clip));
        assertTrue(e.getMessage().startsWith("clipNorm must be"), e.getMessage());
    }

    @Provide
    Arbitrary<Double> badRates() {
        return Arbitraries.oneOf(Arbitraries.doubles().lessOrEqual(0), Arbitraries.of(Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
    }

    @Provide
    Arbitrary<Integer> badInts() {
        return Arbitraries.integers().between(Integer.MIN_VALUE, -1);
    }

    @Provide
    Arbitrary<Double> badClips() {
        return Arbitraries.oneOf(Arbitraries.doubles().lessThan(0), Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY));
    }

    @Test
    void trainingOnlyEmptySequencesIsRefusedAndLeavesTheModelAlone() {
        final CategoricalHmm model = CategoricalHmm.random(2, 3, new SplittableRandom(1));
        final double[] before = model.parameters();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().epochs(3).build().fit(model, List.of(new int[0], new int[0]), List.of()));
        assertTrue(e.getMessage().contains("no observed steps"), e.getMessage());
        assertArrayEquals(before, model.parameters());
    }

    @Test
    void emptySequencesAmongRealOnesNeverMakeParametersNaN() {
        final CategoricalHmm model = CategoricalHmm.random(2, 3, new SplittableRandom(2));
        final List<int[]> data = List.of(new int[0], new int[] {0, 1, 2, 1}, new int[0], new int[0]);
        Trainer.builder().epochs(5).batchSize(1).build().fit(model, data, List.of());
        for (double p : model.parameters()) {
            assertTrue(Double.isFinite(p), "parameter " + p);
        }
    }

    // --- CloneHmm with pseudocount 0 ----------------------------------------------------------------

    @Test
    void cloneRowsNoCountReachesStayZeroWithoutAPseudocount() {
        // Symbols 0 (two clones) and 1 (one clone), two actions; the walk never takes action 1.
        final List<CloneHmm.Walk> walks = List.of(new CloneHmm.Walk(new int[] {0, 1, 0, 1, 0}, new int[] {0, 0, 0, 0}));
        final CloneHmm model = CloneHmm.random(new int[] {2, 1}, 2, 0.0, new SplittableRandom(3));
        model.emStep(walks);
        final double[] logT = model.logTransitions();
        final int n = model.states();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(Double.NEGATIVE_INFINITY, logT[(n + i) * n + j], "T[1][" + i + "][" + j + "] after EM");
            }
        }
        final CloneHmm.Walk needsActionOne = new CloneHmm.Walk(new int[] {0, 1}, new int[] {1});
        assertEquals(Double.NEGATIVE_INFINITY, model.logLikelihood(List.of(needsActionOne)));
        assertTrue(Double.isFinite(model.logLikelihood(walks)));

        final CloneHmm smoothed = CloneHmm.random(new int[] {2, 1}, 2, 0.1, new SplittableRandom(3));
        smoothed.emStep(walks);
        assertTrue(Double.isFinite(smoothed.logLikelihood(List.of(needsActionOne))), "a pseudocount smooths the row");
    }

    // --- CloneHmm batches changed in place -----------------------------------------------------------

    /**
     * The clone-structured HMM keeps a batch's block problem between calls with the same walks. Walks
     * are immutable — writing into the arrays a walk was made from or handed out changes nothing — and
     * a walk replaced in the list is seen: results always equal a fresh model's with the same parameters.
     */
    @Property(tries = 40)
    void cloneHmmSeesEveryChangeToItsWalks(@ForAll @IntRange(min = 1, max = 3) int count,
                                           @ForAll @IntRange(min = 0, max = 3) int change,
                                           @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final Room room = new Room(2, 3, new int[] {0, 1, 2, 1, 0, 2});
        final CloneHmm model = CloneHmm.random(room.cellsPerSymbol(), Room.ACTIONS, 0.05, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>();
        final List<int[]> sources = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            final CloneHmm.Walk w = room.walk(10 + rng.nextInt(30), rng);
            final int[] x = w.symbols();
            sources.add(x);
            walks.add(new CloneHmm.Walk(x, w.actions()));
        }
        final double before = model.logLikelihood(walks);  // the batch's block problem is kept
        final int victim = rng.nextInt(count);
        final CloneHmm.Walk w = walks.get(victim);
        final int t = rng.nextInt(w.length() - 1);
        switch (change) {
            case 0: w.symbols()[t] = (w.symbols()[t] + 1) % 3; break;                  // a copy handed out
            case 1: w.actions()[t] = (w.actions()[t] + 1) % Room.ACTIONS; break;        // a copy handed out
            case 2: sources.get(victim)[t] = (sources.get(victim)[t] + 1) % 3; break;  // the array it was made from
            default: walks.set(victim, room.walk(w.length(), rng)); break;
        }
        final CloneHmm fresh = new CloneHmm(model.clones(), Room.ACTIONS, model.parameters(), 0.05);
        final double after = model.logLikelihood(walks);
        assertEquals(fresh.logLikelihood(walks), after, 0.0, "change " + change);
        if (change < 3) {
            assertEquals(before, after, 0.0, "a walk never changes (change " + change + ")");
        }
    }

    // --- Models.save --------------------------------------------------------------------------------

    @Test
    void concurrentSavesToOnePathEachLeaveACompleteFile(@TempDir Path dir) throws Exception {
        final Path file = dir.resolve("model.json");
        final ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            final List<Future<?>> saves = new ArrayList<>();
            for (int k = 0; k < 800; k++) {
                final CategoricalHmm model = CategoricalHmm.random(2, 3, new SplittableRandom(k));
                saves.add(pool.submit(() -> {
                    Models.save(model, file);
                    return null;
                }));
            }
            for (Future<?> f : saves) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(Models.load(file) instanceof CategoricalHmm);
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(file), left.toList(), "no temporary files are left");
        }
        assertFalse(Files.exists(dir.resolve("model.json.tmp")));
    }

    private static double[] distribution(int n, SplittableRandom rng) {
        final double[] p = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            p[k] = 0.1 + rng.nextDouble();
            sum += p[k];
        }
        for (int k = 0; k < n; k++) {
            p[k] /= sum;
        }
        return p;
    }
}
