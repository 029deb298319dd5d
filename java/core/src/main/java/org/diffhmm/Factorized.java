package org.diffhmm;

import java.util.Arrays;
import java.util.Objects;

/**
 * Factorized potentials — the form HMM models use, which never materialises {@code [B][T][N][N]}:
 * <pre>
 *   potential[b][0][0][j] = init[b][j] + emit[b][0][j]
 *   potential[b][t][i][j] = trans[k][i][j] + emit[b][t][j],   k = transIndex[b][t],  t >= 1
 * </pre>
 * <ul>
 *   <li>{@code init} — {@code [N]} shared by the batch, or {@code [B][N]} per sequence;</li>
 *   <li>{@code trans} — {@code [N][N]} (one matrix) or {@code [K][N][N]};</li>
 *   <li>{@code transIndex} — {@code [B*T]} row-major, entry {@code [b][t]} selects the matrix used
 *       between steps t-1 and t (entry t = 0 and padded entries are ignored); may be null when
 *       K = 1. This is how action-conditioned and input-output HMMs are expressed;</li>
 *   <li>{@code emit} — {@code [B][T][N]} emission log-likelihoods from any model, or none
 *       ({@link #withoutEmissions}: all 0, nothing read or checked — for models whose transitions
 *       carry everything, such as the clone-structured HMM's blocks).</li>
 * </ul>
 * All scores are natural logs; {@code -inf} marks impossible starts, transitions or emissions.
 * The three tensors must share one dtype. Immutable and thread-safe; it views the caller's memory.
 *
 * <pre>{@code
 * Factorized hmm = Factorized.of(Tensor.of(logInit, N), Tensor.of(logTrans, N, N), null,
 *                                Tensor.of(logEmit, B, T, N));
 * }</pre>
 */
public final class Factorized {
    private final Tensor init;
    private final Tensor trans;
    private final long[] transIndex;
    private final Tensor emit;  // null: no emission scores
    private final long batch, steps, states, numTrans;
    // The lengths the transition index was last checked against (a copy): the index is private and
    // immutable, so the same lengths need no second pass over it.
    private volatile long[] checkedLengths;

    private Factorized(Tensor init, Tensor trans, long[] transIndex, Tensor emit, long sequences, long length) {
        this.init = init;
        this.trans = trans;
        this.transIndex = transIndex;
        this.emit = emit;
        if (emit != null) {
            if (emit.rank() != 3) {
                throw new IllegalArgumentException("emit must have shape [B][T][N], got " + emit.describe());
            }
            this.batch = emit.dim(0);
            this.steps = emit.dim(1);
            this.states = emit.dim(2);
            if (states < 1) {
                throw new IllegalArgumentException("emit must have N >= 1 states, got " + emit.describe());
            }
        } else {
            if (sequences < 0 || length < 0) {
                throw new IllegalArgumentException("batch and steps must be >= 0, got " + sequences + " and " + length);
            }
            this.batch = sequences;
            this.steps = length;
            this.states = trans.rank() >= 2 ? trans.dim(trans.rank() - 1) : 0;
            if (states < 1) {
                throw new IllegalArgumentException("trans must have N >= 1 states, got " + trans.describe());
            }
            if (steps != 0 && batch > Long.MAX_VALUE / steps / states) {
                throw new IllegalArgumentException("B*T*N = " + batch + "*" + steps + "*" + states + " overflows a long");
            }
        }
        if (trans.rank() == 2) {
            numTrans = 1;
        } else if (trans.rank() == 3) {
            numTrans = trans.dim(0);
        } else {
            throw new IllegalArgumentException("trans must have shape [N][N] or [K][N][N], got " + trans.describe());
        }
        if (trans.dim(trans.rank() - 1) != states || trans.dim(trans.rank() - 2) != states || numTrans < 1) {
            throw new IllegalArgumentException("trans must be [K][" + states + "][" + states + "] to match emit's N = "
                    + states + ", got " + trans.describe());
        }
        final boolean shared = init.rank() == 1 && init.dim(0) == states;
        final boolean batched = init.rank() == 2 && init.dim(0) == batch && init.dim(1) == states;
        if (!shared && !batched) {
            throw new IllegalArgumentException("init must be [" + states + "] or [" + batch + "][" + states
                    + "] to match emit, got " + init.describe());
        }
        if (emit != null && (init.dtype() != emit.dtype() || trans.dtype() != emit.dtype())) {
            throw new IllegalArgumentException("init, trans and emit must share one dtype, got " + init.dtype() + ", "
                    + trans.dtype() + ", " + emit.dtype());
        }
        if (emit == null && init.dtype() != trans.dtype()) {
            throw new IllegalArgumentException("init and trans must share one dtype, got " + init.dtype() + ", "
                    + trans.dtype());
        }
        if (transIndex == null && numTrans != 1) {
            throw new IllegalArgumentException("transIndex is null but trans holds K = " + numTrans
                    + " matrices (it may be null only when K = 1)");
        }
        if (transIndex != null && transIndex.length != batch * steps) {
            throw new IllegalArgumentException("transIndex must have B*T = " + batch * steps + " entries, got "
                    + transIndex.length);
        }
    }

    /**
     * Factorized potentials over the caller's tensors (not copied; {@code transIndex} is copied).
     * Checks shapes and dtypes here; index values are checked against the lengths at each call.
     *
     * @param init       initial log-scores, {@code [N]} or {@code [B][N]}
     * @param trans      transition log-scores, {@code [N][N]} or {@code [K][N][N]}
     * @param transIndex {@code [B*T]} matrix index per step (row-major {@code [b][t]}), or null when K = 1
     * @param emit       emission log-likelihoods, {@code [B][T][N]}
     * @return the factorized potentials
     * @throws NullPointerException     if {@code init}, {@code trans} or {@code emit} is null
     * @throws IllegalArgumentException if shapes or dtypes disagree (the message names them)
     */
    public static Factorized of(Tensor init, Tensor trans, long[] transIndex, Tensor emit) {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(trans, "trans");
        Objects.requireNonNull(emit, "emit");
        return new Factorized(init, trans, transIndex == null ? null : transIndex.clone(), emit, -1, -1);
    }

    /**
     * Factorized potentials without emission scores (all 0): every score is in {@code init} and
     * {@code trans}. Nothing stands in for the emissions — no {@code [B][T][N]} zeros are made, read or
     * checked — and an emission gradient, if asked for, is still the node marginals {@code [B][T][N]}.
     *
     * @param init       initial log-scores, {@code [N]} or {@code [batch][N]}
     * @param trans      transition log-scores, {@code [N][N]} or {@code [K][N][N]}
     * @param transIndex {@code [batch*steps]} matrix index per step, or null when K = 1
     * @param batch      B, the number of sequences
     * @param steps      T, their padded length
     * @return the factorized potentials; {@link #emit()} is null
     * @throws NullPointerException     if {@code init} or {@code trans} is null
     * @throws IllegalArgumentException if shapes or dtypes disagree (the message names them)
     */
    public static Factorized withoutEmissions(Tensor init, Tensor trans, long[] transIndex, long batch, long steps) {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(trans, "trans");
        return new Factorized(init, trans, transIndex == null ? null : transIndex.clone(), null, batch, steps);
    }

    /**
     * The same problem with other transition scores — for training loops that change the scores and
     * keep the structure: the transition index is shared with this one (not copied or checked again),
     * the other tensors are the same views.
     *
     * @param trans transition log-scores of the same shape and dtype as {@link #trans()}
     * @return the factorized potentials with {@code trans} in place of this one's
     * @throws NullPointerException     if {@code trans} is null
     * @throws IllegalArgumentException if its shape or dtype differs from this one's
     */
    public Factorized withTrans(Tensor trans) {
        Objects.requireNonNull(trans, "trans");
        if (!Arrays.equals(trans.shape(), this.trans.shape()) || trans.dtype() != this.trans.dtype()) {
            throw new IllegalArgumentException("trans must have the shape and dtype of the one it replaces, "
                    + this.trans.describe() + ", got " + trans.describe());
        }
        final Factorized f = new Factorized(init, trans, transIndex, emit, batch, steps);
        f.checkedLengths = checkedLengths;
        return f;
    }

    /**
     * The initial log-scores.
     *
     * @return {@code [N]} or {@code [B][N]}
     */
    public Tensor init() {
        return init;
    }

    /**
     * The transition log-scores.
     *
     * @return {@code [N][N]} or {@code [K][N][N]}
     */
    public Tensor trans() {
        return trans;
    }

    /**
     * The per-step matrix index.
     *
     * @return a copy, {@code [B*T]}, or null when there is one matrix
     */
    public long[] transIndex() {
        return transIndex == null ? null : transIndex.clone();
    }

    /**
     * The emission log-likelihoods.
     *
     * @return {@code [B][T][N]}, or null for potentials {@link #withoutEmissions}
     */
    public Tensor emit() {
        return emit;
    }

    /**
     * The shape of the emissions and of their gradient, whether or not there are emission scores.
     *
     * @return {@code {B, T, N}}
     */
    public long[] emitShape() {
        return new long[] {batch, steps, states};
    }

    /**
     * The dtype of the tensors.
     *
     * @return FLOAT32 or FLOAT64
     */
    public DType dtype() {
        return trans.dtype();
    }

    /**
     * B, the number of sequences.
     *
     * @return B
     */
    public long batch() {
        return batch;
    }

    /**
     * T, the padded length of the sequences.
     *
     * @return T
     */
    public long steps() {
        return steps;
    }

    /**
     * N, the number of hidden states.
     *
     * @return N
     */
    public long states() {
        return states;
    }

    /**
     * K, the number of transition matrices.
     *
     * @return K (1 for a {@code [N][N]} trans)
     */
    public long numTrans() {
        return numTrans;
    }

    /**
     * Whether each sequence has its own initial scores.
     *
     * @return true if init is {@code [B][N]}
     */
    public boolean initBatched() {
        return init.rank() == 2;
    }

    long[] transIndexView() {
        return transIndex;
    }

    /** Index values within [0, K) wherever lengths say they are read. */
    void checkTransIndex(long[] lengths) {
        if (transIndex == null || Arrays.equals(lengths, checkedLengths)) {
            return;
        }
        for (int b = 0; b < batch; b++) {
            for (int t = 1; t < lengths[b]; t++) {
                final long k = transIndex[(int) (b * steps + t)];
                if (k < 0 || k >= numTrans) {
                    throw new IllegalArgumentException("transIndex[" + b + "][" + t + "] = " + k + " is outside [0, K = "
                            + numTrans + ")");
                }
            }
        }
        checkedLengths = lengths.clone();
    }
}
