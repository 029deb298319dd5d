package org.diffhmm;

import java.util.Objects;

/**
 * Batched forward–backward for hidden Markov models and linear-chain CRFs, with explicit
 * (autograd-free) gradients: the log-partition {@code log Z} of every sequence of a batch, its exact
 * gradient for any upstream gradient, Viterbi paths and posterior marginals.
 *
 * <h2>Dense potentials (compatible with the published {@code HMMForward.apply})</h2>
 * {@code potential} is a {@link Tensor} of shape {@code [B][T][N][N]}: {@code potential[b][t][i][j]}
 * is the log-score of moving from state {@code i} at step {@code t-1} to state {@code j} at step
 * {@code t}, emission included. At {@code t = 0} only row 0 is read: {@code potential[b][0][0][j]} is
 * the initial log-score of state {@code j}. {@code lengths[b]} in {@code [0, T]} is the number of real
 * steps of sequence {@code b}; later steps are padding, never read. The optional {@code mask}
 * ({@code [B*T]}, row-major) is accepted for compatibility and must equal the prefix mask of
 * {@code lengths}.
 * <pre>
 *   log_alpha[b][0][j] = potential[b][0][0][j]
 *   log_alpha[b][t][j] = logsumexp_i(log_alpha[b][t-1][i] + potential[b][t][i][j])
 *   logZ[b]            = logsumexp_j log_alpha[b][lengths[b]-1][j]     (0 when lengths[b] = 0)
 * </pre>
 * Scores may be any finite reals (unnormalised CRF scores are exact) or {@code -inf} (an impossible
 * transition: zero gradient, never NaN). A sequence with no finite path has {@code logZ = -inf} and
 * zero gradient. NaN or {@code +inf} is a {@link DiffhmmException} ({@link Status#INVALID_VALUE})
 * naming the index, unless {@link Options#trustedInput(boolean)} is set. The factorized form is
 * described in {@link Factorized}. The recursions are written out in {@code docs/formulas.md}.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * Tensor potential = Tensor.of(scores, B, T, N, N);           // float[] scores
 * try (HmmForward.Result r = HmmForward.apply(potential, lengths)) {
 *     double[] logZ = r.logZ();
 *     Tensor grad = r.backward(gradLogZ);                     // d(sum_b gradLogZ[b]·logZ[b]) / d potential
 * }
 * }</pre>
 *
 * <h2>Threads and memory</h2>
 * All methods are thread-safe; concurrent calls run concurrently and give exactly the answers a
 * serial call gives. A {@link Result} keeps the forward's saved state in a native workspace until it
 * is closed; closed workspaces are pooled and reused, so steady-state calls allocate no native
 * memory. Nothing the caller passes is ever modified. Errors Java can see (shapes, lengths, masks,
 * nulls) are {@link IllegalArgumentException}s or {@link NullPointerException}s raised before any
 * native call; the native core's are {@link DiffhmmException}s carrying its {@link Status}.
 */
public final class HmmForward {
    private HmmForward() {}

    // ----------------------------------------------------------------------------------------------
    // The verbs, each written once over a NativeProblem (dense or factorized)
    // ----------------------------------------------------------------------------------------------

    private static Saved forward(Options options, NativeProblem p) {
        Objects.requireNonNull(options, "options");
        Leases.reserve();
        try (NativeProblem.Call c = p.call(options)) {
            final Object logZ = c.ops.vector(new double[(int) p.B]);
            Natives.check(p.forward(c.ws, NativeProblem.flags(options), c.ops, logZ));
            final double[] read = Operands.read(logZ, (int) p.B);
            return new Saved(c.keep(), read);
        }
    }

    /** A workspace holding a forward's saved state, and the log Z it computed. */
    private record Saved(Workspaces.Workspace ws, double[] logZ) {}

    private static ViterbiResult viterbi(Options options, NativeProblem p) {
        Objects.requireNonNull(options, "options");
        final long[] path = new long[NativeProblem.entries("Viterbi paths", "B*T", "split the batch", p.B, p.T)];
        try (NativeProblem.Call c = p.call(options)) {
            final Object score = c.ops.vector(new double[(int) p.B]);
            Natives.check(p.viterbi(c.ws, NativeProblem.flags(options), c.ops, c.ops.indicesOut(path), score));
            c.ops.finish();
            return new ViterbiResult(p.B, p.T, path, Operands.read(score, (int) p.B));
        }
    }

    private static KBest kbest(Options options, NativeProblem p, int k) {
        Objects.requireNonNull(options, "options");
        if (k < 1 || k > MAX_KBEST) {
            throw new IllegalArgumentException("k must be in [1, " + MAX_KBEST + "], got " + k);
        }
        final long[] paths = new long[NativeProblem.entries("k-best paths", "B*k*T", "split the batch", p.B, k, p.T)];
        try (NativeProblem.Call c = p.call(options)) {
            final Object scores = c.ops.vector(new double[(int) (p.B * k)]);
            Natives.check(p.kbest(c.ws, NativeProblem.flags(options), c.ops, k, c.ops.indicesOut(paths), scores));
            c.ops.finish();
            return new KBest(p.B, k, p.T, paths, Operands.read(scores, (int) (p.B * k)));
        }
    }

    private static Marginals marginals(Options options, NativeProblem p) {
        Objects.requireNonNull(options, "options");
        final Tensor gamma = Tensor.zeros(p.dtype, p.B, p.T, p.N);
        try (NativeProblem.Call c = p.call(options, gamma)) {
            final Object logZ = c.ops.vector(new double[(int) p.B]);
            Natives.check(p.marginals(c.ws, NativeProblem.flags(options), c.ops, logZ, c.ops.output(gamma)));
            c.ops.finish();
            return new Marginals(gamma, Operands.read(logZ, (int) p.B));
        }
    }

    private static Samples sample(Options options, NativeProblem p, int numSamples, long seed) {
        Objects.requireNonNull(options, "options");
        if (numSamples < 0) {
            throw new IllegalArgumentException("numSamples must be >= 0, got " + numSamples);
        }
        final long[] paths = new long[NativeProblem.entries("posterior samples", "B*numSamples*T",
                "draw fewer samples per call or split the batch", p.B, numSamples, p.T)];
        try (NativeProblem.Call c = p.call(options)) {
            Natives.check(p.sample(c.ws, NativeProblem.flags(options), c.ops, numSamples, seed, c.ops.indicesOut(paths)));
            c.ops.finish();
            return new Samples(p.B, numSamples, p.T, paths);
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Dense
    // ----------------------------------------------------------------------------------------------

    /**
     * The forward pass on the default options ({@link Backend#AUTO}).
     *
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return log Z of every sequence, with the saved state for {@link Result#backward}; close it
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Result apply(Tensor potential, long[] lengths) {
        return apply(Options.DEFAULT, potential, lengths, null);
    }

    /**
     * The forward pass with the published layer's mask, which must match {@code lengths}.
     *
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param mask      {@code [B*T]} row-major, true exactly at the first {@code lengths[b]} steps; or null
     * @return log Z of every sequence, with the saved state for {@link Result#backward}; close it
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Result apply(Tensor potential, long[] lengths, boolean[] mask) {
        return apply(Options.DEFAULT, potential, lengths, mask);
    }

    /**
     * The forward pass with explicit options, without a mask.
     *
     * @param options   backend, threads, instruction set, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return log Z of every sequence, with the saved state for {@link Result#backward}; close it
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Result apply(Options options, Tensor potential, long[] lengths) {
        return apply(options, potential, lengths, null);
    }

    /**
     * The forward pass with explicit options.
     *
     * @param options   backend, threads, instruction set, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param mask      {@code [B*T]} row-major, true exactly at the first {@code lengths[b]} steps; or null
     * @return log Z of every sequence, with the saved state for {@link Result#backward}; close it
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Result apply(Options options, Tensor potential, long[] lengths, boolean[] mask) {
        final NativeProblem.Dense p = NativeProblem.Dense.of(potential, lengths, mask);
        return new Result(forward(options, p), p);
    }

    /**
     * The most probable path of every sequence and its score (max-plus; ties go to the lowest state index).
     *
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return paths and scores
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static ViterbiResult viterbi(Tensor potential, long[] lengths) {
        return viterbi(Options.DEFAULT, potential, lengths);
    }

    /**
     * {@link #viterbi(Tensor, long[])} with explicit options.
     *
     * @param options   backend, threads, instruction set, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return paths and scores
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static ViterbiResult viterbi(Options options, Tensor potential, long[] lengths) {
        return viterbi(options, NativeProblem.Dense.of(potential, lengths, null));
    }

    /** The largest k of {@link #kbest}. */
    public static final int MAX_KBEST = 64;

    /**
     * The k highest-scoring paths of every sequence and their scores, best first (the k-max-plus
     * semiring; k = 1 is {@link #viterbi}). Equal scores are ordered by the reversed path, compared
     * lexicographically from the last state back. A sequence with fewer than k finite paths gets
     * empty paths and -inf scores for the rest.
     *
     * @param options   backend, threads, instruction set, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param k         paths per sequence, in {@code [1, MAX_KBEST]}
     * @return paths {@code [B][k][T]} and scores {@code [B][k]}
     * @throws IllegalArgumentException if shapes, lengths or k are out of range (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (on CUDA also: 2·N·k scores beyond 48 KB of shared memory)
     */
    public static KBest kbest(Options options, Tensor potential, long[] lengths, int k) {
        return kbest(options, NativeProblem.Dense.of(potential, lengths, null), k);
    }

    /**
     * Node marginals {@code gamma[b][t][j] = P(z_t = j)} (0 at padding) and log Z.
     *
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return the marginals, {@code [B][T][N]}, and log Z
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Marginals marginals(Tensor potential, long[] lengths) {
        return marginals(Options.DEFAULT, potential, lengths);
    }

    /**
     * {@link #marginals(Tensor, long[])} with explicit options.
     *
     * @param options   backend, threads, instruction set, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return the marginals, {@code [B][T][N]}, and log Z
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Marginals marginals(Options options, Tensor potential, long[] lengths) {
        return marginals(options, NativeProblem.Dense.of(potential, lengths, null));
    }

    /**
     * {@code numSamples} hidden paths per sequence drawn from the posterior {@code P(z | x)} by forward
     * filtering, backward sampling. The same seed gives the same paths whatever the thread count.
     *
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param numSamples paths per sequence, at least 1
     * @param seed       the random seed
     * @return the sampled paths, {@code [B][S][T]}
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Samples sample(Tensor potential, long[] lengths, int numSamples, long seed) {
        return sample(Options.DEFAULT, potential, lengths, numSamples, seed);
    }

    /**
     * {@link #sample(Tensor, long[], int, long)} with explicit options.
     *
     * @param options   backend, threads, instruction set, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param numSamples paths per sequence, at least 1
     * @param seed       the random seed
     * @return the sampled paths, {@code [B][S][T]}
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Samples sample(Options options, Tensor potential, long[] lengths, int numSamples, long seed) {
        return sample(options, NativeProblem.Dense.of(potential, lengths, null), numSamples, seed);
    }

    // ----------------------------------------------------------------------------------------------
    // Factorized
    // ----------------------------------------------------------------------------------------------

    /**
     * The forward pass of factorized potentials on the default options (see {@link Factorized}).
     *
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return log Z of every sequence, with the saved state for {@link FactorizedResult#backward}; close it
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static FactorizedResult apply(Factorized potentials, long[] lengths) {
        return apply(Options.DEFAULT, potentials, lengths);
    }

    /**
     * The forward pass of factorized potentials with explicit options.
     *
     * @param options    backend, threads, instruction set, input scan
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return log Z of every sequence, with the saved state for {@link FactorizedResult#backward}; close it
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static FactorizedResult apply(Options options, Factorized potentials, long[] lengths) {
        final NativeProblem.Fact p = NativeProblem.Fact.of(potentials, lengths);
        return new FactorizedResult(forward(options, p), p);
    }

    /**
     * The most probable paths of factorized potentials (see {@link #viterbi(Tensor, long[])}).
     *
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return paths and scores
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static ViterbiResult viterbi(Factorized potentials, long[] lengths) {
        return viterbi(Options.DEFAULT, potentials, lengths);
    }

    /**
     * {@link #viterbi(Factorized, long[])} with explicit options.
     *
     * @param options    backend, threads, instruction set, input scan
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence
     * @return paths and scores
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static ViterbiResult viterbi(Options options, Factorized potentials, long[] lengths) {
        return viterbi(options, NativeProblem.Fact.of(potentials, lengths));
    }

    /**
     * {@link #kbest(Options, Tensor, long[], int)} for factorized potentials.
     *
     * @param options    backend, threads, instruction set, input scan
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param k          paths per sequence, in {@code [1, MAX_KBEST]}
     * @return paths {@code [B][k][T]} and scores {@code [B][k]}
     * @throws IllegalArgumentException if shapes, lengths or k are out of range (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (on CUDA also: 2·N·k scores beyond 48 KB of shared memory)
     */
    public static KBest kbest(Options options, Factorized potentials, long[] lengths, int k) {
        return kbest(options, NativeProblem.Fact.of(potentials, lengths), k);
    }

    /**
     * Node marginals of factorized potentials (see {@link #marginals(Tensor, long[])}).
     *
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @return the marginals, {@code [B][T][N]}, and log Z
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Marginals marginals(Factorized potentials, long[] lengths) {
        return marginals(Options.DEFAULT, potentials, lengths);
    }

    /**
     * {@link #marginals(Factorized, long[])} with explicit options.
     *
     * @param options    backend, threads, instruction set, input scan
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence
     * @return the marginals, {@code [B][T][N]}, and log Z
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Marginals marginals(Options options, Factorized potentials, long[] lengths) {
        return marginals(options, NativeProblem.Fact.of(potentials, lengths));
    }

    /**
     * Posterior samples for factorized potentials (see {@link #sample(Tensor, long[], int, long)}).
     *
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param numSamples paths per sequence, at least 1
     * @param seed       the random seed
     * @return the sampled paths, {@code [B][S][T]}
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Samples sample(Factorized potentials, long[] lengths, int numSamples, long seed) {
        return sample(Options.DEFAULT, potentials, lengths, numSamples, seed);
    }

    /**
     * {@link #sample(Factorized, long[], int, long)} with explicit options.
     *
     * @param options    backend, threads, instruction set, input scan
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence
     * @param numSamples paths per sequence, at least 1
     * @param seed       the random seed
     * @return the sampled paths, {@code [B][S][T]}
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Samples sample(Options options, Factorized potentials, long[] lengths, int numSamples, long seed) {
        return sample(options, NativeProblem.Fact.of(potentials, lengths), numSamples, seed);
    }

    // ----------------------------------------------------------------------------------------------
    // Results
    // ----------------------------------------------------------------------------------------------

    /**
     * The result of a dense forward: log Z now, gradients on demand. Holds the forward's saved state
     * in a native workspace until {@link #close()} (use try-with-resources). {@link #backward} may be
     * called any number of times, with different upstream gradients; it re-reads the potential, which
     * must not change in between. Methods are thread-safe (serialised per result).
     */
    public static final class Result extends DenseForward {
        private Result(Saved saved, NativeProblem.Dense problem) {
            super(saved.ws(), saved.logZ(), problem, "HmmForward.Result");
        }
    }

    /**
     * The result of a factorized forward (see {@link Result} for the life cycle). Gradients:
     * {@code d/d init = sum_b g[b]·γ_0} (per b when init is {@code [B][N]}),
     * {@code d/d trans[k] = sum over (b, t >= 1) with transIndex[b][t] = k of g[b]·ξ_t},
     * {@code d/d emit[b][t] = g[b]·γ_t}.
     */
    public static final class FactorizedResult extends FactorizedForward {
        private FactorizedResult(Saved saved, NativeProblem.Fact problem) {
            super(saved.ws(), saved.logZ(), problem, "HmmForward.FactorizedResult");
        }
    }

    /** Gradients of a factorized forward, shaped like init, trans and emit. */
    public static final class FactorizedGradient {
        private final Tensor init, trans, emit;

        FactorizedGradient(Tensor init, Tensor trans, Tensor emit) {
            this.init = init;
            this.trans = trans;
            this.emit = emit;
        }

        /**
         * The gradient with respect to init.
         *
         * @return shaped like init, or null if it was skipped
         */
        public Tensor init() {
            return init;
        }

        /**
         * The gradient with respect to trans.
         *
         * @return shaped like trans, or null if it was skipped
         */
        public Tensor trans() {
            return trans;
        }

        /**
         * The gradient with respect to emit (the node marginals scaled by the upstream gradient).
         *
         * @return shaped like emit, or null if it was skipped
         */
        public Tensor emit() {
            return emit;
        }
    }
    /**
     * Viterbi paths {@code [B*T]} (state indices, -1 at padding and for sequences without a finite
     * path) and scores {@code [B]} (-inf without a finite path, 0 for length 0).
     */
    public static final class ViterbiResult {
        private final long batch, steps;
        private final long[] paths;
        private final double[] scores;

        ViterbiResult(long batch, long steps, long[] paths, double[] scores) {
            this.batch = batch;
            this.steps = steps;
            this.paths = paths;
            this.scores = scores;
        }

        /**
         * All paths.
         *
         * @return a copy, row-major {@code [B][T]}
         */
        public long[] paths() {
            return paths.clone();
        }

        /**
         * The path of one sequence over its real steps.
         *
         * @param b the sequence, {@code 0 <= b < B}
         * @return its states (empty for length 0 or no finite path)
         * @throws IndexOutOfBoundsException if {@code b} is outside the batch
         */
        public long[] path(int b) {
            Objects.checkIndex(b, (int) batch);
            return Paths.trimmed(paths, b * steps, steps);
        }

        /**
         * The score of every best path.
         *
         * @return a copy, {@code [B]}: -inf without a finite path, 0 for length 0
         */
        public double[] scores() {
            return scores.clone();
        }
    }
    /**
     * The k best paths of every sequence: {@code paths [B][k][T]} row-major (state indices; -1 at
     * padding and for paths that do not exist) and {@code scores [B][k]}, best first.
     */
    public static final class KBest {
        private final long batch, k, steps;
        private final long[] paths;
        private final double[] scores;

        KBest(long batch, long k, long steps, long[] paths, double[] scores) {
            this.batch = batch;
            this.k = k;
            this.steps = steps;
            this.paths = paths;
            this.scores = scores;
        }

        /**
         * The number of paths asked for per sequence.
         *
         * @return k
         */
        public long k() {
            return k;
        }

        /**
         * All paths.
         *
         * @return a copy, row-major {@code [B][k][T]}
         */
        public long[] paths() {
            return paths.clone();
        }

        /**
         * All scores.
         *
         * @return a copy, {@code [B][k]}: -inf for paths that do not exist
         */
        public double[] scores() {
            return scores.clone();
        }

        /**
         * The n-th best path of one sequence over its real steps.
         *
         * @param b the sequence, {@code 0 <= b < B}
         * @param n the rank, {@code 0 <= n < k} (0 is the best)
         * @return its states (empty if there is no such path, or for length 0)
         * @throws IndexOutOfBoundsException if {@code b} or {@code n} is out of range
         */
        public long[] path(int b, int n) {
            Objects.checkIndex(b, (int) batch);
            Objects.checkIndex(n, (int) k);
            return Paths.trimmed(paths, (b * k + n) * steps, steps);
        }

        /**
         * The score of the n-th best path of one sequence.
         *
         * @param b the sequence
         * @param n the rank (0 is the best)
         * @return its score, or -inf if there is no such path
         * @throws IndexOutOfBoundsException if {@code b} or {@code n} is out of range
         */
        public double score(int b, int n) {
            Objects.checkIndex(b, (int) batch);
            Objects.checkIndex(n, (int) k);
            return scores[(int) (b * k + n)];
        }
    }
    /**
     * Posterior samples: {@code paths [B][S][T]} row-major (state indices; -1 at padding and, for a
     * sequence without a finite path, everywhere).
     */
    public static final class Samples {
        private final long batch, samples, steps;
        private final long[] paths;

        Samples(long batch, long samples, long steps, long[] paths) {
            this.batch = batch;
            this.samples = samples;
            this.steps = steps;
            this.paths = paths;
        }

        /**
         * The number of samples per sequence.
         *
         * @return S
         */
        public long samples() {
            return samples;
        }

        /**
         * All samples.
         *
         * @return a copy, row-major {@code [B][S][T]}
         */
        public long[] paths() {
            return paths.clone();
        }

        /**
         * One sample of one sequence over its real steps.
         *
         * @param b the sequence, {@code 0 <= b < B}
         * @param s the sample, {@code 0 <= s < S}
         * @return its states (empty if the sequence has no finite path or length 0)
         * @throws IndexOutOfBoundsException if {@code b} or {@code s} is out of range
         */
        public long[] path(int b, int s) {
            Objects.checkIndex(b, (int) batch);
            Objects.checkIndex(s, (int) samples);
            return Paths.trimmed(paths, (b * samples + s) * steps, steps);
        }
    }
    /** Node marginals {@code gamma [B][T][N]} (0 at padding) and log Z. */
    public static final class Marginals {
        private final Tensor gamma;
        private final double[] logZ;

        Marginals(Tensor gamma, double[] logZ) {
            this.gamma = gamma;
            this.logZ = logZ;
        }

        /**
         * The node marginals.
         *
         * @return {@code [B][T][N]}, {@code P(z_t = j)}, 0 at padding
         */
        public Tensor gamma() {
            return gamma;
        }

        /**
         * log Z of every sequence.
         *
         * @return a copy, {@code [B]}
         */
        public double[] logZ() {
            return logZ.clone();
        }
    }
}
