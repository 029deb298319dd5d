package org.diffhmm.spark;

import java.io.IOException;
import java.util.Objects;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Models;

/**
 * A Spark ML {@link Estimator}: {@code fit} trains a copy of its initial model by EM on a Dataset
 * ({@link HmmEm}) and returns an {@link HmmModel}, whose {@code transform} adds log-likelihoods and
 * Viterbi paths ({@link HmmScorer}). Usable as a stage of a {@code Pipeline}.
 *
 * <pre>{@code
 * HmmModel fitted = new HmmEstimator(CloneHmm.random(clones, 4, 0.01, rng)).setIdCol("id").setMaxIter(50).fit(walks);
 * Dataset<Row> decoded = fitted.transform(walks);
 * fitted.save(spark, "hdfs:///models/room.json");
 * }</pre>
 *
 * <p>Params (defaults): {@code symbolsCol} ("symbols"), {@code actionsCol} ("actions"),
 * {@code observationsCol} ("observations"), {@code idCol} ("" = none), {@code maxIter} (100),
 * {@code tol} (1e-6), {@code batchSize} (256).
 */
public final class HmmEstimator extends Estimator<HmmModel> {
    private static final long serialVersionUID = 1L;
    /** This stage's id. */
    private final String uid;
    /** The initial model as JSON (the estimator never changes it). */
    private final String initial;

    /** Input column of symbol ids (categorical, clone-structured). */
    private final Param<String> symbolsColParam;
    /** Input column of actions (clone-structured). */
    private final Param<String> actionsColParam;
    /** Input column of observation vectors (Gaussian). */
    private final Param<String> observationsColParam;
    /** Column naming rows in errors; empty for none. */
    private final Param<String> idColParam;
    /** The most EM iterations. */
    private final IntParam maxIterParam;
    /** EM stops once the objective per step improves by less than this (nats). */
    private final DoubleParam tolParam;
    /** Sequences per native call. */
    private final IntParam batchSizeParam;

    /**
     * An estimator starting from a categorical HMM.
     *
     * @param initial the starting parameters (copied)
     */
    public HmmEstimator(CategoricalHmm initial) {
        this(Identifiable$.MODULE$.randomUID("hmmEm"), Models.toJson(Objects.requireNonNull(initial, "initial")));
    }

    /**
     * An estimator starting from a Gaussian HMM.
     *
     * @param initial the starting parameters (copied)
     */
    public HmmEstimator(GaussianHmm initial) {
        this(Identifiable$.MODULE$.randomUID("hmmEm"), Models.toJson(Objects.requireNonNull(initial, "initial")));
    }

    /**
     * An estimator starting from a clone-structured HMM.
     *
     * @param initial the starting parameters (copied)
     */
    public HmmEstimator(CloneHmm initial) {
        this(Identifiable$.MODULE$.randomUID("hmmEm"), Models.toJson(Objects.requireNonNull(initial, "initial")));
    }

    private HmmEstimator(String uid, String initial) {
        this.uid = uid;
        this.initial = initial;
        symbolsColParam = new Param<>(this, "symbolsCol", "input column of symbol ids, array<int>");
        actionsColParam = new Param<>(this, "actionsCol", "input column of actions, array<int> (clone-structured HMM)");
        observationsColParam = new Param<>(this, "observationsCol", "input column of observation vectors, array<array<double>>");
        idColParam = new Param<>(this, "idCol", "column naming rows in error messages; empty for none");
        maxIterParam = new IntParam(this, "maxIter", "the most EM iterations (>= 1)", ParamValidators.gtEq(1));
        tolParam = new DoubleParam(this, "tol", "stop once the objective per step improves by less (nats, >= 0)",
                ParamValidators.gtEq(0));
        batchSizeParam = new IntParam(this, "batchSize", "sequences per native call (>= 1)", ParamValidators.gtEq(1));
        setDefault(symbolsColParam, "symbols");
        setDefault(actionsColParam, "actions");
        setDefault(observationsColParam, "observations");
        setDefault(idColParam, "");
        setDefault(maxIterParam, 100);
        setDefault(tolParam, 1e-6);
        setDefault(batchSizeParam, 256);
    }

    /**
     * Input column of symbol ids (categorical, clone-structured).
     *
     * @return the param
     */
    public Param<String> symbolsCol() {
        return symbolsColParam;
    }

    /**
     * Input column of actions (clone-structured).
     *
     * @return the param
     */
    public Param<String> actionsCol() {
        return actionsColParam;
    }

    /**
     * Input column of observation vectors (Gaussian).
     *
     * @return the param
     */
    public Param<String> observationsCol() {
        return observationsColParam;
    }

    /**
     * Column naming rows in errors; empty for none.
     *
     * @return the param
     */
    public Param<String> idCol() {
        return idColParam;
    }

    /**
     * The most EM iterations.
     *
     * @return the param
     */
    public IntParam maxIter() {
        return maxIterParam;
    }

    /**
     * EM stops once the objective per step improves by less than this (nats).
     *
     * @return the param
     */
    public DoubleParam tol() {
        return tolParam;
    }

    /**
     * Sequences per native call.
     *
     * @return the param
     */
    public IntParam batchSize() {
        return batchSizeParam;
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * Sets {@link #symbolsCol}.
     *
     * @param value the symbols column
     * @return this
     */
    public HmmEstimator setSymbolsCol(String value) {
        set(symbolsColParam, value);
        return this;
    }

    /**
     * Sets {@link #actionsCol}.
     *
     * @param value the actions column
     * @return this
     */
    public HmmEstimator setActionsCol(String value) {
        set(actionsColParam, value);
        return this;
    }

    /**
     * Sets {@link #observationsCol}.
     *
     * @param value the observations column
     * @return this
     */
    public HmmEstimator setObservationsCol(String value) {
        set(observationsColParam, value);
        return this;
    }

    /**
     * Sets {@link #idCol}.
     *
     * @param value the id column, or "" for none
     * @return this
     */
    public HmmEstimator setIdCol(String value) {
        set(idColParam, value);
        return this;
    }

    /**
     * Sets {@link #maxIter}.
     *
     * @param value the most EM iterations
     * @return this
     */
    public HmmEstimator setMaxIter(int value) {
        set(maxIterParam, value);
        return this;
    }

    /**
     * Sets {@link #tol}.
     *
     * @param value the convergence tolerance (nats per step)
     * @return this
     */
    public HmmEstimator setTol(double value) {
        set(tolParam, value);
        return this;
    }

    /**
     * Sets {@link #batchSize}.
     *
     * @param value sequences per native call
     * @return this
     */
    public HmmEstimator setBatchSize(int value) {
        set(batchSizeParam, value);
        return this;
    }

    /**
     * Trains a copy of the initial model by EM on the dataset.
     *
     * @param dataset rows with the model's input columns (cache it: EM reads it once per iteration)
     * @return the fitted model, its parent this estimator
     */
    @Override
    public HmmModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        final Object model;
        try {
            model = Models.fromJson(initial);
        } catch (IOException e) {
            throw new IllegalStateException("the estimator's initial model does not read back", e);
        }
        final HmmEm em = model instanceof CategoricalHmm ? new HmmEm((CategoricalHmm) model)
                : model instanceof GaussianHmm ? new HmmEm((GaussianHmm) model) : new HmmEm((CloneHmm) model);
        em.symbolsColumn($(symbolsColParam)).actionsColumn($(actionsColParam)).observationsColumn($(observationsColParam))
                .idColumn($(idColParam).isEmpty() ? null : $(idColParam)).batchSize((Integer) $(batchSizeParam))
                .maxIterations((Integer) $(maxIterParam)).tolerance((Double) $(tolParam));
        @SuppressWarnings("unchecked")
        final Dataset<Row> rows = (Dataset<Row>) dataset;
        em.fit(rows);
        final HmmModel fitted = new HmmModel(uid, Models.toJson(model), $(symbolsColParam), $(actionsColParam), $(observationsColParam),
                $(idColParam), (Integer) $(batchSizeParam));
        fitted.setParent(this);
        return fitted;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Kind.inputColumns(schema, Kind.familyOf(initial), $(symbolsColParam), $(actionsColParam), $(observationsColParam));
        return schema;
    }

    @Override
    public HmmEstimator copy(ParamMap extra) {
        return copyValues(new HmmEstimator(uid, initial), extra);
    }
}
