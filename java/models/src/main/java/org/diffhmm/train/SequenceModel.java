package org.diffhmm.train;

import java.util.List;

/**
 * What every trainable model says about its data: how many observed steps it holds, and whether it
 * can be used at all. {@link Trainer} and {@link Em} check all the data before the first step, so
 * bad data is refused before any parameter changes.
 *
 * @param <S> the type of one observation sequence
 */
public interface SequenceModel<S> {
    /**
     * The number of observed steps in some sequences (objectives are reported per step).
     *
     * @param data the sequences
     * @return the total of their lengths
     */
    long steps(List<S> data);

    /**
     * Checks that every sequence can be scored by this model: the right shape, observations in range
     * and finite. The default accepts everything.
     *
     * @param data the sequences
     * @throws IllegalArgumentException naming the first bad sequence, its step and what is wrong
     */
    default void checkData(List<S> data) {}
}
