package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An HMM with Poisson emissions: D independent counts per step, {@code log p(x | z = j) = Σ_d [x_d
 * log λ[j][d] − λ[j][d] − log x_d!]}. A sequence is {@code int[T][D]} of counts ≥ 0. Parameters: the
 * chain's logits, then log rates {@code [N][D]} (unconstrained, so gradient steps keep λ > 0). EM is
 * closed form ({@code λ = Σ γ x / Σ γ}); see {@link EmissionHmm} and {@link Hmm} for the rest.
 */
public final class PoissonHmm extends EmissionHmm<int[][]> {
    /** Log rates lie in {@code [-100, 100]}: beyond, the densities' {@code exp(logRate)} leaves float64's useful range. */
    public static final double MAX_ABS_LOG_RATE = 100;
    private static final double MIN_RATE = 1e-10;
    private final int dims;
    private final double[] logRates;

    /**
     * A model with the given parameters (copied).
     *
     * @param chain    the hidden chain (shared, not copied: its logits are this model's)
     * @param dims     D, the counts per step, at least 1
     * @param logRates {@code [N][D]} row-major, natural logs of the rates, each in ±{@link #MAX_ABS_LOG_RATE}
     * @throws IllegalArgumentException if the sizes disagree or a log rate is out of range (naming it)
     */
    public PoissonHmm(Chain chain, int dims, double[] logRates) {
        super(chain);
        Limits.atLeast("dims", dims, 1);
        final int n = Limits.table("log rates (states × dims)", chain.states(), dims);
        if (logRates.length != n) {
            throw new IllegalArgumentException("expected " + chain.states() + "×" + dims + " log rates, got " + logRates.length);
        }
        this.dims = dims;
        checkLogRates(logRates, 0, n);
        this.logRates = logRates.clone();
    }

    /**
     * A model with log rates drawn from N(log(mean), 0.5²) and random chain logits.
     *
     * @param states N, at least 1
     * @param dims   D, at least 1
     * @param mean   where the counts lie (e.g. their mean), > 0
     * @param rng    the random source
     * @return the model
     */
    public static PoissonHmm random(int states, int dims, double mean, SplittableRandom rng) {
        Limits.atLeast("states", states, 1);
        Limits.atLeast("dims", dims, 1);
        if (!(mean > 0 && Double.isFinite(mean))) {
            throw new IllegalArgumentException("mean must be a finite number > 0, got " + mean);
        }
        final double[] logRates = new double[Limits.table("log rates (states × dims)", states, dims)];
        for (int k = 0; k < logRates.length; k++) {
            logRates[k] = Math.max(-MAX_ABS_LOG_RATE, Math.min(MAX_ABS_LOG_RATE, Math.log(mean) + 0.5 * Gaussians.standard(rng)));
        }
        return new PoissonHmm(Chain.random(states, 0.5, rng), dims, logRates);
    }

    /**
     * The counts per step.
     *
     * @return D
     */
    public int dims() {
        return dims;
    }

    /**
     * The rates.
     *
     * @return {@code λ}, {@code [N][D]} row-major
     */
    public double[] rates() {
        return Softmax.exp(logRates);
    }

    /**
     * The log rates.
     *
     * @return a copy, {@code [N][D]} row-major
     */
    public double[] logRates() {
        return logRates.clone();
    }

    /** n log rates from {@code in[offset]} within ±{@link #MAX_ABS_LOG_RATE} (the constructor's and setParameters' one check). */
    private static void checkLogRates(double[] in, int offset, int n) {
        final int bad = Limits.firstOutside(in, offset, n, MAX_ABS_LOG_RATE);
        if (bad >= 0) {
            throw new IllegalArgumentException("logRates[" + bad + "] = " + in[offset + bad] + " (expected a log rate in ["
                    + -MAX_ABS_LOG_RATE + ", " + MAX_ABS_LOG_RATE + "])");
        }
    }

    @Override
    int length(int[][] sequence) {
        return sequence.length;
    }

    @Override
    void checkSequence(int[][] x, int b) {
        for (int t = 0; t < x.length; t++) {
            if (x[t] == null) {
                throw new IllegalArgumentException("sequence " + b + " step " + t + " is null");
            }
            if (x[t].length != dims) {
                throw new IllegalArgumentException("sequence " + b + " step " + t + " has " + x[t].length
                        + " counts, the model " + dims);
            }
            for (int d = 0; d < dims; d++) {
                if (x[t][d] < 0) {
                    throw new IllegalArgumentException("sequence " + b + " step " + t + " count " + d + " is " + x[t][d]
                            + " (counts must be >= 0)");
                }
            }
        }
    }

    @Override
    int emissionParameterCount() {
        return logRates.length;
    }

    @Override
    long freeEmissionParameters() {
        return logRates.length;
    }

    @Override
    void copyEmissionParameters(double[] out, int offset) {
        System.arraycopy(logRates, 0, out, offset, logRates.length);
    }

    @Override
    void checkEmissionParameters(double[] in, int offset) {
        checkLogRates(in, offset, logRates.length);
    }

    @Override
    void setEmissionParameters(double[] in, int offset) {
        System.arraycopy(in, offset, logRates, 0, logRates.length);
    }

    @Override
    void logLikelihoods(List<int[][]> batch, int steps, double[] emit) {
        final int n = states();
        final double[] rates = rates();
        for (int b = 0; b < batch.size(); b++) {
            final int[][] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                double norm = 0;
                for (int d = 0; d < dims; d++) {
                    norm += logFactorial(x[t][d]);
                }
                for (int j = 0; j < n; j++) {
                    double s = -norm;
                    for (int d = 0; d < dims; d++) {
                        final int k = j * dims + d;
                        s += x[t][d] * logRates[k] - rates[k];
                    }
                    emit[(b * steps + t) * n + j] = s;
                }
            }
        }
    }

    @Override
    void addEmissionGradient(List<int[][]> batch, int steps, double[] gradEmit, double[] out, int offset) {
        final int n = states();
        final double[] rates = rates();
        for (int b = 0; b < batch.size(); b++) {
            final int[][] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    final double g = gradEmit[(b * steps + t) * n + j];
                    for (int d = 0; d < dims; d++) {
                        out[offset + j * dims + d] += g * (x[t][d] - rates[j * dims + d]);  // ∂/∂log λ
                    }
                }
            }
        }
    }

    @Override
    double[] emissionStatistics(List<int[][]> batch, int steps, double[] gamma) {
        // [weight N | weighted counts N·D]
        final int n = states();
        final double[] stats = new double[n + n * dims];
        for (int b = 0; b < batch.size(); b++) {
            final int[][] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    final double w = gamma[(b * steps + t) * n + j];
                    stats[j] += w;
                    for (int d = 0; d < dims; d++) {
                        stats[n + j * dims + d] += w * x[t][d];
                    }
                }
            }
        }
        return stats;
    }

    @Override
    void maximiseEmissions(double[] stats) {
        final int n = states();
        for (int j = 0; j < n; j++) {
            if (stats[j] <= 1e-12) {
                continue;  // an unused state keeps its parameters
            }
            for (int d = 0; d < dims; d++) {
                final double rate = Math.max(MIN_RATE, stats[n + j * dims + d] / stats[j]);
                logRates[j * dims + d] = Math.max(-MAX_ABS_LOG_RATE, Math.min(MAX_ABS_LOG_RATE, Math.log(rate)));
            }
        }
    }

    @Override
    int[][] sampleEmissions(int[] path, SplittableRandom rng) {
        final double[] rates = rates();
        final int[][] x = new int[path.length][dims];
        for (int t = 0; t < path.length; t++) {
            for (int d = 0; d < dims; d++) {
                x[t][d] = poisson(rates[path[t] * dims + d], rng);
            }
        }
        return x;
    }

    @Override
    void writeEmissions(ObjectNode json) {
        json.put("dims", dims);
        final ArrayNode r = json.putArray("logRates");
        for (double v : logRates) {
            r.add(v);
        }
    }

    /** A model file's fields (after format, version and type). */
    static PoissonHmm read(LocatedJson json) throws FileFormatException {
        final Chain chain = readChain(json);
        final int dims = json.integer(json.field("dims"), "/dims", 1, Limits.MAX_TABLE / chain.states());
        return new PoissonHmm(chain, dims, json.numbers("logRates", (long) chain.states() * dims, -MAX_ABS_LOG_RATE,
                MAX_ABS_LOG_RATE));
    }

    // --- Counts ------------------------------------------------------------------------------------

    private static final double[] LOG_FACTORIAL = new double[257];

    static {
        for (int k = 1; k < LOG_FACTORIAL.length; k++) {
            LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
        }
    }

    /** log k!: a table up to 256, Stirling's series beyond (relative error below 1e-15 there). */
    static double logFactorial(int k) {
        if (k < LOG_FACTORIAL.length) {
            return LOG_FACTORIAL[k];
        }
        final double x = k + 1.0;  // log Γ(x), x > 257
        final double inv = 1 / x, inv2 = inv * inv;
        return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI)
                + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
    }

    /** A Poisson draw: Knuth's product of uniforms, in pieces of rate ≤ 30 (a sum of Poissons is Poisson). */
    private static int poisson(double rate, SplittableRandom rng) {
        long count = 0;
        double left = rate;
        while (left > 0) {
            final double piece = Math.min(left, 30);
            left -= piece;
            final double limit = Math.exp(-piece);
            double product = rng.nextDouble();
            while (product > limit) {
                count++;
                product *= rng.nextDouble();
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, count);
    }
}
