package org.diffhmm.spark;

import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.train.Em;

/**
 * The Spark benchmark: decoding throughput (sequences/s, log-likelihood and Viterbi path per walk)
 * and EM iteration time for the clone-structured HMM on the same generated room walks, on the
 * single-JVM loop, local[1] and local[2], side by side in one run. Each figure is the best of
 * {@code repeats} timed runs after one warm-up.
 *
 * <p>{@code scripts/bench-spark.sh [walks] [steps] [repeats]} prints a Markdown table.
 */
public final class SparkBench {
    private SparkBench() {}

    public static void main(String[] args) throws Exception {
        final int walks = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        final int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        final int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        final int iterations = 3;
        final RoomWalksJob.Problem problem = RoomWalksJob.problem(walks, steps, new SplittableRandom(1));
        final List<CloneHmm.Walk> data = problem.walks();
        final List<Row> rows = problem.rows();
        final CloneHmm start = problem.start();
        System.out.printf("# CHMM %d states, %d walks x %d steps, %d cores, Java %s%n", start.states(), walks,
                steps, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println("| runner | decode (walks/s) | EM iteration (ms) |");
        System.out.println("|---|---:|---:|");

        double decode = Double.POSITIVE_INFINITY, em = Double.POSITIVE_INFINITY;
        for (int r = 0; r <= repeats; r++) {
            final CloneHmm m = copy(start);
            long t0 = System.nanoTime();
            m.logLikelihoods(data);
            m.decode(data);
            final double d = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Em.fit(m, data, iterations, 0, false);
            final double e = (System.nanoTime() - t0) / 1e6 / iterations;
            if (r > 0) {
                decode = Math.min(decode, d);
                em = Math.min(em, e);
            }
        }
        System.out.printf("| single JVM | %.0f | %.1f |%n", walks / decode, em);

        for (String master : new String[] {"local[1]", "local[2]"}) {
            final SparkSession spark = SparkSession.builder().master(master).appName("diffhmm-spark-bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                final Dataset<Row> input = spark.createDataFrame(rows, RoomWalksJob.SCHEMA)
                        .repartition(spark.sparkContext().defaultParallelism() * 2).cache();
                input.count();
                decode = Double.POSITIVE_INFINITY;
                em = Double.POSITIVE_INFINITY;
                for (int r = 0; r <= repeats; r++) {
                    final CloneHmm m = copy(start);
                    long t0 = System.nanoTime();
                    new HmmScorer(m).score(input).agg(functions.sum(HmmScorer.LOG_LIKELIHOOD), functions.max(
                            functions.size(functions.col(HmmScorer.PATH)))).first();
                    final double d = (System.nanoTime() - t0) / 1e9;
                    t0 = System.nanoTime();
                    new HmmEm(m).maxIterations(iterations).tolerance(0).fit(input);
                    final double e = (System.nanoTime() - t0) / 1e6 / iterations;
                    if (r > 0) {
                        decode = Math.min(decode, d);
                        em = Math.min(em, e);
                    }
                }
                System.out.printf("| %s | %.0f | %.1f |%n", master, walks / decode, em);
            } finally {
                spark.stop();
            }
        }
    }

    private static CloneHmm copy(CloneHmm model) throws java.io.IOException {
        return (CloneHmm) org.diffhmm.models.Models.fromJson(org.diffhmm.models.Models.toJson(model));
    }
}
