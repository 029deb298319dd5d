package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.SplittableRandom;
import org.diffhmm.Factorized;
import org.diffhmm.Tensor;
import org.diffhmm.train.EmStatistics;

/**
 * An HMM made of a softmax-parameterised {@link Chain} and a per-state emission model, fitted by
 * gradient ascent ({@link org.diffhmm.train.Trainer}) or by EM (Baum–Welch). Every computation is
 * one batched factorized forward–backward of the native core ({@link org.diffhmm.HmmForward},
 * float64): log P(x) is log Z, the expected counts are the gradients of log Z (initial:
 * {@code grad_init}, transitions: {@code grad_trans}, state occupancies: {@code grad_emit}), and the
 * logits' gradients follow in closed form ({@link Softmax}). What every family gets is in {@link Hmm}.
 *
 * <p>Parameter vector layout: initial logits {@code [N]}, transition logits {@code [N][N]}, then the
 * emission parameters. Mutable; not thread-safe (train one model per thread).
 *
 * @param <S> one observation sequence (e.g. {@code int[]} symbols, {@code double[][]} vectors)
 */
public abstract sealed class EmissionHmm<S> extends Hmm<S> permits CategoricalHmm, GaussianHmm, PoissonHmm {
    final Chain chain;

    EmissionHmm(Chain chain) {
        this.chain = chain;
    }

    /**
     * The number of hidden states.
     *
     * @return N
     */
    @Override
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

    @Override
    public EmissionHmm<S> options(org.diffhmm.Options options) {
        super.options(options);
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // What an emission family provides
    // ---------------------------------------------------------------------------------------------

    abstract int emissionParameterCount();

    /** The emission model's free parameters ({@link Hmm#freeParameters}). */
    abstract long freeEmissionParameters();

    /**
     * The chain's free parameters (initial and transition rows, structural zeros not counted) plus the
     * emission model's.
     *
     * @return the count
     */
    @Override
    public long freeParameters() {
        return freeInRows(chain.initLogits, 1, states()) + freeInRows(chain.transLogits, states(), states())
                + freeEmissionParameters();
    }

    abstract void copyEmissionParameters(double[] out, int offset);

    abstract void setEmissionParameters(double[] in, int offset);

    /** Throws IllegalArgumentException naming the entry if {@code in[offset...]} holds an emission parameter the family cannot take. */
    void checkEmissionParameters(double[] in, int offset) {}

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

    /** Writes this model's emission fields (the chain's are written by {@link #write}). */
    abstract void writeEmissions(ObjectNode json);

    @Override
    void write(ObjectNode json) {
        json.put("states", states());
        final com.fasterxml.jackson.databind.node.ArrayNode init = json.putArray("initLogits"), trans = json.putArray("transLogits");
        for (double v : chain.initLogits) {
            init.add(v);
        }
        for (double v : chain.transLogits) {
            trans.add(v);
        }
        writeEmissions(json);
    }

    /** The chain fields of a model file: {@code states}, {@code initLogits}, {@code transLogits}. */
    static Chain readChain(LocatedJson json) throws FileFormatException {
        final int states = json.integer(json.field("states"), "/states", 1, Limits.MAX_STATES);
        return new Chain(states, json.numbers("initLogits", states, true),
                json.numbers("transLogits", (long) states * states, true));
    }

    // ---------------------------------------------------------------------------------------------
    // The family hooks of Hmm
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
        checkEmissionParameters(values, chain.parameterCount());  // before anything changes
        chain.setParameters(values, 0);
        setEmissionParameters(values, chain.parameterCount());
    }

    /** The chain's log-probabilities and the batch's emission scores, one row per (sequence, step). */
    @Override
    Batch batch(List<S> data) {
        final int steps = maxLength(data), n = states();
        final double[] emit = new double[Limits.array("emission scores (sequences × longest sequence × states)",
                data.size(), steps, n)];
        logLikelihoods(data, steps, emit);
        final long[] lengths = new long[data.size()];
        for (int b = 0; b < lengths.length; b++) {
            lengths[b] = length(data.get(b));
        }
        return new Batch(Factorized.of(Tensor.of(chain.logInit(), n), Tensor.of(chain.logTrans(), n, n), null,
                Tensor.of(emit, data.size(), steps, n)), lengths);
    }

    @Override
    EmStatistics statistics(List<S> data, Batch batch, Counts c) {
        return new EmStatistics(c.logLikelihood, steps(data), c.init, c.trans,
                emissionStatistics(data, (int) batch.problem.steps(), c.emit));
    }

    @Override
    double[] dataGradient(List<S> data, Batch batch, Counts c) {
        final double[] gradient = new double[parameterCount()];
        chain.addGradient(c.init, c.trans, gradient, 0);
        addEmissionGradient(data, (int) batch.problem.steps(), c.emit, gradient, chain.parameterCount());
        return gradient;
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
     * The most probable hidden path of every sequence: {@link #decode} under its former name.
     *
     * @param data the sequences
     * @return one path of states per sequence, as long as the sequence
     * @deprecated use {@link #decode}, the name every family shares
     */
    @Deprecated
    public List<int[]> viterbi(List<S> data) {
        return decode(data);
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
     * Several sequences drawn from the model, seeded: the same seed and lengths give the same
     * sequences.
     *
     * @param lengths the number of steps of each sequence, each at least 0
     * @param seed    the random seed
     * @return one sample per length, in order
     * @throws IllegalArgumentException if a length is negative
     */
    public java.util.List<Sample<S>> sample(int[] lengths, long seed) {
        java.util.Objects.requireNonNull(lengths, "lengths");
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " (must be >= 0)");
            }
        }
        final SplittableRandom rng = new SplittableRandom(seed);
        final java.util.List<Sample<S>> out = new java.util.ArrayList<>(lengths.length);
        for (int length : lengths) {
            out.add(sample(length, rng));
        }
        return out;
    }

    /**
     * A sampled observation sequence and the hidden path that produced it.
     *
     * @param <S>          the type of one observation sequence
     * @param observations the observations
     * @param path         the hidden states, one per step
     */
    public record Sample<S>(S observations, int[] path) {}

    int maxLength(List<S> batch) {
        int m = 0;
        for (S s : batch) {
            m = Math.max(m, length(s));
        }
        return m;
    }
}
