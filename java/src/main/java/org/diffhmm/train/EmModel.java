package org.diffhmm.train;

import java.util.List;

/** A model with an expectation–maximisation update, the baseline gradient training is judged against. */
public interface EmModel<S> {
    /**
     * One EM iteration on all of {@code data}: E-step under the current parameters, then the
     * M-step. Returns the objective (log-likelihood, plus the log-prior where the model has one) of
     * the parameters the step started from — EM never decreases it.
     */
    double emStep(List<S> data);

    /** Number of observed steps in {@code data}. */
    long steps(List<S> data);
}
