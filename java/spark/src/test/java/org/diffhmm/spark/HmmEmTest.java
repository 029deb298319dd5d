package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.Em;
import org.diffhmm.train.LossCurve;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EM on local[2] follows the single-JVM {@code Em.fit} on the same sequences iteration by iteration
 * (losses and the trained model's log-likelihoods to 1e-12 relative: only the order of sums differs),
 * for every model family; two runs on the same partitions give the same model bit for bit.
 */
class HmmEmTest {
    private static SparkSession spark;
    private static final StructType SYMBOLS = new StructType().add("id", DataTypes.LongType)
            .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType));

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "diffhmm-spark-em-test");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** A copy of a model through its JSON (exact: doubles are written to round-trip). */
    @SuppressWarnings("unchecked")
    private static <M> M copy(M model) {
        try {
            return (M) Models.fromJson(Models.toJson(model));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Integer[] boxed(int[] x) {
        return Arrays.stream(x).boxed().toArray(Integer[]::new);
    }

    private static void assertCurvesAgree(LossCurve want, LossCurve got, String what) {
        assertEquals(want.size(), got.size(), what + ": iterations");
        for (int k = 0; k < want.size(); k++) {
            assertEquals(want.train()[k], got.train()[k], 1e-12 * Math.abs(want.train()[k]), what + ": loss at iteration " + k);
        }
    }

    private static void assertScoresAgree(double[] want, double[] got, String what) {
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], 1e-12 * Math.abs(want[k]), what + ": sequence " + k);
        }
    }

    @Test
    void categoricalEmMatchesTheSingleJvmFitAndIsReproducible() {
        final SplittableRandom rng = new SplittableRandom(21);
        final CategoricalHmm truth = CategoricalHmm.random(3, 6, rng);
        final List<int[]> data = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < 240; id++) {
            final int[] x = truth.sample(2 + rng.nextInt(70), rng).observations();
            data.add(x);
            rows.add(RowFactory.create(id, boxed(x)));
        }
        rows.add(RowFactory.create(240L, new Integer[0]));
        rows.add(RowFactory.create(241L, null));
        final Dataset<Row> input = spark.createDataFrame(rows, SYMBOLS).repartition(5).cache();
        final CategoricalHmm start = CategoricalHmm.random(3, 6, new SplittableRandom(22));

        final CategoricalHmm local = copy(start);
        final LossCurve want = Em.fit(local, data, 12, 0, false);
        final CategoricalHmm distributed = copy(start);
        final LossCurve got = new HmmEm(distributed).idColumn("id").batchSize(16).maxIterations(12).tolerance(0).fit(input);
        assertCurvesAgree(want, got, "categorical");
        assertTrue(got.train()[got.size() - 1] < got.train()[0], "EM lowered the loss: " + Arrays.toString(got.train()));
        assertScoresAgree(local.logLikelihoods(data), distributed.logLikelihoods(data), "categorical");

        final CategoricalHmm again = copy(start);
        new HmmEm(again).idColumn("id").batchSize(16).maxIterations(12).tolerance(0).fit(input);
        assertEquals(Models.toJson(distributed), Models.toJson(again), "two runs on the same partitions");

        // The report agrees with the single-JVM one: iteration limit at tolerance 0, converged at a
        // tolerance EM meets within 40 iterations.
        final org.diffhmm.train.FitReport limit = new HmmEm(copy(start)).batchSize(16).maxIterations(5).tolerance(0).run(input);
        assertEquals(org.diffhmm.train.FitReport.Stop.ITERATION_LIMIT, limit.stop());
        assertEquals(5, limit.iterations());
        final org.diffhmm.train.FitReport localReport = Em.run(copy(start), data, 40, 1e-3,
                (task, total) -> org.diffhmm.train.Progress.none());
        final org.diffhmm.train.FitReport sparkReport = new HmmEm(copy(start)).batchSize(16).maxIterations(40).tolerance(1e-3)
                .run(input);
        assertEquals(localReport.stop(), sparkReport.stop(), sparkReport.summary());
        assertEquals(org.diffhmm.train.FitReport.Stop.CONVERGED, sparkReport.stop(), sparkReport.summary());
        assertEquals(localReport.iterations(), sparkReport.iterations(), sparkReport.summary());
    }

    @Test
    void gaussianAndCloneStructuredEmMatchTheSingleJvmFit() {
        final SplittableRandom rng = new SplittableRandom(31);
        final GaussianHmm truth = GaussianHmm.random(3, 2, 0, 1, rng);
        final List<double[][]> vectors = new ArrayList<>();
        final List<Row> vectorRows = new ArrayList<>();
        for (long id = 0; id < 80; id++) {
            final double[][] x = truth.sample(2 + rng.nextInt(40), rng).observations();
            vectors.add(x);
            final Object[] steps = new Object[x.length];
            for (int t = 0; t < x.length; t++) {
                steps[t] = Arrays.stream(x[t]).boxed().toArray(Double[]::new);
            }
            vectorRows.add(RowFactory.create(id, steps));
        }
        final StructType vectorSchema = new StructType().add("id", DataTypes.LongType)
                .add("observations", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)));
        final GaussianHmm gStart = GaussianHmm.random(3, 2, 0, 1, new SplittableRandom(32));
        final GaussianHmm gLocal = copy(gStart);
        final GaussianHmm gSpark = copy(gStart);
        final LossCurve gWant = Em.fit(gLocal, vectors, 8, 0, false);
        final LossCurve gGot = new HmmEm(gSpark).batchSize(9).maxIterations(8).tolerance(0)
                .fit(spark.createDataFrame(vectorRows, vectorSchema).repartition(3).cache());
        assertCurvesAgree(gWant, gGot, "gaussian");
        assertScoresAgree(gLocal.logLikelihoods(vectors), gSpark.logLikelihoods(vectors), "gaussian");

        final CloneHmm world = CloneHmm.random(new int[] {2, 3}, 2, 0.1, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>();
        final List<Row> walkRows = new ArrayList<>();
        for (long id = 0; id < 40; id++) {
            final int[] a = new int[3 + rng.nextInt(30)];
            for (int t = 0; t < a.length; t++) {
                a[t] = rng.nextInt(2);
            }
            final CloneHmm.Walk w = world.sample(a, rng);
            walks.add(w);
            walkRows.add(RowFactory.create(id, boxed(w.symbols()), boxed(w.actions())));
        }
        final StructType walkSchema = new StructType().add("id", DataTypes.LongType)
                .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("actions", DataTypes.createArrayType(DataTypes.IntegerType));
        final CloneHmm cStart = CloneHmm.random(new int[] {2, 3}, 2, 0.1, new SplittableRandom(33));
        final CloneHmm cLocal = copy(cStart);
        final CloneHmm cSpark = copy(cStart);
        final LossCurve cWant = Em.fit(cLocal, walks, 8, 0, false);
        final LossCurve cGot = new HmmEm(cSpark).idColumn("id").batchSize(8).maxIterations(8).tolerance(0)
                .fit(spark.createDataFrame(walkRows, walkSchema).repartition(2).cache());
        assertCurvesAgree(cWant, cGot, "clone-structured");
        assertScoresAgree(cLocal.logLikelihoods(walks), cSpark.logLikelihoods(walks), "clone-structured");
    }

    @Test
    void inputsWithoutSequencesOrColumnsAreRefused() {
        final CategoricalHmm hmm = CategoricalHmm.random(2, 3, new SplittableRandom(41));
        final String before = Models.toJson(hmm);
        final List<Row> empty = List.of(RowFactory.create(0L, new Integer[0]), RowFactory.create(1L, null));
        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new HmmEm(hmm).fit(spark.createDataFrame(empty, SYMBOLS)));
        assertTrue(none.getMessage().contains("no training sequences"), none.getMessage());
        final IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
                () -> new HmmEm(hmm).symbolsColumn("tokens").fit(spark.createDataFrame(empty, SYMBOLS)));
        assertTrue(column.getMessage().contains("'tokens'"), column.getMessage());
        final List<Row> bad = List.of(RowFactory.create(7L, new Integer[] {0, 1, 3}));
        final Exception outside = assertThrows(Exception.class,
                () -> new HmmEm(hmm).idColumn("id").fit(spark.createDataFrame(bad, SYMBOLS)));
        assertTrue(String.valueOf(outside.getMessage()).contains("row with id 7") || String.valueOf(outside.getCause()).contains("row with id 7"),
                String.valueOf(outside));
        assertEquals(before, Models.toJson(hmm), "a failed fit leaves the model as it was");
        assertThrows(IllegalArgumentException.class, () -> new HmmEm(hmm).maxIterations(0));
        assertThrows(IllegalArgumentException.class, () -> new HmmEm(hmm).tolerance(Double.NaN));
    }
}
