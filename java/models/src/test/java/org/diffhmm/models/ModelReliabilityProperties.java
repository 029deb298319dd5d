package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.diffhmm.train.Em;
import org.diffhmm.train.Trainer;

/**
 * The model layer's limits, files and data, over their inputs: sizes beyond the limits are refused
 * up front naming the limit; model files with trailing content or out-of-range log standard
 * deviations are refused naming where; non-finite observations are refused by every entry point
 * naming the sequence, step and dimension, before any parameter changes; saved files keep the
 * permissions of the file they replace.
 */
class ModelReliabilityProperties {

    // --- Sizes ----------------------------------------------------------------------------------

    @Provide
    Arbitrary<Integer> statesBeyondTheLimit() {
        return Arbitraries.oneOf(Arbitraries.integers().between(Integer.MIN_VALUE, 0),
                Arbitraries.integers().between(Limits.MAX_STATES + 1, Integer.MAX_VALUE));
    }

    @Property(tries = 60)
    void chainSizesBeyondTheLimitAreRefusedUpFront(@ForAll("statesBeyondTheLimit") int states) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Chain.random(states, 0.5, new SplittableRandom(1)));
        assertTrue(states < 1 ? e.getMessage().contains("states must be >= 1, got " + states)
                : e.getMessage().contains("limit of 2^27 entries per parameter table"), e.getMessage());
    }

    @Property(tries = 60)
    void emissionTablesBeyondTheLimitAreRefusedUpFront(@ForAll @IntRange(min = -3, max = 5000) int states,
                                                        @ForAll @IntRange(min = -3, max = 1 << 20) int width,
                                                        @ForAll boolean gaussian) {
        final long entries = (long) states * width;
        final boolean fits = states >= 1 && width >= 1 && entries <= Limits.MAX_TABLE;
        final Runnable build = () -> {
            if (gaussian) {
                GaussianHmm.random(states, width, 0, 1, new SplittableRandom(2));
            } else {
                CategoricalHmm.random(states, width, new SplittableRandom(2));
            }
        };
        if (fits && entries <= 1 << 16) {
            build.run();
            return;
        }
        if (fits) {
            return;  // legal, but too large to build in every try
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(">= 1") || e.getMessage().contains("limit of 2^27"), e.getMessage());
    }

    @Property(tries = 60)
    void cloneModelsBeyondTheLimitAreRefusedUpFront(@ForAll @IntRange(min = 1, max = 4) int symbols,
                                                    @ForAll @IntRange(min = -5, max = 40000) int clonesEach,
                                                    @ForAll @IntRange(min = 1, max = 2000) int actions) {
        final int[] clones = new int[symbols];
        java.util.Arrays.fill(clones, clonesEach);
        final long n = (long) symbols * clonesEach;
        final boolean fits = clonesEach >= 1 && n <= Limits.MAX_STATES && actions * n * n <= Limits.MAX_TABLE;
        if (fits) {
            if (actions * n * n <= 1 << 16) {
                CloneHmm.random(clones, actions, 0, new SplittableRandom(3));
            }
            return;
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CloneHmm.random(clones, actions, 0, new SplittableRandom(3)));
        assertTrue(e.getMessage().contains("every symbol needs a clone") || e.getMessage().contains("more than the limit of "
                + Limits.MAX_STATES) || e.getMessage().contains("limit of 2^27"), e.getMessage());
    }

    @Property(tries = 30)
    void negativeSampleLengthsAreRefused(@ForAll @IntRange(min = Integer.MIN_VALUE, max = -1) int length) {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CategoricalHmm.random(2, 3, new SplittableRandom(4)).sample(length, new SplittableRandom(5)));
        assertTrue(e.getMessage().contains("length must be >= 0, got " + length), e.getMessage());
    }

    // --- Model files ------------------------------------------------------------------------------

    @Provide
    Arbitrary<String> trailing() {
        return Arbitraries.of("{}", "5", "[]", "x", "\"more\"", "null", "}", ",", "{\"format\": \"diffhmm-model\"}");
    }

    @Property(tries = 60)
    void aModelFileFollowedByMoreContentIsRefused(@ForAll("trailing") String more, @ForAll boolean secondModel,
                                                  @ForAll @IntRange(min = 0, max = 3) int newlines, @ForAll long seed)
            throws FileFormatException {
        final String model = Models.toJson(CategoricalHmm.random(2, 3, new SplittableRandom(seed)));
        final String text = model + "\n".repeat(newlines) + " " + (secondModel ? model : more);
        final FileFormatException e = assertThrows(FileFormatException.class, () -> Models.fromJson(text));
        assertTrue(e.getMessage().contains("after the end of the JSON document") || e.getMessage().contains("not valid JSON"),
                e.getMessage());
        final long modelLines = model.lines().count();
        assertEquals(modelLines + newlines, e.line(), "the line of the trailing content: " + e.getMessage());
        Models.fromJson(model + "\n".repeat(newlines) + " ");  // whitespace alone is fine
    }

    @Property(tries = 60)
    void logStdsOutOfRangeInAFileAreRefusedNamingTheEntry(@ForAll @IntRange(min = 1, max = 3) int states,
                                                         @ForAll @IntRange(min = 1, max = 3) int dims,
                                                         @ForAll @IntRange(min = 0, max = 8) int at,
                                                         @ForAll("outOfRange") double value, @ForAll long seed) {
        final GaussianHmm hmm = GaussianHmm.random(states, dims, 0, 1, new SplittableRandom(seed));
        final int k = at % (states * dims);
        final String json = Models.toJson(hmm);
        final com.fasterxml.jackson.databind.node.ObjectNode tree = parse(json);
        ((com.fasterxml.jackson.databind.node.ArrayNode) tree.get("logStds")).set(k, value);
        final String text = tree.toPrettyString();
        final FileFormatException e = assertThrows(FileFormatException.class, () -> Models.fromJson(text));
        assertTrue(e.getMessage().contains("/logStds/" + k + " = ") && e.getMessage().contains("out of range"), e.getMessage());
        assertTrue(e.line() > 1, "the entry's line is named: " + e.getMessage());
        // The constructor and setParameters refuse the same values, the latter before anything changes.
        final double[] logStds = hmm.logStds();
        logStds[k] = value;
        assertThrows(IllegalArgumentException.class, () -> new GaussianHmm(hmm.chain(), dims, hmm.means(), logStds));
        final double[] before = hmm.parameters(), bad = before.clone();
        bad[hmm.chain().parameters().length + states * dims + k] = value;
        final IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> hmm.setParameters(bad));
        assertTrue(e2.getMessage().contains("logStds[" + k + "]"), e2.getMessage());
        assertArrayEquals(before, hmm.parameters(), "setParameters refused before changing anything");
    }

    @Provide
    Arbitrary<Double> outOfRange() {
        return Arbitraries.oneOf(Arbitraries.doubles().between(-1e308, -100.000001).ofScale(6),
                Arbitraries.doubles().between(100.000001, 1e308).ofScale(6), Arbitraries.of(-709.8, -745.2, 710.0));
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode parse(String json) {
        try {
            return (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // --- Observations -----------------------------------------------------------------------------

    @Provide
    Arbitrary<Double> nonFinite() {
        return Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }

    @Property(tries = 40)
    void nonFiniteObservationsAreRefusedByEveryEntryPointBeforeAnyChange(
            @ForAll @IntRange(min = 1, max = 4) int count, @ForAll @IntRange(min = 1, max = 3) int dims,
            @ForAll @IntRange(min = 0, max = 100) int where, @ForAll("nonFinite") double bad, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final GaussianHmm hmm = GaussianHmm.random(3, dims, 0, 1, rng);
        final List<double[][]> data = new ArrayList<>();
        int total = 0;
        for (int b = 0; b < count; b++) {
            data.add(hmm.sample(1 + rng.nextInt(6), rng).observations());
            total += data.get(b).length * dims;
        }
        // The bad value at the where-th entry overall.
        int k = where % total, b = 0;
        while (k >= data.get(b).length * dims) {
            k -= data.get(b).length * dims;
            b++;
        }
        final int t = k / dims, d = k % dims;
        data.get(b)[t][d] = bad;
        final String named = "sequence " + b + " step " + t + " dimension " + d + " is " + bad;
        final double[] before = hmm.parameters();
        final List<Consumer<List<double[][]>>> entries = List.of(hmm::logLikelihoods, hmm::viterbi, hmm::posteriors,
                x -> hmm.posteriorSamples(x, 2, 7), hmm::objective, hmm::expectations, hmm::emStep,
                x -> Em.fit(hmm, x, 3, 0, false),
                x -> Trainer.builder().epochs(2).build().fit(hmm, x, null),
                x -> Trainer.builder().epochs(2).build().fit(hmm, clean(x), x));  // bad held-out data
        for (Consumer<List<double[][]>> entry : entries) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> entry.accept(data));
            assertTrue(e.getMessage().contains(named), e.getMessage());
            assertArrayEquals(before, hmm.parameters(), "the parameters are unchanged");
        }
    }

    /** The sequences with every non-finite value replaced by 0. */
    private static List<double[][]> clean(List<double[][]> data) {
        final List<double[][]> out = new ArrayList<>();
        for (double[][] x : data) {
            final double[][] c = new double[x.length][];
            for (int t = 0; t < x.length; t++) {
                c[t] = x[t].clone();
                for (int d = 0; d < c[t].length; d++) {
                    if (!Double.isFinite(c[t][d])) {
                        c[t][d] = 0;
                    }
                }
            }
            out.add(c);
        }
        return out;
    }

    // --- Structural zeros ---------------------------------------------------------------------------

    @Property(tries = 30)
    void structuralZerosStayZeroThroughEmAndGradientTraining(@ForAll @IntRange(min = 2, max = 5) int n,
                                                            @ForAll @IntRange(min = 2, max = 6) int symbols,
                                                            @ForAll boolean em, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        // A left-to-right chain: i -> i and i -> i + 1 only, starting in state 0; the last state forbids symbol 0.
        final double[] init = new double[n];
        init[0] = 1;
        final double[][] trans = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (i + 1 < n) {
                trans[i][i] = 0.6;
                trans[i][i + 1] = 0.4;
            } else {
                trans[i][i] = 1;
            }
        }
        final Chain chain = Chain.of(init, trans);
        final double[] emissions = new double[n * symbols];
        for (int k = 0; k < emissions.length; k++) {
            emissions[k] = rng.nextDouble(-1, 1);
        }
        emissions[(n - 1) * symbols] = Double.NEGATIVE_INFINITY;
        final CategoricalHmm hmm = new CategoricalHmm(chain, symbols, emissions);
        final List<int[]> data = new ArrayList<>();
        for (int b = 0; b < 6; b++) {
            data.add(hmm.sample(5 + rng.nextInt(20), rng).observations());
        }
        final double[] zerosBefore = hmm.parameters();
        if (em) {
            Em.fit(hmm, data, 5, 0, false);
        } else {
            Trainer.builder().epochs(5).build().fit(hmm, data, null);
        }
        final double[] after = hmm.parameters();
        for (int k = 0; k < after.length; k++) {
            if (zerosBefore[k] == Double.NEGATIVE_INFINITY) {
                assertEquals(Double.NEGATIVE_INFINITY, after[k], "parameter " + k + " was a structural zero");
            } else {
                assertTrue(after[k] > Double.NEGATIVE_INFINITY, "parameter " + k + " was not a structural zero: " + after[k]);
            }
        }
    }

    // --- Model selection ----------------------------------------------------------------------------

    @Property(tries = 40)
    void freeParametersCountDistributionsLessOneAndNoStructuralZeros(@ForAll @IntRange(min = 1, max = 6) int n,
                                                                     @ForAll @IntRange(min = 1, max = 5) int width,
                                                                     @ForAll @IntRange(min = 0, max = 3) int maxJump,
                                                                     @ForAll boolean gaussian, @ForAll boolean bakis,
                                                                     @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final Chain chain = bakis ? Chain.leftToRight(n, maxJump) : Chain.random(n, 0.5, rng);
        long chainFree = bakis ? 0 : (n - 1) + (long) n * (n - 1);
        if (bakis) {
            for (int i = 0; i < n; i++) {
                chainFree += Math.min(n - 1, i + maxJump) - i;  // allowed moves less one
            }
        }
        final double[] emission = rng.doubles((long) n * width, -1, 1).toArray();
        final EmissionHmm<?> hmm = gaussian ? new GaussianHmm(chain, width, emission, new double[n * width])
                : new CategoricalHmm(chain, width, emission);
        assertEquals(chainFree + (gaussian ? 2L * n * width : (long) n * (width - 1)), hmm.freeParameters());
        // The criteria are their formulas over the same data.
        final List<Object> data = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            data.add(hmm.sample(4 + rng.nextInt(8), rng).observations());
        }
        @SuppressWarnings("unchecked")
        final Hmm<Object> any = (Hmm<Object>) (Hmm<?>) hmm;
        final double logL = any.logLikelihood(data);
        final long steps = any.steps(data);
        assertEquals(-2 * logL + hmm.freeParameters() * Math.log(steps), any.bic(data), 1e-9);
        assertEquals(-2 * logL + 2.0 * hmm.freeParameters(), any.aic(data), 1e-9);
    }

    @Property(tries = 20)
    void cloneModelsCountTheirTransitionRows(@ForAll @IntRange(min = 1, max = 3) int symbols,
                                             @ForAll @IntRange(min = 1, max = 4) int clonesEach,
                                             @ForAll @IntRange(min = 1, max = 3) int actions, @ForAll long seed) {
        final int[] clones = new int[symbols];
        java.util.Arrays.fill(clones, clonesEach);
        final int n = symbols * clonesEach;
        final double[] logits = new SplittableRandom(seed).doubles((long) actions * n * n, -1, 1).toArray();
        logits[0] = Double.NEGATIVE_INFINITY;  // one structural zero
        final CloneHmm hmm = new CloneHmm(clones, actions, logits, 0);
        assertEquals((long) actions * n * (n - 1) - (n > 1 ? 1 : 0), hmm.freeParameters());
    }

    @Property(tries = 20)
    void leftToRightChainsAreValidatedAndStructural(@ForAll @IntRange(min = -2, max = 7) int n,
                                                    @ForAll @IntRange(min = -2, max = 4) int maxJump) {
        if (n < 1 || maxJump < 0) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Chain.leftToRight(n, maxJump));
            assertTrue(e.getMessage().contains(n < 1 ? "states must be >= 1" : "maxJump must be >= 0"), e.getMessage());
            return;
        }
        final Chain c = Chain.leftToRight(n, maxJump);
        final double[] logInit = c.logInit(), logTrans = c.logTrans();
        assertEquals(0.0, logInit[0], 0.0);
        for (int i = 0; i < n; i++) {
            final int allowed = Math.min(n - 1, i + maxJump) - i + 1;
            for (int j = 0; j < n; j++) {
                final boolean ok = j >= i && j - i <= maxJump;
                assertEquals(ok ? -Math.log(allowed) : Double.NEGATIVE_INFINITY, logTrans[i * n + j], 1e-12,
                        "transition " + i + " -> " + j);
            }
        }
    }

    // --- Reading parameters and files back ------------------------------------------------------------

    @Property(tries = 20)
    void typedLoadReturnsTheFamilyOrNamesBoth(@ForAll boolean gaussian, @ForAll long seed) throws IOException {
        final Path dir = Files.createTempDirectory("diffhmm-typed");
        try {
            final Path file = dir.resolve("m.json");
            final SplittableRandom rng = new SplittableRandom(seed);
            final EmissionHmm<?> hmm = gaussian ? GaussianHmm.random(2, 2, 0, 1, rng) : CategoricalHmm.random(2, 3, rng);
            Models.save(hmm, file);
            final EmissionHmm<?> back = gaussian ? Models.load(file, GaussianHmm.class) : Models.load(file, CategoricalHmm.class);
            assertArrayEquals(hmm.parameters(), back.parameters(), 0.0);
            final Class<? extends Hmm<?>> other = gaussian ? CategoricalHmm.class : GaussianHmm.class;
            final FileFormatException e = assertThrows(FileFormatException.class, () -> Models.load(file, other));
            assertTrue(e.getMessage().contains("holds a " + (gaussian ? "gaussian" : "categorical") + " model")
                    && e.getMessage().contains("not a " + (gaussian ? "CategoricalHmm" : "GaussianHmm")), e.getMessage());
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 30)
    void probabilityMatricesAreTheSoftmaxOfTheLogits(@ForAll @IntRange(min = 1, max = 5) int n,
                                                    @ForAll @IntRange(min = 1, max = 6) int m, @ForAll long seed) {
        final CategoricalHmm hmm = CategoricalHmm.random(n, m, new SplittableRandom(seed));
        final double[] pi = hmm.chain().initProbabilities();
        final double[][] a = hmm.chain().transitionMatrix(), b = hmm.emissionMatrix();
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += pi[j];
            assertEquals(Math.exp(hmm.chain().logInit()[j]), pi[j], 1e-15);
        }
        assertEquals(1.0, sum, 1e-12);
        for (int i = 0; i < n; i++) {
            assertEquals(1.0, Arrays.stream(a[i]).sum(), 1e-12, "transition row " + i);
            assertEquals(1.0, Arrays.stream(b[i]).sum(), 1e-12, "emission row " + i);
            for (int j = 0; j < n; j++) {
                assertEquals(Math.exp(hmm.chain().logTrans()[i * n + j]), a[i][j], 1e-15);
            }
        }
        final GaussianHmm g = GaussianHmm.random(n, m, 0, 1, new SplittableRandom(seed));
        for (int k = 0; k < n * m; k++) {
            assertEquals(Math.exp(g.logStds()[k]), g.stds()[k], 1e-15);
        }
    }

    @Property(tries = 20)
    void manySequencesAreDrawnSeeded(@ForAll @IntRange(min = 0, max = 4) int count, @ForAll long seed) {
        final CategoricalHmm hmm = CategoricalHmm.random(3, 4, new SplittableRandom(seed));
        final int[] lengths = new SplittableRandom(seed).ints(count, 0, 9).toArray();
        final List<EmissionHmm.Sample<int[]>> a = hmm.sample(lengths, seed), b = hmm.sample(lengths, seed);
        assertEquals(count, a.size());
        for (int k = 0; k < count; k++) {
            assertEquals(lengths[k], a.get(k).observations().length);
            assertArrayEquals(a.get(k).observations(), b.get(k).observations());
            assertArrayEquals(a.get(k).path(), b.get(k).path());
        }
        if (count > 0) {
            final int[] bad = lengths.clone();
            bad[count - 1] = -1;
            assertThrows(IllegalArgumentException.class, () -> hmm.sample(bad, seed));
        }
    }

    // --- Saved files' permissions -----------------------------------------------------------------

    @Property(tries = 30)
    void replacingAModelKeepsTheFilesPermissions(@ForAll @IntRange(min = 0, max = 0777) int mode, @ForAll long seed)
            throws IOException {
        final Path dir = Files.createTempDirectory("diffhmm-perms");
        try {
            final Path file = dir.resolve("model.json");
            Files.writeString(file, "old");
            final Set<PosixFilePermission> perms = permissions(mode | 0600);  // the owner can still replace it
            Files.setPosixFilePermissions(file, perms);
            Models.save(CategoricalHmm.random(2, 3, new SplittableRandom(seed)), file);
            assertEquals(perms, Files.getPosixFilePermissions(file), "the replaced file's permissions");
            assertTrue(Models.load(file) instanceof CategoricalHmm);
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 10)
    void aNewModelFileGetsTheProcesssDefaultPermissions(@ForAll @LongRange(min = 0, max = 1000) long seed) throws IOException {
        final Path dir = Files.createTempDirectory("diffhmm-perms");
        try {
            final Path plain = Files.createFile(dir.resolve("plain"));  // any new file of this process
            final Path model = dir.resolve("model.json");
            Models.save(CategoricalHmm.random(2, 3, new SplittableRandom(seed)), model);
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(model),
                    "a new model file's permissions are those of any new file (0666 less the umask), not 0600");
        } finally {
            deleteTree(dir);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        final Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
        final PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << bit)) != 0) {
                out.add(order[bit]);
            }
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static String describe(Set<PosixFilePermission> perms) {
        return PosixFilePermissions.toString(perms);
    }
}
