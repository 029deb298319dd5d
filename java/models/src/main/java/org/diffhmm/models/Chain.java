package org.diffhmm.models;

import java.util.SplittableRandom;

/**
 * A softmax-parameterised Markov chain over N hidden states: initial logits {@code [N]} and
 * transition logits {@code [N][N]} ({@code π = softmax(initLogits)}, {@code A[i] =
 * softmax(transLogits[i])}). The hidden half of every HMM here; {@link HmmLayer} exposes it alone
 * for callers that bring their own emissions. Mutable; not thread-safe.
 */
public final class Chain {
    private final int states;
    final double[] initLogits;
    final double[] transLogits;

    Chain(int states, double[] initLogits, double[] transLogits) {
        Limits.atLeast("states", states, 1);
        final int squared = Limits.table("transition logits (states × states)", states, states);
        if (initLogits.length != states || transLogits.length != squared) {
            throw new IllegalArgumentException("expected " + states + " initial and " + squared
                    + " transition logits, got " + initLogits.length + " and " + transLogits.length);
        }
        this.states = states;
        this.initLogits = initLogits.clone();
        this.transLogits = transLogits.clone();
    }

    /**
     * A chain with logits drawn from N(0, scale²): a random, non-degenerate starting point.
     *
     * @param states N, at least 1 and at most 11585 (the transition table's N² within 2^27 entries)
     * @param scale  the standard deviation of the logits
     * @param rng    the random source
     * @return the chain
     * @throws IllegalArgumentException if {@code states} is out of range (the message names the limit)
     */
    public static Chain random(int states, double scale, SplittableRandom rng) {
        Limits.atLeast("states", states, 1);
        final double[] trans = new double[Limits.table("transition logits (states × states)", states, states)];
        final double[] init = new double[states];
        for (int k = 0; k < init.length; k++) {
            init[k] = scale * Gaussians.standard(rng);
        }
        for (int k = 0; k < trans.length; k++) {
            trans[k] = scale * Gaussians.standard(rng);
        }
        return new Chain(states, init, trans);
    }

    /**
     * A chain with the given probabilities. Zeros are structural (a logit of -inf).
     *
     * @param init  {@code [N]} initial probabilities, each in {@code [0, 1]}, summing to 1 (within 1e-9)
     * @param trans {@code [N][N]} transition probabilities, each row like {@code init}
     * @return the chain
     * @throws IllegalArgumentException if a probability is negative or not finite, a row does not sum
     *                                  to 1, or the rows are ragged (the message names the entry)
     */
    public static Chain of(double[] init, double[][] trans) {
        java.util.Objects.requireNonNull(init, "init");
        java.util.Objects.requireNonNull(trans, "trans");
        final int n = init.length;
        if (n < 1) {
            throw new IllegalArgumentException("init must have at least one state");
        }
        if (trans.length != n) {
            throw new IllegalArgumentException("trans must have " + n + " rows to match init, got " + trans.length);
        }
        Limits.table("transition probabilities (states × states)", n, n);
        requireDistribution(init, "init");
        for (int i = 0; i < n; i++) {
            if (trans[i] == null || trans[i].length != n) {
                throw new IllegalArgumentException("trans[" + i + "] must have " + n + " entries, got "
                        + (trans[i] == null ? "null" : trans[i].length));
            }
            requireDistribution(trans[i], "trans[" + i + "]");
        }
        final double[] logInit = new double[n], logTrans = new double[n * n];
        for (int i = 0; i < n; i++) {
            logInit[i] = Math.log(init[i]);
            for (int j = 0; j < n; j++) {
                logTrans[i * n + j] = Math.log(trans[i][j]);
            }
        }
        return new Chain(n, logInit, logTrans);
    }

    /**
     * A left-to-right (Bakis) chain: it starts in state 0 and moves from state i only to states i .. i
     * + maxJump (the last states to themselves), each allowed move equally likely; every other
     * transition is a structural zero, which EM and gradient training keep exactly zero.
     *
     * @param states  N, at least 1 and at most 11585
     * @param maxJump the farthest forward move, at least 0 (0: every state absorbs)
     * @return the chain
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static Chain leftToRight(int states, int maxJump) {
        Limits.atLeast("states", states, 1);
        Limits.atLeast("maxJump", maxJump, 0);
        final double[] init = new double[states];
        final double[] trans = new double[Limits.table("transition logits (states × states)", states, states)];
        java.util.Arrays.fill(init, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(trans, Double.NEGATIVE_INFINITY);
        init[0] = 0;
        for (int i = 0; i < states; i++) {
            final int last = (int) Math.min(states - 1L, (long) i + maxJump);
            for (int j = i; j <= last; j++) {
                trans[i * states + j] = 0;  // equal logits: uniform over the allowed moves
            }
        }
        return new Chain(states, init, trans);
    }

    private static void requireDistribution(double[] p, String name) {
        double sum = 0;
        for (int j = 0; j < p.length; j++) {
            if (!(p[j] >= 0 && p[j] <= 1)) {
                throw new IllegalArgumentException(name + "[" + j + "] = " + p[j] + " is not a probability in [0, 1]");
            }
            sum += p[j];
        }
        if (Math.abs(sum - 1) > 1e-9) {
            throw new IllegalArgumentException(name + " sums to " + sum + ", not 1");
        }
    }

    /**
     * The number of hidden states.
     *
     * @return N
     */
    public int states() {
        return states;
    }

    /**
     * The initial log-probabilities.
     *
     * @return {@code log π}, {@code [N]}
     */
    public double[] logInit() {
        return Softmax.logProbabilities(initLogits, 1, states);
    }

    /**
     * The transition log-probabilities.
     *
     * @return {@code log A}, {@code [N][N]} row-major
     */
    public double[] logTrans() {
        return Softmax.logProbabilities(transLogits, states, states);
    }

    /**
     * The initial distribution.
     *
     * @return {@code π}, {@code [N]} (0 for a structural zero)
     */
    public double[] initProbabilities() {
        return Softmax.exp(logInit());
    }

    /**
     * The transition matrix.
     *
     * @return {@code A[i][j] = P(z_t = j | z_{t-1} = i)}, {@code [N][N]} (0 for a structural zero)
     */
    public double[][] transitionMatrix() {
        return Softmax.matrix(logTrans(), states, states);
    }

    /**
     * The trainable parameters: the initial logits {@code [N]}, then the transition logits
     * {@code [N][N]} row-major — the layout of {@link HmmLayer.Gradients#chain()}, so an optimizer
     * step is {@code p = chain.parameters(); opt.step(p, -g.chain() / n, rate); chain.setParameters(p)}.
     *
     * @return a copy, {@code N + N²} values
     */
    public double[] parameters() {
        final double[] out = new double[parameterCount()];
        copyParameters(out, 0);
        return out;
    }

    /**
     * Replaces the parameters (layout of {@link #parameters()}). A logit of −inf is a structural zero;
     * a row of logits may not be all −inf.
     *
     * @param parameters {@code N + N²} values, finite or −inf (copied)
     * @throws IllegalArgumentException if the length is wrong, a value is NaN or +inf, or the initial
     *                                  logits or a transition row are all −inf (the message names it);
     *                                  the chain is then unchanged
     */
    public void setParameters(double[] parameters) {
        java.util.Objects.requireNonNull(parameters, "parameters");
        if (parameters.length != parameterCount()) {
            throw new IllegalArgumentException("a chain of " + states + " states has " + parameterCount()
                    + " parameters (" + states + " initial and " + states * states + " transition logits), got "
                    + parameters.length);
        }
        for (int k = 0; k < parameters.length; k++) {
            if (Double.isNaN(parameters[k]) || parameters[k] == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("parameters[" + k + "] = " + parameters[k] + " ("
                        + (k < states ? "initial logit " + k : "transition logit [" + (k - states) / states + "]["
                        + (k - states) % states + "]") + ") must be finite or -inf");
            }
        }
        for (int row = -1; row < states; row++) {
            final int from = row < 0 ? 0 : states + row * states;
            boolean any = false;
            for (int j = 0; j < states; j++) {
                any |= parameters[from + j] > Double.NEGATIVE_INFINITY;
            }
            if (!any) {
                throw new IllegalArgumentException((row < 0 ? "the initial logits" : "transition row " + row)
                        + " are all -inf: no probability is left to normalise");
            }
        }
        setParameters(parameters, 0);
    }

    int parameterCount() {
        return states + states * states;
    }

    void copyParameters(double[] out, int offset) {
        System.arraycopy(initLogits, 0, out, offset, states);
        System.arraycopy(transLogits, 0, out, offset + states, states * states);
    }

    void setParameters(double[] in, int offset) {
        System.arraycopy(in, offset, initLogits, 0, states);
        System.arraycopy(in, offset + states, transLogits, 0, states * states);
    }

    /** Adds the gradient of the log-likelihood given expected initial and transition counts. */
    void addGradient(double[] initCounts, double[] transCounts, double[] out, int offset) {
        Softmax.addGradient(logInit(), initCounts, 1, states, out, offset);
        Softmax.addGradient(logTrans(), transCounts, states, states, out, offset + states);
    }

    /** The M-step: π ∝ initial counts, A[i] ∝ transition counts (+ pseudocount); structural zeros stay zero. */
    void maximise(double[] initCounts, double[] transCounts, double pseudocount) {
        System.arraycopy(Softmax.fromCounts(initCounts, 1, states, pseudocount, initLogits), 0, initLogits, 0, states);
        System.arraycopy(Softmax.fromCounts(transCounts, states, states, pseudocount, transLogits), 0, transLogits, 0,
                states * states);
    }
}
