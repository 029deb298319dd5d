package org.diffhmm.train;

/** Learning rate as a function of the epoch (0-based) out of the planned number of epochs. */
@FunctionalInterface
public interface Schedule {
    double rate(int epoch, int epochs);

    static Schedule constant(double rate) {
        return (epoch, epochs) -> rate;
    }

    /** Cosine decay from {@code rate} to {@code rate·floor} over the planned epochs. */
    static Schedule cosine(double rate, double floor) {
        return (epoch, epochs) -> rate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * epoch / Math.max(1, epochs))));
    }

    /** {@code rate · factor^(epoch / every)}. */
    static Schedule step(double rate, double factor, int every) {
        return (epoch, epochs) -> rate * Math.pow(factor, epoch / Math.max(1, every));
    }
}
