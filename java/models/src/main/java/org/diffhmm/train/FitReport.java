package org.diffhmm.train;

import java.util.Locale;
import java.util.Objects;

/**
 * What a fit did and why it stopped, from every trainer: {@link Em#run}, {@link Trainer.Result#report},
 * and Spark's {@code HmmEm.run}. The curve holds the objective of every iteration (as a loss: minus
 * the objective per observed step); {@code best} is the iteration whose parameters the model was left
 * with (1-based; EM leaves the last iteration's, gradient training with held-out data the best
 * held-out epoch's).
 *
 * @param stop       why the fit stopped
 * @param iterations EM iterations or epochs run
 * @param best       the iteration (from 1) whose parameters the model holds
 * @param loss       the loss of those parameters (held-out where early stopping watched it)
 * @param tolerance  the convergence tolerance (nats per step), or NaN where none applies
 * @param curve      the loss per iteration
 */
public record FitReport(Stop stop, int iterations, int best, double loss, double tolerance, LossCurve curve) {
    /** Why a fit stopped. */
    public enum Stop {
        /** The objective per step improved by less than the tolerance (EM). */
        CONVERGED,
        /** The iterations or epochs asked for ran out before convergence. */
        ITERATION_LIMIT,
        /** The held-out loss did not improve for {@code patience} epochs; the best epoch's parameters were restored. */
        EARLY_STOPPING,
        /** Gradient training without a tolerance: every epoch asked for ran. */
        COMPLETED
    }

    /**
     * A report; the curve and the reason are required.
     *
     * @param stop       why the fit stopped
     * @param iterations EM iterations or epochs run
     * @param best       the iteration (from 1) whose parameters the model holds
     * @param loss       the loss of those parameters
     * @param tolerance  the convergence tolerance, or NaN where none applies
     * @param curve      the loss per iteration
     */
    public FitReport {
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(curve, "curve");
    }

    /**
     * Whether EM converged.
     *
     * @return true if the fit stopped because the objective stopped improving
     */
    public boolean converged() {
        return stop == Stop.CONVERGED;
    }

    /**
     * One line for people, e.g. {@code "converged after 37 iterations (improvement < 1e-06 nats/step);
     * loss 2.314159"}.
     *
     * @return the summary
     */
    public String summary() {
        final String what = switch (stop) {
            case CONVERGED -> String.format(Locale.ROOT, "converged after %d iterations (improvement < %.3g nats/step)",
                    iterations, tolerance);
            case ITERATION_LIMIT -> String.format(Locale.ROOT, "stopped at the iteration limit (%d) before converging",
                    iterations);
            case EARLY_STOPPING -> String.format(Locale.ROOT,
                    "stopped early after %d epochs; the best held-out epoch, %d, restored", iterations, best);
            case COMPLETED -> String.format(Locale.ROOT, "ran all %d epochs; parameters of epoch %d kept", iterations, best);
        };
        return what + String.format(Locale.ROOT, "; loss %.6f", loss);
    }
}
