package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An HMM with diagonal Gaussian emissions in D dimensions (D = 1 for scalar data):
 * {@code log p(x | z = j) = Σ_d [−½ log 2π − logStd[j][d] − ½ ((x_d − mean[j][d]) / std[j][d])²]}.
 * A sequence is {@code double[T][D]}. Parameters: the chain's logits, then means {@code [N][D]},
 * then log standard deviations {@code [N][D]} (unconstrained, so gradient steps keep σ > 0).
 * See {@link EmissionHmm} for what it offers.
 */
public final class GaussianHmm extends EmissionHmm<double[][]> {
    private static final double MIN_VARIANCE = 1e-6;
    /**
     * Log standard deviations lie in {@code [-100, 100]} (σ from 3.7e-44 to 2.7e43): beyond, the
     * densities' {@code exp(±logStd)} and squares overflow float64.
     */
    public static final double MAX_ABS_LOG_STD = 100;
    private final int dims;
    private final double[] means;
    private final double[] logStds;

    /**
     * A model with the given parameters (copied).
     *
     * @param chain   the hidden chain (shared, not copied: its logits are this model's)
     * @param dims    D, at least 1
     * @param means   {@code [N][D]} row-major
     * @param logStds {@code [N][D]} row-major, natural log of the standard deviations, each in
     *                {@code [-MAX_ABS_LOG_STD, MAX_ABS_LOG_STD]}
     * @throws IllegalArgumentException if the sizes disagree, a mean is not finite or a log standard
     *                                  deviation is out of range (the message names the entry)
     */
    public GaussianHmm(Chain chain, int dims, double[] means, double[] logStds) {
        super(chain);
        Limits.atLeast("dims", dims, 1);
        final int n = Limits.table("means (states × dims)", chain.states(), dims);
        if (means.length != n || logStds.length != n) {
            throw new IllegalArgumentException("expected " + chain.states() + "×" + dims + " means and log-stds, got "
                    + means.length + " and " + logStds.length);
        }
        checkEmissions(means, 0, logStds, 0, n);
        this.dims = dims;
        this.means = means.clone();
        this.logStds = logStds.clone();
    }

    /**
     * A model with means drawn from N(center, spread²), unit standard deviations and random chain logits.
     *
     * @param states N, at least 1
     * @param dims   D, at least 1
     * @param center where the data lie (e.g. their mean)
     * @param spread how far apart the means start (e.g. the data's standard deviation)
     * @param rng    the random source
     * @return the model
     */
    public static GaussianHmm random(int states, int dims, double center, double spread, SplittableRandom rng) {
        Limits.atLeast("states", states, 1);
        Limits.atLeast("dims", dims, 1);
        final double[] means = new double[Limits.table("means (states × dims)", states, dims)];
        for (int k = 0; k < means.length; k++) {
            means[k] = center + spread * Gaussians.standard(rng);
        }
        return new GaussianHmm(Chain.random(states, 0.5, rng), dims, means, new double[states * dims]);
    }

    /**
     * A model started from the data: means at seeded k-means++ centres of the observations (then
     * Lloyd iterations; {@code KMeans}), standard deviations at each cluster's spread per dimension
     * (the data's own spread for a cluster of fewer than two points, floored at 1e-3 of it), and
     * near-uniform chain logits drawn from N(0, 0.1²) — the start hmmlearn users expect, which EM and
     * gradient training leave local optima far less often than random means do.
     *
     * @param states N, at least 1
     * @param data   the training sequences, with at least one observation, all of one dimension
     * @param rng    the random source (the same seed gives the same start)
     * @return the model
     * @throws IllegalArgumentException if there is no observation, or a sequence cannot be scored
     *                                  (ragged dimensions, non-finite values)
     */
    public static GaussianHmm kMeansStart(int states, List<double[][]> data, SplittableRandom rng) {
        Limits.atLeast("states", states, 1);
        java.util.Objects.requireNonNull(data, "data");
        java.util.Objects.requireNonNull(rng, "rng");
        int dims = -1;
        for (double[][] x : data) {
            if (x != null && x.length > 0 && x[0] != null) {
                dims = x[0].length;
                break;
            }
        }
        if (dims < 1) {
            throw new IllegalArgumentException("no observations to start from");
        }
        final GaussianHmm probe = new GaussianHmm(Chain.random(states, 0.1, rng), dims, new double[states * dims],
                new double[states * dims]);
        probe.checkData(data);  // every sequence of this dimension, finite
        final List<double[]> points = KMeans.points(data, rng);
        final KMeans.Result k = KMeans.cluster(points, states, rng);
        final double[] mean = new double[dims], spread = new double[dims];
        for (double[] x : points) {
            for (int d = 0; d < dims; d++) {
                mean[d] += x[d] / points.size();
            }
        }
        for (double[] x : points) {
            for (int d = 0; d < dims; d++) {
                spread[d] += (x[d] - mean[d]) * (x[d] - mean[d]) / points.size();
            }
        }
        final double[] means = new double[states * dims], logStds = new double[states * dims];
        for (int j = 0; j < states; j++) {
            for (int d = 0; d < dims; d++) {
                final double overall = Math.max(MIN_VARIANCE, spread[d]);
                final double v = Double.isNaN(k.variances()[j][d]) ? overall
                        : Math.max(k.variances()[j][d], Math.max(MIN_VARIANCE, 1e-6 * overall));
                means[j * dims + d] = k.centres()[j][d];
                logStds[j * dims + d] = Math.max(-MAX_ABS_LOG_STD, Math.min(MAX_ABS_LOG_STD, 0.5 * Math.log(v)));
            }
        }
        return new GaussianHmm(probe.chain(), dims, means, logStds);
    }

    /**
     * The dimension of one observation.
     *
     * @return D
     */
    public int dims() {
        return dims;
    }

    /**
     * The means.
     *
     * @return a copy, {@code [N][D]} row-major
     */
    public double[] means() {
        return means.clone();
    }

    /**
     * The standard deviations.
     *
     * @return {@code σ}, {@code [N][D]} row-major
     */
    public double[] stds() {
        return Softmax.exp(logStds);
    }

    /**
     * The log standard deviations.
     *
     * @return a copy, {@code [N][D]} row-major
     */
    public double[] logStds() {
        return logStds.clone();
    }

    @Override
    int length(double[][] sequence) {
        return sequence.length;
    }

    @Override
    int emissionParameterCount() {
        return 2 * means.length;
    }

    @Override
    void copyEmissionParameters(double[] out, int offset) {
        System.arraycopy(means, 0, out, offset, means.length);
        System.arraycopy(logStds, 0, out, offset + means.length, logStds.length);
    }

    /** Means finite, log standard deviations within ±{@link #MAX_ABS_LOG_STD}: what a model file can hold. */
    @Override
    void checkEmissionParameters(double[] in, int offset) {
        checkEmissions(in, offset, in, offset + means.length, means.length);
    }

    /** n means from {@code means[m]} finite and n log standard deviations from {@code logStds[s]} in range (the constructor's and setParameters' one check). */
    private static void checkEmissions(double[] means, int m, double[] logStds, int s, int n) {
        for (int k = 0; k < n; k++) {
            if (!Double.isFinite(means[m + k])) {
                throw new IllegalArgumentException("means[" + k + "] = " + means[m + k] + " (expected a finite number)");
            }
        }
        final int bad = Limits.firstOutside(logStds, s, n, MAX_ABS_LOG_STD);
        if (bad >= 0) {
            throw new IllegalArgumentException("logStds[" + bad + "] = " + logStds[s + bad]
                    + " (expected a log standard deviation in [" + -MAX_ABS_LOG_STD + ", " + MAX_ABS_LOG_STD + "])");
        }
    }

    @Override
    void setEmissionParameters(double[] in, int offset) {
        System.arraycopy(in, offset, means, 0, means.length);
        System.arraycopy(in, offset + means.length, logStds, 0, logStds.length);
    }

    /** A mean and a standard deviation per state and dimension. */
    @Override
    long freeEmissionParameters() {
        return 2L * means.length;
    }

    @Override
    void checkSequence(double[][] x, int b) {
        for (int t = 0; t < x.length; t++) {
            if (x[t] == null) {
                throw new IllegalArgumentException("sequence " + b + " step " + t + " is null");
            }
            if (x[t].length != dims) {
                throw new IllegalArgumentException("sequence " + b + " step " + t + " has " + x[t].length
                        + " dimensions, the model " + dims);
            }
            for (int d = 0; d < dims; d++) {
                if (!Double.isFinite(x[t][d])) {
                    throw new IllegalArgumentException("sequence " + b + " step " + t + " dimension " + d + " is " + x[t][d]
                            + " (observations must be finite)");
                }
            }
        }
    }

    @Override
    void logLikelihoods(List<double[][]> batch, int steps, double[] emit) {
        final int n = states();
        for (int b = 0; b < batch.size(); b++) {
            final double[][] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int d = 0; d < dims; d++) {
                        final double z = (x[t][d] - means[j * dims + d]) * Math.exp(-logStds[j * dims + d]);
                        s -= Gaussians.HALF_LOG_TWO_PI + logStds[j * dims + d] + 0.5 * z * z;
                    }
                    emit[(b * steps + t) * n + j] = s;
                }
            }
        }
    }

    @Override
    void addEmissionGradient(List<double[][]> batch, int steps, double[] gradEmit, double[] out, int offset) {
        final int n = states();
        for (int b = 0; b < batch.size(); b++) {
            final double[][] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    final double g = gradEmit[(b * steps + t) * n + j];
                    for (int d = 0; d < dims; d++) {
                        final int k = j * dims + d;
                        final double invStd = Math.exp(-logStds[k]);
                        final double z = (x[t][d] - means[k]) * invStd;
                        out[offset + k] += g * z * invStd;                      // ∂/∂mean
                        out[offset + means.length + k] += g * (z * z - 1);      // ∂/∂log std
                    }
                }
            }
        }
    }

    @Override
    double[] emissionStatistics(List<double[][]> batch, int steps, double[] gamma) {
        // [weight N | sum N·D | sum of squares N·D]
        final int n = states();
        final double[] stats = new double[n + 2 * n * dims];
        for (int b = 0; b < batch.size(); b++) {
            final double[][] x = batch.get(b);
            for (int t = 0; t < x.length; t++) {
                for (int j = 0; j < n; j++) {
                    final double w = gamma[(b * steps + t) * n + j];
                    stats[j] += w;
                    for (int d = 0; d < dims; d++) {
                        stats[n + j * dims + d] += w * x[t][d];
                        stats[n + n * dims + j * dims + d] += w * x[t][d] * x[t][d];
                    }
                }
            }
        }
        return stats;
    }

    @Override
    void maximiseEmissions(double[] stats) {
        final int n = states();
        final double[] weight = java.util.Arrays.copyOfRange(stats, 0, n);
        final double[] sum = java.util.Arrays.copyOfRange(stats, n, n + n * dims);
        final double[] sumSq = java.util.Arrays.copyOfRange(stats, n + n * dims, n + 2 * n * dims);
        for (int j = 0; j < n; j++) {
            if (weight[j] <= 1e-12) {
                continue;  // an unused state keeps its parameters
            }
            for (int d = 0; d < dims; d++) {
                final int k = j * dims + d;
                means[k] = sum[k] / weight[j];
                final double variance = Math.max(MIN_VARIANCE, sumSq[k] / weight[j] - means[k] * means[k]);
                logStds[k] = 0.5 * Math.log(variance);
            }
        }
    }

    @Override
    double[][] sampleEmissions(int[] path, SplittableRandom rng) {
        final double[][] x = new double[path.length][dims];
        for (int t = 0; t < path.length; t++) {
            for (int d = 0; d < dims; d++) {
                final int k = path[t] * dims + d;
                x[t][d] = means[k] + Math.exp(logStds[k]) * Gaussians.standard(rng);
            }
        }
        return x;
    }

    /** A model file's fields (after format, version and type). */
    static GaussianHmm read(LocatedJson json) throws FileFormatException {
        final Chain chain = readChain(json);
        final int dims = json.integer(json.field("dims"), "/dims", 1, Limits.MAX_TABLE / chain.states());
        final long n = (long) chain.states() * dims;
        return new GaussianHmm(chain, dims, json.numbers("means", n, false),
                json.numbers("logStds", n, -MAX_ABS_LOG_STD, MAX_ABS_LOG_STD));
    }

    @Override
    void writeEmissions(ObjectNode json) {
        json.put("dims", dims);
        final ArrayNode m = json.putArray("means"), s = json.putArray("logStds");
        for (double v : means) {
            m.add(v);
        }
        for (double v : logStds) {
            s.add(v);
        }
    }
}
