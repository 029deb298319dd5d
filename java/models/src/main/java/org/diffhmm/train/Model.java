package org.diffhmm.train;

import java.util.List;

/**
 * Something {@link Trainer} can fit by gradient ascent: a flat parameter vector and an objective
 * (a log-likelihood, possibly plus a log-prior) with its exact gradient on a batch of sequences.
 * Implementations are not thread-safe: one training run updates a model at a time.
 *
 * @param <S> the type of one observation sequence
 */
public interface Model<S> extends SequenceModel<S> {
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
     * The objective on a batch and its gradient: the data term ({@link #dataObjective}) plus the
     * log-prior ({@link #priorObjective}) where the model has one.
     *
     * @param batch the sequences
     * @return the objective, a sum over the sequences (nats), and its gradient with respect to
     *         {@link #parameters()}
     */
    Objective objective(List<S> batch);

    /**
     * The data term of the objective alone: the log-likelihood of a batch and its gradient. Data terms
     * of disjoint parts of the data add up to that of the whole, so they can be computed where the data
     * is (Spark partitions) and summed, with the prior added once.
     *
     * @param batch the sequences
     * @return Σ log P(x) over the sequences (nats) and its gradient
     */
    default Objective dataObjective(List<S> batch) {
        return objective(batch);  // right for models without a prior; models with one override this
    }

    /**
     * The log-prior of the current parameters and its gradient: what {@link #objective} adds to the
     * data term once per call.
     *
     * @return the log-prior (nats) and its gradient; zero for models without a prior
     */
    default Objective priorObjective() {
        return new Objective(0, new double[parameterCount()]);
    }
}
