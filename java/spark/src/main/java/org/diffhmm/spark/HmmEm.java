package org.diffhmm.spark;

import java.util.List;
import java.util.Objects;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import org.diffhmm.train.EmModel;
import org.diffhmm.train.EmStatistics;
import org.diffhmm.train.FitReport;
import org.diffhmm.train.LossCurve;

/**
 * Trains a model by expectation–maximisation on a {@link Dataset} of sequences: each iteration
 * broadcasts the current parameters, every partition runs the E-step on its own rows (length-sorted
 * batches, {@code spark.task.cpus} native threads) and sends back only its sufficient statistics
 * ({@link EmStatistics}: a few arrays the size of the model, not of the data), and the driver merges
 * them and runs the M-step. The result is the model single-JVM {@code Em.fit} reaches on the same
 * sequences, up to the order of floating-point sums; statistics are merged in partition order, so two
 * runs on the same partitioning give bit-identical models.
 *
 * <pre>{@code
 * Dataset<Row> sequences = spark.read().parquet("walks").cache();   // read once per iteration: cache it
 * LossCurve curve = new HmmEm(hmm).maxIterations(50).tolerance(1e-6).fit(sequences);
 * // hmm now holds the trained parameters; curve.train() is the loss (nats per step) per iteration
 * }</pre>
 *
 * <p>Input columns and their checks are those of {@link HmmScorer}. Null and empty sequences are
 * skipped. Not thread-safe: one fit updates its model at a time.
 */
public final class HmmEm extends SequenceColumns<HmmEm> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HmmEm.class);
    /** The model trained in place (driver side only). */
    private final transient EmModel<?> model;
    /** At most this many iterations. */
    private int maxIterations = 100;
    /** Stop once the objective per step improves by less than this (nats). */
    private double tolerance = 1e-6;

    /**
     * EM for a model of any family; its input columns are its family's ({@link HmmScorer}).
     *
     * @param model the model to train, updated in place after every iteration
     */
    public HmmEm(Hmm<?> model) {
        super(Models.type(Objects.requireNonNull(model, "model")));
        this.model = model;
    }

    /**
     * The most iterations a fit runs.
     *
     * @param maxIterations at least 1 (default 100)
     * @return this trainer
     * @throws IllegalArgumentException if {@code maxIterations < 1}
     */
    public HmmEm maxIterations(int maxIterations) {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
        this.maxIterations = maxIterations;
        return this;
    }

    /**
     * The convergence tolerance: a fit stops once the objective per step improves by less.
     *
     * @param tolerance nats per step, at least 0 (default 1e-6; 0 runs all iterations unless EM stalls)
     * @return this trainer
     * @throws IllegalArgumentException if {@code tolerance} is negative or NaN
     */
    public HmmEm tolerance(double tolerance) {
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
        this.tolerance = tolerance;
        return this;
    }

    /**
     * Runs EM on the sequences, updating the model after every iteration. A row holding an observation
     * the model cannot take fails the Spark job (its message names the row and the step) and leaves the
     * model as the last completed iteration made it.
     *
     * @param sequences rows with the model's input columns; read once per iteration, so cache it
     * @return the loss (minus the objective per step, nats) of the parameters each iteration started from
     * @throws IllegalArgumentException if a needed column is missing or mistyped, or no row has a sequence
     */
    public LossCurve fit(Dataset<Row> sequences) {
        return run(sequences).curve();
    }

    /**
     * Runs EM as {@link #fit} does and reports how it ended (converged or at the iteration limit, the
     * iterations, the loss per iteration); every iteration's loss is logged at INFO (logger
     * {@code org.diffhmm.spark.HmmEm}) as it completes, and the outcome at the end.
     *
     * @param sequences rows with the model's input columns; read once per iteration, so cache it
     * @return the report
     * @throws IllegalArgumentException if a needed column is missing or mistyped, or no row has a sequence
     */
    public FitReport run(Dataset<Row> sequences) {
        final int[] columns = inputColumns(sequences.schema());
        final int idAt = idAt(sequences.schema());
        final int size = batch();
        final Placement placement = placement();
        final LossCurve curve = new LossCurve("EM on Spark");
        double previous = Double.NEGATIVE_INFINITY;
        boolean converged = false;
        for (int it = 0; it < maxIterations; it++) {
            final Broadcast<String> shared = SparkSession.active().sparkContext()
                    .broadcast(Models.toJson(model), scala.reflect.ClassTag$.MODULE$.apply(String.class));
            final List<EmStatistics> parts;
            try {
                parts = inPartitionOrder(sequences, (rows, task) ->
                        Kind.of(shared.value(), placement.options(task)).expectations(rows, columns, idAt, task, size));
            } finally {
                shared.destroy();
            }
            final EmStatistics total = parts.get(0);
            for (int k = 1; k < parts.size(); k++) {
                total.merge(parts.get(k));
            }
            final double objective = model.maximise(total) / total.steps();
            curve.add(-objective, Double.NaN);
            LOG.info("EM iteration {}/{}: loss {} nats per step ({} steps in {} partitions)", it + 1, maxIterations,
                    String.format(java.util.Locale.ROOT, "%.6f", -objective), total.steps(), parts.size());
            if (objective - previous < tolerance) {
                converged = true;
                break;
            }
            previous = objective;
        }
        final double[] loss = curve.train();
        final FitReport report = new FitReport(converged ? FitReport.Stop.CONVERGED : FitReport.Stop.ITERATION_LIMIT,
                loss.length, loss.length, loss[loss.length - 1], tolerance, curve);
        LOG.info("EM on Spark {}", report.summary());
        return report;
    }

    @Override
    public String toString() {
        return "HmmEm[" + family + ", maxIterations=" + maxIterations + ", tolerance=" + tolerance + "]";
    }
}
