package org.diffhmm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;

/**
 * Scores and decodes a {@link Dataset} of sequences with a trained model: every row gets its
 * log-likelihood and its most probable hidden path. The model is broadcast once (as its JSON); inside
 * each partition rows are sorted by length and passed to the native core in batches of similar length,
 * with as many CPU threads as the task has ({@code spark.task.cpus}). Each executor extracts the
 * native library into a folder of its own (no race between JVMs sharing a cache).
 *
 * <p>Input columns by model: {@link org.diffhmm.models.CategoricalHmm} — symbol ids, {@code array<int>};
 * {@link org.diffhmm.models.GaussianHmm} — observations, {@code array<array<double>>} (one array of D values per step);
 * {@link org.diffhmm.models.CloneHmm} — symbol ids and actions, both {@code array<int>} (one action fewer than symbols,
 * or as many: the last is ignored). Column names are settable; an id column names rows in errors.
 *
 * <pre>{@code
 * Dataset<Row> scored = new HmmScorer(hmm).idColumn("id").batchSize(256).score(sequences);
 * // the input columns + log_likelihood: double, path: array<int>
 * }</pre>
 *
 * <p>A null or empty sequence gets a log-likelihood of 0 and an empty path; an observation the model
 * cannot take (a symbol or action outside its alphabet, a vector of the wrong size, a NaN) fails the job
 * with a message naming the row and the step. Thread-safe; the scorer holds no Spark state.
 */
public final class HmmScorer extends SequenceColumns<HmmScorer> {
    private static final long serialVersionUID = 1L;
    /** The column of log-likelihoods (nats) added to the input. */
    public static final String LOG_LIKELIHOOD = "log_likelihood";
    /** The column of Viterbi paths (hidden state per step) added to the input. */
    public static final String PATH = "path";
    /** The column of posterior state marginals (per step, per state) added when asked for. */
    public static final String POSTERIORS = "posteriors";
    /** The column of paths drawn from the posterior (per sample, per step) added when asked for. */
    public static final String SAMPLES = "samples";

    /** The model as JSON: what executors rebuild it from. */
    private final String model;

    /** Whether to add the posterior marginals. */
    private boolean posteriors = false;
    /** Posterior paths to draw per row (0: no samples column). */
    private int samples = 0;
    /** The seed of the posterior samples. */
    private long seed = 0;

    /**
     * A scorer for a model of any family (input columns: the family's, above); paths and posteriors
     * are in the family's state numbering (clone indices for a clone-structured HMM).
     *
     * @param model the trained model (copied: later changes to it are not seen)
     */
    public HmmScorer(Hmm<?> model) {
        super(Models.type(Objects.requireNonNull(model, "model")));
        this.model = Models.toJson(model);
    }

    /**
     * Adds the posterior state marginals P(z_t = i | x) of every row as a column {@link #POSTERIORS}
     * ({@code array<array<double>>}, per step an array over the states; clone indices for a
     * clone-structured HMM). Off by default: it is a T×N matrix per row.
     *
     * @param posteriors whether to add them
     * @return this scorer
     */
    public HmmScorer posteriors(boolean posteriors) {
        this.posteriors = posteriors;
        return this;
    }

    /**
     * Adds {@code samples} hidden paths drawn from each row's posterior as a column {@link #SAMPLES}
     * ({@code array<array<int>>}, per sample a path over the row's steps). Each native batch of a
     * partition draws with its own seed derived from {@code seed} and the partition, so a rerun on the
     * same partitioning gives the same paths.
     *
     * @param samples paths per row, at least 1, or 0 for no samples column (the default)
     * @param seed    the random seed
     * @return this scorer
     * @throws IllegalArgumentException if {@code samples < 0}
     */
    public HmmScorer posteriorSamples(int samples, long seed) {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be >= 0, got " + samples);
        }
        this.samples = samples;
        this.seed = seed;
        return this;
    }

    /**
     * Scores and decodes every row.
     *
     * @param sequences rows with the model's input columns (and the id column, if one was named)
     * @return the input columns, then {@link #LOG_LIKELIHOOD} ({@code double}), {@link #PATH}
     *         ({@code array<int>}) and, if asked for, {@link #POSTERIORS}; row order within each
     *         partition is kept
     * @throws IllegalArgumentException if a needed column is missing or not of the expected type
     */
    public Dataset<Row> score(Dataset<Row> sequences) {
        final StructType in = sequences.schema();
        final String json = model;
        final int[] columns = inputColumns(in);
        final int idAt = idAt(in);
        final StructType out = in.add(new StructField(LOG_LIKELIHOOD, DataTypes.DoubleType, false, Metadata.empty()))
                .add(new StructField(PATH, DataTypes.createArrayType(DataTypes.IntegerType, false), false, Metadata.empty()));
        final boolean withPosteriors = posteriors;
        final StructType withMarginals = withPosteriors ? out.add(new StructField(POSTERIORS, DataTypes.createArrayType(
                DataTypes.createArrayType(DataTypes.DoubleType, false), false), false, Metadata.empty())) : out;
        final int draws = samples;
        final long baseSeed = seed;
        final StructType schema = draws > 0 ? withMarginals.add(new StructField(SAMPLES, DataTypes.createArrayType(
                DataTypes.createArrayType(DataTypes.IntegerType, false), false), false, Metadata.empty())) : withMarginals;
        final Broadcast<String> shared = SparkSession.active().sparkContext()
                .broadcast(json, scala.reflect.ClassTag$.MODULE$.apply(String.class));
        final int size = batch();
        final Placement placement = placement();
        return sequences.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> scorePartition(rows, shared.value(),
                placement, columns, idAt, size, withPosteriors, draws, baseSeed), Encoders.row(schema));
    }

    /** One partition: rows in, the same rows with their scores and paths out, in the same order. */
    private static Iterator<Row> scorePartition(Iterator<Row> rows, String json, Placement placement, int[] columns,
                                                int idAt, int batchSize, boolean withPosteriors, int draws, long baseSeed)
            throws Exception {
        final TaskContext task = TaskContext.get();
        final Kind<?> kind = Kind.of(json, placement.options(task));
        final List<Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        final double[] logLikelihood = new double[all.size()];
        final int[][] paths = new int[all.size()][];
        final double[][][] marginals = withPosteriors ? new double[all.size()][][] : null;
        final int[][][] sampled = draws > 0 ? new int[all.size()][][] : null;
        final long seed = baseSeed + 0x9E3779B97F4A7C15L * (task == null ? 0 : task.partitionId() + 1);
        kind.run(all, columns, idAt, task, batchSize, logLikelihood, paths, marginals, sampled, draws, seed);
        final List<Row> result = new ArrayList<>(all.size());
        for (int k = 0; k < all.size(); k++) {
            final Row r = all.get(k);
            final Object[] values = new Object[r.size() + 2 + (withPosteriors ? 1 : 0) + (draws > 0 ? 1 : 0)];
            for (int c = 0; c < r.size(); c++) {
                values[c] = r.get(c);
            }
            values[r.size()] = logLikelihood[k];
            values[r.size() + 1] = Arrays.stream(paths[k]).boxed().toArray(Integer[]::new);
            if (withPosteriors) {
                final Object[] steps = new Object[marginals[k].length];
                for (int t = 0; t < steps.length; t++) {
                    steps[t] = Arrays.stream(marginals[k][t]).boxed().toArray(Double[]::new);
                }
                values[r.size() + 2] = steps;
            }
            if (draws > 0) {
                final Object[] drawn = new Object[draws];
                for (int j = 0; j < draws; j++) {
                    drawn[j] = Arrays.stream(sampled[k][j]).boxed().toArray(Integer[]::new);
                }
                values[values.length - 1] = drawn;
            }
            result.add(RowFactory.create(values));
        }
        return result.iterator();
    }

}
