package org.diffhmm.train;

import java.util.List;

/**
 * Something {@link Trainer} can fit by gradient ascent: a flat parameter vector and an objective
 * (a log-likelihood, possibly plus a log-prior) with its exact gradient on a batch of sequences.
 *
 * @param <S> the type of one observation sequence
 */
public interface Model<S> {
    /** Number of parameters. */
    int parameterCount();

    /** A copy of the parameters (logits and the like; unconstrained reals). */
    double[] parameters();

    /** Replaces the parameters (the array is copied). */
    void setParameters(double[] values);

    /** The objective on {@code batch} — a sum over its sequences — and its gradient. */
    Objective objective(List<S> batch);

    /** Number of observed steps in {@code batch} (objectives are reported per step). */
    long steps(List<S> batch);
}
