package org.diffhmm.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.diffhmm.DType;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;
import org.diffhmm.train.EmModel;
import org.diffhmm.train.EmStatistics;
import org.diffhmm.train.Model;
import org.diffhmm.train.Objective;

/**
 * The model-family interface: every HMM family here ({@link CategoricalHmm}, {@link GaussianHmm},
 * {@link CloneHmm}) is one of these, and everything that handles models — training
 * ({@link org.diffhmm.train.Trainer}, {@link org.diffhmm.train.Em}), files ({@link Models}), Spark,
 * the command line — handles them through it.
 *
 * <p><b>What a family implements</b> (package-private hooks):
 * <ul>
 *   <li>{@code batch(data)} — a batch's problem as the native core sees it ({@link Factorized}
 *       potentials and lengths) and how the core's states map back to the family's
 *       ({@code Batch.path}, {@code Batch.posteriors});</li>
 *   <li>{@code length(S)} and {@code checkSequence(S, b)} — a sequence's steps and what makes it
 *       scorable;</li>
 *   <li>{@code statistics(batch, counts)} and {@link #maximise} — its EM statistics from one
 *       forward–backward's expected counts (mergeable {@link EmStatistics}), and the M-step;</li>
 *   <li>{@code dataGradient(batch, counts)} — the log-likelihood's gradient with respect to its
 *       parameters from the same expected counts; {@link #priorObjective} where it has a prior;</li>
 *   <li>{@link #parameters}, {@link #setParameters}, {@link #parameterCount}, and
 *       {@link #freeParameters} (what {@link #bic} and {@link #aic} count);</li>
 *   <li>its codec: {@code write(ObjectNode)}, a static reader of its file fields, and one line in
 *       {@code Families} (its JSON tag); Spark and the command line register their per-family parts
 *       under the same tag ({@link Models#type}).</li>
 * </ul>
 *
 * <p><b>What it then gets</b>: {@link #logLikelihoods}, {@link #logLikelihood}, {@link #decode}
 * (Viterbi), {@link #posteriors}, {@link #posteriorSamples}, {@link #expectations} (the E-step),
 * {@link #emStep}, {@link #dataObjective}, {@link #objective} (data term plus prior), {@link #steps},
 * {@link #checkData}, {@link #bic}, {@link #aic} — each one batched native call (float64) on the
 * problem the family built.
 *
 * <p>Mutable; not thread-safe (train one model per thread).
 *
 * @param <S> one observation sequence (e.g. {@code int[]} symbols, {@code double[][]} vectors, a walk)
 */
public abstract class Hmm<S> implements Model<S>, EmModel<S> {
    private Options options = Options.DEFAULT;

    Hmm() {}  // the families are this package's: a new family is its files plus its line in Families

    /**
     * Backend and threads for the native calls.
     *
     * @param options the options (default: {@link Options#DEFAULT})
     * @return this model
     */
    public Hmm<S> options(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * The options of the native calls.
     *
     * @return what {@link #options(Options)} set
     */
    public Options options() {
        return options;
    }

    /**
     * The number of hidden states, in the numbering of {@link #decode} and {@link #posteriors}.
     *
     * @return N
     */
    public abstract int states();

    /**
     * The number of free parameters, what model-selection criteria count: each distribution over k
     * outcomes has k − 1 (the softmax's redundant logit is not counted), and a structural zero (a
     * logit of −inf) is no parameter at all; continuous parameters count one each.
     *
     * @return the count
     */
    public abstract long freeParameters();

    /**
     * The Bayesian information criterion of the model on some data: {@code −2 log L + p ln n}, with p
     * {@link #freeParameters()} and n the number of observed steps (hmmlearn's convention). Lower is
     * better.
     *
     * @param data the sequences, with at least one observed step
     * @return the BIC
     * @throws IllegalArgumentException if the data has no observed step or a sequence cannot be scored
     */
    public double bic(List<S> data) {
        final long n = observedSteps(data);
        return -2 * logLikelihood(data) + freeParameters() * Math.log(n);
    }

    /**
     * The Akaike information criterion of the model on some data: {@code −2 log L + 2p}, with p
     * {@link #freeParameters()}. Lower is better.
     *
     * @param data the sequences, with at least one observed step
     * @return the AIC
     * @throws IllegalArgumentException if the data has no observed step or a sequence cannot be scored
     */
    public double aic(List<S> data) {
        observedSteps(data);
        return -2 * logLikelihood(data) + 2.0 * freeParameters();
    }

    private long observedSteps(List<S> data) {
        checkData(Objects.requireNonNull(data, "data"));
        final long n = steps(data);
        if (n < 1) {
            throw new IllegalArgumentException("the " + data.size() + " sequences have no observed steps");
        }
        return n;
    }

    /** Free parameters of a table of distributions: per row, its finite logits less one (none for an all −inf row). */
    static long freeInRows(double[] logits, int rows, int cols) {
        long free = 0;
        for (int r = 0; r < rows; r++) {
            int finite = 0;
            for (int c = 0; c < cols; c++) {
                if (logits[r * cols + c] > Double.NEGATIVE_INFINITY) {
                    finite++;
                }
            }
            free += Math.max(0, finite - 1);
        }
        return free;
    }

    // ---------------------------------------------------------------------------------------------
    // What a family implements
    // ---------------------------------------------------------------------------------------------

    /**
     * A batch's problem for the native core: potentials, lengths, and the map from the core's states
     * back to the family's. The default maps are the identity.
     */
    static class Batch {
        final Factorized problem;
        final long[] lengths;

        Batch(Factorized problem, long[] lengths) {
            this.problem = problem;
            this.lengths = lengths;
        }

        /** Whether the E-step needs the initial and emission counts (the transition counts it always needs). */
        boolean needsInitCounts() {
            return true;
        }

        boolean needsEmissionCounts() {
            return true;
        }

        /** Sequence {@code b}'s path of core states as the family's states. */
        int[] path(int b, long[] core) {
            final int[] path = new int[core.length];
            for (int t = 0; t < core.length; t++) {
                path[t] = (int) core[t];
            }
            return path;
        }

        /** Sequence {@code b}'s {@code [T][N]} state marginals from the core's {@code gamma [B][steps][width]}. */
        double[][] posteriors(int b, double[] gamma, int states) {
            final int steps = (int) problem.steps(), width = (int) problem.states();
            final double[][] g = new double[(int) lengths[b]][states];
            for (int t = 0; t < g.length; t++) {
                System.arraycopy(gamma, (b * steps + t) * width, g[t], 0, Math.min(width, states));
            }
            return g;
        }
    }

    /** One forward–backward's results: Σ log Z and the expected counts (the gradients of Σ log Z). */
    static final class Counts {
        double logLikelihood;
        double[] init, trans, emit;  // null where the batch does not need them
    }

    /** The batch's problem with the current parameters (after {@link #checkData}). */
    abstract Batch batch(List<S> data);

    /** The number of steps of a sequence. */
    abstract int length(S sequence);

    /** Throws IllegalArgumentException naming sequence {@code b}, the step and the problem if it cannot be scored. */
    abstract void checkSequence(S sequence, int b);

    /** The family's EM statistics of a batch from its expected counts. */
    abstract EmStatistics statistics(List<S> data, Batch batch, Counts counts);

    /** The gradient of Σ log P(x) with respect to {@link #parameters()} from the batch's expected counts. */
    abstract double[] dataGradient(List<S> data, Batch batch, Counts counts);

    /** Writes the family's fields of a model file (format, version and type are {@link Models}'). */
    abstract void write(com.fasterxml.jackson.databind.node.ObjectNode json);

    // ---------------------------------------------------------------------------------------------
    // What every family gets
    // ---------------------------------------------------------------------------------------------

    /**
     * Checks every sequence: not null, observations of the right shape, in range and finite.
     *
     * @param data the sequences
     * @throws IllegalArgumentException naming the first bad sequence and step
     */
    @Override
    public void checkData(List<S> data) {
        Objects.requireNonNull(data, "data");
        for (int b = 0; b < data.size(); b++) {
            final S s = data.get(b);
            if (s == null) {
                throw new IllegalArgumentException("sequence " + b + " is null");
            }
            checkSequence(s, b);
        }
    }

    @Override
    public long steps(List<S> data) {
        long n = 0;
        for (S s : data) {
            n += length(s);
        }
        return n;
    }

    /**
     * The number of steps of one sequence.
     *
     * @param sequence the sequence
     * @return its length
     */
    public int lengthOf(S sequence) {
        return length(Objects.requireNonNull(sequence, "sequence"));
    }

    /** The checked batch of {@code data}, not empty. */
    final Batch checkedBatch(List<S> data) {
        Objects.requireNonNull(data, "data");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no sequences");
        }
        checkData(data);
        return batch(data);
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
     * @throws IllegalArgumentException if there is no sequence or one cannot be scored
     */
    public double[] logLikelihoods(List<S> data) {
        final Batch batch = checkedBatch(data);
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, batch.problem, batch.lengths)) {
            return r.logZ();
        }
    }

    /**
     * The most probable hidden path of every sequence (Viterbi).
     *
     * @param data the sequences
     * @return one path of states per sequence, as long as the sequence
     * @throws IllegalArgumentException if there is no sequence or one cannot be scored
     */
    public List<int[]> decode(List<S> data) {
        final Batch batch = checkedBatch(data);
        final HmmForward.ViterbiResult v = HmmForward.viterbi(options, batch.problem, batch.lengths);
        final List<int[]> paths = new ArrayList<>(data.size());
        for (int b = 0; b < data.size(); b++) {
            paths.add(batch.path(b, v.path(b)));
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
     * @throws IllegalArgumentException if {@code samples < 1} or a sequence cannot be scored
     */
    public List<int[][]> posteriorSamples(List<S> data, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        final Batch batch = checkedBatch(data);
        final HmmForward.Samples drawn = HmmForward.sample(options, batch.problem, batch.lengths, samples, seed);
        final List<int[][]> out = new ArrayList<>(data.size());
        for (int b = 0; b < data.size(); b++) {
            final int[][] paths = new int[samples][];
            for (int k = 0; k < samples; k++) {
                paths[k] = batch.path(b, drawn.path(b, k));
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
     * @throws IllegalArgumentException if there is no sequence or one cannot be scored
     */
    public List<double[][]> posteriors(List<S> data) {
        final Batch batch = checkedBatch(data);
        final double[] gamma = HmmForward.marginals(options, batch.problem, batch.lengths).gamma().doubleArray();
        final List<double[][]> out = new ArrayList<>(data.size());
        for (int b = 0; b < data.size(); b++) {
            out.add(batch.posteriors(b, gamma, states()));
        }
        return out;
    }

    /** One forward–backward of a batch: Σ log Z and the expected counts the batch needs. */
    private Counts counts(Batch batch, int sequences) {
        final Counts c = new Counts();
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, batch.problem, batch.lengths)) {
            for (double v : r.logZ()) {
                c.logLikelihood += v;
            }
            final double[] ones = new double[sequences];
            Arrays.fill(ones, 1.0);
            final Factorized p = batch.problem;
            final Tensor init = batch.needsInitCounts() ? Tensor.zeros(DType.FLOAT64, p.init().shape()) : null;
            final Tensor trans = Tensor.zeros(DType.FLOAT64, p.trans().shape());
            final Tensor emit = batch.needsEmissionCounts() ? Tensor.zeros(DType.FLOAT64, p.emitShape()) : null;
            r.backward(ones, init, trans, emit);
            c.init = init == null ? null : init.doubleArray();
            c.trans = trans.doubleArray();
            c.emit = emit == null ? null : emit.doubleArray();
        }
        return c;
    }

    /**
     * The E-step: one forward–backward of the sequences; the statistics hold what the family's
     * M-step needs (expected counts), mergeable with those of other parts of the data.
     *
     * @param data the sequences
     * @return their statistics
     */
    @Override
    public EmStatistics expectations(List<S> data) {
        final Batch batch = checkedBatch(data);
        return statistics(data, batch, counts(batch, data.size()));
    }

    /**
     * The log-likelihood of a batch and its gradient (the prior left out).
     *
     * @param data the sequences
     * @return {@code Σ log P(x)} (nats) and its gradient with respect to {@link #parameters()}
     */
    @Override
    public Objective dataObjective(List<S> data) {
        final Batch batch = checkedBatch(data);
        final Counts c = counts(batch, data.size());
        return new Objective(c.logLikelihood, dataGradient(data, batch, c));
    }

    /**
     * The objective on a batch and its gradient: {@link #dataObjective} plus {@link #priorObjective}.
     *
     * @param data the sequences
     * @return the objective (nats) and its gradient
     */
    @Override
    public Objective objective(List<S> data) {
        final Objective d = dataObjective(data), p = priorObjective();
        final double[] gradient = d.gradient();
        for (int k = 0; k < gradient.length; k++) {
            gradient[k] += p.gradient()[k];
        }
        return new Objective(d.value() + p.value(), gradient);
    }
}
