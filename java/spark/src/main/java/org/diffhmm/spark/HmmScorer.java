package org.diffhmm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.Backend;
import org.diffhmm.Options;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.Models;

/**
 * Scores and decodes a {@link Dataset} of symbol sequences with a {@link CategoricalHmm}: every row
 * gets its log-likelihood and its most probable hidden path. The model is broadcast once (as its
 * JSON); inside each partition rows are sorted by length and passed to the native core in batches of
 * similar length, with as many CPU threads as the task has ({@code spark.task.cpus}). Each executor
 * extracts the native library into a folder of its own (no race between JVMs sharing a cache).
 *
 * <pre>{@code
 * Dataset<Row> scored = new HmmScorer(hmm).symbolsColumn("symbols").batchSize(256).score(sequences);
 * // input columns + log_likelihood: double, path: array<int>
 * }</pre>
 *
 * <p>A null or empty row of symbols gets a log-likelihood of 0 and an empty path; a symbol outside the
 * model's alphabet fails the job with a message naming the row (its id column when there is one) and
 * the step. Thread-safe; the scorer holds no Spark state.
 */
public final class HmmScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The column of log-likelihoods (nats) added to the input. */
    public static final String LOG_LIKELIHOOD = "log_likelihood";
    /** The column of Viterbi paths added to the input. */
    public static final String PATH = "path";

    /** The model as JSON: what executors rebuild it from. */
    private final String model;
    /** The input column of symbol ids. */
    private String symbols = "symbols";
    /** The column naming rows in errors, or null. */
    private String id = null;
    /** Sequences per native call. */
    private int batchSize = 256;

    /**
     * A scorer for a model.
     *
     * @param model the trained model (copied: later changes to it are not seen)
     */
    public HmmScorer(CategoricalHmm model) {
        this.model = Models.toJson(Objects.requireNonNull(model, "model"));
    }

    /**
     * The input column of symbol ids.
     *
     * @param column an {@code array<int>} column (default {@code "symbols"})
     * @return this scorer
     */
    public HmmScorer symbolsColumn(String column) {
        this.symbols = Objects.requireNonNull(column, "column");
        return this;
    }

    /**
     * A column that identifies rows in error messages.
     *
     * @param column any column (default: none; rows are then named by partition and position)
     * @return this scorer
     */
    public HmmScorer idColumn(String column) {
        this.id = column;
        return this;
    }

    /**
     * Sequences per native call.
     *
     * @param batchSize at least 1 (default 256)
     * @return this scorer
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public HmmScorer batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        return this;
    }

    /**
     * Scores and decodes every row.
     *
     * @param sequences rows with the symbols column (and the id column, if one was named)
     * @return the input columns, then {@link #LOG_LIKELIHOOD} ({@code double}) and {@link #PATH}
     *         ({@code array<int>}); row order within each partition is kept
     * @throws IllegalArgumentException if a named column is missing or not of the expected type
     */
    public Dataset<Row> score(Dataset<Row> sequences) {
        final StructType in = sequences.schema();
        final int symbolsAt = fieldIndex(in, symbols, "symbols column");
        if (!in.fields()[symbolsAt].dataType().sameType(DataTypes.createArrayType(DataTypes.IntegerType))) {
            throw new IllegalArgumentException("column '" + symbols + "' must be array<int>, got "
                    + in.fields()[symbolsAt].dataType().simpleString());
        }
        final int idAt = id == null ? -1 : fieldIndex(in, id, "id column");
        final StructType out = in.add(new StructField(LOG_LIKELIHOOD, DataTypes.DoubleType, false, org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField(PATH, DataTypes.createArrayType(DataTypes.IntegerType, false), false,
                        org.apache.spark.sql.types.Metadata.empty()));
        final Broadcast<String> shared = SparkSession.active().sparkContext()
                .broadcast(model, scala.reflect.ClassTag$.MODULE$.apply(String.class));
        final int size = batchSize;
        return sequences.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> scorePartition(rows, shared.value(),
                symbolsAt, idAt, size), Encoders.row(out));
    }

    private static int fieldIndex(StructType schema, String name, String what) {
        for (int k = 0; k < schema.fields().length; k++) {
            if (schema.fields()[k].name().equals(name)) {
                return k;
            }
        }
        throw new IllegalArgumentException("the " + what + " '" + name + "' is not among the columns "
                + Arrays.toString(schema.fieldNames()));
    }

    /** One partition: rows in, the same rows with their scores and paths out, in the same order. */
    private static Iterator<Row> scorePartition(Iterator<Row> rows, String json, int symbolsAt, int idAt, int batchSize)
            throws Exception {
        executorCacheDir();
        final CategoricalHmm hmm = (CategoricalHmm) Models.fromJson(json);
        final TaskContext task = TaskContext.get();
        hmm.options(Options.DEFAULT.backend(Backend.CPU).threads(task == null ? 0 : Math.max(1, task.cpus())));
        final List<Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        final double[] logLikelihood = new double[all.size()];
        final int[][] paths = new int[all.size()][];
        // Similar lengths share a batch, so little of each native call is padding.
        final Integer[] order = new Integer[all.size()];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        final int[][] symbols = new int[all.size()][];
        for (int k = 0; k < all.size(); k++) {
            symbols[k] = symbolsOf(all.get(k), symbolsAt, idAt, k, hmm.symbols(), task);
        }
        Arrays.sort(order, Comparator.comparingInt(k -> symbols[k].length));
        for (int start = 0; start < order.length; start += batchSize) {
            final List<int[]> batch = new ArrayList<>();
            final List<Integer> members = new ArrayList<>();
            for (int k = start; k < Math.min(order.length, start + batchSize); k++) {
                if (symbols[order[k]].length == 0) {
                    paths[order[k]] = new int[0];  // log-likelihood 0: the empty sequence
                } else {
                    batch.add(symbols[order[k]]);
                    members.add(order[k]);
                }
            }
            if (batch.isEmpty()) {
                continue;
            }
            final double[] scores = hmm.logLikelihoods(batch);
            final List<int[]> decoded = hmm.viterbi(batch);
            for (int m = 0; m < members.size(); m++) {
                logLikelihood[members.get(m)] = scores[m];
                paths[members.get(m)] = decoded.get(m);
            }
        }
        final List<Row> result = new ArrayList<>(all.size());
        for (int k = 0; k < all.size(); k++) {
            final Row r = all.get(k);
            final Object[] values = new Object[r.size() + 2];
            for (int c = 0; c < r.size(); c++) {
                values[c] = r.get(c);
            }
            values[r.size()] = logLikelihood[k];
            values[r.size() + 1] = Arrays.stream(paths[k]).boxed().toArray(Integer[]::new);
            result.add(RowFactory.create(values));
        }
        return result.iterator();
    }

    /** The row's symbols, checked against the alphabet; null becomes empty. */
    private static int[] symbolsOf(Row row, int symbolsAt, int idAt, int position, int alphabet, TaskContext task) {
        if (row.isNullAt(symbolsAt)) {
            return new int[0];
        }
        final List<Object> values = row.getList(symbolsAt);
        final int[] x = new int[values.size()];
        for (int t = 0; t < x.length; t++) {
            final Object v = values.get(t);
            if (v == null || (Integer) v < 0 || (Integer) v >= alphabet) {
                final String where = idAt >= 0 ? "row with id " + row.get(idAt)
                        : "row " + position + " of partition " + (task == null ? "?" : task.partitionId());
                throw new IllegalArgumentException(where + ": symbols[" + t + "] = " + v
                        + " is not a symbol of the model (ids 0.." + (alphabet - 1) + ")");
            }
            x[t] = (Integer) v;
        }
        return x;
    }

    /** A JavaCPP cache folder of this executor's own (JVMs sharing ~/.javacpp/cache race: javacpp#608). */
    private static void executorCacheDir() {
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            System.setProperty("org.bytedeco.javacpp.cachedir", SparkFiles.getRootDirectory() + "/javacpp-cache");
        }
    }
}
