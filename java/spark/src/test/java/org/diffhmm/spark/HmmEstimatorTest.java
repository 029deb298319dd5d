package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.Em;
import org.diffhmm.train.Optimizer;
import org.diffhmm.train.Schedule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ML pair: fit equals HmmEm (and so the single-JVM EM), the estimator's initial model is
 * left alone, transform adds the scorer's columns, params validate, and the fitted model saves and
 * loads; it runs as a Pipeline stage.
 */
class HmmEstimatorTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "diffhmm-estimator");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void fitTransformSaveAndLoadInAPipeline(@TempDir Path dir) throws Exception {
        final SplittableRandom rng = new SplittableRandom(81);
        final CategoricalHmm truth = CategoricalHmm.random(3, 5, rng);
        final List<int[]> data = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < 120; id++) {
            final int[] x = truth.sample(2 + rng.nextInt(40), rng).observations();
            data.add(x);
            rows.add(RowFactory.create(id, Arrays.stream(x).boxed().toArray(Integer[]::new)));
        }
        final StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
        final Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(3).cache();
        final CategoricalHmm start = CategoricalHmm.random(3, 5, new SplittableRandom(82));
        final String startJson = Models.toJson(start);

        final HmmEstimator estimator = new HmmEstimator(start).setSymbolsCol("tokens").setIdCol("id").setMaxIter(10).setTol(0);
        final PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {estimator}).fit(input);
        final HmmModel fitted = (HmmModel) pipeline.stages()[0];
        assertEquals(startJson, Models.toJson(start), "fit leaves the initial model alone");
        assertEquals(estimator, fitted.parent());

        final CategoricalHmm local = (CategoricalHmm) Models.fromJson(startJson);
        Em.fit(local, data, 10, 0, false);
        final CategoricalHmm trained = (CategoricalHmm) fitted.model();
        final double[] want = local.logLikelihoods(data), got = trained.logLikelihoods(data);
        for (int k = 0; k < want.length; k++) {
            assertEquals(want[k], got[k], 1e-12 * Math.abs(want[k]), "sequence " + k);
        }

        final Dataset<Row> scored = pipeline.transform(input);
        assertEquals(List.of("id", "tokens", HmmScorer.LOG_LIKELIHOOD, HmmScorer.PATH), Arrays.asList(scored.columns()));
        assertEquals(fitted.transformSchema(input.schema()), scored.schema());
        for (Row r : scored.collectAsList()) {
            final int id = (int) r.getLong(0);
            assertEquals(got[id], r.getDouble(2), 1e-12 * Math.abs(got[id]), "row " + id);
        }

        // Saved as a Pipeline (Spark's layout), loaded back: same uid, params and model; same output.
        final String path = dir.resolve("pipeline").toString();
        pipeline.write().save(path);
        final PipelineModel reloaded = PipelineModel.load(path);
        final HmmModel loaded = (HmmModel) reloaded.stages()[0];
        assertEquals(fitted.uid(), loaded.uid());
        assertEquals("tokens", loaded.getOrDefault(loaded.symbolsCol()));
        assertEquals("id", loaded.getOrDefault(loaded.idCol()));
        assertEquals(Models.toJson(trained), Models.toJson(loaded.model()));
        assertEquals(scored.collectAsList(), reloaded.transform(input).collectAsList());
        // The model file inside is an ordinary diffhmm model file.
        final String stageDir = java.nio.file.Files.list(dir.resolve("pipeline").resolve("stages")).findFirst().orElseThrow()
                .toString();
        assertEquals(Models.toJson(trained), Models.toJson(Models.load(Path.of(stageDir, HmmModel.MODEL_FILE))));
        // The stage alone, and a second save refused without overwrite (the first one kept).
        final String alone = dir.resolve("stage").toString();
        fitted.write().save(alone);
        assertEquals(Models.toJson(trained), Models.toJson(HmmModel.load(alone).model()));
        assertThrows(java.io.IOException.class, () -> fitted.write().save(alone));
        fitted.write().overwrite().save(alone);
        assertEquals(Models.toJson(trained), Models.toJson(HmmModel.load(alone).model()));
        assertNotSame(fitted.copy(new org.apache.spark.ml.param.ParamMap()), fitted);

        assertThrows(IllegalArgumentException.class, () -> estimator.setMaxIter(0));
        final IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
                () -> new HmmEstimator(start).fit(input));  // default column "symbols" is not there
        assertTrue(column.getMessage().contains("'symbols'"), column.getMessage());
    }

    @Test
    void gradientSolversMatchTheGradientTrainer() throws Exception {
        final SplittableRandom rng = new SplittableRandom(83);
        final CategoricalHmm truth = CategoricalHmm.random(3, 4, rng);
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < 60; id++) {
            rows.add(RowFactory.create(id, Arrays.stream(truth.sample(3 + rng.nextInt(20), rng).observations()).boxed()
                    .toArray(Integer[]::new)));
        }
        final StructType schema = new StructType().add("id", DataTypes.LongType)
                .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType));
        final Dataset<Row> input = spark.createDataFrame(rows, schema).repartition(2).cache();
        final CategoricalHmm start = CategoricalHmm.random(3, 4, new SplittableRandom(84));
        for (String solver : new String[] {"adam", "sgd"}) {
            final HmmModel fitted = new HmmEstimator(start).setSolver(solver).setStepSize(0.1).setMaxIter(15).fit(input);
            final CategoricalHmm direct = (CategoricalHmm) Models.fromJson(Models.toJson(start));
            new HmmGradientTrainer(direct).optimizer(solver.equals("adam") ? Optimizer::adam : () -> Optimizer.sgd(0))
                    .schedule(Schedule.constant(0.1)).steps(15).fit(input);
            assertEquals(Models.toJson(direct), Models.toJson(fitted.model()), solver + ": the same steps, bit for bit");
            assertTrue(!Models.toJson(start).equals(Models.toJson(fitted.model())), solver + " moved the parameters");
        }
    }

    @Test
    void paramsAreValidatedAndWrappedModelsTransform() {
        final CategoricalHmm hmm = CategoricalHmm.random(2, 3, new SplittableRandom(85));
        final HmmEstimator estimator = new HmmEstimator(hmm);
        assertThrows(IllegalArgumentException.class, () -> estimator.setSolver("newton"));
        assertThrows(IllegalArgumentException.class, () -> estimator.setStepSize(0));
        assertThrows(IllegalArgumentException.class, () -> estimator.setBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> estimator.setBackend("tpu"));
        assertEquals("cuda", estimator.setBackend("CUDA").getOrDefault(estimator.backend()));
        final HmmModel wrapped = HmmModel.of(hmm).setSymbolsCol("tokens").setBackend("cpu");
        final StructType schema = new StructType().add("tokens", DataTypes.createArrayType(DataTypes.IntegerType));
        final List<Row> out = wrapped.transform(spark.createDataFrame(List.of(RowFactory.create((Object) new Integer[] {0, 2, 1})),
                schema)).collectAsList();
        assertEquals(hmm.logLikelihoods(List.of(new int[] {0, 2, 1}))[0], out.get(0).getDouble(1), 1e-12);
    }
}
