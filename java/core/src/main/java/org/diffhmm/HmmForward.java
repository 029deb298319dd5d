package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Objects;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

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
        Objects.requireNonNull(options, "options");
        final Dense shape = Dense.of(potential, lengths, mask);
        Leases.reserve();
        final Workspaces.Workspace ws = Workspaces.acquire(options, potential);
        try {
            final double[] logZ = forwardDense(ws, flags(options), shape);
            return new Result(ws, shape, logZ);
        } catch (RuntimeException e) {
            Workspaces.release(ws);
            throw e;
        }
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
        Objects.requireNonNull(options, "options");
        final Dense d = Dense.of(potential, lengths, null);
        final long[] path = new long[entries("Viterbi paths", "B*T", "split the batch", d.B, d.T)];
        final Workspaces.Workspace ws = Workspaces.acquire(options, potential);
        try (Operands ops = new Operands(potential.dtype(), potential)) {
            final Object score = ops.vector(new double[(int) d.B]);
            final int f = flags(options);
            final int dt = dtype(potential.dtype());
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_viterbi_dense(ws, dt, f, d.B, d.T, d.N, (float[]) Operands.array(potential),
                            d.lengths, path, (float[]) score);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_viterbi_dense(ws, dt, f, d.B, d.T, d.N, (double[]) Operands.array(potential),
                            d.lengths, path, (double[]) score);
                    break;
                default:
                    final LongPointer p = new LongPointer(path.length);
                    try {
                        status = diffhmm_viterbi_dense(ws, dt, f, d.B, d.T, d.N, ops.in(potential), ops.longs(d.lengths),
                                p, (Pointer) score);
                        p.get(path);
                    } finally {
                        p.close();
                    }
            }
            Natives.check(status);
            return new ViterbiResult(d.B, d.T, path, Operands.read(score, (int) d.B));
        } finally {
            Workspaces.release(ws);
        }
    }

    /** The largest k of {@link #kbest}. */
    public static final int MAX_KBEST = 64;

    /**
     * The k highest-scoring paths of every sequence and their scores, best first (the k-max-plus
     * semiring; k = 1 is {@link #viterbi}). Equal scores are ordered by the reversed path, compared
     * lexicographically from the last state back. A sequence with fewer than k finite paths gets
     * empty paths and -inf scores for the rest. Runs on the CPU (or reference) backend.
     *
     * @param options   backend (CPU; AUTO resolves to the CPU for k-best), threads, input scan
     * @param potential {@code [B][T][N][N]} log-scores (see the class documentation)
     * @param lengths   {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param k         paths per sequence, in {@code [1, MAX_KBEST]}
     * @return paths {@code [B][k][T]} and scores {@code [B][k]}
     * @throws IllegalArgumentException if shapes, lengths or k are out of range (the message says which)
     * @throws DiffhmmException         if the native core rejects the input, or the backend is CUDA (no k-best kernel yet)
     */
    public static KBest kbest(Options options, Tensor potential, long[] lengths, int k) {
        Objects.requireNonNull(options, "options");
        final Dense d = Dense.of(potential, lengths, null);
        checkK(k);
        final long[] paths = new long[entries("k-best paths", "B*k*T", "split the batch", d.B, k, d.T)];
        final Workspaces.Workspace ws = Workspaces.acquire(kbestOptions(options), potential);
        try (Operands ops = new Operands(potential.dtype(), potential)) {
            final Object scores = ops.vector(new double[(int) (d.B * k)]);
            final int f = flags(options);
            final int dt = dtype(potential.dtype());
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_kbest_dense(ws, dt, f, d.B, d.T, d.N, (float[]) Operands.array(potential), d.lengths, k,
                            paths, (float[]) scores);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_kbest_dense(ws, dt, f, d.B, d.T, d.N, (double[]) Operands.array(potential), d.lengths, k,
                            paths, (double[]) scores);
                    break;
                default:
                    try (LongPointer p = new LongPointer(paths.length)) {
                        status = diffhmm_kbest_dense(ws, dt, f, d.B, d.T, d.N, ops.in(potential), ops.longs(d.lengths), k, p,
                                (Pointer) scores);
                        p.get(paths);
                    }
            }
            Natives.check(status);
            return new KBest(d.B, k, d.T, paths, Operands.read(scores, (int) (d.B * k)));
        } finally {
            Workspaces.release(ws);
        }
    }

    /**
     * {@link #kbest(Options, Tensor, long[], int)} for factorized potentials.
     *
     * @param options    backend (CPU; AUTO resolves to the CPU for k-best), threads, input scan
     * @param potentials the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence, each in {@code [0, T]}
     * @param k          paths per sequence, in {@code [1, MAX_KBEST]}
     * @return paths {@code [B][k][T]} and scores {@code [B][k]}
     * @throws IllegalArgumentException if shapes, lengths or k are out of range (the message says which)
     * @throws DiffhmmException         if the native core rejects the input, or the backend is CUDA (no k-best kernel yet)
     */
    public static KBest kbest(Options options, Factorized potentials, long[] lengths, int k) {
        Objects.requireNonNull(options, "options");
        final Factorized h = potentials;
        final long[] len = checkFactorized(h, lengths);
        checkK(k);
        final long[] paths = new long[entries("k-best paths", "B*k*T", "split the batch", h.batch(), k, h.steps())];
        final Workspaces.Workspace ws = Workspaces.acquire(kbestOptions(options), h.init(), h.trans(), h.emit());
        try (Operands ops = new Operands(h.dtype(), h.init(), h.trans(), h.emit())) {
            final Object scores = ops.vector(new double[(int) (h.batch() * k)]);
            final int f = flags(options);
            final int dt = dtype(h.dtype());
            final int ib = h.initBatched() ? 1 : 0;
            final long[] idx = h.transIndexView();
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_kbest_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (float[]) Operands.array(h.init()), ib, (float[]) Operands.array(h.trans()), idx,
                            (float[]) Operands.array(h.emit()), len, k, paths, (float[]) scores);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_kbest_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (double[]) Operands.array(h.init()), ib, (double[]) Operands.array(h.trans()), idx,
                            (double[]) Operands.array(h.emit()), len, k, paths, (double[]) scores);
                    break;
                default:
                    try (LongPointer p = new LongPointer(paths.length)) {
                        status = diffhmm_kbest_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                                ops.in(h.init()), ib, ops.in(h.trans()), ops.longs(idx), ops.in(h.emit()), ops.longs(len), k,
                                p, (Pointer) scores);
                        p.get(paths);
                    }
            }
            Natives.check(status);
            return new KBest(h.batch(), k, h.steps(), paths, Operands.read(scores, (int) (h.batch() * k)));
        } finally {
            Workspaces.release(ws);
        }
    }

    private static void checkK(int k) {
        if (k < 1 || k > MAX_KBEST) {
            throw new IllegalArgumentException("k must be in [1, " + MAX_KBEST + "], got " + k);
        }
    }

    /** k-best runs on the CPU: AUTO means the CPU here (an explicit CUDA asks for what is not there). */
    private static Options kbestOptions(Options options) {
        return options.backend() == Backend.AUTO ? options.backend(Backend.CPU) : options;
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
        Objects.requireNonNull(options, "options");
        final Dense d = Dense.of(potential, lengths, null);
        final Tensor gamma = Tensor.zeros(potential.dtype(), d.B, d.T, d.N);
        final Workspaces.Workspace ws = Workspaces.acquire(options, potential);
        try (Operands ops = new Operands(potential.dtype(), potential, gamma)) {
            final Object logZ = ops.vector(new double[(int) d.B]);
            final int f = flags(options);
            final int dt = dtype(potential.dtype());
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_marginals_dense(ws, dt, f, d.B, d.T, d.N, (float[]) Operands.array(potential),
                            d.lengths, (float[]) logZ, gamma.floatArray());
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_marginals_dense(ws, dt, f, d.B, d.T, d.N, (double[]) Operands.array(potential),
                            d.lengths, (double[]) logZ, gamma.doubleArray());
                    break;
                default:
                    status = diffhmm_marginals_dense(ws, dt, f, d.B, d.T, d.N, ops.in(potential), ops.longs(d.lengths),
                            (Pointer) logZ, ops.out(gamma));
            }
            Natives.check(status);
            ops.finish();
            return new Marginals(gamma, Operands.read(logZ, (int) d.B));
        } finally {
            Workspaces.release(ws);
        }
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
        Objects.requireNonNull(options, "options");
        final Dense d = Dense.of(potential, lengths, null);
        checkSamples(numSamples);
        final long[] paths = new long[entries("posterior samples", "B*numSamples*T",
                "draw fewer samples per call or split the batch", d.B, numSamples, d.T)];
        final Workspaces.Workspace ws = Workspaces.acquire(options, potential);
        try (Operands ops = new Operands(potential.dtype(), potential)) {
            final int f = flags(options);
            final int dt = dtype(potential.dtype());
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_sample_dense(ws, dt, f, d.B, d.T, d.N, (float[]) Operands.array(potential), d.lengths,
                            numSamples, seed, paths);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_sample_dense(ws, dt, f, d.B, d.T, d.N, (double[]) Operands.array(potential), d.lengths,
                            numSamples, seed, paths);
                    break;
                default:
                    final LongPointer p = new LongPointer(Math.max(1, paths.length));
                    try {
                        status = diffhmm_sample_dense(ws, dt, f, d.B, d.T, d.N, ops.in(potential), ops.longs(d.lengths),
                                numSamples, seed, p);
                        p.get(paths);
                    } finally {
                        p.close();
                    }
            }
            Natives.check(status);
            return new Samples(d.B, numSamples, d.T, paths);
        } finally {
            Workspaces.release(ws);
        }
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
        Objects.requireNonNull(options, "options");
        final long[] len = checkFactorized(potentials, lengths);
        Leases.reserve();
        final Workspaces.Workspace ws = Workspaces.acquire(options, potentials.init(), potentials.trans(), potentials.emit());
        try {
            final double[] logZ = forwardFactorized(ws, flags(options), potentials, len);
            return new FactorizedResult(ws, potentials, len, logZ);
        } catch (RuntimeException e) {
            Workspaces.release(ws);
            throw e;
        }
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
     * @param options backend, threads, instruction set, input scan
     * @param h       the factorized potentials
     * @param lengths {@code [B]} real steps per sequence
     * @return paths and scores
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static ViterbiResult viterbi(Options options, Factorized h, long[] lengths) {
        Objects.requireNonNull(options, "options");
        final long[] len = checkFactorized(h, lengths);
        final long[] path = new long[entries("Viterbi paths", "B*T", "split the batch", h.batch(), h.steps())];
        final Workspaces.Workspace ws = Workspaces.acquire(options, h.init(), h.trans(), h.emit());
        try (Operands ops = new Operands(h.dtype(), h.init(), h.trans(), h.emit())) {
            final Object score = ops.vector(new double[(int) h.batch()]);
            final int f = flags(options);
            final int dt = dtype(h.dtype());
            final int ib = h.initBatched() ? 1 : 0;
            final long[] idx = h.transIndexView();
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_viterbi_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (float[]) Operands.array(h.init()), ib, (float[]) Operands.array(h.trans()), idx,
                            (float[]) Operands.array(h.emit()), len, path, (float[]) score);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_viterbi_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (double[]) Operands.array(h.init()), ib, (double[]) Operands.array(h.trans()), idx,
                            (double[]) Operands.array(h.emit()), len, path, (double[]) score);
                    break;
                default:
                    final LongPointer p = new LongPointer(path.length);
                    try {
                        status = diffhmm_viterbi_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                                ops.in(h.init()), ib, ops.in(h.trans()), ops.longs(idx), ops.in(h.emit()),
                                ops.longs(len), p, (Pointer) score);
                        p.get(path);
                    } finally {
                        p.close();
                    }
            }
            Natives.check(status);
            return new ViterbiResult(h.batch(), h.steps(), path, Operands.read(score, (int) h.batch()));
        } finally {
            Workspaces.release(ws);
        }
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
     * @param options backend, threads, instruction set, input scan
     * @param h       the factorized potentials
     * @param lengths {@code [B]} real steps per sequence
     * @return the marginals, {@code [B][T][N]}, and log Z
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Marginals marginals(Options options, Factorized h, long[] lengths) {
        Objects.requireNonNull(options, "options");
        final long[] len = checkFactorized(h, lengths);
        final Tensor gamma = Tensor.zeros(h.dtype(), h.batch(), h.steps(), h.states());
        final Workspaces.Workspace ws = Workspaces.acquire(options, h.init(), h.trans(), h.emit());
        try (Operands ops = new Operands(h.dtype(), h.init(), h.trans(), h.emit(), gamma)) {
            final Object logZ = ops.vector(new double[(int) h.batch()]);
            final int f = flags(options);
            final int dt = dtype(h.dtype());
            final int ib = h.initBatched() ? 1 : 0;
            final long[] idx = h.transIndexView();
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_marginals_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (float[]) Operands.array(h.init()), ib, (float[]) Operands.array(h.trans()), idx,
                            (float[]) Operands.array(h.emit()), len, (float[]) logZ, gamma.floatArray());
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_marginals_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (double[]) Operands.array(h.init()), ib, (double[]) Operands.array(h.trans()), idx,
                            (double[]) Operands.array(h.emit()), len, (double[]) logZ, gamma.doubleArray());
                    break;
                default:
                    status = diffhmm_marginals_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            ops.in(h.init()), ib, ops.in(h.trans()), ops.longs(idx), ops.in(h.emit()), ops.longs(len),
                            (Pointer) logZ, ops.out(gamma));
            }
            Natives.check(status);
            ops.finish();
            return new Marginals(gamma, Operands.read(logZ, (int) h.batch()));
        } finally {
            Workspaces.release(ws);
        }
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
     * @param h          the factorized potentials
     * @param lengths    {@code [B]} real steps per sequence
     * @param numSamples paths per sequence, at least 1
     * @param seed       the random seed
     * @return the sampled paths, {@code [B][S][T]}
     * @throws IllegalArgumentException if shapes, lengths or options are inconsistent (the message says which)
     * @throws DiffhmmException         if the native core rejects the input (NaN/+inf, a bad index) or the backend fails
     */
    public static Samples sample(Options options, Factorized h, long[] lengths, int numSamples, long seed) {
        Objects.requireNonNull(options, "options");
        final long[] len = checkFactorized(h, lengths);
        checkSamples(numSamples);
        final long[] paths = new long[entries("posterior samples", "B*numSamples*T",
                "draw fewer samples per call or split the batch", h.batch(), numSamples, h.steps())];
        final Workspaces.Workspace ws = Workspaces.acquire(options, h.init(), h.trans(), h.emit());
        try (Operands ops = new Operands(h.dtype(), h.init(), h.trans(), h.emit())) {
            final int f = flags(options);
            final int dt = dtype(h.dtype());
            final int ib = h.initBatched() ? 1 : 0;
            final long[] idx = h.transIndexView();
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_sample_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (float[]) Operands.array(h.init()), ib, (float[]) Operands.array(h.trans()), idx,
                            (float[]) Operands.array(h.emit()), len, numSamples, seed, paths);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_sample_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (double[]) Operands.array(h.init()), ib, (double[]) Operands.array(h.trans()), idx,
                            (double[]) Operands.array(h.emit()), len, numSamples, seed, paths);
                    break;
                default:
                    final LongPointer p = new LongPointer(Math.max(1, paths.length));
                    try {
                        status = diffhmm_sample_factorized(ws, dt, f, h.batch(), h.steps(), h.states(), h.numTrans(),
                                ops.in(h.init()), ib, ops.in(h.trans()), ops.longs(idx), ops.in(h.emit()), ops.longs(len),
                                numSamples, seed, p);
                        p.get(paths);
                    } finally {
                        p.close();
                    }
            }
            Natives.check(status);
            return new Samples(h.batch(), numSamples, h.steps(), paths);
        } finally {
            Workspaces.release(ws);
        }
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
    public static final class Result implements AutoCloseable {
        private Workspaces.Workspace ws;
        private Leases.Handle lease;
        private final Dense problem;
        private final double[] logZ;

        private Result(Workspaces.Workspace ws, Dense problem, double[] logZ) {
            this.ws = ws;
            this.lease = Leases.hold(this, ws, "HmmForward.Result");
            this.problem = problem;
            this.logZ = logZ;
        }

        /**
         * log Z of every sequence.
         *
         * @return a copy, {@code [B]}: -inf for a sequence without a finite path, 0 for length 0
         */
        public double[] logZ() {
            return logZ.clone();
        }

        /**
         * The gradient of {@code sum_b gradLogZ[b] * logZ[b]} with respect to the potential.
         *
         * @param gradLogZ {@code [B]} upstream gradient, any finite reals
         * @return a new array-backed tensor of the potential's dtype and shape
         * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
         * @throws IllegalStateException    if this result is closed
         */
        public Tensor backward(double[] gradLogZ) {
            final Dense d = problem;
            final Tensor grad = Tensor.zeros(d.potential.dtype(), d.B, d.T, d.N, d.N);
            backward(gradLogZ, grad);
            return grad;
        }

        /**
         * Writes the gradient into {@code gradPotential} (same dtype and shape as the potential; any
         * storage). {@code gradPotential[b][t][i][j] = gradLogZ[b] · P(z_{t-1} = i, z_t = j)} for
         * {@code 1 <= t < lengths[b]}, {@code gradLogZ[b] · P(z_0 = j)} at {@code [b][0][0][j]}, and 0
         * everywhere else. {@code gradLogZ} may hold any finite reals.
         *
         * @param gradLogZ      {@code [B]} upstream gradient
         * @param gradPotential where the gradient goes: the potential's dtype and shape, any storage
         * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
         * @throws IllegalStateException    if this result is closed
         */
        public synchronized void backward(double[] gradLogZ, Tensor gradPotential) {
            try {
                final Workspaces.Workspace w = open();
                final Dense d = problem;
                checkGradLogZ(gradLogZ, d.B, d.potential.dtype());
                Objects.requireNonNull(gradPotential, "gradPotential");
                requireLike(gradPotential, d.potential, "gradPotential");
                requireOutput(gradPotential, "gradPotential", d.potential, "potential");
                try (Operands ops = new Operands(d.potential.dtype(), d.potential, gradPotential)) {
                    final Object g = ops.vector(gradLogZ);
                    final int dt = dtype(d.potential.dtype());
                    final int status;
                    switch (ops.mode) {
                        case FLOAT_ARRAYS:
                            status = diffhmm_backward_dense(w, dt, d.B, d.T, d.N, (float[]) Operands.array(d.potential),
                                    d.lengths, (float[]) g, gradPotential.floatArray());
                            break;
                        case DOUBLE_ARRAYS:
                            status = diffhmm_backward_dense(w, dt, d.B, d.T, d.N, (double[]) Operands.array(d.potential),
                                    d.lengths, (double[]) g, gradPotential.doubleArray());
                            break;
                        default:
                            status = diffhmm_backward_dense(w, dt, d.B, d.T, d.N, ops.in(d.potential), ops.longs(d.lengths),
                                    (Pointer) g, ops.out(gradPotential));
                    }
                    Natives.check(status);
                    ops.finish();
                }
            } finally {
                // The native call above must not race the cleaner of an unreachable-looking result.
                Reference.reachabilityFence(this);
            }
        }

        /** Returns the native workspace to the pool; later calls on this result throw. Idempotent. */
        @Override
        public synchronized void close() {
            if (lease != null) {
                lease.close();  // gives the workspace back
                lease = null;
                ws = null;
            }
        }

        private Workspaces.Workspace open() {
            if (ws == null) {
                throw new IllegalStateException("this Result is closed: its forward state is gone");
            }
            return ws;
        }
    }

    /**
     * The result of a factorized forward (see {@link Result} for the life cycle). Gradients:
     * {@code d/d init = sum_b g[b]·γ_0} (per b when init is {@code [B][N]}),
     * {@code d/d trans[k] = sum over (b, t >= 1) with transIndex[b][t] = k of g[b]·ξ_t},
     * {@code d/d emit[b][t] = g[b]·γ_t}.
     */
    public static final class FactorizedResult implements AutoCloseable {
        private Workspaces.Workspace ws;
        private Leases.Handle lease;
        private final Factorized h;
        private final long[] lengths;
        private final double[] logZ;

        private FactorizedResult(Workspaces.Workspace ws, Factorized h, long[] lengths, double[] logZ) {
            this.ws = ws;
            this.lease = Leases.hold(this, ws, "HmmForward.FactorizedResult");
            this.h = h;
            this.lengths = lengths;
            this.logZ = logZ;
        }

        /**
         * log Z of every sequence.
         *
         * @return a copy, {@code [B]}: -inf for a sequence without a finite path, 0 for length 0
         */
        public double[] logZ() {
            return logZ.clone();
        }

        /**
         * All three gradients of {@code sum_b gradLogZ[b] * logZ[b]}.
         *
         * @param gradLogZ {@code [B]} upstream gradient, any finite reals
         * @return new array-backed tensors shaped like init, trans and emit
         * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
         * @throws IllegalStateException    if this result is closed
         */
        public FactorizedGradient backward(double[] gradLogZ) {
            final FactorizedGradient g = new FactorizedGradient(Tensor.zeros(h.dtype(), h.init().shape()),
                    Tensor.zeros(h.dtype(), h.trans().shape()), Tensor.zeros(h.dtype(), h.emit().shape()));
            backward(gradLogZ, g.init(), g.trans(), g.emit());
            return g;
        }

        /**
         * Writes the gradients into the caller's tensors.
         *
         * @param gradLogZ  {@code [B]} upstream gradient, any finite reals
         * @param gradInit  shaped like init, or null to skip it
         * @param gradTrans shaped like trans, or null to skip it
         * @param gradEmit  shaped like emit, or null to skip it
         * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
         * @throws IllegalStateException    if this result is closed
         */
        public synchronized void backward(double[] gradLogZ, Tensor gradInit, Tensor gradTrans, Tensor gradEmit) {
            try {
                if (ws == null) {
                    throw new IllegalStateException("this FactorizedResult is closed: its forward state is gone");
                }
                checkGradLogZ(gradLogZ, h.batch(), h.dtype());
                if (gradInit != null) {
                    requireLike(gradInit, h.init(), "gradInit");
                    requireOutput(gradInit, "gradInit", h.init(), "init", h.trans(), "trans", h.emit(), "emit");
                }
                if (gradTrans != null) {
                    requireLike(gradTrans, h.trans(), "gradTrans");
                    requireOutput(gradTrans, "gradTrans", h.init(), "init", h.trans(), "trans", h.emit(), "emit", gradInit,
                            "gradInit");
                }
                if (gradEmit != null) {
                    requireLike(gradEmit, h.emit(), "gradEmit");
                    requireOutput(gradEmit, "gradEmit", h.init(), "init", h.trans(), "trans", h.emit(), "emit", gradInit,
                            "gradInit", gradTrans, "gradTrans");
                }
                try (Operands ops = new Operands(h.dtype(), h.init(), h.trans(), h.emit(), gradInit, gradTrans, gradEmit)) {
                    final Object g = ops.vector(gradLogZ);
                    final int dt = dtype(h.dtype());
                    final int ib = h.initBatched() ? 1 : 0;
                    final long[] idx = h.transIndexView();
                    final int status;
                    switch (ops.mode) {
                        case FLOAT_ARRAYS:
                            status = diffhmm_backward_factorized(ws, dt, h.batch(), h.steps(), h.states(), h.numTrans(),
                                    (float[]) Operands.array(h.init()), ib, (float[]) Operands.array(h.trans()), idx,
                                    (float[]) Operands.array(h.emit()), lengths, (float[]) g,
                                    (float[]) Operands.array(gradInit), (float[]) Operands.array(gradTrans),
                                    (float[]) Operands.array(gradEmit));
                            break;
                        case DOUBLE_ARRAYS:
                            status = diffhmm_backward_factorized(ws, dt, h.batch(), h.steps(), h.states(), h.numTrans(),
                                    (double[]) Operands.array(h.init()), ib, (double[]) Operands.array(h.trans()), idx,
                                    (double[]) Operands.array(h.emit()), lengths, (double[]) g,
                                    (double[]) Operands.array(gradInit), (double[]) Operands.array(gradTrans),
                                    (double[]) Operands.array(gradEmit));
                            break;
                        default:
                            status = diffhmm_backward_factorized(ws, dt, h.batch(), h.steps(), h.states(), h.numTrans(),
                                    ops.in(h.init()), ib, ops.in(h.trans()), ops.longs(idx), ops.in(h.emit()),
                                    ops.longs(lengths), (Pointer) g, ops.out(gradInit), ops.out(gradTrans), ops.out(gradEmit));
                    }
                    Natives.check(status);
                    ops.finish();
                }
            } finally {
                // The native call above must not race the cleaner of an unreachable-looking result.
                Reference.reachabilityFence(this);
            }
        }

        @Override
        public synchronized void close() {
            if (lease != null) {
                lease.close();  // gives the workspace back
                lease = null;
                ws = null;
            }
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
            int length = 0;
            while (length < steps && paths[(int) (b * steps + length)] >= 0) {
                length++;
            }
            return Arrays.copyOfRange(paths, (int) (b * steps), (int) (b * steps + length));
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
            final int start = (int) ((b * k + n) * steps);
            int length = 0;
            while (length < steps && paths[start + length] >= 0) {
                length++;
            }
            return Arrays.copyOfRange(paths, start, start + length);
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
            final int start = (int) ((b * samples + s) * steps);
            int length = 0;
            while (length < steps && paths[start + length] >= 0) {
                length++;
            }
            return Arrays.copyOfRange(paths, start, start + length);
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

    // ----------------------------------------------------------------------------------------------
    // Shared plumbing
    // ----------------------------------------------------------------------------------------------

    /** A checked dense problem: shape, lengths (a private copy) and the potential. */
    static final class Dense {
        final Tensor potential;
        final long B, T, N;
        final long[] lengths;

        private Dense(Tensor potential, long[] lengths) {
            this.potential = potential;
            this.B = potential.dim(0);
            this.T = potential.dim(1);
            this.N = potential.dim(2);
            this.lengths = lengths;
        }

        static Dense of(Tensor potential, long[] lengths, boolean[] mask) {
            Objects.requireNonNull(potential, "potential");
            if (potential.rank() != 4 || potential.dim(2) != potential.dim(3)) {
                throw new IllegalArgumentException("potential must have shape [B][T][N][N], got " + potential.describe());
            }
            if (potential.dim(2) < 1) {
                throw new IllegalArgumentException("potential must have N >= 1 states, got " + potential.describe());
            }
            final long[] len = checkLengths(lengths, potential.dim(0), potential.dim(1));
            checkMask(mask, len, potential.dim(1));
            return new Dense(potential, len);
        }
    }

    private static long[] checkFactorized(Factorized h, long[] lengths) {
        Objects.requireNonNull(h, "potentials");
        final long[] len = checkLengths(lengths, h.batch(), h.steps());
        h.checkTransIndex(len);
        return len;
    }

    static long[] checkLengths(long[] lengths, long batch, long steps) {
        Objects.requireNonNull(lengths, "lengths");
        if (lengths.length != batch) {
            throw new IllegalArgumentException("lengths has " + lengths.length + " entries but the batch has B = " + batch);
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new IllegalArgumentException("lengths[" + b + "] = " + lengths[b] + " is outside [0, T = " + steps + "]");
            }
        }
        return lengths.clone();
    }

    static void checkMask(boolean[] mask, long[] lengths, long steps) {
        if (mask == null) {
            return;
        }
        if (mask.length != lengths.length * steps) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, expected B*T = " + lengths.length * steps);
        }
        for (int b = 0; b < lengths.length; b++) {
            for (int t = 0; t < steps; t++) {
                final boolean real = t < lengths[b];
                if (mask[(int) (b * steps + t)] != real) {
                    throw new IllegalArgumentException("mask[" + b + "][" + t + "] = " + !real + " but lengths[" + b + "] = "
                            + lengths[b] + " (the mask must be the prefix mask implied by lengths)");
                }
            }
        }
    }

    /** The largest Java array the JVM allocates. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The length of a Java result array of {@code factors} entries, or an exception that says why it cannot be one. */
    static int entries(String what, String formula, String remedy, long... factors) {
        long n = 1;
        try {
            for (long f : factors) {
                n = Math.multiplyExact(n, f);
            }
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        if (n > MAX_ARRAY) {
            throw new IllegalArgumentException(what + " need " + formula + " = " + (n == Long.MAX_VALUE ? "more than 2^63"
                    : Long.toString(n)) + " entries, more than one Java array holds (" + MAX_ARRAY + "): " + remedy);
        }
        return (int) n;
    }

    static void checkSamples(int numSamples) {
        if (numSamples < 0) {
            throw new IllegalArgumentException("numSamples must be >= 0, got " + numSamples);
        }
    }

    /**
     * An output the native code will write: not read-only, and sharing no memory with the call's
     * inputs or other outputs (pairs of tensor and name; null tensors are skipped).
     */
    static void requireOutput(Tensor out, String name, Object... others) {
        if (out.isReadOnly()) {
            throw new IllegalArgumentException(name + " is a read-only buffer; the gradient is written into it");
        }
        for (int k = 0; k < others.length; k += 2) {
            final Tensor other = (Tensor) others[k];
            if (other != null && out.overlaps(other)) {
                throw new IllegalArgumentException(name + " shares memory with " + others[k + 1]
                        + "; outputs need storage of their own (the forward state re-reads the inputs)");
            }
        }
    }

    static void checkGradLogZ(double[] gradLogZ, long batch, DType dtype) {
        checkGradLogZ(gradLogZ, batch);
        if (dtype == DType.FLOAT32) {
            for (int b = 0; b < gradLogZ.length; b++) {
                if (Math.abs(gradLogZ[b]) > Float.MAX_VALUE) {
                    throw new IllegalArgumentException("gradLogZ[" + b + "] = " + gradLogZ[b] + " is outside the float32 range "
                            + "(|g| <= " + Float.MAX_VALUE + ") of this float32 problem");
                }
            }
        }
    }

    static void checkGradLogZ(double[] gradLogZ, long batch) {
        Objects.requireNonNull(gradLogZ, "gradLogZ");
        if (gradLogZ.length != batch) {
            throw new IllegalArgumentException("gradLogZ has " + gradLogZ.length + " entries but the batch has B = " + batch);
        }
        for (int b = 0; b < gradLogZ.length; b++) {
            if (!Double.isFinite(gradLogZ[b])) {
                throw new IllegalArgumentException("gradLogZ[" + b + "] = " + gradLogZ[b] + " (upstream gradients must be finite)");
            }
        }
    }

    static void requireLike(Tensor t, Tensor like, String name) {
        if (t.dtype() != like.dtype() || !Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException(name + " must have the dtype and shape of its input " + like.describe()
                    + ", got " + t.describe());
        }
    }

    static int flags(Options options) {
        return options.trustedInput() ? DIFFHMM_FLAG_TRUSTED_INPUT : 0;
    }

    static int dtype(DType dtype) {
        return dtype == DType.FLOAT32 ? DIFFHMM_FLOAT32 : DIFFHMM_FLOAT64;
    }

    private static double[] forwardDense(Workspaces.Workspace ws, int flags, Dense d) {
        final Tensor potential = d.potential;
        try (Operands ops = new Operands(potential.dtype(), potential)) {
            final Object logZ = ops.vector(new double[(int) d.B]);
            final int dt = dtype(potential.dtype());
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_forward_dense(ws, dt, flags, d.B, d.T, d.N, (float[]) Operands.array(potential),
                            d.lengths, (float[]) logZ);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_forward_dense(ws, dt, flags, d.B, d.T, d.N, (double[]) Operands.array(potential),
                            d.lengths, (double[]) logZ);
                    break;
                default:
                    status = diffhmm_forward_dense(ws, dt, flags, d.B, d.T, d.N, ops.in(potential), ops.longs(d.lengths),
                            (Pointer) logZ);
            }
            Natives.check(status);
            return Operands.read(logZ, (int) d.B);
        }
    }

    private static double[] forwardFactorized(Workspaces.Workspace ws, int flags, Factorized h, long[] len) {
        try (Operands ops = new Operands(h.dtype(), h.init(), h.trans(), h.emit())) {
            final Object logZ = ops.vector(new double[(int) h.batch()]);
            final int dt = dtype(h.dtype());
            final int ib = h.initBatched() ? 1 : 0;
            final long[] idx = h.transIndexView();
            final int status;
            switch (ops.mode) {
                case FLOAT_ARRAYS:
                    status = diffhmm_forward_factorized(ws, dt, flags, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (float[]) Operands.array(h.init()), ib, (float[]) Operands.array(h.trans()), idx,
                            (float[]) Operands.array(h.emit()), len, (float[]) logZ);
                    break;
                case DOUBLE_ARRAYS:
                    status = diffhmm_forward_factorized(ws, dt, flags, h.batch(), h.steps(), h.states(), h.numTrans(),
                            (double[]) Operands.array(h.init()), ib, (double[]) Operands.array(h.trans()), idx,
                            (double[]) Operands.array(h.emit()), len, (double[]) logZ);
                    break;
                default:
                    status = diffhmm_forward_factorized(ws, dt, flags, h.batch(), h.steps(), h.states(), h.numTrans(),
                            ops.in(h.init()), ib, ops.in(h.trans()), ops.longs(idx), ops.in(h.emit()), ops.longs(len),
                            (Pointer) logZ);
            }
            Natives.check(status);
            return Operands.read(logZ, (int) h.batch());
        }
    }
}
