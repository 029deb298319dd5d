package org.diffhmm.train;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The sufficient statistics of one EM E-step over some sequences: the log-likelihood, the number of
 * steps, and the expected counts and sums the model's M-step needs (initial and transition counts;
 * per family: emission counts, or per-state weights, sums and sums of squares, or action-conditioned
 * transition counts). Statistics of disjoint parts of the data {@link #merge} into those of the whole,
 * so the E-step can run wherever the data is (Spark partitions, threads) and the M-step once. Merging
 * in a fixed order gives bit-identical results. Serializable; not thread-safe.
 */
public final class EmStatistics implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Σ log P(x) over the sequences, in nats. */
    private double logLikelihood;
    /** The number of observed steps. */
    private long steps;
    /** The expected counts and sums, in the layout of the model that made them. */
    private final double[][] parts;

    /**
     * Statistics from an E-step.
     *
     * @param logLikelihood Σ log P(x) of the sequences
     * @param steps         their number of observed steps
     * @param parts         the expected counts and sums (taken, not copied)
     */
    public EmStatistics(double logLikelihood, long steps, double[]... parts) {
        this.logLikelihood = logLikelihood;
        this.steps = steps;
        this.parts = parts;
    }

    /**
     * Adds the statistics of other sequences (of the same model) into these.
     *
     * @param other statistics made by the same model's E-step
     * @return this
     * @throws IllegalArgumentException if the layouts differ (another model or shape)
     */
    public EmStatistics merge(EmStatistics other) {
        if (other.parts.length != parts.length) {
            throw new IllegalArgumentException("statistics of different models: " + parts.length + " vs " + other.parts.length
                    + " parts");
        }
        for (int p = 0; p < parts.length; p++) {
            if (other.parts[p].length != parts[p].length) {
                throw new IllegalArgumentException("statistics of different shapes: part " + p + " has " + parts[p].length
                        + " vs " + other.parts[p].length + " entries");
            }
            for (int k = 0; k < parts[p].length; k++) {
                parts[p][k] += other.parts[p][k];
            }
        }
        logLikelihood += other.logLikelihood;
        steps += other.steps;
        return this;
    }

    /**
     * The log-likelihood of the sequences the statistics cover.
     *
     * @return Σ log P(x) in nats
     */
    public double logLikelihood() {
        return logLikelihood;
    }

    /**
     * The number of observed steps the statistics cover.
     *
     * @return the total length
     */
    public long steps() {
        return steps;
    }

    /**
     * The number of parts (arrays of counts and sums) in the statistics.
     *
     * @return how many {@link #part} indices there are
     */
    public int parts() {
        return parts.length;
    }

    /**
     * One part of the statistics, for the model's M-step.
     *
     * @param p the index of the part
     * @return the part itself (not a copy)
     */
    public double[] part(int p) {
        return parts[p];
    }

    @Override
    public String toString() {
        return "EmStatistics[logLikelihood=" + logLikelihood + ", steps=" + steps + ", parts="
                + Arrays.toString(Arrays.stream(parts).mapToInt(a -> a.length).toArray()) + "]";
    }
}
