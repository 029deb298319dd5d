package org.diffhmm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.Room;
import org.diffhmm.train.LossCurve;

/**
 * The example Spark job: a clone-structured HMM learns a grid room from ~1,000 short aliased walks
 * spread over the cluster (EM with {@link HmmEm}), then every walk is decoded ({@link HmmScorer}) into
 * its clone path. Run it with {@code mvn -pl java/spark test -Dtest=RoomWalksJobTest} (local[2]), or
 * submit {@link #main} to a cluster with the diffhmm jars.
 */
public final class RoomWalksJob {
    private RoomWalksJob() {}

    /** What one run produced. */
    public record Result(Room room, CloneHmm model, LossCurve curve, List<CloneHmm.Walk> walks, List<Row> decoded) {}

    /** The walks as rows: id, symbols, actions. */
    static final StructType SCHEMA = new StructType().add("id", DataTypes.LongType)
            .add("symbols", DataTypes.createArrayType(DataTypes.IntegerType))
            .add("actions", DataTypes.createArrayType(DataTypes.IntegerType));

    /**
     * The data of the job and of {@link SparkBench}: a random 5×5 room with 4 colours, {@code walks}
     * walks of {@code steps} in it (also as rows: id, symbols, actions), and a starting CHMM with twice
     * the clones the room needs.
     */
    record Problem(Room room, List<CloneHmm.Walk> walks, List<Row> rows, CloneHmm start) {}

    static Problem problem(int walks, int steps, SplittableRandom rng) {
        final Room room = Room.random(5, 5, 4, rng);
        final List<CloneHmm.Walk> data = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        for (long id = 0; id < walks; id++) {
            final CloneHmm.Walk w = room.walk(steps, rng);
            data.add(w);
            rows.add(RowFactory.create(id, Arrays.stream(w.symbols()).boxed().toArray(Integer[]::new),
                    Arrays.stream(w.actions()).boxed().toArray(Integer[]::new)));
        }
        final int[] clones = room.cellsPerSymbol();
        for (int s = 0; s < clones.length; s++) {
            clones[s] *= 2;
        }
        return new Problem(room, data, rows, CloneHmm.random(clones, Room.ACTIONS, 0.01, rng));
    }

    /**
     * Generates {@code walks} walks of {@code steps} in a random 5×5 room with 4 colours, trains a CHMM
     * with twice the clones the room needs by EM on Spark, and decodes every walk.
     */
    public static Result run(SparkSession spark, int walks, int steps, int iterations, long seed) {
        final Problem p = problem(walks, steps, new SplittableRandom(seed));
        // Contiguous slices, two per core: the same partitions wherever the job runs (EM's sums, and so the
        // model's last bits, follow the partitioning).
        final Dataset<Row> input = spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(p.rows(), spark.sparkContext().defaultParallelism() * 2), SCHEMA).cache();
        final CloneHmm model = p.start();
        final LossCurve curve = new HmmEm(model).idColumn("id").maxIterations(iterations).tolerance(1e-7).fit(input);
        final List<Row> decoded = new HmmScorer(model).idColumn("id").score(input).collectAsList();
        input.unpersist();
        return new Result(p.room(), model, curve, p.walks(), decoded);
    }

    /**
     * Runs the job and prints what it learned.
     *
     * @param args optional: number of walks (default 1000), steps per walk (default 40)
     */
    public static void main(String[] args) {
        final int walks = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        final int steps = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        final SparkSession spark = SparkSession.builder().appName("diffhmm room walks").getOrCreate();
        try {
            final Result r = run(spark, walks, steps, 100, 1);
            final double[] loss = r.curve().train();
            System.out.printf("room of %d cells; EM on %d walks: %d iterations, loss %.4f -> %.4f nats/step%n",
                    r.room().cells(), walks, loss.length, loss[0], loss[loss.length - 1]);
            System.out.printf("distinct clones on the decoded paths: %d%n", r.model().distinctClones(r.walks()));
        } finally {
            spark.stop();
        }
    }
}
