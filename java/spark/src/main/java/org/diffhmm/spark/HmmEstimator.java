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
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.Optimizer;
import org.diffhmm.train.Schedule;

/**
 * A Spark ML {@link Estimator}: {@code fit} trains a copy of its initial model on a Dataset — by EM
 * ({@link HmmEm}, the default) or by full-batch gradient descent ({@link HmmGradientTrainer} with Adam
 * or SGD) — and returns an {@link HmmModel}, whose {@code transform} adds log-likelihoods and Viterbi
 * paths ({@link HmmScorer}). Usable as a stage of a {@code Pipeline}, and saved with it.
 *
 * <pre>{@code
 * HmmModel fitted = new HmmEstimator(CloneHmm.random(clones, 4, 0.01, rng)).setIdCol("id").setMaxIter(50).fit(walks);
 * Dataset<Row> decoded = fitted.transform(walks);
 * fitted.write().overwrite().save("hdfs:///models/room");          // HmmModel.load("hdfs:///models/room")
 * new HmmEstimator(hmm).setSolver("adam").setStepSize(0.05).setMaxIter(300).fit(sequences);
 * }</pre>
 *
 * <p>Params (defaults), besides the shared {@link HmmParams}: {@code solver} ("em", "adam" or
 * "sgd"), {@code maxIter} (100: EM iterations or optimizer steps), {@code tol} (1e-6, EM only: stop
 * once the objective per step improves by less), {@code stepSize} (0.05, gradient solvers only).
 */
public final class HmmEstimator extends Estimator<HmmModel> implements HmmParams<HmmEstimator> {
    private static final long serialVersionUID = 1L;
    /** This stage's id. */
    private final String uid;
    /** The initial model as JSON (the estimator never changes it). */
    private final String initial;
    /** The params shared with {@link HmmModel}. */
    private final HmmParams.Shared shared;
    /** How the model is trained. */
    private final Param<String> solverParam;
    /** The most EM iterations or optimizer steps. */
    private final IntParam maxIterParam;
    /** EM stops once the objective per step improves by less than this (nats). */
    private final DoubleParam tolParam;
    /** The learning rate of the gradient solvers. */
    private final DoubleParam stepSizeParam;

    /**
     * An estimator starting from a model of any family (its input columns are the family's).
     *
     * @param initial the starting parameters (copied)
     */
    public HmmEstimator(Hmm<?> initial) {
        this(Identifiable$.MODULE$.randomUID("hmm"), Models.toJson(Objects.requireNonNull(initial, "initial")));
    }

    private HmmEstimator(String uid, String initial) {
        this.uid = uid;
        this.initial = initial;
        shared = HmmParams.Shared.of(this);
        solverParam = new Param<>(this, "solver", "how the model is trained: em, adam or sgd",
                ParamValidators.inArray(new String[] {"em", "adam", "sgd"}));
        maxIterParam = new IntParam(this, "maxIter", "the most EM iterations or optimizer steps (>= 1)",
                ParamValidators.gtEq(1));
        tolParam = new DoubleParam(this, "tol", "EM stops once the objective per step improves by less (nats, >= 0)",
                ParamValidators.gtEq(0));
        stepSizeParam = new DoubleParam(this, "stepSize", "learning rate of the adam and sgd solvers (> 0)",
                ParamValidators.gt(0));
        setDefault(solverParam, "em");
        setDefault(maxIterParam, 100);
        setDefault(tolParam, 1e-6);
        setDefault(stepSizeParam, 0.05);
    }

    @Override
    public HmmParams.Shared hmmParams() {
        return shared;
    }

    /**
     * How the model is trained: "em" (default), "adam" or "sgd".
     *
     * @return the param
     */
    public Param<String> solver() {
        return solverParam;
    }

    /**
     * The most EM iterations, or the number of optimizer steps (each a pass over the data).
     *
     * @return the param
     */
    public IntParam maxIter() {
        return maxIterParam;
    }

    /**
     * EM's convergence threshold on the objective per step (nats).
     *
     * @return the param
     */
    public DoubleParam tol() {
        return tolParam;
    }

    /**
     * The learning rate of the gradient solvers.
     *
     * @return the param
     */
    public DoubleParam stepSize() {
        return stepSizeParam;
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * Sets {@link #solver}.
     *
     * @param value "em", "adam" or "sgd"
     * @return this
     */
    public HmmEstimator setSolver(String value) {
        return with(solverParam, value);
    }

    /**
     * Sets {@link #maxIter}.
     *
     * @param value at least 1
     * @return this
     */
    public HmmEstimator setMaxIter(int value) {
        return with(maxIterParam, value);
    }

    /**
     * Sets {@link #tol}.
     *
     * @param value at least 0
     * @return this
     */
    public HmmEstimator setTol(double value) {
        return with(tolParam, value);
    }

    /**
     * Sets {@link #stepSize}.
     *
     * @param value greater than 0
     * @return this
     */
    public HmmEstimator setStepSize(double value) {
        return with(stepSizeParam, value);
    }

    /**
     * Trains a copy of the initial model on the dataset.
     *
     * @param dataset rows with the model's input columns (cache it: every iteration reads it)
     * @return the fitted model, its parent this estimator, with this estimator's shared params
     */
    @Override
    public HmmModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        final Hmm<?> model;
        try {
            model = Models.fromJson(initial);
        } catch (IOException e) {
            throw new IllegalStateException("the estimator's initial model does not read back", e);
        }
        @SuppressWarnings("unchecked")
        final Dataset<Row> rows = (Dataset<Row>) dataset;
        final String solver = $(solverParam);
        final int iterations = (Integer) $(maxIterParam);
        if (solver.equals("em")) {
            configure(new HmmEm(model)).maxIterations(iterations).tolerance((Double) $(tolParam)).fit(rows);
        } else {
            configure(new HmmGradientTrainer(model)).optimizer(solver.equals("adam") ? Optimizer::adam : () -> Optimizer.sgd(0))
                    .schedule(Schedule.constant((Double) $(stepSizeParam))).steps(iterations).fit(rows);
        }
        final HmmModel fitted = copyValues(new HmmModel(uid, Models.toJson(model)), new ParamMap());
        fitted.setParent(this);
        return fitted;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Kind.inputColumns(schema, Kind.familyOf(initial), new RowCodecs.Names($(symbolsCol()), $(actionsCol()), $(observationsCol())));
        return schema;
    }

    @Override
    public HmmEstimator copy(ParamMap extra) {
        return copyValues(new HmmEstimator(uid, initial), extra);
    }
}
