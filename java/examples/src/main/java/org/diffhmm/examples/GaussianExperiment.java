package org.diffhmm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.cli.LossPlot;
import org.diffhmm.models.Chain;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.train.Em;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;

/**
 * Data from a known 5-state Gaussian HMM (means log(z+1), z = 0..4, standard deviation 1, sticky
 * transitions); a model fitted by EM and one fitted by gradient descent (Adam) from the same random
 * start; their held-out log-likelihoods per step beside the generating model's. docs/models.md §4.
 *
 * <p>{@code java -cp java/examples/target/diffhmm-examples-*-all.jar org.diffhmm.examples.GaussianExperiment [outDir]}
 */
public final class GaussianExperiment {
    private GaussianExperiment() {}

    /** Held-out log-likelihood per step of the three models, and the two training curves. */
    public record Report(double truth, double em, double gradient, LossCurve emCurve, LossCurve gradientCurve) {}

    public static GaussianHmm generatingModel() {
        final int n = 5;
        final double[] init = new double[n];
        final double[][] trans = new double[n][n];
        for (int i = 0; i < n; i++) {
            init[i] = 1.0 / n;
            for (int j = 0; j < n; j++) {
                trans[i][j] = i == j ? 0.8 : 0.05;
            }
        }
        final double[] means = new double[n];
        for (int z = 0; z < n; z++) {
            means[z] = Math.log(z + 1);
        }
        return new GaussianHmm(Chain.of(init, trans), 1, means, new double[n]);
    }

    /**
     * The experiment's data: 40 training and 20 held-out sequences of 250 steps from the generating
     * model, and the generator, which goes on to draw the models' starting points.
     *
     * @param train   the training sequences
     * @param heldOut the held-out sequences
     * @param rng     the generator after drawing them
     */
    record Data(List<double[][]> train, List<double[][]> heldOut, SplittableRandom rng) {}

    /** The data every experiment on this model uses (NeuralHmmExperiment, NeuralHmmDjlExperiment too). */
    static Data data(long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final GaussianHmm truth = generatingModel();
        final List<double[][]> train = new ArrayList<>(), heldOut = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            train.add(truth.sample(250, rng).observations());
        }
        for (int k = 0; k < 20; k++) {
            heldOut.add(truth.sample(250, rng).observations());
        }
        return new Data(train, heldOut, rng);
    }

    public static Report run(long seed, boolean progress) {
        final Data data = data(seed);
        final SplittableRandom rng = data.rng();
        final GaussianHmm truth = generatingModel();
        final List<double[][]> train = data.train(), heldOut = data.heldOut();
        final GaussianHmm em = GaussianHmm.random(5, 1, 0.8, 0.6, rng);
        final GaussianHmm gradient = GaussianHmm.random(5, 1, 0.8, 0.6, rng);
        gradient.setParameters(em.parameters());   // the same start

        final LossCurve emCurve = Em.fit(em, train, 500, 1e-9, progress);
        final Trainer.Result fit = Trainer.builder().epochs(600).schedule(Schedule.cosine(0.05, 0.02)).seed(seed)
                .progress(progress).build().fit(gradient, train, heldOut);
        final long steps = truth.steps(heldOut);
        return new Report(truth.logLikelihood(heldOut) / steps, em.logLikelihood(heldOut) / steps,
                gradient.logLikelihood(heldOut) / steps, emCurve, fit.curve());
    }

    public static void main(String[] args) throws IOException {
        final Path out = Path.of(args.length > 0 ? args[0] : "target/experiments");
        Files.createDirectories(out);
        final Report r = run(1, true);
        System.out.printf("held-out log-likelihood per step: generating model %.5f, EM %.5f, gradient (Adam) %.5f%n",
                r.truth(), r.em(), r.gradient());
        LossPlot.savePng(out.resolve("gaussian-loss.png"), "5-state Gaussian HMM: EM vs gradient", r.emCurve(),
                r.gradientCurve());
        Files.writeString(out.resolve("gaussian-gradient-loss.csv"), r.gradientCurve().toCsv());
    }
}
