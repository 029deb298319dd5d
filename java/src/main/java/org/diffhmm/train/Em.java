package org.diffhmm.train;

import java.util.List;

/**
 * Runs EM to convergence: iterations until the objective per step improves by less than
 * {@code tolerance} (or {@code maxIterations}). The curve records the objective of the parameters
 * each iteration started from, as a loss (nats per step).
 */
public final class Em {
    private Em() {}

    public static <S> LossCurve fit(EmModel<S> model, List<S> data, int maxIterations, double tolerance, boolean progress) {
        final LossCurve curve = new LossCurve("EM");
        final long steps = model.steps(data);
        double previous = Double.NEGATIVE_INFINITY;
        try (Progress bar = progress ? Progress.auto("EM", maxIterations) : Progress.none()) {
            for (int it = 0; it < maxIterations; it++) {
                final double objective = model.emStep(data) / steps;
                curve.add(-objective, Double.NaN);
                bar.step(String.format("loss %.5f", -objective));
                if (objective - previous < tolerance) {
                    break;
                }
                previous = objective;
            }
        }
        return curve;
    }
}
