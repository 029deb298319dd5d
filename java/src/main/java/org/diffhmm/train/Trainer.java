package org.diffhmm.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Gradient training of a {@link Model}: minibatches of variable-length sequences, Adam or SGD, a
 * learning-rate {@link Schedule}, gradient clipping by global norm, early stopping on held-out data
 * (the best parameters are restored), a seeded shuffle — the same seed gives the same run.
 *
 * <p>The loss is the negative objective per observed step (nats per step), so learning rates do not
 * depend on sequence lengths or batch sizes.
 *
 * <pre>{@code
 * Trainer.Result r = Trainer.builder().epochs(200).batchSize(16).learningRate(0.05).seed(1).build()
 *         .fit(model, train, heldOut);
 * LossCurve.savePng(Path.of("loss.png"), "training", r.curve());
 * }</pre>
 */
public final class Trainer {
    private final int epochs, batchSize, patience;
    private final double clipNorm;
    private final Schedule schedule;
    private final java.util.function.Supplier<Optimizer> optimizer;
    private final long seed;
    private final boolean progress;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.patience = b.patience;
        this.clipNorm = b.clipNorm;
        this.schedule = b.schedule;
        this.optimizer = b.optimizer;
        this.seed = b.seed;
        this.progress = b.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The outcome of {@link #fit}: the loss curve, the epoch whose parameters were kept, why it stopped. */
    public record Result(LossCurve curve, int bestEpoch, double bestHeldOutLoss, boolean stoppedEarly) {}

    /**
     * Fits {@code model} on {@code train}; {@code heldOut} (may be empty) drives early stopping and
     * the held-out curve. The model ends with the best held-out parameters (the last ones without
     * held-out data).
     */
    public <S> Result fit(Model<S> model, List<S> train, List<S> heldOut) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training sequences");
        }
        final Optimizer opt = optimizer.get();
        final Random shuffle = new Random(seed);
        final List<S> order = new ArrayList<>(train);
        final int size = batchSize <= 0 ? train.size() : Math.min(batchSize, train.size());
        final boolean hasHeldOut = heldOut != null && !heldOut.isEmpty();
        final LossCurve curve = new LossCurve(opt.toString());
        double[] params = model.parameters();
        double[] best = params.clone();
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0, sinceBest = 0;
        boolean stopped = false;
        try (Progress bar = progress ? Progress.auto("training", epochs) : Progress.none()) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                Collections.shuffle(order, shuffle);
                final double rate = schedule.rate(epoch, epochs);
                double objective = 0;
                long steps = 0;
                for (int start = 0; start < order.size(); start += size) {
                    final List<S> batch = order.subList(start, Math.min(order.size(), start + size));
                    final Objective o = model.objective(batch);
                    final long n = model.steps(batch);
                    objective += o.value();
                    steps += n;
                    final double[] g = o.gradient();
                    double norm = 0;
                    for (int k = 0; k < g.length; k++) {
                        g[k] = -g[k] / n;  // minimise the loss per step
                        norm += g[k] * g[k];
                    }
                    norm = Math.sqrt(norm);
                    if (clipNorm > 0 && norm > clipNorm) {
                        for (int k = 0; k < g.length; k++) {
                            g[k] *= clipNorm / norm;
                        }
                    }
                    opt.step(params, g, rate);
                    model.setParameters(params);
                }
                final double trainLoss = -objective / steps;
                final double heldOutLoss = hasHeldOut ? -model.objective(heldOut).value() / model.steps(heldOut) : Double.NaN;
                curve.add(trainLoss, heldOutLoss);
                bar.step(String.format("loss %.5f%s", trainLoss, hasHeldOut ? String.format(" held-out %.5f", heldOutLoss) : ""));
                final double watched = hasHeldOut ? heldOutLoss : trainLoss;
                if (watched < bestLoss) {
                    bestLoss = watched;
                    bestEpoch = epoch + 1;
                    best = params.clone();
                    sinceBest = 0;
                } else if (hasHeldOut && patience > 0 && ++sinceBest >= patience) {
                    stopped = true;
                    break;
                }
            }
        }
        model.setParameters(hasHeldOut ? best : params);
        return new Result(curve, bestEpoch, hasHeldOut ? bestLoss : Double.NaN, stopped);
    }

    public static final class Builder {
        private int epochs = 100, batchSize = 0, patience = 0;
        private double clipNorm = 0;
        private Schedule schedule = Schedule.constant(0.05);
        private java.util.function.Supplier<Optimizer> optimizer = Optimizer::adam;
        private long seed = 1;
        private boolean progress = false;

        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1");
            }
            this.epochs = epochs;
            return this;
        }

        /** Sequences per minibatch; 0 (default) means the whole training set. */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** A constant learning rate (default 0.05). */
        public Builder learningRate(double rate) {
            this.schedule = Schedule.constant(rate);
            return this;
        }

        public Builder schedule(Schedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Adam (default) or SGD: a fresh optimiser is made for every {@link #fit}. */
        public Builder optimizer(java.util.function.Supplier<Optimizer> optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** Rescale the per-step gradient to this global norm when it is larger (0 = off). */
        public Builder clipNorm(double clipNorm) {
            this.clipNorm = clipNorm;
            return this;
        }

        /** Stop after this many epochs without held-out improvement (0 = never). */
        public Builder patience(int patience) {
            this.patience = patience;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Show a progress bar (terminal) or log lines. */
        public Builder progress(boolean progress) {
            this.progress = progress;
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
