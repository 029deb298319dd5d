package org.diffhmm.train;

import java.util.List;

/**
 * A model with an expectation–maximisation update, the baseline gradient training is judged against.
 * The step is split in two so it can be distributed: {@link #expectations} (the E-step, over any part
 * of the data, wherever it is) and {@link #maximise} (the M-step, once, from the merged statistics).
 * Implementations are not thread-safe: one training run updates a model at a time.
 *
 * @param <S> the type of one observation sequence
 */
public interface EmModel<S> extends SequenceModel<S> {
    /**
     * The E-step: the sufficient statistics of some sequences under the current parameters.
     *
     * @param data the sequences (a part of the training data, say one partition)
     * @return their statistics, mergeable with those of other parts
     */
    EmStatistics expectations(List<S> data);

    /**
     * The M-step: replaces the parameters by those that maximise the objective given the statistics.
     *
     * @param statistics the statistics of all the training data (merged)
     * @return the objective (log-likelihood in nats, plus the log-prior where the model has one) of
     *         the parameters the step started from
     */
    double maximise(EmStatistics statistics);

    /**
     * One EM iteration on all of {@code data}: E-step under the current parameters, then the
     * M-step, which replaces the parameters. EM never decreases the objective.
     *
     * @param data the training sequences
     * @return the objective (log-likelihood in nats, plus the log-prior where the model has one) of
     *         the parameters the step started from
     */
    default double emStep(List<S> data) {
        return maximise(expectations(data));
    }
}
