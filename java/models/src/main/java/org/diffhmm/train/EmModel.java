package org.diffhmm.train;

import java.util.List;

/**
 * A model with an expectation–maximisation update, the baseline gradient training is judged against.
 * Implementations are not thread-safe: one training run updates a model at a time.
 *
 * @param <S> the type of one observation sequence
 */
public interface EmModel<S> {
    /**
     * One EM iteration on all of {@code data}: E-step under the current parameters, then the
     * M-step, which replaces the parameters. EM never decreases the objective.
     *
     * @param data the training sequences
     * @return the objective (log-likelihood in nats, plus the log-prior where the model has one) of
     *         the parameters the step started from
     */
    double emStep(List<S> data);

    /**
     * The number of observed steps in some sequences (objectives are reported per step).
     *
     * @param data the sequences
     * @return the total of their lengths
     */
    long steps(List<S> data);
}
