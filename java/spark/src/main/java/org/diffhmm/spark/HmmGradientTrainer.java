package org.diffhmm.spark;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.FitReport;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Model;
import org.diffhmm.train.Objective;
import org.diffhmm.train.Optimizer;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;

/**
 * Trains a model by full-batch gradient descent (Adam, SGD) on a {@link Dataset} of sequences. The
 * model is broadcast once; each step sends the parameter vector, every partition returns the
 * log-likelihood and its gradient summed over its rows (length-sorted batches, {@code spark.task.cpus}
 * native threads), the driver sums them in partition order, adds the model's log-prior once (the
 * clone-structured pseudocount), divides by the number of observed steps, clips, and takes one
 * optimizer step. The same data, partitioning and settings give bit-identical
 * models run to run, and the steps single-JVM {@code Trainer} takes with full batches (up to the order
 * of floating-point sums).
 *
 * <pre>{@code
 * Dataset<Row> sequences = spark.read().parquet("walks").cache();   // read once per step: cache it
 * LossCurve curve = new HmmGradientTrainer(hmm).optimizer(Optimizer::adam).schedule(Schedule.constant(0.05))
 *         .steps(200).fit(sequences);
 * }</pre>
 *
 * <p>Input columns and their checks are those of {@link HmmScorer}; null and empty sequences are
 * skipped. Not thread-safe: one fit updates its model at a time.
 */
public final class HmmGradientTrainer extends SequenceColumns<HmmGradientTrainer> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HmmGradientTrainer.class);
    /** The model trained in place (driver side only). */
    private final transient Model<?> model;
    /** Optimizer steps (each a pass over all the data). */
    private int steps = 100;
    /** The learning rate per step. */
    private transient Schedule schedule = Schedule.constant(0.05);
    /** Makes the optimizer of a fit. */
    private transient Supplier<Optimizer> optimizer = Optimizer::adam;
    /** The largest gradient norm a step takes, or 0 for no clipping. */
    private double clipNorm = 0;

    /**
     * Gradient training for a model of any family; its input columns are its family's ({@link HmmScorer}).
     *
     * @param model the model to train, updated in place after every step
     */
    public HmmGradientTrainer(Hmm<?> model) {
        super(Models.type(Objects.requireNonNull(model, "model")));
        this.model = model;
    }

    /**
     * The number of optimizer steps; each is one pass over the data.
     *
     * @param steps at least 1 (default 100)
     * @return this trainer
     * @throws IllegalArgumentException if {@code steps < 1}
     */
    public HmmGradientTrainer steps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        this.steps = steps;
        return this;
    }

    /**
     * The learning rate per step.
     *
     * @param schedule the rate schedule over the steps (default a constant 0.05)
     * @return this trainer
     */
    public HmmGradientTrainer schedule(Schedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        return this;
    }

    /**
     * The optimizer.
     *
     * @param optimizer makes a fresh optimizer for each fit (default {@link Optimizer#adam})
     * @return this trainer
     */
    public HmmGradientTrainer optimizer(Supplier<Optimizer> optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        return this;
    }

    /**
     * Gradient clipping by norm (of the gradient of the loss per step).
     *
     * @param clipNorm the largest norm, or 0 for none (default)
     * @return this trainer
     * @throws IllegalArgumentException if {@code clipNorm} is negative or not finite
     */
    public HmmGradientTrainer clipNorm(double clipNorm) {
        if (!(clipNorm >= 0 && Double.isFinite(clipNorm))) {
            throw new IllegalArgumentException("clipNorm must be finite and >= 0, got " + clipNorm);
        }
        this.clipNorm = clipNorm;
        return this;
    }

    /**
     * Runs the optimizer steps, updating the model after each.
     *
     * @param sequences rows with the model's input columns; read once per step, so cache it
     * @return the training loss (minus the objective per step, nats) of the parameters each step started from
     * @throws IllegalArgumentException if a needed column is missing or mistyped, or no row has a sequence
     * @throws IllegalStateException    if the objective or its gradient becomes non-finite; the model
     *                                  keeps the last finite parameters
     */
    public LossCurve fit(Dataset<Row> sequences) {
        return run(sequences).curve();
    }

    /**
     * Trains as {@link #fit} does and reports it (every step ran; the model holds the last step's
     * parameters); every step's loss is logged at INFO (logger {@code org.diffhmm.spark.HmmGradientTrainer})
     * as it completes.
     *
     * @param sequences rows with the model's input columns (cache it: every step reads it)
     * @return the report
     * @throws IllegalArgumentException if a needed column is missing or mistyped, or no row has a sequence
     * @throws IllegalStateException    if the objective or its gradient becomes non-finite; the model
     *                                  keeps the last finite parameters
     */
    public FitReport run(Dataset<Row> sequences) {
        final int[] columns = inputColumns(sequences.schema());
        final int idAt = idAt(sequences.schema());
        final int size = batch();
        final Placement placement = placement();
        final Optimizer opt = optimizer.get();
        final LossCurve curve = new LossCurve(opt + " on Spark");
        final Broadcast<String> shared = SparkSession.active().sparkContext()
                .broadcast(Models.toJson(model), scala.reflect.ClassTag$.MODULE$.apply(String.class));
        try {
            final double[] params = model.parameters();
            for (int step = 0; step < steps; step++) {
                final double[] current = params.clone();
                final List<double[]> parts = inPartitionOrder(sequences, (rows, task) ->
                        Kind.of(shared.value(), current, placement.options(task)).objective(rows, columns, idAt, task, size));
                final double[] total = parts.get(0);
                for (int k = 1; k < parts.size(); k++) {
                    for (int j = 0; j < total.length; j++) {
                        total[j] += parts.get(k)[j];
                    }
                }
                final Objective prior = model.priorObjective();  // once, not per partition
                total[0] += prior.value();
                for (int k = 0; k < prior.gradient().length; k++) {
                    total[2 + k] += prior.gradient()[k];
                }
                final double[] g = java.util.Arrays.copyOfRange(total, 2, total.length);
                curve.add(-total[0] / total[1], Double.NaN);
                LOG.info("gradient step {}/{}: loss {} nats per step", step + 1, steps,
                        String.format(java.util.Locale.ROOT, "%.6f", -total[0] / total[1]));
                Trainer.descend(opt, params, total[0], g, (long) total[1], clipNorm, schedule.rate(step, steps),
                        "step " + (step + 1));
                model.setParameters(params);
            }
        } finally {
            shared.destroy();
        }
        final double[] loss = curve.train();
        return new FitReport(FitReport.Stop.COMPLETED, loss.length, loss.length, loss[loss.length - 1], Double.NaN, curve);
    }
}
