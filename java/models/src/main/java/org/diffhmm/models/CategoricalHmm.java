package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An HMM with categorical emissions over M symbols {@code 0..M-1}: {@code p(x = m | z = j) =
 * softmax(emissionLogits[j])[m]}. Sequences are {@code int[]}. Parameters: the chain's logits, then
 * emission logits {@code [N][M]}. See {@link EmissionHmm} for what it offers.
 *
 * <pre>{@code
 * CategoricalHmm hmm = CategoricalHmm.random(2, 27, new SplittableRandom(1));
 * hmm.emStep(sequences);                       // or: new Trainer(...).fit(hmm, train, heldOut)
 * }</pre>
 */
public final class CategoricalHmm extends EmissionHmm<int[]> {
    private final int symbols;
    private final double[] emissionLogits;

    /**
     * A model with the given parameters (copied).
     *
     * @param chain          the hidden chain (shared, not copied: its logits are this model's)
     * @param symbols        M, the number of symbols, at least 1
     * @param emissionLogits {@code [N][M]} row-major; {@code softmax} of each row is that state's emission distribution
     * @throws IllegalArgumentException if the sizes disagree
     */
    public CategoricalHmm(Chain chain, int symbols, double[] emissionLogits) {
        super(chain);
        Limits.atLeast("symbols", symbols, 1);
        if (emissionLogits.length != Limits.table("emission logits (states × symbols)", chain.states(), symbols)) {
            throw new IllegalArgumentException("expected " + chain.states() + "×" + symbols + " emission logits, got "
                    + emissionLogits.length);
        }
        this.symbols = symbols;
        this.emissionLogits = emissionLogits.clone();
    }

    /**
     * A model with every logit drawn from N(0, 0.5²): a random, non-degenerate starting point.
     *
     * @param states  N, at least 1
     * @param symbols M, at least 1
     * @param rng     the random source
     * @return the model
     */
    public static CategoricalHmm random(int states, int symbols, SplittableRandom rng) {
        Limits.atLeast("states", states, 1);
        Limits.atLeast("symbols", symbols, 1);
        final double[] logits = new double[Limits.table("emission logits (states × symbols)", states, symbols)];
        for (int k = 0; k < logits.length; k++) {
            logits[k] = 0.5 * Gaussians.standard(rng);
        }
        return new CategoricalHmm(Chain.random(states, 0.5, rng), symbols, logits);
    }

    /**
     * The number of symbols.
     *
     * @return M
     */
    public int symbols() {
        return symbols;
    }

    /**
     * The emission log-probabilities.
     *
     * @return {@code log p(x = m | z = j)}, {@code [N][M]} row-major
     */
    public double[] logEmissions() {
        return Softmax.logProbabilities(emissionLogits, states(), symbols);
    }

    /**
     * The emission matrix.
     *
     * @return {@code B[j][m] = p(x = m | z = j)}, {@code [N][M]} (0 for a structural zero)
     */
    public double[][] emissionMatrix() {
        return Softmax.matrix(logEmissions(), states(), symbols);
    }

    @Override
    int length(int[] sequence) {
        return sequence.length;
    }

    @Override
    int emissionParameterCount() {
        return emissionLogits.length;
    }

    @Override
    void copyEmissionParameters(double[] out, int offset) {
        System.arraycopy(emissionLogits, 0, out, offset, emissionLogits.length);
    }

    @Override
    void setEmissionParameters(double[] in, int offset) {
        System.arraycopy(in, offset, emissionLogits, 0, emissionLogits.length);
    }

    @Override
    long freeEmissionParameters() {
        return freeInRows(emissionLogits, states(), symbols);
    }

    @Override
    void checkSequence(int[] x, int b) {
        for (int t = 0; t < x.length; t++) {
            if (x[t] < 0 || x[t] >= symbols) {
                throw new IllegalArgumentException("sequence " + b + " step " + t + ": symbol " + x[t]
                        + " outside [0, " + symbols + ")");
            }
        }
    }

    @Override
    void logLikelihoods(List<int[]> batch, int steps, double[] emit) {
        final double[] logB = logEmissions();
        final int n = states();
        for (int b = 0; b < batch.size(); b++) {
            final int[] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    emit[(b * steps + t) * n + j] = logB[j * symbols + x[t]];
                }
            }
        }
    }

    /** Occupancy-weighted symbol counts {@code [N][M]}. */
    private double[] counts(List<int[]> batch, int steps, double[] weights) {
        final int n = states();
        final double[] counts = new double[n * symbols];
        for (int b = 0; b < batch.size(); b++) {
            final int[] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    counts[j * symbols + x[t]] += weights[(b * steps + t) * n + j];
                }
            }
        }
        return counts;
    }

    @Override
    void addEmissionGradient(List<int[]> batch, int steps, double[] gradEmit, double[] out, int offset) {
        Softmax.addGradient(logEmissions(), counts(batch, steps, gradEmit), states(), symbols, out, offset);
    }

    @Override
    double[] emissionStatistics(List<int[]> batch, int steps, double[] gamma) {
        return counts(batch, steps, gamma);
    }

    @Override
    void maximiseEmissions(double[] counts) {
        final double[] logits = Softmax.fromCounts(counts, states(), symbols, 1e-12, emissionLogits);  // zeros stay zero
        System.arraycopy(logits, 0, emissionLogits, 0, logits.length);
    }

    @Override
    int[] sampleEmissions(int[] path, SplittableRandom rng) {
        final double[] logB = logEmissions();
        final int[] x = new int[path.length];
        for (int t = 0; t < path.length; t++) {
            x[t] = Softmax.draw(logB, path[t] * symbols, symbols, rng);
        }
        return x;
    }

    /** A model file's fields (after format, version and type). */
    static CategoricalHmm read(LocatedJson json) throws FileFormatException {
        final Chain chain = readChain(json);
        final int symbols = json.integer(json.field("symbols"), "/symbols", 1, Limits.MAX_TABLE / chain.states());
        return new CategoricalHmm(chain, symbols, json.numbers("emissionLogits", (long) chain.states() * symbols, true));
    }

    @Override
    void writeEmissions(ObjectNode json) {
        json.put("symbols", symbols);
        final ArrayNode logits = json.putArray("emissionLogits");
        for (double v : emissionLogits) {
            logits.add(v);
        }
    }
}
