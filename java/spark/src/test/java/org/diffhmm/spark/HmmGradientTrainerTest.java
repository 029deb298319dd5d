package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Optimizer;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Full-batch gradient training on local[2] takes the steps the single-JVM {@link Trainer} takes with
 * full batches: with SGD the losses and parameters agree to 1e-12 relative (only the order of sums
 * differs); with Adam, whose step divides by the root of the squared gradient, near-zero gradient
 * entries amplify those last-digit differences, so parameters agree to 1e-9. Reruns are bit-identical.
 */
class HmmGradientTrainerTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "diffhmm-spark-gradient-test");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Integer[] boxed(int[] x) {
        return Arrays.stream(x).boxed().toArray(Integer[]::new);
    }

    private static void assertClose(double[] want, double[] got, double relative, String what) {
        assertEquals(want.length, got.length, what + ": size");
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], relative * (1 + Math.abs(want[k])), what + ": entry " + k);
        }
    }

    private static void compare(Supplier<Optimizer> optimizer, double relative) {
        final SplittableRandom rng = new SplittableRandom(51);
        final CategoricalHmm truth = CategoricalHmm.random(3, 5, rng);
        final List<int[]> data = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < 150; id++) {
            final int[] x = truth.sample(2 + rng.nextInt(50), rng).observations();
            data.add(x);
            rows.add(RowFactory.create(id, boxed(x)));
        }
        rows.add(RowFactory.create(150L, null));
        final StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType));
        final Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(4).cache();
        final CategoricalHmm local = CategoricalHmm.random(3, 5, new SplittableRandom(52));
        final CategoricalHmm distributed = CategoricalHmm.random(3, 5, new SplittableRandom(52));
        final CategoricalHmm again = CategoricalHmm.random(3, 5, new SplittableRandom(52));

        final Trainer.Result want = Trainer.builder().epochs(15).batchSize(0).learningRate(0.1).optimizer(optimizer)
                .build().fit(local, data, null);
        final LossCurve got = new HmmGradientTrainer(distributed).idColumn("id").batchSize(16).steps(15)
                .schedule(Schedule.constant(0.1)).optimizer(optimizer).fit(input);
        assertClose(want.curve().train(), got.train(), 1e-12, optimizer.get() + " loss");
        assertClose(local.parameters(), distributed.parameters(), relative, optimizer.get() + " parameters");
        assertTrue(got.train()[14] < got.train()[0], "training lowered the loss: " + Arrays.toString(got.train()));

        new HmmGradientTrainer(again).idColumn("id").batchSize(16).steps(15).schedule(Schedule.constant(0.1))
                .optimizer(optimizer).fit(input);
        assertArrayEquals(distributed.parameters(), again.parameters(), "two runs on the same partitions");
    }

    @Test
    void sgdStepsMatchTheSingleJvmTrainer() {
        compare(() -> Optimizer.sgd(0.9), 1e-12);
    }

    @Test
    void adamStepsMatchTheSingleJvmTrainer() {
        compare(Optimizer::adam, 1e-9);
    }

    @Test
    void cloneStructuredModelsTrainOnWalks() {
        final SplittableRandom rng = new SplittableRandom(53);
        final CloneHmm world = CloneHmm.random(new int[] {2, 2}, 2, 0.1, rng);
        final List<CloneHmm.Walk> walks = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < 30; id++) {
            final int[] a = new int[3 + rng.nextInt(25)];
            for (int t = 0; t < a.length; t++) {
                a[t] = rng.nextInt(2);
            }
            final CloneHmm.Walk w = world.sample(a, rng);
            walks.add(w);
            rows.add(RowFactory.create(id, boxed(w.symbols()), boxed(w.actions())));
        }
        final StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType))
                .add("actions", DataTypes.createArrayType(DataTypes.IntegerType));
        final CloneHmm local = CloneHmm.random(new int[] {2, 2}, 2, 0.1, new SplittableRandom(54));
        final CloneHmm distributed = CloneHmm.random(new int[] {2, 2}, 2, 0.1, new SplittableRandom(54));
        final Trainer.Result want = Trainer.builder().epochs(6).learningRate(0.05).optimizer(() -> Optimizer.sgd(0))
                .build().fit(local, walks, null);
        final LossCurve got = new HmmGradientTrainer(distributed).steps(6).schedule(Schedule.constant(0.05))
                .optimizer(() -> Optimizer.sgd(0)).fit(spark.createDataFrame(rows, schema).repartition(3).cache());
        assertClose(want.curve().train(), got.train(), 1e-12, "clone-structured loss");
        assertClose(local.parameters(), distributed.parameters(), 1e-12, "clone-structured parameters");
    }

    @Test
    void badSettingsAndInputsAreRefused() {
        final CategoricalHmm hmm = CategoricalHmm.random(2, 3, new SplittableRandom(55));
        final double[] before = hmm.parameters();
        assertThrows(IllegalArgumentException.class, () -> new HmmGradientTrainer(hmm).steps(0));
        assertThrows(IllegalArgumentException.class, () -> new HmmGradientTrainer(hmm).clipNorm(-1));
        assertThrows(NullPointerException.class, () -> new HmmGradientTrainer(hmm).optimizer(null));
        final StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType));
        final List<Row> empty = List.of(RowFactory.create(0L, new Integer[0]));
        final IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new HmmGradientTrainer(hmm).fit(spark.createDataFrame(empty, schema)));
        assertTrue(none.getMessage().contains("no training sequences"), none.getMessage());
        final List<Row> bad = List.of(RowFactory.create(9L, new Integer[] {0, 5}));
        final Exception outside = assertThrows(Exception.class,
                () -> new HmmGradientTrainer(hmm).idColumn("id").fit(spark.createDataFrame(bad, schema)));
        assertTrue(String.valueOf(outside.getMessage()).contains("row with id 9"), String.valueOf(outside));
        assertArrayEquals(before, hmm.parameters(), "a failed fit leaves the model as it was");
    }
}
