package org.diffhmm.spark;

import java.io.Serializable;
import java.util.Objects;
import org.apache.spark.sql.types.StructType;

/**
 * The input settings {@link HmmScorer}, {@link HmmEm} and {@link HmmGradientTrainer} share: which
 * columns hold a row's sequence (by model family), which names the row in errors, and how many
 * sequences go to one native call.
 *
 * @param <T> the public class, returned by the setters for chaining
 */
abstract class SequenceColumns<T extends SequenceColumns<T>> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The model's family: which input columns it reads. */
    final Kind.Family family;
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

    SequenceColumns(Kind.Family family) {
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

    /** The indices of the family's input columns in {@code schema}, checked to exist with the right types. */
    final int[] inputColumns(StructType schema) {
        return Kind.inputColumns(schema, family, symbols, actions, observations);
    }

    /** The index of the id column, or -1 for none. */
    final int idAt(StructType schema) {
        return id == null ? -1 : Kind.column(schema, id, null);
    }

    /** Sequences per native call. */
    final int batch() {
        return batchSize;
    }
}
