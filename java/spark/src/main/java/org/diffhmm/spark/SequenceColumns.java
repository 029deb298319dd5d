package org.diffhmm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.Backend;
import org.diffhmm.Options;
import scala.Tuple2;

/**
 * The input settings {@link HmmScorer}, {@link HmmEm} and {@link HmmGradientTrainer} share: which
 * columns hold a row's sequence (by model family), which names the row in errors, how many
 * sequences go to one native call, and where the calls run (CPU threads or the task's GPU).
 *
 * @param <T> the public class, returned by the setters for chaining
 */
abstract class SequenceColumns<T extends SequenceColumns<T>> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The model's family tag ({@code Models.type}): which input columns it reads. */
    final String family;
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
    /** Where native calls run. */
    private Backend backend = Backend.AUTO;
    /** The Spark resource name of GPUs. */
    private String gpuResource = "gpu";

    SequenceColumns(String family) {
        this.family = family;
    }

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /**
     * The input column of symbol ids.
     *
     * @param column an {@code array<int>} column (default {@code "symbols"})
     * @return this
     */
    public T symbolsColumn(String column) {
        this.symbols = Objects.requireNonNull(column, "column");
        return self();
    }

    /**
     * The input column of actions (clone-structured HMM).
     *
     * @param column an {@code array<int>} column (default {@code "actions"})
     * @return this
     */
    public T actionsColumn(String column) {
        this.actions = Objects.requireNonNull(column, "column");
        return self();
    }

    /**
     * The input column of observation vectors (Gaussian HMM).
     *
     * @param column an {@code array<array<double>>} column (default {@code "observations"})
     * @return this
     */
    public T observationsColumn(String column) {
        this.observations = Objects.requireNonNull(column, "column");
        return self();
    }

    /**
     * A column that identifies rows in error messages.
     *
     * @param column any column, or null for none (default: none; rows are then named by partition and position)
     * @return this
     */
    public T idColumn(String column) {
        this.id = column;
        return self();
    }

    /**
     * Sequences per native call.
     *
     * @param batchSize at least 1 (default 256)
     * @return this
     * @throws IllegalArgumentException if {@code batchSize < 1}
     */
    public T batchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        return self();
    }

    /**
     * Where each task's native calls run. {@link Backend#AUTO} (the default): on the GPU Spark's
     * resource scheduling gave the task (its first address of {@link #gpuResource(String)}) when
     * diffhmm's CUDA backend can run there, and on {@code spark.task.cpus} CPU threads otherwise.
     * {@link Backend#CPU}: always the CPU. {@link Backend#CUDA}: the task's GPU, or the executor's
     * current device when Spark assigned none; a task fails if CUDA cannot run on its executor.
     * Results are bit-identical run to run on one backend; CPU and GPU agree to rounding.
     *
     * @param backend AUTO, CPU or CUDA
     * @return this
     */
    public T backend(Backend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
        return self();
    }

    /**
     * The name of the GPU resource in Spark's resource scheduling (as in
     * {@code spark.task.resource.<name>.amount}); its addresses must be CUDA device ordinals.
     *
     * @param name the resource name (default {@code "gpu"})
     * @return this
     */
    public T gpuResource(String name) {
        this.gpuResource = Objects.requireNonNull(name, "name");
        return self();
    }

    /** Where a task's calls run (see {@link #backend(Backend)}); serializable, for executor closures. */
    final Placement placement() {
        return new Placement(backend, gpuResource);
    }

    /** The backend choice and GPU resource name, carried to executors; {@link #options} is read there. */
    static final class Placement implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Where calls run. */
        private final Backend backend;
        /** The Spark resource name of GPUs. */
        private final String gpuResource;

        Placement(Backend backend, String gpuResource) {
            this.backend = backend;
            this.gpuResource = gpuResource;
        }

        /** The options of a task's native calls. */
        Options options(TaskContext task) {
            return TaskOptions.of(task, backend, gpuResource);
        }
    }

    /** The indices of the family's input columns in {@code schema}, checked to exist with the right types. */
    final int[] inputColumns(StructType schema) {
        return Kind.inputColumns(schema, family, new RowCodecs.Names(symbols, actions, observations));
    }

    /** The index of the id column, or -1 for none. */
    final int idAt(StructType schema) {
        return id == null ? -1 : Kind.column(schema, id, null);
    }

    /** Sequences per native call. */
    final int batch() {
        return batchSize;
    }

    /** What a training pass computes from one partition's rows on an executor: a partial, or null for none. */
    @FunctionalInterface
    interface PartitionPass<P> extends Serializable {
        P apply(List<Row> rows, TaskContext task) throws Exception;
    }

    /**
     * Runs {@code pass} on every partition and returns the partials in partition order, so that the
     * driver's reduction sums them in a fixed order (bit-identical reruns; a tree reduction is not).
     *
     * @throws IllegalArgumentException if no partition returned a partial (no row holds a sequence)
     */
    static <P> List<P> inPartitionOrder(Dataset<Row> sequences, PartitionPass<P> pass) {
        final List<Tuple2<Integer, P>> parts = new ArrayList<>(sequences.javaRDD().mapPartitionsWithIndex(
                (Function2<Integer, Iterator<Row>, Iterator<Tuple2<Integer, P>>>) (index, rows) -> {
                    final List<Row> all = new ArrayList<>();
                    rows.forEachRemaining(all::add);
                    final P partial = pass.apply(all, TaskContext.get());
                    return partial == null ? Collections.emptyIterator() : List.of(new Tuple2<>(index, partial)).iterator();
                }, false).collect());
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no training sequences: every row is null or empty");
        }
        parts.sort(Comparator.comparingInt(Tuple2::_1));
        final List<P> ordered = new ArrayList<>(parts.size());
        parts.forEach(t -> ordered.add(t._2()));
        return ordered;
    }
}
