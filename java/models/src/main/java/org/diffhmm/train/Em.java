package org.diffhmm.train;

import java.util.List;

/**
 * Runs EM to convergence: iterations until the objective per step improves by less than
 * {@code tolerance} (or {@code maxIterations}). The curve records the objective of the parameters
 * each iteration started from, as a loss (nats per step).
 */
public final class Em {
    private Em() {}

    /**
     * Runs EM, reporting progress as log lines or not at all.
     *
     * @param <S>           the type of one observation sequence
     * @param model         the model, updated in place
     * @param data          the training sequences, not empty
     * @param maxIterations at most this many iterations, at least 1
     * @param tolerance     stop once the objective per step improves by less than this (nats), at least 0
     * @param progress      log progress through SLF4J ({@link Progress#log}) or not
     * @return the loss per iteration
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static <S> LossCurve fit(EmModel<S> model, List<S> data, int maxIterations, double tolerance, boolean progress) {
        return fit(model, data, maxIterations, tolerance, progress ? Progress::log : (task, total) -> Progress.none());
    }

    /**
     * Runs EM, reporting progress through the caller's reporter.
     *
     * @param <S>           the type of one observation sequence
     * @param model         the model, updated in place
     * @param data          the training sequences, not empty
     * @param maxIterations at most this many iterations, at least 1
     * @param tolerance     stop once the objective per step improves by less than this (nats), at least 0
     * @param progress      makes the run's progress reporter
     * @return the loss per iteration
     * @throws IllegalArgumentException if an argument is out of range or a sequence is bad
     *                                  ({@link SequenceModel#checkData}); the model is then unchanged
     */
    public static <S> LossCurve fit(EmModel<S> model, List<S> data, int maxIterations, double tolerance,
                                    Progress.Factory progress) {
        return run(model, data, maxIterations, tolerance, progress).curve();
    }

    /**
     * Runs EM as {@link #fit(EmModel, List, int, double, Progress.Factory)} does and reports how it
     * ended: converged (the objective per step improved by less than {@code tolerance}) or at the
     * iteration limit, the iterations run and the loss per iteration. The model holds the last
     * iteration's parameters.
     *
     * @param <S>           the type of one observation sequence
     * @param model         the model, updated in place
     * @param data          the training sequences, not empty
     * @param maxIterations at most this many iterations, at least 1
     * @param tolerance     stop once the objective per step improves by less than this (nats), at least 0
     * @param progress      makes the run's progress reporter
     * @return the report
     * @throws IllegalArgumentException if an argument is out of range or a sequence is bad; the model
     *                                  is then unchanged
     */
    public static <S> FitReport run(EmModel<S> model, List<S> data, int maxIterations, double tolerance,
                                    Progress.Factory progress) {
        java.util.Objects.requireNonNull(model, "model");
        java.util.Objects.requireNonNull(progress, "progress");
        if (data == null || data.isEmpty()) {
            throw new IllegalArgumentException("no training sequences");
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
        model.checkData(data);  // before any parameter changes
        final LossCurve curve = new LossCurve("EM");
        final long steps = model.steps(data);
        double previous = Double.NEGATIVE_INFINITY;
        boolean converged = false;
        try (Progress bar = progress.start("EM", maxIterations)) {
            for (int it = 0; it < maxIterations; it++) {
                final double objective = model.emStep(data) / steps;
                curve.add(-objective, Double.NaN);
                bar.step(String.format("loss %.5f", -objective));
                if (objective - previous < tolerance) {
                    converged = true;
                    break;
                }
                previous = objective;
            }
        }
        final double[] loss = curve.train();
        return new FitReport(converged ? FitReport.Stop.CONVERGED : FitReport.Stop.ITERATION_LIMIT, loss.length,
                loss.length, loss[loss.length - 1], tolerance, curve);
    }
}
