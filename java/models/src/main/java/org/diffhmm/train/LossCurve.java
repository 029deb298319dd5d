package org.diffhmm.train;

import java.util.ArrayList;
import java.util.List;

/**
 * A training curve: per epoch (or EM iteration), the loss on the training data and, when there is
 * one, on held-out data — both in nats per observed step (negative log-likelihood, plus the
 * negative log-prior where the model has one). Available as data and CSV; the command line module
 * ({@code org.diffhmm.cli.LossPlot}) draws it as a PNG. Not thread-safe.
 */
public final class LossCurve {
    private final String name;
    private final List<Double> train = new ArrayList<>();
    private final List<Double> heldOut = new ArrayList<>();

    /**
     * An empty curve.
     *
     * @param name the label of the curve (e.g. the optimiser)
     */
    public LossCurve(String name) {
        this.name = name;
    }

    /**
     * Appends one epoch or iteration.
     *
     * @param trainLoss   the training loss, nats per step
     * @param heldOutLoss the held-out loss, nats per step, or NaN when none was measured
     */
    public void add(double trainLoss, double heldOutLoss) {
        train.add(trainLoss);
        heldOut.add(heldOutLoss);
    }

    /**
     * The label of the curve.
     *
     * @return the name given at construction
     */
    public String name() {
        return name;
    }

    /**
     * The number of epochs or iterations recorded.
     *
     * @return the length of {@link #train()}
     */
    public int size() {
        return train.size();
    }

    /**
     * The training losses.
     *
     * @return a copy, nats per step, one per epoch or iteration
     */
    public double[] train() {
        return train.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The held-out losses.
     *
     * @return a copy, nats per step (NaN where none was measured)
     */
    public double[] heldOut() {
        return heldOut.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * The curve as CSV with a header line: {@code epoch,train_loss,held_out_loss}, epochs from 1.
     *
     * @return the CSV text
     */
    public String toCsv() {
        final StringBuilder s = new StringBuilder("epoch,train_loss,held_out_loss\n");
        for (int e = 0; e < train.size(); e++) {
            s.append(e + 1).append(',').append(train.get(e)).append(',').append(heldOut.get(e)).append('\n');
        }
        return s.toString();
    }
}
