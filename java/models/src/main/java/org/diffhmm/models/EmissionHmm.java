package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;
import org.diffhmm.train.EmModel;
import org.diffhmm.train.EmStatistics;
import org.diffhmm.train.Model;
import org.diffhmm.train.Objective;

/**
 * An HMM made of a softmax-parameterised {@link Chain} and a per-state emission model, fitted by
 * gradient ascent ({@link org.diffhmm.train.Trainer}) or by EM (Baum–Welch). Every computation is
 * one batched factorized forward–backward of the native core ({@link HmmForward}, float64): log P(x)
 * is log Z, the expected counts are the gradients of log Z (initial: {@code grad_init}, transitions:
 * {@code grad_trans}, state occupancies: {@code grad_emit}), and the logits' gradients follow in
 * closed form ({@link Softmax}).
 *
 * <p>Parameter vector layout: initial logits {@code [N]}, transition logits {@code [N][N]}, then the
 * emission parameters. Mutable; not thread-safe (train one model per thread).
 *
 * @param <S> one observation sequence (e.g. {@code int[]} symbols, {@code double[][]} vectors)
 */
public abstract sealed class EmissionHmm<S> implements Model<S>, EmModel<S> permits CategoricalHmm, GaussianHmm {
    final Chain chain;
    private Options options = Options.DEFAULT;

    EmissionHmm(Chain chain) {
        this.chain = chain;
    }

    /**
     * The number of hidden states.
     *
     * @return N
     */
    public int states() {
        return chain.states();
    }

    /**
     * The hidden chain.
     *
     * @return the chain itself (its logits are part of this model's parameters)
     */
    public Chain chain() {
        return chain;
    }

    /**
     * Backend and threads for the native calls.
     *
     * @param options the options (default: {@link Options#DEFAULT})
     * @return this model
     */
    public EmissionHmm<S> options(Options options) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // What an emission family provides
    // ---------------------------------------------------------------------------------------------

    /** Number of steps of a sequence. */
    abstract int length(S sequence);

    /** Throws IllegalArgumentException naming sequence {@code b}, the step and the problem if it cannot be scored. */
    abstract void checkSequence(S sequence, int b);

    abstract int emissionParameterCount();

    abstract void copyEmissionParameters(double[] out, int offset);

    abstract void setEmissionParameters(double[] in, int offset);

    /** Fills {@code emit[(b*T + t)*N + j] = log p(x_bt | z = j)} for every real step. */
    abstract void logLikelihoods(List<S> batch, int steps, double[] emit);

    /** Adds ∂L/∂(emission parameters) into {@code out[offset...]} given ∂L/∂emit ({@code [B][T][N]}). */
    abstract void addEmissionGradient(List<S> batch, int steps, double[] gradEmit, double[] out, int offset);

    /** The family's emission statistics of a batch, given the state occupancies {@code gamma [B][T][N]}. */
    abstract double[] emissionStatistics(List<S> batch, int steps, double[] gamma);

    /** The emission M-step from (merged) emission statistics. */
    abstract void maximiseEmissions(double[] statistics);

    /** Observations drawn for a path of hidden states. */
    abstract S sampleEmissions(int[] path, SplittableRandom rng);

    /** Writes this model's type-specific fields (the chain is written by {@link Models}). */
    abstract void writeEmissions(ObjectNode json);

    // ---------------------------------------------------------------------------------------------
    // Model and EmModel
    // ---------------------------------------------------------------------------------------------

    @Override
    public int parameterCount() {
        return chain.parameterCount() + emissionParameterCount();
    }

    @Override
    public double[] parameters() {
        final double[] p = new double[parameterCount()];
        chain.copyParameters(p, 0);
        copyEmissionParameters(p, chain.parameterCount());
        return p;
    }

    @Override
    public void setParameters(double[] values) {
        if (values.length != parameterCount()) {
            throw new IllegalArgumentException("expected " + parameterCount() + " parameters, got " + values.length);
        }
        chain.setParameters(values, 0);
        setEmissionParameters(values, chain.parameterCount());
    }

    /**
     * Checks every sequence: not null, observations of the right shape, in range and finite.
     *
     * @param data the sequences
     * @throws IllegalArgumentException naming the first bad sequence and step
     */
    @Override
    public void checkData(List<S> data) {
        java.util.Objects.requireNonNull(data, "data");
        for (int b = 0; b < data.size(); b++) {
            final S s = data.get(b);
            if (s == null) {
                throw new IllegalArgumentException("sequence " + b + " is null");
            }
            checkSequence(s, b);
        }
    }

    @Override
    public long steps(List<S> batch) {
        long n = 0;
        for (S s : batch) {
            n += length(s);
        }
        return n;
    }

    /** The log-likelihood Σ log P(x) of the batch and its gradient. */
    @Override
    public Objective objective(List<S> batch) {
        final Pass pass = pass(batch);
        final double[] gradient = new double[parameterCount()];
        chain.addGradient(pass.initCounts, pass.transCounts, gradient, 0);
        addEmissionGradient(batch, pass.steps, pass.gamma, gradient, chain.parameterCount());
        return new Objective(pass.logLikelihood, gradient);
    }

    /**
     * Baum–Welch E-step: one forward–backward of the sequences; the statistics hold the initial and
     * transition counts and the family's emission statistics.
     *
     * @param data the sequences
     * @return their statistics
     */
    @Override
    public EmStatistics expectations(List<S> data) {
        final Pass pass = pass(data);
        return new EmStatistics(pass.logLikelihood, steps(data), pass.initCounts, pass.transCounts,
                emissionStatistics(data, pass.steps, pass.gamma));
    }

    /**
     * The closed-form M-step from (merged) statistics of {@link #expectations}.
     *
     * @param statistics the statistics of all the training data
     * @return the log-likelihood of the parameters before the step
     */
    @Override
    public double maximise(EmStatistics statistics) {
        chain.maximise(statistics.part(0), statistics.part(1), 1e-12);
        maximiseEmissions(statistics.part(2));
        return statistics.logLikelihood();
    }

    /**
     * The log-likelihood of some sequences.
     *
     * @param data the sequences
     * @return {@code Σ log P(x)} in nats (-inf if one of them is impossible under the model)
     */
    public double logLikelihood(List<S> data) {
        double sum = 0;
        for (double v : logLikelihoods(data)) {
            sum += v;
        }
        return sum;
    }

    /**
     * The log-likelihood of every sequence, in one batched call.
     *
     * @param data the sequences, not empty
     * @return {@code log P(x_b)} in nats per sequence (-inf for one impossible under the model)
     * @throws IllegalArgumentException if there is no sequence or an observation is out of range
     */
    public double[] logLikelihoods(List<S> data) {
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, problem(data), lengths(data))) {
            return r.logZ();
        }
    }

    /**
     * The most probable hidden path of every sequence (Viterbi).
     *
     * @param data the sequences
     * @return one path of states per sequence, as long as the sequence
     */
    public List<int[]> viterbi(List<S> data) {
        final HmmForward.ViterbiResult v = HmmForward.viterbi(options, problem(data), lengths(data));
        final List<int[]> paths = new ArrayList<>();
        for (int b = 0; b < data.size(); b++) {
            final long[] p = v.path(b);
            final int[] path = new int[p.length];
            for (int t = 0; t < p.length; t++) {
                path[t] = (int) p[t];
            }
            paths.add(path);
        }
        return paths;
    }

    /**
     * Hidden paths drawn from the posterior {@code P(z | x)} of every sequence (forward filtering,
     * backward sampling in the native core). The same sequences in the same order with the same seed
     * give the same paths.
     *
     * @param data    the sequences
     * @param samples paths per sequence, at least 1
     * @param seed    the random seed
     * @return per sequence, {@code samples} paths of its length
     * @throws IllegalArgumentException if {@code samples < 1} or a sequence is invalid
     */
    public List<int[][]> posteriorSamples(List<S> data, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        final HmmForward.Samples drawn = HmmForward.sample(options, problem(data), lengths(data), samples, seed);
        final List<int[][]> out = new ArrayList<>();
        for (int b = 0; b < data.size(); b++) {
            final int[][] paths = new int[samples][];
            for (int k = 0; k < samples; k++) {
                paths[k] = java.util.Arrays.stream(drawn.path(b, k)).mapToInt(v -> (int) v).toArray();
            }
            out.add(paths);
        }
        return out;
    }

    /**
     * The posterior state marginals of every sequence.
     *
     * @param data the sequences
     * @return one {@code [T][N]} table of {@code P(z_t = j | x)} per sequence
     */
    public List<double[][]> posteriors(List<S> data) {
        final HmmForward.Marginals m = HmmForward.marginals(options, problem(data), lengths(data));
        final double[] gamma = m.gamma().doubleArray();
        final int steps = maxLength(data), n = states();
        final List<double[][]> out = new ArrayList<>();
        for (int b = 0; b < data.size(); b++) {
            final double[][] g = new double[length(data.get(b))][n];
            for (int t = 0; t < g.length; t++) {
                System.arraycopy(gamma, (b * steps + t) * n, g[t], 0, n);
            }
            out.add(g);
        }
        return out;
    }

    /**
     * A sequence drawn from the model, with its hidden path.
     *
     * @param length the number of steps, at least 0
     * @param rng    the random source
     * @return the observations and the path
     * @throws IllegalArgumentException if {@code length < 0}
     */
    public Sample<S> sample(int length, SplittableRandom rng) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        java.util.Objects.requireNonNull(rng, "rng");
        final int[] path = new int[length];
        final double[] logInit = chain.logInit(), logTrans = chain.logTrans();
        for (int t = 0; t < length; t++) {
            path[t] = t == 0 ? Softmax.draw(logInit, 0, states(), rng)
                    : Softmax.draw(logTrans, path[t - 1] * states(), states(), rng);
        }
        return new Sample<>(sampleEmissions(path, rng), path);
    }

    /**
     * A sampled observation sequence and the hidden path that produced it.
     *
     * @param <S>          the type of one observation sequence
     * @param observations the observations
     * @param path         the hidden states, one per step
     */
    public record Sample<S>(S observations, int[] path) {}

    // ---------------------------------------------------------------------------------------------
    // One forward–backward
    // ---------------------------------------------------------------------------------------------

    /** Expected counts of one E-step. */
    private static final class Pass {
        double logLikelihood;
        int steps;
        double[] initCounts, transCounts, gamma;
    }

    private Pass pass(List<S> batch) {
        final Pass pass = new Pass();
        pass.steps = maxLength(batch);
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, problem(batch), lengths(batch))) {
            for (double v : r.logZ()) {
                pass.logLikelihood += v;
            }
            final double[] ones = new double[batch.size()];
            java.util.Arrays.fill(ones, 1.0);
            final HmmForward.FactorizedGradient g = r.backward(ones);
            pass.initCounts = g.init().doubleArray();
            pass.transCounts = g.trans().doubleArray();
            pass.gamma = g.emit().doubleArray();
        }
        return pass;
    }

    Factorized problem(List<S> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("no sequences");
        }
        checkData(batch);
        final int steps = maxLength(batch), n = states();
        final double[] emit = new double[Limits.array("emission scores (sequences × longest sequence × states)",
                batch.size(), steps, n)];
        logLikelihoods(batch, steps, emit);
        return Factorized.of(Tensor.of(chain.logInit(), n), Tensor.of(chain.logTrans(), n, n), null,
                Tensor.of(emit, batch.size(), steps, n));
    }

    long[] lengths(List<S> batch) {
        final long[] lengths = new long[batch.size()];
        for (int b = 0; b < lengths.length; b++) {
            lengths[b] = length(batch.get(b));
        }
        return lengths;
    }

    int maxLength(List<S> batch) {
        int m = 0;
        for (S s : batch) {
            m = Math.max(m, length(s));
        }
        return m;
    }
}
