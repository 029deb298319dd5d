package org.diffhmm.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.train.EmStatistics;
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
public final class CloneHmm extends Hmm<CloneHmm.Walk> {
    /**
     * A walk: {@code symbols[t]} observed at step t and {@code actions[t]} the action taken after it
     * (at least {@code symbols.length - 1} actions; extra ones are ignored).
     *
     * @param symbols the observed symbols, one per step
     * @param actions the actions, one between consecutive steps
     */
    public record Walk(int[] symbols, int[] actions) {
        /**
         * A walk of copies of the arrays: a walk never changes, so a model that keeps a batch's block
         * problem between calls on the same walks checks only that they are the same walks (O(B)).
         *
         * @param symbols the observed symbols, one per step (copied)
         * @param actions the actions, one between consecutive steps (copied)
         * @throws NullPointerException if either is null
         */
        public Walk {
            symbols = Objects.requireNonNull(symbols, "symbols").clone();
            actions = Objects.requireNonNull(actions, "actions").clone();
        }

        /**
         * The observed symbols.
         *
         * @return a copy
         */
        @Override
        public int[] symbols() {
            return symbols.clone();
        }

        /**
         * The actions.
         *
         * @return a copy
         */
        @Override
        public int[] actions() {
            return actions.clone();
        }

        /** The symbols themselves, for this package's loops (never written). */
        int[] x() {
            return symbols;
        }

        /** The actions themselves, for this package's loops (never written). */
        int[] a() {
            return actions;
        }

        /**
         * The number of steps.
         *
         * @return the number of symbols
         */
        public int length() {
            return symbols.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Walk w && Arrays.equals(symbols, w.symbols) && Arrays.equals(actions, w.actions);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(symbols) + Arrays.hashCode(actions);
        }

        @Override
        public String toString() {
            return "Walk[symbols=" + Arrays.toString(symbols) + ", actions=" + Arrays.toString(actions) + "]";
        }
    }

    private final int[] clones;
    private final int[] first;
    private final int[] symbolOf;
    private final int states, actions, block;
    private final double[] logits;
    private final CloneBlocks blocks;  // walks as block problems (kept between calls on the same walks)
    private double pseudocount;

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
        this.blocks = new CloneBlocks(this.clones, first, n, actions, widest);
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
    @Override
    public CloneHmm options(Options options) {
        super.options(options);
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
    @Override
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
    // The family hooks of Hmm
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
     * The transition rows' free parameters: per (action, clone) row its finite logits less one; the
     * uniform start and the deterministic emissions have none.
     *
     * @return the count
     */
    @Override
    public long freeParameters() {
        return freeInRows(logits, actions * states, states);
    }

    @Override
    int length(Walk walk) {
        return walk.length();
    }

    /** Every walk as the block problem of the current transitions (see {@link CloneBlocks}). */
    @Override
    Batch batch(List<Walk> walks) {
        return blocks.batch(walks, logTransitions());
    }

    /** Soft-EM E-step: the expected action-conditioned transition counts C {@code [A][N][N]} and lnL. */
    @Override
    EmStatistics statistics(List<Walk> walks, Batch batch, Counts c) {
        return new EmStatistics(c.logLikelihood, steps(walks), ((CloneBlocks.BlockBatch) batch).transitions(c.trans));
    }

    /** {@code ∂ lnL / ∂θ = C − T·rowsum(C)} from the expected counts C. */
    @Override
    double[] dataGradient(List<Walk> walks, Batch batch, Counts c) {
        final CloneBlocks.BlockBatch cut = (CloneBlocks.BlockBatch) batch;
        final double[] gradient = new double[logits.length];
        Softmax.addGradient(cut.logT, cut.transitions(c.trans), actions * states, states, gradient, 0);
        return gradient;
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
        final Batch p = checkedBatch(walks);
        final HmmForward.ViterbiResult v = HmmForward.viterbi(options(), p.problem, p.lengths);
        final double[] counts = new double[logits.length];
        for (int b = 0; b < walks.size(); b++) {
            final int[] path = p.path(b, v.path(b));
            final int[] a = walks.get(b).a();
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
     * Bits per step, the CSCG papers' measure.
     *
     * @param walks the walks
     * @return {@code −(1/L) Σ_t log2 P(x_t | x_<t, a_<t)}, the t = 0 term included
     */
    public double bitsPerStep(List<Walk> walks) {
        return -logLikelihood(walks) / (steps(walks) * Math.log(2));
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
     * Checks every walk (not null, enough actions, symbols and actions in range) — except walks of the
     * batch this model keeps, which were checked when it was built and cannot have changed since.
     *
     * @param walks the walks
     * @throws IllegalArgumentException naming the first bad walk and step
     */
    @Override
    public void checkData(List<Walk> walks) {
        if (walks != null && blocks.kept(walks)) {
            return;
        }
        super.checkData(walks);
    }

    @Override
    void checkSequence(Walk w, int b) {
        final int[] x = w.x(), a = w.a();
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

    /** A model file's fields (after format, version and type). */
    static CloneHmm read(LocatedJson json) throws FileFormatException {
        final com.fasterxml.jackson.databind.JsonNode c = json.field("clones");
        if (!c.isArray() || c.size() < 1) {
            throw json.fail("/clones", "/clones must be a non-empty array of clone counts");
        }
        final int[] clones = new int[c.size()];
        long states = 0;
        for (int k = 0; k < clones.length; k++) {
            clones[k] = json.integer(c.get(k), "/clones/" + k, 1, Limits.MAX_STATES);
            states += clones[k];
        }
        if (states > Limits.MAX_STATES) {
            throw json.fail("/clones", "the clones add up to " + states + " states, more than " + Limits.MAX_STATES);
        }
        final int actions = json.integer(json.field("actions"), "/actions", 1, Limits.MAX_TABLE / (states * states));
        final double pseudocount = json.number(json.field("pseudocount"), "/pseudocount", false);
        if (pseudocount < 0) {
            throw json.fail("/pseudocount", "/pseudocount = " + pseudocount + " (expected >= 0)");
        }
        return new CloneHmm(clones, actions, json.numbers("logits", actions * states * states, true), pseudocount);
    }

    @Override
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
    public static final int MAX_SYMBOL = Walks.MAX_SYMBOL, MAX_ACTION = Walks.MAX_ACTION;

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
        return Walks.read(file, MAX_SYMBOL + 1, MAX_ACTION + 1);
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
        return Walks.read(file, symbols, actions);
    }
}
