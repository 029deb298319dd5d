package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The clone-structured HMM (CHMM / CSCG) with action-conditioned transitions. Each observed symbol
 * {@code s} owns a contiguous block of {@code clones[s]} hidden states ("clones"); a clone emits only
 * its symbol; transitions {@code T[a][i][j] = softmax(θ[a][i])[j]} depend on the action {@code a}
 * taken; the initial distribution is uniform over all N states.
 *
 * <p><b>Sparse by construction.</b> At step t only the clones of {@code x_t} are live, so a step is
 * the {@code clones[x_{t-1}] × clones[x_t]} block of {@code T[a_{t-1}]} — never a dense N×N step. A
 * batch of walks becomes one factorized call: every (action, previous symbol, symbol) triple in the
 * batch is one small transition matrix, selected per step by {@code transIndex} (docs/models.md §3).
 *
 * <p><b>Objective.</b> {@code lnL + pc · Σ_{a,i,j} ln T[a][i][j]} (pc = pseudocount; with pc = 0 it
 * is the log-likelihood). Soft EM with pseudocount maximises it ({@code T = (C + pc) / rowsum}; with
 * pc = 0 a row {@code T[a][i]} that no expected count reaches stays all zero, its logits -inf, as in
 * the reference CSCG code: walks that would need it get probability 0, never a uniform guess);
 * {@link #hardEmStep} counts the Viterbi path instead; gradient training uses
 * {@code ∂/∂θ = C − T·rowsum(C) + pc·(1 − N·T)}. Parameters: θ {@code [A][N][N]} row-major.
 * Mutable; not thread-safe.
 */
public final class CloneHmm implements Model<CloneHmm.Walk>, EmModel<CloneHmm.Walk> {
    /**
     * A walk: {@code symbols[t]} observed at step t and {@code actions[t]} the action taken after it
     * (at least {@code symbols.length - 1} actions; extra ones are ignored).
     *
     * @param symbols the observed symbols, one per step
     * @param actions the actions, one between consecutive steps
     */
    public record Walk(int[] symbols, int[] actions) {
        /**
         * The number of steps.
         *
         * @return the number of symbols
         */
        public int length() {
            return symbols.length;
        }
    }

    private final int[] clones;
    private final int[] first;
    private final int[] symbolOf;
    private final int states, actions, block;
    private final double[] logits;
    private double[] zeros;  // zeroEmissions
    private double pseudocount;
    private Options options = Options.DEFAULT;

    /**
     * A model with the given parameters (copied).
     *
     * @param clones      the number of clones of each symbol, each at least 1
     * @param actions     A, the number of actions, at least 1
     * @param logits      θ, {@code [A][N][N]} row-major, N the total of {@code clones}
     * @param pseudocount pc, at least 0 (see the class documentation)
     * @throws IllegalArgumentException if the sizes disagree or an argument is out of range
     */
    public CloneHmm(int[] clones, int actions, double[] logits, double pseudocount) {
        if (clones.length < 1 || actions < 1) {
            throw new IllegalArgumentException("need at least one symbol and one action");
        }
        this.clones = clones.clone();
        this.first = new int[clones.length];
        final int n = totalStates(clones);
        int widest = 0;
        for (int s = 0, at = 0; s < clones.length; s++) {
            first[s] = at;
            at += clones[s];
            widest = Math.max(widest, clones[s]);
        }
        this.states = n;
        this.block = widest;
        this.actions = actions;
        this.symbolOf = new int[n];
        for (int s = 0; s < clones.length; s++) {
            Arrays.fill(symbolOf, first[s], first[s] + clones[s], s);
        }
        final int size = Limits.table("transition logits (actions × states × states)", actions, n, n);
        if (logits.length != size) {
            throw new IllegalArgumentException("expected " + size + " logits, got " + logits.length);
        }
        this.logits = logits.clone();
        pseudocount(pseudocount);
    }

    /**
     * A model with transitions drawn uniformly at random and normalised (the usual CSCG start).
     *
     * @param clones      the number of clones of each symbol, each at least 1
     * @param actions     A, at least 1
     * @param pseudocount pc, at least 0
     * @param rng         the random source
     * @return the model
     */
    public static CloneHmm random(int[] clones, int actions, double pseudocount, SplittableRandom rng) {
        final int n = totalStates(clones);
        Limits.atLeast("actions", actions, 1);
        final double[] logits = new double[Limits.table("transition logits (actions × states × states)", actions, n, n)];
        for (int k = 0; k < logits.length; k++) {
            logits[k] = Math.log(1e-6 + rng.nextDouble());
        }
        return new CloneHmm(clones, actions, logits, pseudocount);
    }

    /**
     * Backend and threads for the native calls.
     *
     * @param options the options (default: {@link Options#DEFAULT})
     * @return this model
     */
    public CloneHmm options(Options options) {
        this.options = java.util.Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Sets the pseudocount.
     *
     * @param pseudocount pc, at least 0
     * @return this model
     * @throws IllegalArgumentException if negative or NaN
     */
    public CloneHmm pseudocount(double pseudocount) {
        if (!(pseudocount >= 0)) {
            throw new IllegalArgumentException("pseudocount must be >= 0, got " + pseudocount);
        }
        this.pseudocount = pseudocount;
        return this;
    }

    /**
     * The pseudocount.
     *
     * @return pc
     */
    public double pseudocount() {
        return pseudocount;
    }

    /**
     * The number of hidden states (all clones).
     *
     * @return N
     */
    public int states() {
        return states;
    }

    /**
     * The number of symbols.
     *
     * @return the length of {@link #clones()}
     */
    public int symbols() {
        return clones.length;
    }

    /**
     * The number of actions.
     *
     * @return A
     */
    public int actions() {
        return actions;
    }

    /**
     * The number of clones of each symbol.
     *
     * @return a copy
     */
    public int[] clones() {
        return clones.clone();
    }

    /**
     * The symbol a clone emits.
     *
     * @param z a state, {@code 0 <= z < N}
     * @return its symbol
     */
    public int symbolOf(int z) {
        return symbolOf[z];
    }

    /**
     * The transition log-probabilities.
     *
     * @return {@code ln T}, {@code [A][N][N]} row-major
     */
    public double[] logTransitions() {
        return Softmax.logProbabilities(logits, actions * states, states);
    }

    // ---------------------------------------------------------------------------------------------
    // Model / EmModel
    // ---------------------------------------------------------------------------------------------

    @Override
    public int parameterCount() {
        return logits.length;
    }

    @Override
    public double[] parameters() {
        return logits.clone();
    }

    @Override
    public void setParameters(double[] values) {
        if (values.length != logits.length) {
            throw new IllegalArgumentException("expected " + logits.length + " parameters, got " + values.length);
        }
        System.arraycopy(values, 0, logits, 0, logits.length);
    }

    @Override
    public long steps(List<Walk> walks) {
        long n = 0;
        for (Walk w : walks) {
            n += w.length();
        }
        return n;
    }

    /** {@code lnL + pc·Σ ln T} and its gradient with respect to θ. */
    @Override
    public Objective objective(List<Walk> walks) {
        final double[] logT = logTransitions();
        final Counts c = counts(walks, logT);
        final double[] gradient = new double[logits.length];
        Softmax.addGradient(logT, c.transitions, actions * states, states, gradient, 0);
        addPriorGradient(logT, gradient);
        return new Objective(c.logLikelihood + prior(logT), gradient);
    }

    /** {@code lnL} alone and its gradient (the pseudocount prior left out). */
    @Override
    public Objective dataObjective(List<Walk> walks) {
        final double[] logT = logTransitions();
        final Counts c = counts(walks, logT);
        final double[] gradient = new double[logits.length];
        Softmax.addGradient(logT, c.transitions, actions * states, states, gradient, 0);
        return new Objective(c.logLikelihood, gradient);
    }

    /** {@code pc·Σ ln T} and its gradient. */
    @Override
    public Objective priorObjective() {
        final double[] logT = logTransitions();
        final double[] gradient = new double[logits.length];
        addPriorGradient(logT, gradient);
        return new Objective(prior(logT), gradient);
    }

    /** Adds the gradient of {@code pc·Σ ln T} with respect to θ. */
    private void addPriorGradient(double[] logT, double[] gradient) {
        if (pseudocount > 0) {
            for (int k = 0; k < gradient.length; k++) {
                gradient[k] += pseudocount * (1 - states * Math.exp(logT[k]));
            }
        }
    }

    /**
     * Soft-EM E-step: the expected action-conditioned transition counts and the log-likelihood.
     *
     * @param walks the walks
     * @return their statistics
     */
    @Override
    public EmStatistics expectations(List<Walk> walks) {
        final Counts c = counts(walks, logTransitions());
        return new EmStatistics(c.logLikelihood, steps(walks), c.transitions);
    }

    /**
     * Soft-EM M-step with pseudocount: {@code T = (C + pc) / rowsum(C + pc)}.
     *
     * @param statistics the statistics of all the walks
     * @return the objective (log-likelihood plus the pseudocount prior) of the parameters before
     */
    @Override
    public double maximise(EmStatistics statistics) {
        final double prior = prior(logTransitions());
        System.arraycopy(Softmax.fromCounts(statistics.part(0), actions * states, states, pseudocount), 0, logits, 0,
                logits.length);
        return statistics.logLikelihood() + prior;
    }
    /**
     * Hard (Viterbi) EM: counts of the most probable clone paths, {@code T = (C + pc) / rowsum}.
     *
     * @param walks the walks
     * @return the summed Viterbi log-score of the walks before the step
     */
    public double hardEmStep(List<Walk> walks) {
        final double[] logT = logTransitions();
        final Prepared p = prepare(walks, logT);
        final HmmForward.ViterbiResult v = HmmForward.viterbi(options, p.problem, p.lengths);
        final double[] counts = new double[logits.length];
        for (int b = 0; b < walks.size(); b++) {
            final int[] path = globalPath(walks.get(b), v.path(b));
            final int[] a = walks.get(b).actions();
            for (int t = 1; t < path.length; t++) {
                counts[(a[t - 1] * states + path[t - 1]) * states + path[t]] += 1;
            }
        }
        System.arraycopy(Softmax.fromCounts(counts, actions * states, states, pseudocount), 0, logits, 0, logits.length);
        double score = 0;
        for (double s : v.scores()) {
            score += s;
        }
        return score;
    }

    /**
     * The log-likelihood of some walks.
     *
     * @param walks the walks
     * @return {@code Σ ln P(x | a)} (uniform start included)
     */
    public double logLikelihood(List<Walk> walks) {
        double sum = 0;
        for (double v : logLikelihoods(walks)) {
            sum += v;
        }
        return sum;
    }

    /**
     * The log-likelihood of every walk, in one batched call.
     *
     * @param walks the walks, not empty
     * @return {@code ln P(x | a)} per walk (uniform start included; -inf for an impossible walk)
     * @throws IllegalArgumentException if a symbol or action is outside the model's
     */
    public double[] logLikelihoods(List<Walk> walks) {
        final Prepared p = prepare(walks, logTransitions());
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, p.problem, p.lengths)) {
            return r.logZ();
        }
    }

    /**
     * Bits per step, the CSCG papers' measure.
     *
     * @param walks the walks
     * @return {@code −(1/L) Σ_t log2 P(x_t | x_<t, a_<t)}, the t = 0 term included
     */
    public double bitsPerStep(List<Walk> walks) {
        return -logLikelihood(walks) / (steps(walks) * Math.log(2));
    }

    /**
     * The most probable clone (state) path of each walk.
     *
     * @param walks the walks
     * @return one path of states per walk
     */
    public List<int[]> decode(List<Walk> walks) {
        final Prepared p = prepare(walks, logTransitions());
        final HmmForward.ViterbiResult v = HmmForward.viterbi(options, p.problem, p.lengths);
        final List<int[]> paths = new ArrayList<>();
        for (int b = 0; b < walks.size(); b++) {
            paths.add(globalPath(walks.get(b), v.path(b)));
        }
        return paths;
    }

    /**
     * Clone paths drawn from the posterior {@code P(z | x, a)} of every walk (forward filtering,
     * backward sampling in the native core); global clone indices, like {@link #decode}. The same
     * walks in the same order with the same seed give the same paths.
     *
     * @param walks   the walks
     * @param samples paths per walk, at least 1
     * @param seed    the random seed
     * @return per walk, {@code samples} paths of its length
     * @throws IllegalArgumentException if {@code samples < 1} or a walk is invalid
     */
    public List<int[][]> posteriorSamples(List<Walk> walks, int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        }
        final Prepared p = prepare(walks, logTransitions());
        final HmmForward.Samples drawn = HmmForward.sample(options, p.problem, p.lengths, samples, seed);
        final List<int[][]> out = new ArrayList<>();
        for (int b = 0; b < walks.size(); b++) {
            final int[][] paths = new int[samples][];
            for (int k = 0; k < samples; k++) {
                paths[k] = globalPath(walks.get(b), drawn.path(b, k));
            }
            out.add(paths);
        }
        return out;
    }

    /**
     * Posterior clone marginals {@code P(z_t = z | x, a)}, one {@code [T][N]} table per walk (zero
     * outside the clones of {@code x_t}).
     *
     * @param walks the walks
     * @return one table per walk
     */
    public List<double[][]> posteriors(List<Walk> walks) {
        final Prepared p = prepare(walks, logTransitions());
        final double[] gamma = HmmForward.marginals(options, p.problem, p.lengths).gamma().doubleArray();
        final int steps = (int) p.problem.steps();
        final List<double[][]> out = new ArrayList<>();
        for (int b = 0; b < walks.size(); b++) {
            final Walk w = walks.get(b);
            final double[][] g = new double[w.length()][states];
            for (int t = 0; t < w.length(); t++) {
                final int s = w.symbols()[t];
                for (int i = 0; i < clones[s]; i++) {
                    g[t][first[s] + i] = gamma[(b * steps + t) * block + i];
                }
            }
            out.add(g);
        }
        return out;
    }

    /**
     * The number of distinct clones the decoded paths visit (the number of places, once learned).
     *
     * @param walks the walks
     * @return the count
     */
    public int distinctClones(List<Walk> walks) {
        final Set<Integer> seen = new HashSet<>();
        for (int[] path : decode(walks)) {
            for (int z : path) {
                seen.add(z);
            }
        }
        return seen.size();
    }

    /**
     * A walk drawn from the model for given actions.
     *
     * @param actionSequence the actions, each in {@code [0, A)}
     * @param rng            the random source
     * @return a walk with one more symbol than actions
     */
    public Walk sample(int[] actionSequence, SplittableRandom rng) {
        final double[] logT = logTransitions();
        final int[] x = new int[actionSequence.length + 1];
        int z = rng.nextInt(states);
        x[0] = symbolOf[z];
        for (int t = 1; t < x.length; t++) {
            z = Softmax.draw(logT, (actionSequence[t - 1] * states + z) * states, states, rng);
            x[t] = symbolOf[z];
        }
        return new Walk(x, actionSequence.clone());
    }

    // ---------------------------------------------------------------------------------------------
    // The batched block-sparse problem
    // ---------------------------------------------------------------------------------------------

    private double prior(double[] logT) {
        if (pseudocount == 0) {
            return 0;
        }
        double s = 0;
        for (double v : logT) {
            s += v;
        }
        return pseudocount * s;
    }

    /** Expected transition counts C {@code [A][N][N]} and lnL of a batch. */
    private static final class Counts {
        double logLikelihood;
        double[] transitions;
    }

    private Counts counts(List<Walk> walks, double[] logT) {
        final Prepared p = prepare(walks, logT);
        final Counts c = new Counts();
        c.transitions = new double[actions * states * states];
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, p.problem, p.lengths)) {
            for (double v : r.logZ()) {
                c.logLikelihood += v;
            }
            final double[] ones = new double[walks.size()];
            Arrays.fill(ones, 1.0);
            final Tensor gradTrans = Tensor.zeros(org.diffhmm.DType.FLOAT64, p.problem.trans().shape());
            r.backward(ones, null, gradTrans, null);
            final double[] blocks = gradTrans.doubleArray();
            for (int k = 0; k < p.triples.size(); k++) {
                final int[] tri = p.triples.get(k);
                final int a = tri[0], from = tri[1], to = tri[2];
                for (int i = 0; i < clones[from]; i++) {
                    for (int j = 0; j < clones[to]; j++) {
                        c.transitions[(a * states + first[from] + i) * states + first[to] + j] +=
                                blocks[(k * block + i) * block + j];
                    }
                }
            }
        }
        return c;
    }

    /**
     * The factorized problem of a batch (one block matrix per (action, symbol, next symbol) triple) with
     * the current transitions, and the layout it was built on.
     */
    private static final class Prepared {
        final Factorized problem;
        final long[] lengths;
        final List<int[]> triples;

        Prepared(Factorized problem, Layout layout) {
            this.problem = problem;
            this.lengths = layout.lengths;
            this.triples = layout.triples;
        }
    }

    /**
     * What the block problem of a batch takes from its walks alone — the matrix index of every step,
     * the lengths, the initial scores, the (action, symbol, next symbol) triples — kept for the next
     * call with the same walks (every iteration of EM or gradient descent), with copies of the walks'
     * arrays to see that they still are the same. Immutable once built.
     */
    private static final class Layout {
        final List<Walk> walks;          // the list it was built from (a different list: rebuilt)
        final int[][] symbols, actions;  // copies of its walks' arrays
        final List<int[]> triples;
        final long[] lengths;
        final Factorized problem;        // with the transition scores of the call that built it

        Layout(List<Walk> walks, List<int[]> triples, long[] lengths, Factorized problem) {
            this.walks = walks;
            this.symbols = new int[walks.size()][];
            this.actions = new int[walks.size()][];
            for (int b = 0; b < walks.size(); b++) {
                symbols[b] = walks.get(b).symbols().clone();
                actions[b] = walks.get(b).actions().clone();
            }
            this.triples = triples;
            this.lengths = lengths;
            this.problem = problem;
        }

        boolean matches(List<Walk> w) {
            if (w != walks || w.size() != symbols.length) {
                return false;
            }
            for (int b = 0; b < symbols.length; b++) {
                final Walk x = w.get(b);
                if (!Arrays.equals(x.symbols(), symbols[b]) || !Arrays.equals(x.actions(), actions[b])) {
                    return false;
                }
            }
            return true;
        }
    }

    private volatile Layout layout;  // the last batch's, see Layout

    private Prepared prepare(List<Walk> walks, double[] logT) {
        final Layout kept = layout;
        if (kept != null && kept.matches(walks)) {
            return new Prepared(kept.problem.withTrans(
                    Tensor.of(blockTransitions(kept.triples, logT), kept.triples.size(), block, block)), kept);
        }
        final Layout built = layout(walks, logT);
        layout = built;
        return new Prepared(built.problem, built);
    }

    /** The block matrices of the triples: {@code [K][block][block]}, −inf outside each symbol's clones. */
    private double[] blockTransitions(List<int[]> triples, double[] logT) {
        final int k = triples.size();
        final double[] trans = new double[k * block * block];
        Arrays.fill(trans, Double.NEGATIVE_INFINITY);
        for (int m = 0; m < k; m++) {
            final int a = triples.get(m)[0], from = triples.get(m)[1], to = triples.get(m)[2];
            for (int i = 0; i < clones[from]; i++) {
                for (int j = 0; j < clones[to]; j++) {
                    trans[(m * block + i) * block + j] = logT[(a * states + first[from] + i) * states + first[to] + j];
                }
            }
        }
        return trans;
    }

    private Layout layout(List<Walk> walks, double[] logT) {
        if (walks.isEmpty()) {
            throw new IllegalArgumentException("no walks");
        }
        final int batch = walks.size();
        int steps = 0;
        for (Walk w : walks) {
            steps = Math.max(steps, w.length());
        }
        // (action, symbol, next symbol) -> matrix: a flat table when the key space is small (the
        // common case: a few actions and colours), a map otherwise; no boxing per step either way.
        final long keys = (long) actions * clones.length * clones.length;
        final int[] table = keys <= (1 << 20) ? new int[(int) keys] : null;
        if (table != null) {
            Arrays.fill(table, -1);
        }
        final Map<Integer, Integer> index = table == null ? new HashMap<>() : null;
        final List<int[]> triples = new ArrayList<>();
        final long[] transIndex = new long[batch * steps];
        final long[] lengths = new long[batch];
        final double[] init = new double[batch * block];
        Arrays.fill(init, Double.NEGATIVE_INFINITY);
        for (int b = 0; b < batch; b++) {
            final Walk w = walks.get(b);
            check(w, b);
            lengths[b] = w.length();
            if (w.length() > 0) {
                Arrays.fill(init, b * block, b * block + clones[w.symbols()[0]], -Math.log(states));
            }
            for (int t = 1; t < w.length(); t++) {
                final int a = w.actions()[t - 1], from = w.symbols()[t - 1], to = w.symbols()[t];
                final int key = (a * clones.length + from) * clones.length + to;
                int k = table != null ? table[key] : index.getOrDefault(key, -1);
                if (k < 0) {
                    triples.add(new int[] {a, from, to});
                    k = triples.size() - 1;
                    if (table != null) {
                        table[key] = k;
                    } else {
                        index.put(key, k);
                    }
                }
                transIndex[b * steps + t] = k;
            }
        }
        if (triples.isEmpty()) {
            triples.add(new int[] {0, 0, 0});  // walks of length <= 1: a placeholder matrix, never read
        }
        final int k = triples.size();
        final Factorized problem = Factorized.of(Tensor.of(init, batch, block),
                Tensor.of(blockTransitions(triples, logT), k, block, block), transIndex,
                Tensor.of(zeroEmissions(batch * steps * block), batch, steps, block));
        return new Layout(walks, triples, lengths, problem);
    }

    /**
     * {@code n} zeros: the emission scores of the block problem (the blocks themselves carry which
     * clones a symbol has). Shared between calls, and between threads: nothing ever writes them.
     */
    private double[] zeroEmissions(int n) {
        double[] z = zeros;
        if (z == null || z.length != n) {
            z = new double[n];
            zeros = z;
        }
        return z;
    }

    /**
     * N, the total of the clone counts, each at least 1, within {@link Limits#MAX_STATES} (the
     * transition table's N² within 2^27 entries).
     */
    private static int totalStates(int[] clones) {
        if (clones.length < 1) {
            throw new IllegalArgumentException("need at least one symbol");
        }
        long n = 0;
        for (int s = 0; s < clones.length; s++) {
            if (clones[s] < 1) {
                throw new IllegalArgumentException("clones[" + s + "] = " + clones[s] + " (every symbol needs a clone)");
            }
            n += clones[s];
        }
        if (n > Limits.MAX_STATES) {
            throw new IllegalArgumentException("the clones add up to " + n + " states, more than the limit of "
                    + Limits.MAX_STATES + " (the transition table's states² within 2^27 entries)");
        }
        return (int) n;
    }

    /**
     * Checks every walk: not null, enough actions, symbols and actions in range.
     *
     * @param walks the walks
     * @throws IllegalArgumentException naming the first bad walk and step
     */
    @Override
    public void checkData(List<Walk> walks) {
        java.util.Objects.requireNonNull(walks, "walks");
        for (int b = 0; b < walks.size(); b++) {
            if (walks.get(b) == null) {
                throw new IllegalArgumentException("walk " + b + " is null");
            }
            check(walks.get(b), b);
        }
    }

    private void check(Walk w, int b) {
        final int[] x = w.symbols(), a = w.actions();
        if (a.length < Math.max(0, x.length - 1)) {
            throw new IllegalArgumentException("walk " + b + " has " + x.length + " symbols but " + a.length
                    + " actions (needs " + (x.length - 1) + ")");
        }
        for (int t = 0; t < x.length; t++) {
            if (x[t] < 0 || x[t] >= clones.length) {
                throw new IllegalArgumentException("walk " + b + " step " + t + ": symbol " + x[t] + " outside [0, "
                        + clones.length + ")");
            }
            if (t + 1 < x.length && (a[t] < 0 || a[t] >= actions)) {
                throw new IllegalArgumentException("walk " + b + " step " + t + ": action " + a[t] + " outside [0, "
                        + actions + ")");
            }
        }
    }

    private int[] globalPath(Walk w, long[] local) {
        final int[] path = new int[local.length];
        for (int t = 0; t < local.length; t++) {
            path[t] = first[w.symbols()[t]] + (int) local[t];
        }
        return path;
    }

    void write(ObjectNode json) {
        final ArrayNode c = json.putArray("clones");
        for (int v : clones) {
            c.add(v);
        }
        json.put("actions", actions);
        json.put("pseudocount", pseudocount);
        final ArrayNode l = json.putArray("logits");
        for (double v : logits) {
            l.add(v);
        }
    }

    /** Largest symbol id and action id a walk file may hold. */
    public static final int MAX_SYMBOL = 65535, MAX_ACTION = 1023;

    /**
     * Reads walks from a JSON file: {@code {"x": [[symbols…], …], "a": [[actions…], …]}}, or one walk
     * {@code {"x": […], "a": […]}}. Each walk's {@code a} has one entry fewer than its {@code x} (or as
     * many: the last action is then ignored). Symbols are integers in {@code [0, MAX_SYMBOL]}, actions
     * in {@code [0, MAX_ACTION]}; empty walks are skipped; duplicate keys are an error.
     *
     * @param file the walk file (UTF-8)
     * @return the walks, at least one
     * @throws FileFormatException if the file is not such a document (with the line and column)
     * @throws IOException         if it cannot be read
     */
    public static List<Walk> readWalks(java.nio.file.Path file) throws IOException {
        return readWalks(file, MAX_SYMBOL + 1, MAX_ACTION + 1);
    }

    /**
     * Reads walks as {@link #readWalks(java.nio.file.Path)} does, for a model that knows
     * {@code symbols} symbols and {@code actions} actions: every id must be below them.
     *
     * @param file    the walk file (UTF-8)
     * @param symbols symbol ids must be in {@code [0, symbols)}
     * @param actions action ids must be in {@code [0, actions)}
     * @return the walks, at least one
     * @throws FileFormatException if the file is not such a document (with the line and column)
     * @throws IOException         if it cannot be read
     */
    public static List<Walk> readWalks(java.nio.file.Path file, int symbols, int actions) throws IOException {
        final LocatedJson json = LocatedJson.parse(java.nio.file.Files.readAllBytes(file));
        if (!json.root.isObject()) {
            throw json.fail("", "expected a JSON object with arrays \"x\" (symbols) and \"a\" (actions)");
        }
        final com.fasterxml.jackson.databind.JsonNode x = json.field("x"), a = json.field("a");
        if (!x.isArray() || !a.isArray()) {
            throw json.fail(x.isArray() ? "/a" : "/x", "\"x\" (symbols) and \"a\" (actions) must be arrays");
        }
        final boolean single = x.size() > 0 && !x.get(0).isArray();
        final int count = single ? 1 : x.size();
        if (!single && a.size() != x.size()) {
            throw json.fail("/a", "\"x\" has " + x.size() + " walks but \"a\" has " + a.size());
        }
        final List<Walk> out = new ArrayList<>();
        for (int w = 0; w < count; w++) {
            final String xp = single ? "/x" : "/x/" + w, ap = single ? "/a" : "/a/" + w;
            final int[] xs = ids(json, single ? x : x.get(w), xp, Math.min(symbols, MAX_SYMBOL + 1) - 1);
            final int[] as = ids(json, single ? a : a.get(w), ap, Math.min(actions, MAX_ACTION + 1) - 1);
            if (xs.length > 0 && as.length != xs.length - 1 && as.length != xs.length) {
                throw json.fail(ap, ap + " has " + as.length + " actions for " + xs.length
                        + " symbols (expected " + (xs.length - 1) + ", one between consecutive steps)");
            }
            if (xs.length > 0) {
                out.add(new Walk(xs, as));
            }
        }
        if (out.isEmpty()) {
            throw json.fail("/x", "no walks (every walk is empty)");
        }
        return out;
    }

    private static int[] ids(LocatedJson json, com.fasterxml.jackson.databind.JsonNode array, String pointer, int max)
            throws FileFormatException {
        if (array == null || !array.isArray()) {
            throw json.fail(pointer, pointer + " must be an array of integers in [0, " + max + "]");
        }
        final int[] out = new int[array.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = json.integer(array.get(k), pointer + "/" + k, 0, max);
        }
        return out;
    }

}
