package org.diffhmm.train;

import java.util.List;

/**
 * Something {@link Trainer} can fit by gradient ascent: a flat parameter vector and an objective
 * (a log-likelihood, possibly plus a log-prior) with its exact gradient on a batch of sequences.
 * Implementations are not thread-safe: one training run updates a model at a time.
 *
 * @param <S> the type of one observation sequence
 */
public interface Model<S> {
    /**
     * The number of parameters.
     *
     * @return the length of {@link #parameters()}
     */
    int parameterCount();

    /**
     * The parameters (logits and the like; unconstrained reals).
     *
     * @return a copy
     */
    double[] parameters();

    /**
     * Replaces the parameters.
     *
     * @param values {@link #parameterCount()} finite reals (copied)
     * @throws IllegalArgumentException if the length is wrong
     */
    void setParameters(double[] values);

    /**
     * The objective on a batch and its gradient.
     *
     * @param batch the sequences
     * @return the objective, a sum over the sequences (nats), and its gradient with respect to
     *         {@link #parameters()}
     */
    Objective objective(List<S> batch);

    /**
     * The number of observed steps in a batch (objectives are reported per step).
     *
     * @param batch the sequences
     * @return the total of their lengths
     */
    long steps(List<S> batch);
}
