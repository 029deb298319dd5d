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
 * Files.writeString(Path.of("loss.csv"), r.curve().toCsv());
 * }</pre>
 */
public final class Trainer {
    private final int epochs, batchSize, patience;
    private final double clipNorm;
    private final Schedule schedule;
    private final java.util.function.Supplier<Optimizer> optimizer;
    private final long seed;
    private final Progress.Factory progress;

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

    /**
     * One descent step on the loss per observed step, as {@link #fit} takes it: the objective's
     * gradient (summed over {@code steps} observed steps) becomes the loss gradient {@code −g / steps},
     * a non-finite one is refused, it is clipped to {@code clipNorm}, and the optimizer updates
     * {@code params} in place. Distributed trainers (diffhmm-spark) take the same step on their reduced
     * sums.
     *
     * @param optimizer the optimizer (its state carries over between calls)
     * @param params    the parameters, updated in place
     * @param value     the objective summed over the batch (checked for NaN)
     * @param gradient  its gradient, summed over the batch; overwritten with the step's loss gradient
     * @param steps     observed steps in the batch (at least 1)
     * @param clipNorm  the largest gradient norm, or 0 for no clipping
     * @param rate      the learning rate
     * @param where     names the step in the error, e.g. {@code "epoch 3"}
     * @throws IllegalStateException if the objective or the gradient is not finite; {@code params} is unchanged
     */
    public static void descend(Optimizer optimizer, double[] params, double value, double[] gradient, long steps,
                               double clipNorm, double rate, String where) {
        double norm = 0;
        for (int k = 0; k < gradient.length; k++) {
            gradient[k] = -gradient[k] / steps;  // minimise the loss per step
            norm += gradient[k] * gradient[k];
        }
        norm = Math.sqrt(norm);
        if (!Double.isFinite(norm) || Double.isNaN(value)) {
            throw new IllegalStateException("the objective or its gradient is not finite at " + where + " (objective "
                    + value + ", gradient norm " + norm + "); the model keeps its last finite parameters — lower the "
                    + "learning rate or clip the gradient");
        }
        if (clipNorm > 0 && norm > clipNorm) {
            for (int k = 0; k < gradient.length; k++) {
                gradient[k] *= clipNorm / norm;
            }
        }
        optimizer.step(params, gradient, rate);
    }

    /**
     * A builder with the defaults: 100 epochs, full batches, Adam at a constant 0.05, no clipping,
     * no early stopping, seed 1, no progress reports.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The outcome of {@link #fit}.
     *
     * @param curve           the loss per epoch (training and, when given, held-out)
     * @param bestEpoch       the epoch (from 1) whose parameters the model was left with
     * @param bestHeldOutLoss the held-out loss of those parameters, or NaN without held-out data
     * @param stoppedEarly    whether early stopping ended the run
     */
    public record Result(LossCurve curve, int bestEpoch, double bestHeldOutLoss, boolean stoppedEarly) {
        /**
         * The fit report: stopped early (the best held-out epoch restored) or ran every epoch, the
         * epochs run, the epoch whose parameters the model holds, and its loss (held-out where early
         * stopping watched it, else the last training loss).
         *
         * @return the report
         */
        public FitReport report() {
            final double[] train = curve.train();
            final boolean heldOut = !Double.isNaN(bestHeldOutLoss);
            final int kept = heldOut ? bestEpoch : train.length;
            return new FitReport(stoppedEarly ? FitReport.Stop.EARLY_STOPPING : FitReport.Stop.COMPLETED, train.length,
                    kept, heldOut ? bestHeldOutLoss : train[train.length - 1], Double.NaN, curve);
        }
    }

    /**
     * Fits {@code model} on {@code train}; {@code heldOut} (may be empty) drives early stopping and
     * the held-out curve. The model ends with the best held-out parameters (the last ones without
     * held-out data). Batches without observed steps are skipped. Not thread-safe for one model.
     *
     * @param <S>     the type of one observation sequence
     * @param model   the model, updated in place
     * @param train   the training sequences, with at least one observed step in all
     * @param heldOut held-out sequences, or an empty list or null
     * @return the curve and where the run ended
     * @throws IllegalArgumentException if there is nothing to train on, or a training or held-out
     *                                  sequence is bad ({@link SequenceModel#checkData}); the model is
     *                                  then unchanged
     * @throws IllegalStateException    if the objective or its gradient becomes non-finite; the model
     *                                  keeps the last finite parameters
     */
    public <S> Result fit(Model<S> model, List<S> train, List<S> heldOut) {
        java.util.Objects.requireNonNull(model, "model");
        if (train == null || train.isEmpty()) {
            throw new IllegalArgumentException("no training sequences");
        }
        model.checkData(train);  // all the data before any parameter changes
        if (heldOut != null && !heldOut.isEmpty()) {
            model.checkData(heldOut);
        }
        if (model.steps(train) == 0) {
            throw new IllegalArgumentException("the " + train.size() + " training sequences have no observed steps");
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
        try (Progress bar = progress.start("training", epochs)) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                Collections.shuffle(order, shuffle);
                final double rate = schedule.rate(epoch, epochs);
                double objective = 0;
                long steps = 0;
                for (int start = 0; start < order.size(); start += size) {
                    final List<S> batch = order.subList(start, Math.min(order.size(), start + size));
                    final long n = model.steps(batch);
                    if (n == 0) {
                        continue;  // only empty sequences: nothing to learn from
                    }
                    final Objective o = model.objective(batch);
                    objective += o.value();
                    steps += n;
                    descend(opt, params, o.value(), o.gradient(), n, clipNorm, rate, "epoch " + (epoch + 1));
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

    /** Settings of a {@link Trainer}; each setter checks its argument at once. */
    public static final class Builder {
        private int epochs = 100, batchSize = 0, patience = 0;
        private double clipNorm = 0;
        private Schedule schedule = Schedule.constant(0.05);
        private java.util.function.Supplier<Optimizer> optimizer = Optimizer::adam;
        private long seed = 1;
        private Progress.Factory progress = (task, total) -> Progress.none();

        /**
         * The number of passes over the training data.
         *
         * @param epochs at least 1 (default 100)
         * @return this builder
         * @throws IllegalArgumentException if {@code epochs < 1}
         */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /**
         * Sequences per minibatch.
         *
         * @param batchSize at least 1, or 0 (the default) for the whole training set
         * @return this builder
         * @throws IllegalArgumentException if {@code batchSize < 0}
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 0) {
                throw new IllegalArgumentException("batchSize must be >= 0 (0: the whole training set), got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * A constant learning rate.
         *
         * @param rate positive and finite (default 0.05)
         * @return this builder
         * @throws IllegalArgumentException if the rate is not positive and finite
         */
        public Builder learningRate(double rate) {
            this.schedule = Schedule.constant(rate);
            return this;
        }

        /**
         * A learning-rate schedule.
         *
         * @param schedule the rate per epoch
         * @return this builder
         */
        public Builder schedule(Schedule schedule) {
            this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /**
         * The optimiser.
         *
         * @param optimizer makes a fresh optimiser for every {@link #fit}, e.g. {@code Optimizer::adam} (default)
         * @return this builder
         */
        public Builder optimizer(java.util.function.Supplier<Optimizer> optimizer) {
            this.optimizer = java.util.Objects.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /**
         * Gradient clipping by global norm: the per-step gradient is rescaled to this norm when larger.
         *
         * @param clipNorm the norm, positive and finite, or 0 (the default) for no clipping
         * @return this builder
         * @throws IllegalArgumentException if negative, NaN or infinite
         */
        public Builder clipNorm(double clipNorm) {
            if (!(clipNorm >= 0 && clipNorm < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("clipNorm must be >= 0 and finite (0: no clipping), got " + clipNorm);
            }
            this.clipNorm = clipNorm;
            return this;
        }

        /**
         * Early stopping: stop after this many epochs without held-out improvement.
         *
         * @param patience at least 1, or 0 (the default) for never
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder patience(int patience) {
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0 (0: never stop early), got " + patience);
            }
            this.patience = patience;
            return this;
        }

        /**
         * The seed of the minibatch shuffle: the same seed gives the same run.
         *
         * @param seed any value (default 1)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Report progress as SLF4J log lines ({@link Progress#log}) or not at all (the default).
         *
         * @param progress whether to log progress
         * @return this builder
         */
        public Builder progress(boolean progress) {
            this.progress = progress ? Progress::log : (task, total) -> Progress.none();
            return this;
        }

        /**
         * Report progress through the caller's reporter (a terminal progress bar, a UI, a metrics sink).
         *
         * @param progress makes one reporter per {@link #fit}
         * @return this builder
         */
        public Builder progress(Progress.Factory progress) {
            this.progress = java.util.Objects.requireNonNull(progress, "progress");
            return this;
        }

        /**
         * The trainer.
         *
         * @return a trainer with this builder's settings (reusable, for any number of fits)
         */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
