package org.diffhmm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.cli.BundledText;
import org.diffhmm.cli.LossPlot;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.train.Em;
import org.diffhmm.train.LossCurve;
import org.diffhmm.train.Schedule;
import org.diffhmm.train.Trainer;

/**
 * A 2-state categorical HMM on a small English text bundled with the command line ({@link BundledText}:
 * public-domain U.S. documents); letters a–z and space are 27 symbols. Trained by
 * gradient descent (and by EM for comparison), the two hidden states separate vowels from
 * consonants — the classic result of Cave &amp; Neuwirth. docs/models.md §5.
 *
 * <p>{@code java -cp java/examples/target/diffhmm-examples-*-all.jar org.diffhmm.examples.TextExperiment [outDir]}
 */
public final class TextExperiment {
    /** The symbols, in id order (those of the bundled text). */
    public static final String ALPHABET = BundledText.ALPHABET;

    private TextExperiment() {}

    /**
     * The trained model, the state each symbol is more likely under ({@code stateOf[m]}), the state
     * the vowels share (or -1) and how many consonants are in the other state.
     */
    public record Report(CategoricalHmm model, int[] stateOf, int vowelState, int consonantsApart, double bitsPerLetter,
                         LossCurve curve) {}

    /** Random restarts per fit; the one with the best training likelihood is kept (a few starts end in poor optima). */
    public static final int RESTARTS = 5;

    /** Fits by gradient (Adam) when {@code gradient}, else by EM, from seeded random starts. */
    public static Report run(long seed, boolean gradient, boolean progress) {
        final List<int[]> data = BundledText.corpus();
        CategoricalHmm hmm = null;
        LossCurve curve = null;
        double best = Double.NEGATIVE_INFINITY;
        for (int restart = 0; restart < RESTARTS; restart++) {
            final CategoricalHmm candidate = CategoricalHmm.random(2, ALPHABET.length(), new SplittableRandom(seed + restart));
            final LossCurve c = gradient
                    ? Trainer.builder().epochs(500).schedule(Schedule.cosine(0.1, 0.05)).seed(seed).progress(progress)
                            .build().fit(candidate, data, List.of()).curve()
                    : Em.fit(candidate, data, 500, 1e-9, progress);
            final double logLikelihood = candidate.logLikelihood(data);
            if (logLikelihood > best) {
                best = logLikelihood;
                hmm = candidate;
                curve = c;
            }
        }
        final double[] logB = hmm.logEmissions();
        final int m = ALPHABET.length();
        final int[] stateOf = new int[m];
        for (int s = 0; s < m; s++) {
            stateOf[s] = logB[s] >= logB[m + s] ? 0 : 1;
        }
        int vowelState = stateOf[ALPHABET.indexOf('a')];
        for (char v : "eiou".toCharArray()) {
            if (stateOf[ALPHABET.indexOf(v)] != vowelState) {
                vowelState = -1;
            }
        }
        int apart = 0;
        for (int s = 0; s < 26; s++) {
            if ("aeiou".indexOf(ALPHABET.charAt(s)) < 0 && stateOf[s] != vowelState) {
                apart++;
            }
        }
        final double bits = -best / (hmm.steps(data) * Math.log(2));
        return new Report(hmm, stateOf, vowelState, apart, bits, curve);
    }

    public static void main(String[] args) throws IOException {
        final Path out = Path.of(args.length > 0 ? args[0] : "target/experiments");
        Files.createDirectories(out);
        for (boolean gradient : new boolean[] {true, false}) {
            final Report r = run(3, gradient, true);
            final StringBuilder[] groups = {new StringBuilder(), new StringBuilder()};
            for (int s = 0; s < ALPHABET.length(); s++) {
                groups[r.stateOf()[s]].append(s == 26 ? "_" : String.valueOf(ALPHABET.charAt(s)));
            }
            System.out.printf("%s: state 0 {%s}, state 1 {%s}; vowels in state %d with %d/21 consonants in the other;"
                    + " %.3f bits per letter%n", gradient ? "gradient (Adam)" : "EM", groups[0], groups[1],
                    r.vowelState(), r.consonantsApart(), r.bitsPerLetter());
            if (gradient) {
                LossPlot.savePng(out.resolve("text-loss.png"), "2-state HMM on English letters", r.curve());
            }
        }
    }
}
