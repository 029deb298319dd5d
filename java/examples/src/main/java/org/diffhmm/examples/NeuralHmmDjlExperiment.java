package org.diffhmm.examples;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffhmm.djl.HmmNllBlock;
import org.diffhmm.train.LossCurve;

/**
 * The neural HMM of {@link NeuralHmmExperiment}, built and trained in Deep Java Library (DJL, PyTorch
 * engine) with diffhmm's {@link HmmNllBlock} as its likelihood layer: the same data (GaussianExperiment's
 * 5-state Gaussian HMM, 40 training and 20 held-out sequences of 250 steps), a learnt 8-dimensional
 * embedding per state through a 2-layer MLP (8 → 16, tanh, → 2) to the state's mean and log standard
 * deviation, transitions and initial distribution as the block's logits, DJL's {@code Trainer} with
 * its Adam, float32 throughout. Printed next to EM and diffhmm's own gradient {@code Trainer}.
 *
 * <p>libtorch comes from DJL's {@code pytorch-native-cpu} jar, which the examples' {@code -all} jar
 * leaves out (110 MB); put it on the class path and run offline:
 *
 * <pre>java -Dai.djl.offline=true -cp java/examples/target/diffhmm-examples-*-all.jar:pytorch-native-cpu-2.7.1-linux-x86_64.jar \
 *     org.diffhmm.examples.NeuralHmmDjlExperiment [out]</pre>
 */
public final class NeuralHmmDjlExperiment {
    private NeuralHmmDjlExperiment() {}

    /** Observations {@code [B][T]} → emission log-densities {@code [B][T][N]} → the HMM's negative log-likelihood. */
    static final class NeuralHmm extends AbstractBlock {
        private final int states;
        private final Parameter embedding;
        private final Linear hidden, out;
        private final HmmNllBlock hmm;

        NeuralHmm(int states) {
            super((byte) 1);
            this.states = states;
            embedding = addParameter(Parameter.builder().setName("embedding").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(states, 8)).optInitializer(new NormalInitializer(0.5f)).build());
            hidden = addChildBlock("hidden", Linear.builder().setUnits(16).build());
            out = addChildBlock("out", Linear.builder().setUnits(2).build());
            hmm = addChildBlock("hmm", new HmmNllBlock(states));
        }

        /** {@code log N(x[b][t]; μ_j, σ_j)}, {@code [B][T][N]}. */
        NDArray logDensity(ParameterStore ps, NDArray x, boolean training) {
            final NDArray e = ps.getValue(embedding, x.getDevice(), training);
            final NDArray h = hidden.forward(ps, new NDList(e), training).singletonOrThrow().tanh();
            final NDArray params = out.forward(ps, new NDList(h), training).singletonOrThrow();   // [N][2]
            final NDArray mean = params.get(":, 0"), logStd = params.get(":, 1");             // [N]
            final NDArray z = x.expandDims(2).sub(mean).div(logStd.exp());                   // [B][T][N]
            return z.square().mul(-0.5).sub(logStd).sub(0.5 * Math.log(2 * Math.PI));
        }

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            final NDArray emit = logDensity(ps, inputs.get(0), training);
            return hmm.forward(ps, new NDList(emit, inputs.get(1)), training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape()};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            hidden.initialize(manager, dataType, new Shape(states, 8));
            out.initialize(manager, dataType, new Shape(states, 16));
            final Shape x = inputShapes[0];
            hmm.initialize(manager, dataType, new Shape(x.get(0), x.get(1), states), inputShapes[1]);
        }
    }

    static NDArray batch(NDManager manager, List<double[][]> sequences) {
        final int b = sequences.size(), t = sequences.get(0).length;
        final float[] flat = new float[b * t];
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                flat[i * t + s] = (float) sequences.get(i)[s][0];
            }
        }
        return manager.create(flat, new Shape(b, t));
    }

    /**
     * Trains the neural HMM for {@code steps} full-batch Adam steps.
     *
     * @param seed  the data and initialisation seed
     * @param steps Adam steps
     * @return the report ({@link NeuralHmmExperiment.Report}; its neural figures are this DJL model's)
     */
    public static NeuralHmmExperiment.Report run(long seed, int steps) {
        final GaussianExperiment.Report reference = GaussianExperiment.run(seed, false);
        final GaussianExperiment.Data data = GaussianExperiment.data(seed);
        final List<double[][]> train = data.train(), heldOut = data.heldOut();
        final int n = 5;
        Engine.getInstance().setRandomSeed((int) seed);
        final LossCurve curve = new LossCurve("neural HMM, Adam in DJL");
        double held = Double.NaN;
        try (Model model = Model.newInstance("neural-hmm")) {
            model.setBlock(new NeuralHmm(n));
            // The block's output is the loss itself; the config's Loss is never evaluated.
            final DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l1Loss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                final NDManager manager = trainer.getManager();
                final NDArray xTrain = batch(manager, train), xHeld = batch(manager, heldOut);
                final long[] trainSteps250 = new long[train.size()], heldSteps250 = new long[heldOut.size()];
                java.util.Arrays.fill(trainSteps250, 250);
                java.util.Arrays.fill(heldSteps250, 250);
                final NDArray trainLengths = manager.create(trainSteps250), heldLengths = manager.create(heldSteps250);
                trainer.initialize(xTrain.getShape(), trainLengths.getShape());
                final double trainSteps = 250.0 * train.size(), heldSteps = 250.0 * heldOut.size();
                for (int step = 0; step < steps; step++) {
                    final double trainLoss;
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        final NDArray loss = trainer.forward(new NDList(xTrain, trainLengths)).singletonOrThrow();
                        collector.backward(loss);
                        trainLoss = loss.getFloat() / trainSteps;
                    }
                    trainer.step();
                    held = trainer.evaluate(new NDList(xHeld, heldLengths)).singletonOrThrow().getFloat() / heldSteps;
                    curve.add(trainLoss, held);
                }
            }
        }
        return new NeuralHmmExperiment.Report(reference.truth(), reference.em(), reference.gradient(), -held, curve,
                NeuralHmmExperiment.renamed(reference.gradientCurve(), "diffhmm Trainer, Adam"));
    }

    /**
     * Runs 300 steps, prints the comparison and writes the loss curves.
     *
     * @param args optional: the output folder (default target/experiments)
     * @throws IOException if the plot cannot be written
     */
    public static void main(String[] args) throws IOException {
        final Path out = Path.of(args.length > 0 ? args[0] : "target/experiments");
        Files.createDirectories(out);
        NeuralHmmExperiment.publish(run(1, 300), "DJL", out.resolve("neural-hmm-djl-loss.png"));
    }
}
