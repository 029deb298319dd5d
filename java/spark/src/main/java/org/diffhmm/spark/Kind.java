package org.diffhmm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.Options;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.EmStatistics;
import org.diffhmm.train.Model;
import org.diffhmm.train.Objective;

/**
 * What differs between model families on Spark rows: reading a row into the model's sequence type
 * (checked, errors naming the row and step), and the batched calls — score, decode, E-step. Used on
 * executors by {@link HmmScorer} and {@link HmmEm}.
 */
abstract class Kind<S> {
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

            EmStatistics expectations(List<int[]> batch) {
                return hmm.expectations(batch);
            }

            List<double[][]> posteriors(List<int[]> batch) {
                return hmm.posteriors(batch);
            }

            List<int[][]> posteriorSamples(List<int[]> batch, int samples, long seed) {
                return hmm.posteriorSamples(batch, samples, seed);
            }

            Objective objective(List<int[]> batch) {
                return hmm.dataObjective(batch);
            }

            long steps(List<int[]> batch) {
                return hmm.steps(batch);
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

            EmStatistics expectations(List<double[][]> batch) {
                return hmm.expectations(batch);
            }

            List<double[][]> posteriors(List<double[][]> batch) {
                return hmm.posteriors(batch);
            }

            List<int[][]> posteriorSamples(List<double[][]> batch, int samples, long seed) {
                return hmm.posteriorSamples(batch, samples, seed);
            }

            Objective objective(List<double[][]> batch) {
                return hmm.dataObjective(batch);
            }

            long steps(List<double[][]> batch) {
                return hmm.steps(batch);
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

            EmStatistics expectations(List<CloneHmm.Walk> batch) {
                return hmm.expectations(batch);
            }

            List<double[][]> posteriors(List<CloneHmm.Walk> batch) {
                return hmm.posteriors(batch);
            }

            List<int[][]> posteriorSamples(List<CloneHmm.Walk> batch, int samples, long seed) {
                return hmm.posteriorSamples(batch, samples, seed);
            }

            Objective objective(List<CloneHmm.Walk> batch) {
                return hmm.dataObjective(batch);
            }

            long steps(List<CloneHmm.Walk> batch) {
                return hmm.steps(batch);
            }
        };
    }

    /**
     * Scores and decodes the rows in length-sorted batches; empty sequences score 0. Fills
     * {@code posteriors} too unless it is null, and {@code sampled} ({@code samples} posterior paths
     * per row, batch {@code j} drawn with seed {@code seed + j}) unless it is null.
     */
    final void run(List<Row> rows, int[] columns, int idAt, TaskContext task, int batchSize, double[] logLikelihood,
                   int[][] paths, double[][][] posteriors, int[][][] sampled, int samples, long seed) {
        final List<S> sequences = readAll(rows, columns, idAt, task);
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
                    if (posteriors != null) {
                        posteriors[order[k]] = new double[0][];
                    }
                    if (sampled != null) {
                        sampled[order[k]] = new int[samples][0];
                    }
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
            if (posteriors != null) {
                final List<double[][]> marginals = posteriors(batch);
                for (int m = 0; m < members.size(); m++) {
                    posteriors[members.get(m)] = marginals.get(m);
                }
            }
            if (sampled != null) {
                final List<int[][]> drawn = posteriorSamples(batch, samples, seed + start / batchSize);
                for (int m = 0; m < members.size(); m++) {
                    sampled[members.get(m)] = drawn.get(m);
                }
            }
        }
    }

    /** The rows' non-empty sequences sorted by length (stably), in batches of at most {@code batchSize}. */
    final List<List<S>> sortedBatches(List<Row> rows, int[] columns, int idAt, TaskContext task, int batchSize) {
        final List<S> sequences = readAll(rows, columns, idAt, task);
        sequences.removeIf(x -> length(x) == 0);
        sequences.sort(Comparator.comparingInt(this::length));
        final List<List<S>> batches = new ArrayList<>();
        for (int start = 0; start < sequences.size(); start += batchSize) {
            batches.add(sequences.subList(start, Math.min(sequences.size(), start + batchSize)));
        }
        return batches;
    }

    /**
     * The E-step statistics of the rows' sequences, batches merged in order (the same rows in the same
     * order give bit-identical statistics); null and empty sequences are skipped.
     *
     * @return the statistics, or null if no row holds a sequence
     */
    final EmStatistics expectations(List<Row> rows, int[] columns, int idAt, TaskContext task, int batchSize) {
        EmStatistics total = null;
        for (List<S> batch : sortedBatches(rows, columns, idAt, task, batchSize)) {
            final EmStatistics part = expectations(batch);
            total = total == null ? part : total.merge(part);
        }
        return total;
    }

    /**
     * The data term of the objective and its gradient summed over the rows' sequences, batches summed
     * in order (deterministic), as one array: {@code [objective, observed steps, gradient...]}; null
     * and empty sequences are skipped.
     *
     * @return the sums, or null if no row holds a sequence
     */
    final double[] objective(List<Row> rows, int[] columns, int idAt, TaskContext task, int batchSize) {
        double[] total = null;
        for (List<S> batch : sortedBatches(rows, columns, idAt, task, batchSize)) {
            final Objective o = objective(batch);
            if (total == null) {
                total = new double[2 + o.gradient().length];
            }
            total[0] += o.value();
            total[1] += steps(batch);
            for (int k = 0; k < o.gradient().length; k++) {
                total[2 + k] += o.gradient()[k];
            }
        }
        return total;
    }

    /** The kind of a model given as JSON (as broadcast), its native calls run with {@code options}. */
    static Kind<?> of(String json, Options options) throws java.io.IOException {
        return of(json, null, options);
    }

    /** As {@link #of(String, Options)}, with the model's parameters replaced by {@code parameters} (unless null). */
    static Kind<?> of(String json, double[] parameters, Options options) throws java.io.IOException {
        TaskOptions.executorCacheDir();
        final Object model = Models.fromJson(json);
        if (parameters != null) {
            ((Model<?>) model).setParameters(parameters);
        }
        return model instanceof CategoricalHmm ? categorical((CategoricalHmm) model, options)
                : model instanceof GaussianHmm ? gaussian((GaussianHmm) model, options)
                : clone((CloneHmm) model, options);
    }

    /** The data term of the objective (the log-likelihood, no prior) and its gradient over a batch. */
    abstract Objective objective(List<S> batch);

    /** The number of observed steps in a batch (what objectives are normalised by). */
    abstract long steps(List<S> batch);

    /** The posterior state marginals of a batch: per sequence, per step, per state. */
    abstract List<double[][]> posteriors(List<S> batch);

    /** Paths drawn from the posterior of each sequence of a batch. */
    abstract List<int[][]> posteriorSamples(List<S> batch, int samples, long seed);

    /** The E-step statistics of a batch (EM). */
    abstract EmStatistics expectations(List<S> batch);

    /** The model families, each with its own input columns. */
    enum Family { CATEGORICAL, GAUSSIAN, CLONE }

    /** The family of a model given as JSON. */
    static Family familyOf(String json) {
        final Object model;
        try {
            model = Models.fromJson(json);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a diffhmm model: " + e.getMessage(), e);
        }
        return model instanceof CategoricalHmm ? Family.CATEGORICAL : model instanceof GaussianHmm ? Family.GAUSSIAN
                : Family.CLONE;
    }

    /** The indices of a family's input columns, checked to exist with the right types. */
    static int[] inputColumns(StructType in, Family family, String symbols, String actions, String observations) {
        final DataType ints = DataTypes.createArrayType(DataTypes.IntegerType);
        switch (family) {
            case GAUSSIAN:
                return new int[] {column(in, observations, DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType)))};
            case CLONE:
                return new int[] {column(in, symbols, ints), column(in, actions, ints)};
            default:
                return new int[] {column(in, symbols, ints)};
        }
    }

    /** The index of a column, checked to exist and (unless {@code type} is null) to have that type. */
    static int column(StructType schema, String name, DataType type) {
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

    /** Reads the rows into sequences (errors name the row). */
    final List<S> readAll(List<Row> rows, int[] columns, int idAt, TaskContext task) {
        final List<S> sequences = new ArrayList<>(rows.size());
        for (int k = 0; k < rows.size(); k++) {
            final Row row = rows.get(k);
            final String where = idAt >= 0 ? "row with id " + row.get(idAt)
                    : "row " + k + " of partition " + (task == null ? "?" : task.partitionId());
            sequences.add(read(row, columns, where));
        }
        return sequences;
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
}
