package org.diffhmm.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.Options;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.EmStatistics;
import org.diffhmm.train.Objective;

/**
 * A model and the reader of its family's rows ({@link RowCodecs}): reading rows into the model's
 * sequences (checked, errors naming the row and step), and the batched calls over them — score,
 * decode, posteriors, samples, E-step, objective — through the family interface ({@link Hmm}). Used
 * on executors by {@link HmmScorer}, {@link HmmEm} and {@link HmmGradientTrainer}.
 */
final class Kind<S> {
    private final Hmm<S> hmm;
    private final RowCodecs.RowCodec<S> codec;

    private Kind(Hmm<S> hmm) {
        this.hmm = hmm;
        this.codec = RowCodecs.of(hmm);
    }

    S read(Row row, int[] columns, String where) {
        return codec.read(hmm, row, columns, where);
    }

    int length(S sequence) {
        return hmm.lengthOf(sequence);
    }

    double[] score(List<S> batch) {
        return hmm.logLikelihoods(batch);
    }

    List<int[]> decode(List<S> batch) {
        return hmm.decode(batch);
    }

    /** The data term of the objective (the log-likelihood, no prior) and its gradient over a batch. */
    Objective objective(List<S> batch) {
        return hmm.dataObjective(batch);
    }

    /** The number of observed steps in a batch (what objectives are normalised by). */
    long steps(List<S> batch) {
        return hmm.steps(batch);
    }

    /** The posterior state marginals of a batch: per sequence, per step, per state. */
    List<double[][]> posteriors(List<S> batch) {
        return hmm.posteriors(batch);
    }

    /** Paths drawn from the posterior of each sequence of a batch. */
    List<int[][]> posteriorSamples(List<S> batch, int samples, long seed) {
        return hmm.posteriorSamples(batch, samples, seed);
    }

    /** The E-step statistics of a batch (EM). */
    EmStatistics expectations(List<S> batch) {
        return hmm.expectations(batch);
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
        final Hmm<?> model = Models.fromJson(json);
        if (parameters != null) {
            model.setParameters(parameters);
        }
        model.options(options);
        return new Kind<>(model);
    }

    /** The family tag of a model given as JSON ({@link Models#type}). */
    static String familyOf(String json) {
        try {
            return Models.type(Models.fromJson(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a diffhmm model: " + e.getMessage(), e);
        }
    }

    /** The indices of a family's input columns, checked to exist with the right types. */
    static int[] inputColumns(StructType in, String family, RowCodecs.Names names) {
        return RowCodecs.of(family).columns(in, names);
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
}
