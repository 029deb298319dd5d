package org.diffhmm.train;

import java.util.Objects;
import java.util.function.LongFunction;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Several fits from seeded starts, keeping the best: the remedy for local optima that hmmlearn,
 * pomegranate and dynamax users reach for. Fit {@code r} starts from {@code start.apply(seed + r)}
 * and is scored by what {@code fit} returns (an objective: higher is better, e.g. the final
 * log-likelihood per step); the fits run in parallel on the common fork-join pool (each model is its
 * own; the native calls are thread-safe), and the result does not depend on their timing: the best
 * objective wins, ties to the lowest {@code r}. A fit that throws fails the whole call.
 *
 * <pre>{@code
 * Restarts.Best<GaussianHmm> best = Restarts.best(5, 1L,
 *         seed -> GaussianHmm.kMeansStart(3, data, new SplittableRandom(seed)),
 *         hmm -> {
 *             Em.fit(hmm, data, 200, 1e-6, false);
 *             return hmm.logLikelihood(data);
 *         });
 * }</pre>
 */
public final class Restarts {
    private Restarts() {}

    /**
     * The best of several fits.
     *
     * @param <M>        the model type
     * @param model      the best model (as its fit left it)
     * @param objective  its objective
     * @param start      which start it came from, in {@code [0, restarts)}
     * @param objectives every start's objective, in start order
     */
    public record Best<M>(M model, double objective, int start, double[] objectives) {}

    /**
     * Runs the fits and keeps the best.
     *
     * @param <M>      the model type
     * @param restarts how many starts, at least 1
     * @param seed     start r is made with seed {@code seed + r}
     * @param start    makes a start from its seed
     * @param fit      fits a start in place and returns its objective (higher is better; NaN never wins)
     * @return the best fit
     * @throws IllegalArgumentException if {@code restarts < 1}
     */
    public static <M> Best<M> best(int restarts, long seed, LongFunction<M> start, ToDoubleFunction<M> fit) {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(fit, "fit");
        if (restarts < 1) {
            throw new IllegalArgumentException("restarts must be >= 1, got " + restarts);
        }
        @SuppressWarnings("unchecked")
        final M[] models = (M[]) new Object[restarts];
        final double[] objectives = new double[restarts];
        IntStream.range(0, restarts).parallel().forEach(r -> {
            final M m = Objects.requireNonNull(start.apply(seed + r), "start " + r);
            objectives[r] = fit.applyAsDouble(m);
            models[r] = m;
        });
        int best = -1;
        for (int r = 0; r < restarts; r++) {
            if (!Double.isNaN(objectives[r]) && (best < 0 || objectives[r] > objectives[best])) {
                best = r;
            }
        }
        if (best < 0) {
            best = 0;  // every objective NaN: the first start, so the caller sees what it got
        }
        return new Best<>(models[best], objectives[best], best, objectives.clone());
    }
}
