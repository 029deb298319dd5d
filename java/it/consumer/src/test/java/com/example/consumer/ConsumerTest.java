package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Backend;
import org.diffhmm.Tensor;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.Trainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * diffhmm-core and diffhmm-models as a user gets them from a Maven repository, on one classpath with
 * Spark SQL and logback: nothing of theirs clashes with anything of Spark's or the user's.
 */
class ConsumerTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("diffhmm-consumer").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void theOnlySlf4jProviderIsTheUsersLogback() {
        final List<String> providers = new ArrayList<>();
        ServiceLoader.load(SLF4JServiceProvider.class).forEach(p -> providers.add(p.getClass().getName()));
        assertEquals(List.of("ch.qos.logback.classic.spi.LogbackServiceProvider"), providers,
                "diffhmm must not bring an SLF4J provider of its own");
        assertEquals("ch.qos.logback.classic.LoggerContext", LoggerFactory.getILoggerFactory().getClass().getName());
    }

    @Test
    void everyClassOfTheDiffhmmJarsIsServedByThatJarAlone() throws IOException {
        final List<String> jars = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(p -> p.contains(File.separator + "diffhmm-")).filter(p -> p.endsWith(".jar")).collect(Collectors.toList());
        assertEquals(2, jars.size(), "diffhmm-core and diffhmm-models on the classpath: " + jars);
        final List<String> clashes = new ArrayList<>();
        int classes = 0;
        for (String jar : jars) {
            try (JarFile file = new JarFile(jar)) {
                for (JarEntry entry : Collections.list(file.entries())) {
                    if (!entry.getName().endsWith(".class") || entry.getName().startsWith("META-INF/")) {
                        continue;
                    }
                    classes++;
                    if (!entry.getName().startsWith("org/diffhmm/")) {
                        clashes.add(jar + " carries " + entry.getName() + " outside org.diffhmm");
                    }
                    final Enumeration<URL> found = ClassLoader.getSystemClassLoader().getResources(entry.getName());
                    final List<URL> where = Collections.list(found);
                    if (where.size() != 1) {
                        clashes.add(entry.getName() + " is served by " + where);
                    }
                }
            }
        }
        assertTrue(classes > 50, "read " + classes + " classes");
        assertEquals(List.of(), clashes);
    }

    @Test
    void forwardAndBackwardRunOnTheDriver() {
        final int b = 3, t = 6, n = 4;
        final double[] scores = random(b * t * n * n, 7);
        final long[] lengths = {6, 4, 1};
        try (HmmForward.Result r = HmmForward.apply(Options.DEFAULT.backend(Backend.CPU), Tensor.of(scores, b, t, n, n), lengths)) {
            final double[] grad = r.backward(new double[] {1, 1, 1}).doubleArray();
            for (int s = 0; s < b; s++) {
                assertTrue(Double.isFinite(r.logZ()[s]));
                for (int step = 0; step < lengths[s]; step++) {
                    double edge = 0;  // edge marginals of one step sum to 1
                    for (int k = 0; k < n * n; k++) {
                        edge += grad[((s * t + step) * n * n) + k];
                    }
                    assertEquals(1, edge, 1e-12, "sequence " + s + " step " + step);
                }
            }
        }
    }

    @Test
    void diffhmmRunsInsideSparkTasks() {
        final List<Long> seeds = LongStream.range(0, 16).boxed().collect(Collectors.toList());
        final JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        final List<Double> inTasks = context.parallelize(seeds, 4).map(ConsumerTest::logZOfSeed).collect();
        for (int k = 0; k < seeds.size(); k++) {
            assertEquals(logZOfSeed(seeds.get(k)), inTasks.get(k), 0.0, "seed " + seeds.get(k));
        }
    }

    @Test
    void aModelFitsSavesAndLoadsBesideSparksJackson(@TempDir Path dir) throws IOException {
        final CategoricalHmm truth = CategoricalHmm.random(2, 4, new SplittableRandom(3));
        final List<int[]> data = new ArrayList<>();
        final SplittableRandom rng = new SplittableRandom(4);
        for (int k = 0; k < 20; k++) {
            data.add(truth.sample(50, rng).observations());
        }
        final CategoricalHmm model = CategoricalHmm.random(2, 4, new SplittableRandom(5));
        final Trainer.Result fit = Trainer.builder().epochs(30).learningRate(0.05).build().fit(model, data, List.of());
        final double[] curve = fit.curve().train();
        assertTrue(curve[curve.length - 1] < curve[0], "training lowers the loss");
        final Path file = dir.resolve("model.json");
        Models.save(model, file);
        final CategoricalHmm loaded = (CategoricalHmm) Models.load(file);
        assertEquals(model.logLikelihood(data), loaded.logLikelihood(data), 0.0);

        // Spark's own JSON (its Jackson) still works with diffhmm on the classpath.
        final Dataset<String> json = spark.createDataset(List.of(Files.readString(file).replace('\n', ' ')), Encoders.STRING());
        final Dataset<Row> rows = spark.read().json(json);
        assertEquals(2L, (long) rows.first().<Long>getAs("states"), rows.schema().treeString());
        assertTrue(rows.toJSON().first().contains("\"type\":\"categorical\""));
    }

    static double logZOfSeed(long seed) {
        final int b = 2, t = 20, n = 5;
        try (HmmForward.Result r = HmmForward.apply(Options.DEFAULT.backend(Backend.CPU).threads(1),
                Tensor.of(random(b * t * n * n, seed), b, t, n, n), new long[] {t, t / 2})) {
            return r.logZ()[0] + r.logZ()[1];
        }
    }

    static double[] random(int size, long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final double[] x = new double[size];
        for (int k = 0; k < size; k++) {
            x[k] = rng.nextDouble(-2, 2);
        }
        return x;
    }
}
