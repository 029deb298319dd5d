package org.diffhmm;

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
 *   <li>{@code emit} — {@code [B][T][N]} emission log-likelihoods from any model.</li>
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
    private final Tensor emit;
    private final long batch, steps, states, numTrans;

    private Factorized(Tensor init, Tensor trans, long[] transIndex, Tensor emit) {
        this.init = init;
        this.trans = trans;
        this.transIndex = transIndex;
        this.emit = emit;
        if (emit.rank() != 3) {
            throw new IllegalArgumentException("emit must have shape [B][T][N], got " + emit.describe());
        }
        batch = emit.dim(0);
        steps = emit.dim(1);
        states = emit.dim(2);
        if (states < 1) {
            throw new IllegalArgumentException("emit must have N >= 1 states, got " + emit.describe());
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
        if (init.dtype() != emit.dtype() || trans.dtype() != emit.dtype()) {
            throw new IllegalArgumentException("init, trans and emit must share one dtype, got " + init.dtype() + ", "
                    + trans.dtype() + ", " + emit.dtype());
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

    /** Checks shapes and dtypes; index values are checked against lengths at each call. */
    public static Factorized of(Tensor init, Tensor trans, long[] transIndex, Tensor emit) {
        Objects.requireNonNull(init, "init");
        Objects.requireNonNull(trans, "trans");
        Objects.requireNonNull(emit, "emit");
        return new Factorized(init, trans, transIndex == null ? null : transIndex.clone(), emit);
    }

    public Tensor init() {
        return init;
    }

    public Tensor trans() {
        return trans;
    }

    /** A copy of the per-step matrix index, or null. */
    public long[] transIndex() {
        return transIndex == null ? null : transIndex.clone();
    }

    public Tensor emit() {
        return emit;
    }

    public DType dtype() {
        return emit.dtype();
    }

    public long batch() {
        return batch;
    }

    public long steps() {
        return steps;
    }

    public long states() {
        return states;
    }

    /** K, the number of transition matrices. */
    public long numTrans() {
        return numTrans;
    }

    /** True if init is {@code [B][N]} (one initial distribution per sequence). */
    public boolean initBatched() {
        return init.rank() == 2;
    }

    long[] transIndexView() {
        return transIndex;
    }

    /** Index values within [0, K) wherever lengths say they are read. */
    void checkTransIndex(long[] lengths) {
        if (transIndex == null) {
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
    }
}
