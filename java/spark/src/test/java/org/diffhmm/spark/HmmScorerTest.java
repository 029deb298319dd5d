package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.Backend;
import org.diffhmm.BackendUnavailableException;
import org.diffhmm.Diffhmm;
import org.diffhmm.models.CategoricalHmm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scoring and decoding a Dataset on local[2] equals the single-JVM model row by row (log-likelihoods
 * to 1e-9 relative, paths exactly), empty and null rows included; bad rows name themselves.
 */
class HmmScorerTest {
    private static SparkSession spark;
    private static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType)
            .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType));

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "diffhmm-spark-test");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void everyRowGetsTheSingleJvmScoreAndPath() {
        final CategoricalHmm hmm = CategoricalHmm.random(3, 5, new SplittableRandom(11));
        final SplittableRandom rng = new SplittableRandom(12);
        final List<Row> rows = new ArrayList<>();
        final List<int[]> sequences = new ArrayList<>();
        for (long id = 0; id < 300; id++) {
            final int[] x = hmm.sample(1 + rng.nextInt(60), rng).observations();
            sequences.add(x);
            rows.add(RowFactory.create(id, java.util.Arrays.stream(x).boxed().toArray(Integer[]::new)));
        }
        rows.add(RowFactory.create(300L, new Integer[0]));
        rows.add(RowFactory.create(301L, null));
        final Dataset<Row> input = spark.createDataFrame(rows, SCHEMA).repartition(4);
        final List<Row> scored = new HmmScorer(hmm).idColumn("id").batchSize(32).score(input).collectAsList();
        assertEquals(rows.size(), scored.size());
        final double[] want = hmm.logLikelihoods(sequences);
        final List<int[]> paths = hmm.viterbi(sequences);
        for (Row r : scored) {
            final int id = (int) r.getLong(0);
            final double logLikelihood = r.getDouble(2);
            final int[] path = r.getList(3).stream().mapToInt(v -> (Integer) v).toArray();
            if (id >= 300) {
                assertEquals(0.0, logLikelihood, "row " + id);
                assertEquals(0, path.length, "row " + id);
                continue;
            }
            assertEquals(want[id], logLikelihood, 1e-9 * Math.abs(want[id]), "row " + id);
            assertArrayEquals(paths.get(id), path, "row " + id);
        }
    }

    @Test
    void gaussianAndCloneStructuredModelsScoreTheirOwnInputs() {
        final SplittableRandom rng = new SplittableRandom(15);
        final org.diffhmm.models.GaussianHmm gauss = org.diffhmm.models.GaussianHmm.random(3, 2, 0, 1, rng);
        final List<Row> vectors = new ArrayList<>();
        final List<double[][]> observed = new ArrayList<>();
        for (long id = 0; id < 40; id++) {
            final double[][] x = gauss.sample(1 + rng.nextInt(30), rng).observations();
            observed.add(x);
            final Object[] steps = new Object[x.length];
            for (int t = 0; t < x.length; t++) {
                steps[t] = java.util.Arrays.stream(x[t]).boxed().toArray(Double[]::new);
            }
            vectors.add(RowFactory.create(id, steps));
        }
        final StructType vectorSchema = new StructType().add("id", DataTypes.LongType)
                .add("observations", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)));
        final List<Row> g = new HmmScorer(gauss).idColumn("id").batchSize(7)
                .score(spark.createDataFrame(vectors, vectorSchema).repartition(3)).collectAsList();
        final double[] wantG = gauss.logLikelihoods(observed);
        for (Row r : g) {
            final int id = (int) r.getLong(0);
            assertEquals(wantG[id], r.getDouble(2), 1e-9 * Math.abs(wantG[id]), "gaussian row " + id);
        }

        final org.diffhmm.models.PoissonHmm pois = org.diffhmm.models.PoissonHmm.random(2, 2, 4, rng);
        final List<Row> countRows = new ArrayList<>();
        final List<int[][]> counted = new ArrayList<>();
        for (long id = 0; id < 25; id++) {
            final int[][] x = pois.sample(1 + rng.nextInt(20), rng).observations();
            counted.add(x);
            final Object[] steps = new Object[x.length];
            for (int t = 0; t < x.length; t++) {
                steps[t] = java.util.Arrays.stream(x[t]).boxed().toArray(Integer[]::new);
            }
            countRows.add(RowFactory.create(id, steps));
        }
        final StructType countSchema = new StructType().add("id", DataTypes.LongType)
                .add("observations", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType)));
        final List<Row> p = new HmmScorer(pois).idColumn("id").batchSize(6)
                .score(spark.createDataFrame(countRows, countSchema).repartition(2)).collectAsList();
        final double[] wantP = pois.logLikelihoods(counted);
        for (Row r : p) {
            final int id = (int) r.getLong(0);
            assertEquals(wantP[id], r.getDouble(2), 1e-9 * Math.abs(wantP[id]), "poisson row " + id);
        }

        final org.diffhmm.models.CloneHmm chmm = org.diffhmm.models.CloneHmm.random(new int[] {2, 3}, 2, 0.1, rng);
        final List<Row> walkRows = new ArrayList<>();
        final List<org.diffhmm.models.CloneHmm.Walk> walks = new ArrayList<>();
        for (long id = 0; id < 30; id++) {
            final int[] a = new int[2 + rng.nextInt(20)];
            for (int t = 0; t < a.length; t++) {
                a[t] = rng.nextInt(2);
            }
            final org.diffhmm.models.CloneHmm.Walk w = chmm.sample(a, rng);
            walks.add(w);
            walkRows.add(RowFactory.create(id, java.util.Arrays.stream(w.symbols()).boxed().toArray(Integer[]::new),
                    java.util.Arrays.stream(w.actions()).boxed().toArray(Integer[]::new)));
        }
        final StructType walkSchema = new StructType().add("id", DataTypes.LongType)
                .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("actions", DataTypes.createArrayType(DataTypes.IntegerType));
        final List<Row> c = new HmmScorer(chmm).idColumn("id").batchSize(8)
                .score(spark.createDataFrame(walkRows, walkSchema).repartition(2)).collectAsList();
        final double[] wantC = chmm.logLikelihoods(walks);
        final List<int[]> clonePaths = chmm.decode(walks);
        for (Row r : c) {
            final int id = (int) r.getLong(0);
            assertEquals(wantC[id], r.getDouble(3), 1e-9 * Math.abs(wantC[id]), "walk " + id);
            assertArrayEquals(clonePaths.get(id), r.getList(4).stream().mapToInt(v -> (Integer) v).toArray(), "walk " + id);
        }
    }

    @Test
    void posteriorsAreTheSingleJvmMarginalsWhenAskedFor() {
        final CategoricalHmm hmm = CategoricalHmm.random(4, 5, new SplittableRandom(17));
        final SplittableRandom rng = new SplittableRandom(18);
        final List<Row> rows = new ArrayList<>();
        final List<int[]> sequences = new ArrayList<>();
        for (long id = 0; id < 50; id++) {
            final int[] x = hmm.sample(1 + rng.nextInt(30), rng).observations();
            sequences.add(x);
            rows.add(RowFactory.create(id, java.util.Arrays.stream(x).boxed().toArray(Integer[]::new)));
        }
        rows.add(RowFactory.create(50L, null));
        final Dataset<Row> input = spark.createDataFrame(rows, SCHEMA).repartition(3);
        assertEquals(4, new HmmScorer(hmm).score(input).columns().length, "no posteriors unless asked for");
        final Dataset<Row> scored = new HmmScorer(hmm).idColumn("id").batchSize(8).posteriors(true).score(input);
        assertEquals(HmmScorer.POSTERIORS, scored.columns()[4]);
        final List<double[][]> want = hmm.posteriors(sequences);
        for (Row r : scored.collectAsList()) {
            final int id = (int) r.getLong(0);
            final List<Object> steps = r.getList(4);
            if (id == 50) {
                assertTrue(steps.isEmpty(), "a null sequence has no posteriors");
                continue;
            }
            assertEquals(want.get(id).length, steps.size(), "row " + id + " steps");
            for (int t = 0; t < steps.size(); t++) {
                final scala.collection.Seq<?> p = (scala.collection.Seq<?>) steps.get(t);
                double total = 0;
                for (int i = 0; i < want.get(id)[t].length; i++) {
                    final double got = (Double) p.apply(i);
                    assertEquals(want.get(id)[t][i], got, 1e-12, "row " + id + " step " + t + " state " + i);
                    total += got;
                }
                assertEquals(1.0, total, 1e-9, "row " + id + " step " + t + " sums to 1");
            }
        }
    }

    @Test
    void posteriorSamplesFollowTheMarginalsAndRepeatWithTheSeed() {
        final CategoricalHmm hmm = CategoricalHmm.random(3, 4, new SplittableRandom(19));
        final SplittableRandom rng = new SplittableRandom(20);
        final List<Row> rows = new ArrayList<>();
        final List<int[]> sequences = new ArrayList<>();
        for (long id = 0; id < 12; id++) {
            final int[] x = hmm.sample(1 + rng.nextInt(12), rng).observations();
            sequences.add(x);
            rows.add(RowFactory.create(id, java.util.Arrays.stream(x).boxed().toArray(Integer[]::new)));
        }
        rows.add(RowFactory.create(12L, new Integer[0]));
        final Dataset<Row> input = spark.createDataFrame(rows, SCHEMA).repartition(2).cache();
        final int draws = 2000;
        final HmmScorer scorer = new HmmScorer(hmm).idColumn("id").batchSize(4).posteriorSamples(draws, 3);
        final List<Row> first = scorer.score(input).collectAsList();
        assertEquals(HmmScorer.SAMPLES, scorer.score(input).columns()[4]);
        assertEquals(first, scorer.score(input).collectAsList(), "same seed and partitions, same samples");
        final List<double[][]> gamma = hmm.posteriors(sequences);
        for (Row r : first) {
            final int id = (int) r.getLong(0);
            final List<Object> drawn = r.getList(4);
            assertEquals(draws, drawn.size(), "row " + id);
            if (id == 12) {
                continue;
            }
            final int[] hits = new int[gamma.get(id).length * 3];
            for (Object path : drawn) {
                final scala.collection.Seq<?> p = (scala.collection.Seq<?>) path;
                assertEquals(gamma.get(id).length, p.size(), "row " + id + " path length");
                for (int t = 0; t < p.size(); t++) {
                    hits[t * 3 + (Integer) p.apply(t)]++;
                }
            }
            for (int t = 0; t < gamma.get(id).length; t++) {
                for (int i = 0; i < 3; i++) {
                    final double q = gamma.get(id)[t][i], sigma = Math.sqrt(q * (1 - q) / draws);
                    assertEquals(q, (double) hits[t * 3 + i] / draws, 5 * sigma + 1e-9, "row " + id + " step " + t + " state " + i);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new HmmScorer(hmm).posteriorSamples(-1, 0));
    }

    @Test
    void theBackendChoiceReachesTheTasks() {
        final CategoricalHmm hmm = CategoricalHmm.random(3, 4, new SplittableRandom(15));
        final SplittableRandom rng = new SplittableRandom(16);
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < 40; id++) {
            rows.add(RowFactory.create(id, java.util.Arrays.stream(hmm.sample(1 + rng.nextInt(30), rng).observations())
                    .boxed().toArray(Integer[]::new)));
        }
        final Dataset<Row> input = spark.createDataFrame(rows, SCHEMA).repartition(2);
        final List<Row> auto = new HmmScorer(hmm).score(input).collectAsList();
        final List<Row> cpu = new HmmScorer(hmm).backend(Backend.CPU).score(input).collectAsList();
        assertEquals(auto, cpu, "no GPU was scheduled for these tasks: AUTO runs on the CPU");
        if (!Diffhmm.cudaAvailable()) {
            final Exception e = assertThrows(Exception.class,
                    () -> new HmmScorer(hmm).backend(Backend.CUDA).score(input).collectAsList());
            Throwable cause = e;
            while (cause.getCause() != null && !(cause instanceof BackendUnavailableException)) {
                cause = cause.getCause();
            }
            assertTrue(cause instanceof BackendUnavailableException && cause.getMessage().contains("CUDA not available"),
                    String.valueOf(cause));
        }
    }

    @Test
    void aSymbolOutsideTheAlphabetNamesItsRow() {
        final CategoricalHmm hmm = CategoricalHmm.random(2, 4, new SplittableRandom(13));
        final Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create(7L, new Integer[] {0, 1, 2}),
                RowFactory.create(42L, new Integer[] {1, 9, 0})), SCHEMA);
        final Exception e = assertThrows(Exception.class,
                () -> new HmmScorer(hmm).idColumn("id").score(input).collectAsList());
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        assertTrue(String.valueOf(cause.getMessage()).contains("row with id 42: symbols[1] = 9 is not one of the model's symbols (ids 0..3)"),
                String.valueOf(cause.getMessage()));
    }

    @Test
    void missingOrMistypedColumnsAreRefusedBeforeAnyJob() {
        final CategoricalHmm hmm = CategoricalHmm.random(2, 4, new SplittableRandom(14));
        final Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create(1L, new Integer[] {0})), SCHEMA);
        final IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new HmmScorer(hmm).symbolsColumn("x").score(input));
        assertTrue(missing.getMessage().contains("the column 'x' is not among the columns"), missing.getMessage());
        final IllegalArgumentException typed = assertThrows(IllegalArgumentException.class,
                () -> new HmmScorer(hmm).symbolsColumn("id").score(input));
        assertTrue(typed.getMessage().contains("must be array<int>"), typed.getMessage());
    }
}
