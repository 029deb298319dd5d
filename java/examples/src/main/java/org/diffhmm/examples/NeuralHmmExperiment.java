package org.diffhmm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.diffhmm.cli.LossPlot;
import org.diffhmm.pytorch.TorchHmm;
import org.diffhmm.train.LossCurve;

/**
 * A neural HMM trained in PyTorch (JavaCPP presets) with diffhmm as its likelihood layer, next to
 * diffhmm's own EM and Adam on the same data (GaussianExperiment's 5-state Gaussian HMM, 40 training
 * and 20 held-out sequences of 250 steps) and diffhmm's own Adam {@code Trainer}. The neural emission model: a learnt 8-dimensional embedding
 * per state, a 2-layer MLP (8 → 16, tanh, → 2) giving the state's mean and log standard deviation,
 * {@code emit[b][t][j] = log N(x_bt; μ_j, σ_j)}; transitions and initial distribution as free logits.
 * PyTorch's Adam updates every parameter from the exact gradient {@link TorchHmm#nll} passes back.
 *
 * <pre>java -cp java/examples/target/diffhmm-examples-*-all.jar org.diffhmm.examples.NeuralHmmExperiment [out]</pre>
 */
public final class NeuralHmmExperiment {
    private NeuralHmmExperiment() {}

    /**
     * What a run gives.
     *
     * @param truth        held-out log-likelihood per step of the generating model
     * @param em           of diffhmm's EM (GaussianExperiment)
     * @param neural       of the neural HMM (trained in PyTorch here, in DJL by NeuralHmmDjlExperiment)
     * @param trainer      of diffhmm's own Adam {@code Trainer} (GaussianExperiment)
     * @param curve        the neural HMM's training and held-out loss per Adam step (nats per step)
     * @param trainerCurve diffhmm's Trainer's curve on the same data
     */
    public record Report(double truth, double em, double trainer, double neural, LossCurve curve, LossCurve trainerCurve) {}

    /** The same curve under another name (for a plot's legend). */
    static LossCurve renamed(LossCurve curve, String name) {
        final LossCurve copy = new LossCurve(name);
        final double[] train = curve.train(), held = curve.heldOut();
        for (int k = 0; k < train.length; k++) {
            copy.add(train[k], held[k]);
        }
        return copy;
    }

    static Tensor batch(List<double[][]> sequences) {
        final int b = sequences.size(), t = sequences.get(0).length;
        final double[] flat = new double[b * t];
        for (int i = 0; i < b; i++) {
            for (int s = 0; s < t; s++) {
                flat[i * t + s] = sequences.get(i)[s][0];
            }
        }
        try (DoublePointer p = new DoublePointer(flat)) {
            return torch.from_blob(p, new long[] {b, t}, new TensorOptions(torch.ScalarType.Double)).clone();
        }
    }

    /** The network: state embeddings and an MLP from an embedding to (mean, log std). */
    static final class Emissions {
        final Tensor embedding;
        final LinearImpl hidden = new LinearImpl(8, 16), out = new LinearImpl(16, 2);

        Emissions(int states) {
            embedding = torch.randn(states, 8).to(torch.ScalarType.Double).mul(new org.bytedeco.pytorch.Scalar(0.5))
                    .requires_grad_(true);
            hidden.to(torch.ScalarType.Double, false);
            out.to(torch.ScalarType.Double, false);
        }

        /** {@code log N(x[b][t]; μ_j, σ_j)}, {@code [B][T][N]}. */
        Tensor logDensity(Tensor x) {
            final Tensor params = out.forward(hidden.forward(embedding).tanh());   // [N][2]
            final Tensor mean = params.select(1, 0), logStd = params.select(1, 1);  // [N]
            final Tensor z = x.unsqueeze(2).sub(mean).div(logStd.exp());           // [B][T][N]
            return z.square().mul(new org.bytedeco.pytorch.Scalar(-0.5)).sub(logStd)
                    .sub(new org.bytedeco.pytorch.Scalar(0.5 * Math.log(2 * Math.PI)));
        }

        void addParameters(List<Tensor> into) {
            into.add(embedding);
            for (Tensor p : hidden.parameters().get()) {
                into.add(p);
            }
            for (Tensor p : out.parameters().get()) {
                into.add(p);
            }
        }
    }

    /**
     * Trains the neural HMM for {@code steps} full-batch Adam steps.
     *
     * @param seed  the data and initialisation seed
     * @param steps Adam steps
     * @return the report
     */
    public static Report run(long seed, int steps) {
        final GaussianExperiment.Report em = GaussianExperiment.run(seed, false);
        final GaussianExperiment.Data data = GaussianExperiment.data(seed);
        final List<double[][]> train = data.train(), heldOut = data.heldOut();
        final int n = 5;
        torch.manual_seed(seed);
        final Emissions emissions = new Emissions(n);
        final Tensor transLogits = torch.zeros(n, n).to(torch.ScalarType.Double).requires_grad_(true);
        final Tensor initLogits = torch.zeros(n).to(torch.ScalarType.Double).requires_grad_(true);
        final List<Tensor> parameters = new ArrayList<>(List.of(transLogits, initLogits));
        emissions.addParameters(parameters);
        final Adam adam = new Adam(new TensorVector(parameters.toArray(new Tensor[0])), new AdamOptions(0.05));

        final Tensor xTrain = batch(train), xHeld = batch(heldOut);
        final long[] trainLengths = new long[train.size()], heldLengths = new long[heldOut.size()];
        java.util.Arrays.fill(trainLengths, 250);
        java.util.Arrays.fill(heldLengths, 250);
        final double trainSteps = 250.0 * train.size(), heldSteps = 250.0 * heldOut.size();
        final LossCurve curve = new LossCurve("neural HMM, Adam in PyTorch");
        double held = Double.NaN;
        for (int step = 0; step < steps; step++) {
            adam.zero_grad();
            final Tensor loss = TorchHmm.nll(emissions.logDensity(xTrain), torch.log_softmax(transLogits, 1),
                    torch.log_softmax(initLogits, 0), trainLengths);
            loss.backward();
            adam.step();
            try (NoGradGuard noGrad = new NoGradGuard()) {
                held = TorchHmm.nll(emissions.logDensity(xHeld), torch.log_softmax(transLogits, 1),
                        torch.log_softmax(initLogits, 0), heldLengths).item_double() / heldSteps;
            }
            curve.add(loss.item_double() / trainSteps, held);
        }
        return new Report(em.truth(), em.em(), em.gradient(), -held, curve, renamed(em.gradientCurve(), "diffhmm Trainer, Adam"));
    }

    /**
     * Runs 300 steps, prints the comparison and writes the loss curve.
     *
     * @param args optional: the output folder (default target/experiments)
     * @throws IOException if the plot cannot be written
     */
    public static void main(String[] args) throws IOException {
        final Path out = Path.of(args.length > 0 ? args[0] : "target/experiments");
        Files.createDirectories(out);
        publish(run(1, 300), "PyTorch", out.resolve("neural-hmm-loss.png"));
    }

    /**
     * Prints a run's held-out curve every 25 steps and the comparison, and plots the neural HMM's loss
     * curve beside diffhmm's Trainer's.
     *
     * @param r     the run
     * @param stack the framework the neural HMM was trained in
     * @param png   where the plot goes
     * @throws IOException if the plot cannot be written
     */
    static void publish(Report r, String stack, Path png) throws IOException {
        final double[] held = r.curve().heldOut();
        for (int s = 0; s < held.length; s += 25) {
            System.out.printf("step %3d: held-out log-likelihood per step %.5f%n", s + 1, -held[s]);
        }
        System.out.printf("held-out log-likelihood per step: generating model %.5f, diffhmm EM %.5f, "
                + "diffhmm Trainer (Adam) %.5f, neural HMM in %s %.5f%n", r.truth(), r.em(), r.trainer(), stack, r.neural());
        LossPlot.savePng(png, "Neural HMM in " + stack + ", diffhmm as the layer", r.curve(), r.trainerCurve());
    }
}
