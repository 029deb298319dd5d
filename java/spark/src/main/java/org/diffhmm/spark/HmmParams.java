package org.diffhmm.spark;

import java.io.Serializable;
import java.util.Locale;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.diffhmm.Backend;

/**
 * The Spark ML params {@link HmmEstimator} and {@link HmmModel} share: where a row's sequence is
 * read from, which column names rows in errors, how many sequences go to one native call, and where
 * the calls run. An estimator copies them to the model it fits; a saved model keeps them.
 *
 * <p>Params (defaults): {@code symbolsCol} ("symbols"), {@code actionsCol} ("actions"),
 * {@code observationsCol} ("observations"), {@code idCol} ("" = none), {@code batchSize} (256),
 * {@code backend} ("auto", "cpu" or "cuda"; see {@link HmmScorer#backend(Backend)}),
 * {@code gpuResource} ("gpu").
 *
 * @param <S> the stage type, returned by the setters for chaining
 */
public interface HmmParams<S extends HmmParams<S>> extends Params {
    /**
     * The param objects of this stage, made with it.
     *
     * @return the stage's shared params
     */
    Shared hmmParams();

    /**
     * Input column of symbol ids (categorical, clone-structured HMM), {@code array<int>}.
     *
     * @return the param
     */
    default Param<String> symbolsCol() {
        return hmmParams().symbolsCol;
    }

    /**
     * Input column of actions (clone-structured HMM), {@code array<int>}.
     *
     * @return the param
     */
    default Param<String> actionsCol() {
        return hmmParams().actionsCol;
    }

    /**
     * Input column of observation vectors (Gaussian HMM), {@code array<array<double>>}.
     *
     * @return the param
     */
    default Param<String> observationsCol() {
        return hmmParams().observationsCol;
    }

    /**
     * Column naming rows in error messages; empty for none.
     *
     * @return the param
     */
    default Param<String> idCol() {
        return hmmParams().idCol;
    }

    /**
     * Sequences per native call.
     *
     * @return the param
     */
    default IntParam batchSize() {
        return hmmParams().batchSize;
    }

    /**
     * Where native calls run: "auto", "cpu" or "cuda".
     *
     * @return the param
     */
    default Param<String> backend() {
        return hmmParams().backend;
    }

    /**
     * The Spark resource name of GPUs.
     *
     * @return the param
     */
    default Param<String> gpuResource() {
        return hmmParams().gpuResource;
    }

    /**
     * Sets {@link #symbolsCol}.
     *
     * @param value the column
     * @return this stage
     */
    default S setSymbolsCol(String value) {
        return with(symbolsCol(), value);
    }

    /**
     * Sets {@link #actionsCol}.
     *
     * @param value the column
     * @return this stage
     */
    default S setActionsCol(String value) {
        return with(actionsCol(), value);
    }

    /**
     * Sets {@link #observationsCol}.
     *
     * @param value the column
     * @return this stage
     */
    default S setObservationsCol(String value) {
        return with(observationsCol(), value);
    }

    /**
     * Sets {@link #idCol}.
     *
     * @param value the column, or "" for none
     * @return this stage
     */
    default S setIdCol(String value) {
        return with(idCol(), value);
    }

    /**
     * Sets {@link #batchSize}.
     *
     * @param value sequences per native call (at least 1)
     * @return this stage
     */
    default S setBatchSize(int value) {
        return with(batchSize(), value);
    }

    /**
     * Sets {@link #backend}.
     *
     * @param value "auto", "cpu" or "cuda" (any case)
     * @return this stage
     */
    default S setBackend(String value) {
        return with(backend(), value == null ? null : value.toLowerCase(Locale.ROOT));
    }

    /**
     * Sets {@link #gpuResource}.
     *
     * @param value the resource name
     * @return this stage
     */
    default S setGpuResource(String value) {
        return with(gpuResource(), value);
    }

    /**
     * Sets a param (validated by Spark) and returns this stage.
     *
     * @param param one of this stage's params
     * @param value its value
     * @param <V>   the value type
     * @return this stage
     */
    @SuppressWarnings("unchecked")
    default <V> S with(Param<V> param, V value) {
        set(param, value);
        return (S) this;
    }

    /**
     * Applies these params to a scorer or trainer.
     *
     * @param target an {@link HmmScorer}, {@link HmmEm} or {@link HmmGradientTrainer}
     * @param <T>    its type
     * @return {@code target}
     */
    default <T extends SequenceColumns<T>> T configure(T target) {
        final String id = $(idCol());
        return target.symbolsColumn($(symbolsCol())).actionsColumn($(actionsCol()))
                .observationsColumn($(observationsCol())).idColumn(id.isEmpty() ? null : id)
                .batchSize((Integer) $(batchSize())).backend(Backend.valueOf($(backend()).toUpperCase(Locale.ROOT)))
                .gpuResource($(gpuResource()));
    }

    /** One stage's shared param objects (made by {@link #of}, which also sets their defaults). */
    final class Shared implements Serializable {
        private static final long serialVersionUID = 1L;
        /** See {@link HmmParams#symbolsCol()}. */
        private final Param<String> symbolsCol;
        /** See {@link HmmParams#actionsCol()}. */
        private final Param<String> actionsCol;
        /** See {@link HmmParams#observationsCol()}. */
        private final Param<String> observationsCol;
        /** See {@link HmmParams#idCol()}. */
        private final Param<String> idCol;
        /** See {@link HmmParams#batchSize()}. */
        private final IntParam batchSize;
        /** See {@link HmmParams#backend()}. */
        private final Param<String> backend;
        /** See {@link HmmParams#gpuResource()}. */
        private final Param<String> gpuResource;

        private Shared(Params owner) {
            symbolsCol = new Param<>(owner, "symbolsCol", "input column of symbol ids, array<int>");
            actionsCol = new Param<>(owner, "actionsCol", "input column of actions, array<int> (clone-structured HMM)");
            observationsCol = new Param<>(owner, "observationsCol", "input column of observation vectors, array<array<double>>");
            idCol = new Param<>(owner, "idCol", "column naming rows in error messages; empty for none");
            batchSize = new IntParam(owner, "batchSize", "sequences per native call (>= 1)", ParamValidators.gtEq(1));
            backend = new Param<>(owner, "backend", "where native calls run: auto (the task's GPU if Spark assigned one and "
                    + "CUDA runs, else the CPU), cpu or cuda", ParamValidators.inArray(new String[] {"auto", "cpu", "cuda"}));
            gpuResource = new Param<>(owner, "gpuResource", "the Spark resource name of GPUs");
            owner.setDefault(symbolsCol, "symbols");
            owner.setDefault(actionsCol, "actions");
            owner.setDefault(observationsCol, "observations");
            owner.setDefault(idCol, "");
            owner.setDefault(batchSize, 256);
            owner.setDefault(backend, "auto");
            owner.setDefault(gpuResource, "gpu");
        }

        /**
         * The shared params of a stage, with their defaults set on it. Call once, from the stage's
         * constructor after its uid is known.
         *
         * @param owner the stage
         * @return its params
         */
        public static Shared of(Params owner) {
            return new Shared(owner);
        }
    }
}
