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
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.Backend;
import org.diffhmm.Options;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Models;

/**
 * Scores and decodes a {@link Dataset} of sequences with a trained model: every row gets its
 * log-likelihood and its most probable hidden path. The model is broadcast once (as its JSON); inside
 * each partition rows are sorted by length and passed to the native core in batches of similar length,
 * with as many CPU threads as the task has ({@code spark.task.cpus}). Each executor extracts the
 * native library into a folder of its own (no race between JVMs sharing a cache).
 *
 * <p>Input columns by model: {@link CategoricalHmm} — symbol ids, {@code array<int>};
 * {@link GaussianHmm} — observations, {@code array<array<double>>} (one array of D values per step);
 * {@link CloneHmm} — symbol ids and actions, both {@code array<int>} (one action fewer than symbols,
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
public final class HmmScorer implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The column of log-likelihoods (nats) added to the input. */
    public static final String LOG_LIKELIHOOD = "log_likelihood";
    /** The column of Viterbi paths (hidden state per step) added to the input. */
    public static final String PATH = "path";

    /** The model as JSON: what executors rebuild it from. */
    private final String model;
    /** Its family: which input columns it reads. */
    private final Family family;

    private enum Family { CATEGORICAL, GAUSSIAN, CLONE }
    /** The input column of symbol ids (categorical, clone-structured). */
    private String symbols = "symbols";
    /** The input column of actions (clone-structured). */
    private String actions = "actions";
    /** The input column of observation vectors (Gaussian). */
    private String observations = "observations";
    /** The column naming rows in errors, or null. */
    private String id = null;
    /** Sequences per native call. */
    private int batchSize = 256;

    /**
     * A scorer for a categorical HMM (input: symbol ids).
     *
     * @param model the trained model (copied: later changes to it are not seen)
     */
    public HmmScorer(CategoricalHmm model) {
        this.model = Models.toJson(Objects.requireNonNull(model, "model"));
        this.family = Family.CATEGORICAL;
    }

    /**
     * A scorer for a Gaussian HMM (input: observation vectors).
     *
     * @param model the trained model (copied)
     */
    public HmmScorer(GaussianHmm model) {
        this.model = Models.toJson(Objects.requireNonNull(model, "model"));
        this.family = Family.GAUSSIAN;
    }

    /**
     * A scorer for a clone-structured HMM (input: symbol ids and actions); paths are clone indices.
     *
     * @param model the trained model (copied)
     */
    public HmmScorer(CloneHmm model) {
        this.model = Models.toJson(Objects.requireNonNull(model, "model"));
        this.family = Family.CLONE;
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
     * The input column of actions (clone-structured HMM).
     *
     * @param column an {@code array<int>} column (default {@code "actions"})
     * @return this scorer
     */
    public HmmScorer actionsColumn(String column) {
        this.actions = Objects.requireNonNull(column, "column");
        return this;
    }

    /**
     * The input column of observation vectors (Gaussian HMM).
     *
     * @param column an {@code array<array<double>>} column (default {@code "observations"})
     * @return this scorer
     */
    public HmmScorer observationsColumn(String column) {
        this.observations = Objects.requireNonNull(column, "column");
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
     * @param sequences rows with the model's input columns (and the id column, if one was named)
     * @return the input columns, then {@link #LOG_LIKELIHOOD} ({@code double}) and {@link #PATH}
     *         ({@code array<int>}); row order within each partition is kept
     * @throws IllegalArgumentException if a needed column is missing or not of the expected type
     */
    public Dataset<Row> score(Dataset<Row> sequences) {
        final StructType in = sequences.schema();
        final DataType ints = DataTypes.createArrayType(DataTypes.IntegerType);
        final int[] columns;
        final String json = model;
        switch (family) {
            case GAUSSIAN:
                columns = new int[] {column(in, observations, DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))};
                break;
            case CLONE:
                columns = new int[] {column(in, symbols, ints), column(in, actions, ints)};
                break;
            default:
                columns = new int[] {column(in, symbols, ints)};
        }
        final int idAt = id == null ? -1 : column(in, id, null);
        final StructType out = in.add(new StructField(LOG_LIKELIHOOD, DataTypes.DoubleType, false, Metadata.empty()))
                .add(new StructField(PATH, DataTypes.createArrayType(DataTypes.IntegerType, false), false, Metadata.empty()));
        final Broadcast<String> shared = SparkSession.active().sparkContext()
                .broadcast(json, scala.reflect.ClassTag$.MODULE$.apply(String.class));
        final int size = batchSize;
        return sequences.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> scorePartition(rows, shared.value(),
                columns, idAt, size), Encoders.row(out));
    }

    /** The index of a column, checked to exist and (unless {@code type} is null) to have that type. */
    private static int column(StructType schema, String name, DataType type) {
        for (int k = 0; k < schema.fields().length; k++) {
            final StructField f = schema.fields()[k];
            if (f.name().equals(name)) {
                if (type != null && !f.dataType().sameType(type)) {
                    throw new IllegalArgumentException("column '" + name + "' must be " + type.simpleString() + ", got "
                            + f.dataType().simpleString());
                }
                return k;
            }
        }
        throw new IllegalArgumentException("the column '" + name + "' is not among the columns "
                + Arrays.toString(schema.fieldNames()));
    }

    /** One partition: rows in, the same rows with their scores and paths out, in the same order. */
    private static Iterator<Row> scorePartition(Iterator<Row> rows, String json, int[] columns, int idAt, int batchSize)
            throws Exception {
        executorCacheDir();
        final TaskContext task = TaskContext.get();
        final Options options = Options.DEFAULT.backend(Backend.CPU).threads(task == null ? 0 : Math.max(1, task.cpus()));
        final Object model = Models.fromJson(json);
        final List<Row> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        final Kind<?> kind = model instanceof CategoricalHmm ? Kind.categorical((CategoricalHmm) model, options)
                : model instanceof GaussianHmm ? Kind.gaussian((GaussianHmm) model, options)
                : Kind.clone((CloneHmm) model, options);
        final double[] logLikelihood = new double[all.size()];
        final int[][] paths = new int[all.size()][];
        kind.run(all, columns, idAt, task, batchSize, logLikelihood, paths);
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

    /** What differs between model families: reading a row, and the two batched calls. */
    private abstract static class Kind<S> {
        abstract S read(Row row, int[] columns, String where);

        abstract int length(S sequence);

        abstract double[] score(List<S> batch);

        abstract List<int[]> decode(List<S> batch);

        static Kind<int[]> categorical(CategoricalHmm hmm, Options options) {
            hmm.options(options);
            return new Kind<>() {
                int[] read(Row row, int[] columns, String where) {
                    return ids(row, columns[0], hmm.symbols(), where, "symbols");
                }

                int length(int[] x) {
                    return x.length;
                }

                double[] score(List<int[]> batch) {
                    return hmm.logLikelihoods(batch);
                }

                List<int[]> decode(List<int[]> batch) {
                    return hmm.viterbi(batch);
                }
            };
        }

        static Kind<double[][]> gaussian(GaussianHmm hmm, Options options) {
            hmm.options(options);
            return new Kind<>() {
                double[][] read(Row row, int[] columns, String where) {
                    if (row.isNullAt(columns[0])) {
                        return new double[0][];
                    }
                    final List<Object> steps = row.getList(columns[0]);
                    final double[][] x = new double[steps.size()][];
                    for (int t = 0; t < x.length; t++) {
                        final List<Object> v = asList(steps.get(t));
                        if (v == null || v.size() != hmm.dims()) {
                            throw new IllegalArgumentException(where + ": observations[" + t + "] has "
                                    + (v == null ? "no" : String.valueOf(v.size())) + " values, the model takes " + hmm.dims());
                        }
                        x[t] = new double[v.size()];
                        for (int d = 0; d < x[t].length; d++) {
                            final Object e = v.get(d);
                            if (!(e instanceof Double) || !Double.isFinite((Double) e)) {
                                throw new IllegalArgumentException(where + ": observations[" + t + "][" + d + "] = " + e
                                        + " (expected a finite number)");
                            }
                            x[t][d] = (Double) e;
                        }
                    }
                    return x;
                }

                int length(double[][] x) {
                    return x.length;
                }

                double[] score(List<double[][]> batch) {
                    return hmm.logLikelihoods(batch);
                }

                List<int[]> decode(List<double[][]> batch) {
                    return hmm.viterbi(batch);
                }
            };
        }

        static Kind<CloneHmm.Walk> clone(CloneHmm hmm, Options options) {
            hmm.options(options);
            return new Kind<>() {
                CloneHmm.Walk read(Row row, int[] columns, String where) {
                    final int[] x = ids(row, columns[0], hmm.symbols(), where, "symbols");
                    final int[] a = ids(row, columns[1], hmm.actions(), where, "actions");
                    if (x.length > 0 && a.length != x.length - 1 && a.length != x.length) {
                        throw new IllegalArgumentException(where + ": " + a.length + " actions for " + x.length
                                + " symbols (expected " + (x.length - 1) + ")");
                    }
                    return new CloneHmm.Walk(x, a);
                }

                int length(CloneHmm.Walk w) {
                    return w.length();
                }

                double[] score(List<CloneHmm.Walk> batch) {
                    return hmm.logLikelihoods(batch);
                }

                List<int[]> decode(List<CloneHmm.Walk> batch) {
                    return hmm.decode(batch);
                }
            };
        }

        /** Scores and decodes the rows in length-sorted batches; empty sequences score 0. */
        final void run(List<Row> rows, int[] columns, int idAt, TaskContext task, int batchSize, double[] logLikelihood,
                       int[][] paths) {
            final List<S> sequences = new ArrayList<>(rows.size());
            for (int k = 0; k < rows.size(); k++) {
                final Row row = rows.get(k);
                final String where = idAt >= 0 ? "row with id " + row.get(idAt)
                        : "row " + k + " of partition " + (task == null ? "?" : task.partitionId());
                sequences.add(read(row, columns, where));
            }
            final Integer[] order = new Integer[rows.size()];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            Arrays.sort(order, Comparator.comparingInt(k -> length(sequences.get(k))));
            for (int start = 0; start < order.length; start += batchSize) {
                final List<S> batch = new ArrayList<>();
                final List<Integer> members = new ArrayList<>();
                for (int k = start; k < Math.min(order.length, start + batchSize); k++) {
                    if (length(sequences.get(order[k])) == 0) {
                        paths[order[k]] = new int[0];
                    } else {
                        batch.add(sequences.get(order[k]));
                        members.add(order[k]);
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                final double[] scores = score(batch);
                final List<int[]> decoded = decode(batch);
                for (int m = 0; m < members.size(); m++) {
                    logLikelihood[members.get(m)] = scores[m];
                    paths[members.get(m)] = decoded.get(m);
                }
            }
        }
    }

    /** An {@code array<int>} cell as ids in {@code [0, bound)}; null becomes empty. */
    private static int[] ids(Row row, int at, int bound, String where, String name) {
        if (row.isNullAt(at)) {
            return new int[0];
        }
        final List<Object> values = row.getList(at);
        final int[] x = new int[values.size()];
        for (int t = 0; t < x.length; t++) {
            final Object v = values.get(t);
            if (v == null || (Integer) v < 0 || (Integer) v >= bound) {
                throw new IllegalArgumentException(where + ": " + name + "[" + t + "] = " + v + " is not one of the model's "
                        + name + " (ids 0.." + (bound - 1) + ")");
            }
            x[t] = (Integer) v;
        }
        return x;
    }

    /** A nested array cell as a Java list (Spark hands inner arrays over as Scala sequences). */
    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object cell) {
        if (cell == null) {
            return null;
        }
        if (cell instanceof List) {
            return (List<Object>) cell;
        }
        return scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Object>) cell);
    }

    /** A JavaCPP cache folder of this executor's own (JVMs sharing ~/.javacpp/cache race: javacpp#608). */
    private static void executorCacheDir() {
        if (System.getProperty("org.bytedeco.javacpp.cachedir") == null) {
            System.setProperty("org.bytedeco.javacpp.cachedir", SparkFiles.getRootDirectory() + "/javacpp-cache");
        }
    }
}
