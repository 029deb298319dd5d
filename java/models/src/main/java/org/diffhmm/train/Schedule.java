package org.diffhmm.train;

/** Learning rate as a function of the epoch (0-based) out of the planned number of epochs. */
@FunctionalInterface
public interface Schedule {
    /**
     * The learning rate of one epoch.
     *
     * @param epoch  the epoch, {@code 0 <= epoch < epochs}
     * @param epochs the planned number of epochs
     * @return the rate, positive
     */
    double rate(int epoch, int epochs);

    /**
     * The same rate every epoch.
     *
     * @param rate the learning rate, positive and finite
     * @return the schedule
     * @throws IllegalArgumentException if the rate is not positive and finite
     */
    static Schedule constant(double rate) {
        requireRate(rate);
        return (epoch, epochs) -> rate;
    }

    /**
     * Cosine decay from {@code rate} to {@code rate·floor} over the planned epochs.
     *
     * @param rate  the first epoch's rate, positive and finite
     * @param floor the last epoch's fraction of it, in {@code [0, 1]}
     * @return the schedule
     * @throws IllegalArgumentException if the rate or the floor is out of range
     */
    static Schedule cosine(double rate, double floor) {
        requireRate(rate);
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("floor must be in [0, 1], got " + floor);
        }
        return (epoch, epochs) -> rate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))));
    }

    /**
     * Step decay: {@code rate · factor^(epoch / every)} (integer division).
     *
     * @param rate   the first epoch's rate, positive and finite
     * @param factor the decay per step, in {@code (0, 1]}
     * @param every  epochs per step, at least 1
     * @return the schedule
     * @throws IllegalArgumentException if an argument is out of range
     */
    static Schedule step(double rate, double factor, int every) {
        requireRate(rate);
        if (!(factor > 0 && factor <= 1)) {
            throw new IllegalArgumentException("factor must be in (0, 1], got " + factor);
        }
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, got " + every);
        }
        return (epoch, epochs) -> rate * Math.pow(factor, epoch / every);
    }

    private static void requireRate(double rate) {
        if (!(rate > 0 && rate < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + rate);
        }
    }
}
