package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.train.Em;
import org.diffhmm.train.EmModel;
import org.diffhmm.train.EmStatistics;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Optimizer;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save/load, EM monotonicity, decoding and sampling, trainer behaviour, bad input. */
class ModelBehaviourTest {
    private static List<int[]> sampled(CategoricalHmm truth, int count, int length, SplittableRandom rng) {
        final List<int[]> data = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            data.add(truth.sample(length - k % 5, rng).observations());
        }
        return data;
    }

    @Test
    void saveAndLoadRoundTripEveryModel(@TempDir Path dir) throws Exception {
        final SplittableRandom rng = new SplittableRandom(21);
        final CategoricalHmm c = CategoricalHmm.random(3, 5, rng);
        final GaussianHmm g = GaussianHmm.random(2, 3, 0, 1, rng);
        final CloneHmm clone = CloneHmm.random(new int[] {2, 1}, 2, 0.0, rng);
        final List<CloneHmm.Walk> walks = List.of(new CloneHmm.Walk(new int[] {0, 1, 0, 0}, new int[] {1, 0, 1}));
        clone.emStep(walks);  // pc = 0: unseen transitions become -inf logits
        for (Object model : new Object[] {c, g, clone}) {
            final Path file = dir.resolve("model.json");
            Models.save(model, file);
            final Object back = Models.load(file);
            assertEquals(model.getClass(), back.getClass());
            assertArrayEquals(((org.diffhmm.train.Model<?>) model).parameters(),
                    ((org.diffhmm.train.Model<?>) back).parameters());
            assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".tmp")));
        }
        assertThrows(java.io.IOException.class, () -> Models.fromJson("{\"format\": \"something else\"}"));
        assertThrows(java.io.IOException.class, () -> Models.fromJson("{\"format\": \"diffhmm-model\", \"type\": \"x\"}"));
    }

    /**
     * The clone-structured HMM keeps a batch's block problem between calls with the same walks: the
     * results equal a fresh model's with the same parameters; a walk replaced in the list is seen, and
     * writing into an array a walk handed out changes nothing (walks are immutable).
     */
    @Test
    void cloneHmmReusesABatchOnlyWhileItsWalksAreUnchanged() {
        final SplittableRandom rng = new SplittableRandom(31);
        final Room room = new Room(2, 2, new int[] {0, 1, 1, 0});
        final CloneHmm model = CloneHmm.random(new int[] {3, 2}, Room.ACTIONS, 0.05, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>(List.of(room.walk(200, rng), room.walk(150, rng)));
        model.emStep(walks);  // the batch's block problem is kept; the transitions change
        final double unchanged = model.logLikelihood(walks);
        assertEquals(new CloneHmm(model.clones(), Room.ACTIONS, model.parameters(), 0.05).logLikelihood(walks),
                unchanged, 0.0);
        final int[] x = walks.get(0).symbols();
        x[10] = 1 - x[10];  // the other colour: still a possible walk (pc > 0)
        assertEquals(unchanged, model.logLikelihood(walks), 0.0, "the handed-out copy is not the walk");
        walks.set(0, new CloneHmm.Walk(x, walks.get(0).actions()));
        final double changed = model.logLikelihood(walks);
        assertEquals(new CloneHmm(model.clones(), Room.ACTIONS, model.parameters(), 0.05).logLikelihood(walks),
                changed, 0.0);
        assertNotEquals(unchanged, changed);
    }

    @Test
    void emNeverDecreasesTheObjective() {
        final SplittableRandom rng = new SplittableRandom(22);
        final List<int[]> data = sampled(CategoricalHmm.random(3, 6, rng), 20, 40, rng);
        final LossCurve curve = Em.fit(CategoricalHmm.random(3, 6, rng), data, 50, 0, false);
        final double[] loss = curve.train();
        for (int k = 1; k < loss.length; k++) {
            assertTrue(loss[k] <= loss[k - 1] + 1e-12, "EM loss rose at iteration " + k + ": " + loss[k - 1] + " -> " + loss[k]);
        }
        final CloneHmm clone = CloneHmm.random(new int[] {3, 2}, Room.ACTIONS, 0.05, rng);
        final List<CloneHmm.Walk> walks = List.of(new Room(2, 2, new int[] {0, 1, 1, 0}).walk(300, rng));
        double previous = Double.NEGATIVE_INFINITY;
        for (int it = 0; it < 20; it++) {
            final double objective = clone.emStep(walks);
            assertTrue(objective >= previous - 1e-9, "CHMM soft EM objective fell: " + previous + " -> " + objective);
            previous = objective;
        }
    }

    @Test
    void decodingAndPosteriorsAreConsistent() {
        final SplittableRandom rng = new SplittableRandom(23);
        final CategoricalHmm hmm = CategoricalHmm.random(4, 5, rng);
        final List<int[]> data = sampled(hmm, 6, 30, rng);
        final List<int[]> paths = hmm.viterbi(data);
        final List<double[][]> posteriors = hmm.posteriors(data);
        for (int b = 0; b < data.size(); b++) {
            assertEquals(data.get(b).length, paths.get(b).length);
            for (double[] row : posteriors.get(b)) {
                double sum = 0;
                for (double v : row) {
                    sum += v;
                }
                assertEquals(1.0, sum, 1e-9);
            }
        }
    }

    @Test
    void clonePosteriorsLiveOnTheObservedSymbolsClones() {
        final SplittableRandom rng = new SplittableRandom(27);
        final Room room = new Room(2, 3, new int[] {0, 1, 0, 1, 0, 1});
        final CloneHmm clone = CloneHmm.random(new int[] {3, 3}, Room.ACTIONS, 0.01, rng);
        final List<CloneHmm.Walk> walks = List.of(room.walk(40, rng), room.walk(25, rng));
        final List<double[][]> post = clone.posteriors(walks);
        final List<int[]> paths = clone.decode(walks);
        for (int b = 0; b < walks.size(); b++) {
            for (int t = 0; t < walks.get(b).length(); t++) {
                double sum = 0;
                for (int z = 0; z < clone.states(); z++) {
                    if (clone.symbolOf(z) != walks.get(b).symbols()[t]) {
                        assertEquals(0.0, post.get(b)[t][z], "a clone of another symbol");
                    }
                    sum += post.get(b)[t][z];
                }
                assertEquals(1.0, sum, 1e-9);
                assertEquals(walks.get(b).symbols()[t], clone.symbolOf(paths.get(b)[t]), "decoded clone emits x_t");
            }
        }
    }

    @Test
    void sampledDataRecoversTheGeneratingEmissionsByEm() {
        final SplittableRandom rng = new SplittableRandom(24);
        final double[][] trans = {{0.9, 0.1}, {0.2, 0.8}};
        final double[] logits = {Math.log(0.8), Math.log(0.1), Math.log(0.1), Math.log(0.1), Math.log(0.1), Math.log(0.8)};
        final CategoricalHmm truth = new CategoricalHmm(Chain.of(new double[] {0.5, 0.5}, trans), 3, logits);
        final List<int[]> data = sampled(truth, 40, 200, rng);
        CategoricalHmm fit = null;
        for (int restart = 0; restart < 3; restart++) {  // EM has local optima: keep the best of three starts
            final CategoricalHmm candidate = CategoricalHmm.random(2, 3, new SplittableRandom(restart));
            Em.fit(candidate, data, 300, 1e-10, false);
            if (fit == null || candidate.logLikelihood(data) > fit.logLikelihood(data)) {
                fit = candidate;
            }
        }
        final double[] got = fit.logEmissions();
        final boolean swapped = got[0] < got[3];
        for (int j = 0; j < 2; j++) {
            for (int m = 0; m < 3; m++) {
                final double want = Math.exp(truth.logEmissions()[j * 3 + m]);
                final double have = Math.exp(got[(swapped ? 1 - j : j) * 3 + m]);
                assertEquals(want, have, 0.05, "emission p(" + m + " | state " + j + ")");
            }
        }
    }

    @Test
    void trainingIsReproducibleAndStopsEarly() {
        final SplittableRandom rng = new SplittableRandom(25);
        final CategoricalHmm truth = CategoricalHmm.random(2, 4, rng);
        final List<int[]> train = sampled(truth, 30, 30, rng), heldOut = sampled(truth, 10, 30, rng);
        final double[] start = CategoricalHmm.random(3, 4, rng).parameters();
        final Trainer trainer = Trainer.builder().epochs(40).batchSize(7).clipNorm(5).schedule(Schedule.step(0.1, 0.5, 10))
                .seed(9).build();
        final double[][] results = new double[2][];
        for (int run = 0; run < 2; run++) {
            final CategoricalHmm model = CategoricalHmm.random(3, 4, new SplittableRandom(0));
            model.setParameters(start);
            trainer.fit(model, train, heldOut);
            results[run] = model.parameters();
        }
        assertArrayEquals(results[0], results[1], "same seed, same run");

        final CategoricalHmm model = CategoricalHmm.random(3, 4, new SplittableRandom(0));
        model.setParameters(start);
        final Trainer.Result r = Trainer.builder().epochs(500).learningRate(0.5).patience(3).seed(1)
                .optimizer(() -> Optimizer.sgd(0.9)).build().fit(model, train, heldOut);
        assertTrue(r.stoppedEarly(), "a large SGD step overfits or oscillates: early stopping must end the run");
        assertTrue(r.curve().size() < 500);
        assertEquals(r.bestHeldOutLoss(), -model.objective(heldOut).value() / model.steps(heldOut), 1e-9,
                "the best held-out parameters are restored");
    }

    @Test
    void badInputIsNamed() {
        final SplittableRandom rng = new SplittableRandom(26);
        final CategoricalHmm hmm = CategoricalHmm.random(2, 3, rng);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hmm.logLikelihood(List.of(new int[] {0, 1, 7})));
        assertTrue(e.getMessage().contains("symbol 7 outside [0, 3)"), e.getMessage());
        final CloneHmm clone = CloneHmm.random(new int[] {1, 1}, 2, 0, rng);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> clone.logLikelihood(List.of(new CloneHmm.Walk(new int[] {0, 1, 0}, new int[] {0}))))
                .getMessage().contains("needs 2"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> clone.logLikelihood(List.of(new CloneHmm.Walk(new int[] {0, 1}, new int[] {5}))))
                .getMessage().contains("action 5"));
        assertThrows(IllegalArgumentException.class, () -> new Trainer.Builder().epochs(0));
    }

    /** The E-step of the whole equals the merged E-steps of its parts (what distributed EM relies on). */
    private static <S> void assertStatisticsMerge(EmModel<S> model, List<S> data, String what) {
        final EmStatistics whole = model.expectations(data);
        final int half = data.size() / 2;
        final EmStatistics merged = model.expectations(data.subList(0, half)).merge(model.expectations(data.subList(half, data.size())));
        assertEquals(whole.steps(), merged.steps(), what + ": steps");
        assertEquals(whole.logLikelihood(), merged.logLikelihood(), 1e-12 * Math.abs(whole.logLikelihood()), what + ": log-likelihood");
        assertEquals(whole.parts(), merged.parts(), what + ": parts");
        for (int p = 0; p < whole.parts(); p++) {
            for (int k = 0; k < whole.part(p).length; k++) {
                assertEquals(whole.part(p)[k], merged.part(p)[k], 1e-12 * (1 + Math.abs(whole.part(p)[k])),
                        what + ": part " + p + " entry " + k);
            }
        }
    }

    @Test
    void statisticsOfPartsMergeIntoThoseOfTheWhole() {
        final SplittableRandom rng = new SplittableRandom(61);
        final CategoricalHmm cat = CategoricalHmm.random(3, 4, rng);
        final List<int[]> symbols = new ArrayList<>();
        for (int k = 0; k < 9; k++) {
            symbols.add(cat.sample(1 + rng.nextInt(25), rng).observations());
        }
        assertStatisticsMerge(cat, symbols, "categorical");
        final GaussianHmm gauss = GaussianHmm.random(2, 3, 0, 1, rng);
        final List<double[][]> vectors = new ArrayList<>();
        for (int k = 0; k < 7; k++) {
            vectors.add(gauss.sample(1 + rng.nextInt(25), rng).observations());
        }
        assertStatisticsMerge(gauss, vectors, "gaussian");
        final CloneHmm clone = CloneHmm.random(new int[] {2, 2}, 3, 0.1, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            final int[] a = new int[2 + rng.nextInt(20)];
            for (int t = 0; t < a.length; t++) {
                a[t] = rng.nextInt(3);
            }
            walks.add(clone.sample(a, rng));
        }
        assertStatisticsMerge(clone, walks, "clone-structured");
        final IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> cat.expectations(symbols).merge(gauss.expectations(vectors)));
        assertTrue(shapes.getMessage().contains("different"), shapes.getMessage());
    }

    @Test
    void theObjectiveIsItsDataTermPlusThePrior() {
        final SplittableRandom rng = new SplittableRandom(62);
        final CloneHmm clone = CloneHmm.random(new int[] {2, 3}, 2, 0.5, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            final int[] a = new int[2 + rng.nextInt(15)];
            for (int t = 0; t < a.length; t++) {
                a[t] = rng.nextInt(2);
            }
            walks.add(clone.sample(a, rng));
        }
        final org.diffhmm.train.Objective whole = clone.objective(walks);
        final org.diffhmm.train.Objective data = clone.dataObjective(walks);
        final org.diffhmm.train.Objective prior = clone.priorObjective();
        assertTrue(prior.value() < 0, "a pseudocount gives a prior: " + prior.value());
        assertEquals(whole.value(), data.value() + prior.value(), 1e-12 * Math.abs(whole.value()), "value");
        for (int k = 0; k < whole.gradient().length; k++) {
            assertEquals(whole.gradient()[k], data.gradient()[k] + prior.gradient()[k], 1e-12 * (1 + Math.abs(whole.gradient()[k])),
                    "gradient " + k);
        }
        final CategoricalHmm cat = CategoricalHmm.random(2, 3, rng);
        final List<int[]> symbols = List.of(cat.sample(12, rng).observations());
        assertEquals(cat.objective(symbols).value(), cat.dataObjective(symbols).value(), 0.0, "no prior: the same");
        assertEquals(0.0, cat.priorObjective().value(), 0.0);
    }

    /** Sample frequencies of each state at each step agree with the posterior marginals (5 binomial σ). */
    private static void assertSamplesFollowPosteriors(List<int[][]> samples, List<double[][]> posteriors, String what) {
        for (int b = 0; b < samples.size(); b++) {
            final int[][] paths = samples.get(b);
            final double[][] gamma = posteriors.get(b);
            for (int[] path : paths) {
                assertEquals(gamma.length, path.length, what + " " + b + ": path length");
            }
            for (int t = 0; t < gamma.length; t++) {
                for (int i = 0; i < gamma[t].length; i++) {
                    int hits = 0;
                    for (int[] path : paths) {
                        hits += path[t] == i ? 1 : 0;
                    }
                    final double p = gamma[t][i], sigma = Math.sqrt(p * (1 - p) / paths.length);
                    assertEquals(p, (double) hits / paths.length, 5 * sigma + 1e-9,
                            what + " " + b + " step " + t + " state " + i + " (posterior " + p + ", " + hits + " of " + paths.length + ")");
                }
            }
        }
    }

    @Test
    void posteriorSamplesFollowThePosteriorMarginals() {
        final SplittableRandom rng = new SplittableRandom(63);
        final CategoricalHmm cat = CategoricalHmm.random(3, 4, rng);
        final List<int[]> symbols = List.of(cat.sample(6, rng).observations(), cat.sample(3, rng).observations());
        final List<int[][]> drawn = cat.posteriorSamples(symbols, 4000, 5);
        assertSamplesFollowPosteriors(drawn, cat.posteriors(symbols), "categorical");
        assertArrayEquals(drawn.get(0)[17], cat.posteriorSamples(symbols, 4000, 5).get(0)[17], "same seed, same paths");

        final CloneHmm clone = CloneHmm.random(new int[] {2, 3}, 2, 0.1, rng);
        final List<CloneHmm.Walk> walks = List.of(clone.sample(new int[] {0, 1, 1, 0, 1}, rng));
        assertSamplesFollowPosteriors(clone.posteriorSamples(walks, 4000, 6), clone.posteriors(walks), "clone-structured");
        assertThrows(IllegalArgumentException.class, () -> cat.posteriorSamples(symbols, 0, 1));
    }
}
