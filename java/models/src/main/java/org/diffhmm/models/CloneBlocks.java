package org.diffhmm.models;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffhmm.Factorized;
import org.diffhmm.Tensor;
import org.diffhmm.models.CloneHmm.Walk;

/**
 * Walks as the block problem of a {@link CloneHmm}, and its results back as clones: every
 * (action, symbol, next symbol) triple of a batch is one small {@code [block][block]} transition
 * matrix (−inf outside the two symbols' clones), selected per step by {@code transIndex}; the core's
 * states are a symbol's clones, so a path or a marginal maps back through the symbol's first clone;
 * expected block counts scatter back into {@code [A][N][N]}.
 *
 * <p>What a batch takes from its walks alone — the matrix index of every step, the lengths, the
 * initial scores, the triples — is kept for the next call with the same walks (every iteration of EM
 * or gradient descent); walks are immutable, so "the same walks" is a check of B references.
 */
final class CloneBlocks {
    private final int[] clones, first;
    private final int states, actions, block;
    private volatile Layout layout;  // the last batch's, see Layout

    CloneBlocks(int[] clones, int[] first, int states, int actions, int block) {
        this.clones = clones;
        this.first = first;
        this.states = states;
        this.actions = actions;
        this.block = block;
    }

    /** A batch of walks as a block problem with the transitions {@code logT} ({@code [A][N][N]}). */
    final class BlockBatch extends Hmm.Batch {
        final List<Walk> walks;
        final List<int[]> triples;
        final double[] logT;  // the transitions the blocks were cut from, [A][N][N]

        BlockBatch(Factorized problem, List<Walk> walks, Layout layout, double[] logT) {
            super(problem, layout.lengths);
            this.walks = walks;
            this.triples = layout.triples;
            this.logT = logT;
        }

        @Override
        boolean needsInitCounts() {
            return false;  // the start is uniform: nothing to learn
        }

        @Override
        boolean needsEmissionCounts() {
            return false;  // a clone emits its symbol: nothing to learn
        }

        /** A block-local path as global clone indices. */
        @Override
        int[] path(int b, long[] local) {
            final int[] x = walks.get(b).x();
            final int[] path = new int[local.length];
            for (int t = 0; t < local.length; t++) {
                path[t] = first[x[t]] + (int) local[t];
            }
            return path;
        }

        /** Block-local marginals spread over all N clones (zero outside the clones of {@code x_t}). */
        @Override
        double[][] posteriors(int b, double[] gamma, int n) {
            final int steps = (int) problem.steps();
            final int[] x = walks.get(b).x();
            final double[][] g = new double[x.length][n];
            for (int t = 0; t < x.length; t++) {
                final int s = x[t];
                for (int i = 0; i < clones[s]; i++) {
                    g[t][first[s] + i] = gamma[(b * steps + t) * block + i];
                }
            }
            return g;
        }

        /** Expected block counts ({@code [K][block][block]}) scattered into {@code [A][N][N]}. */
        double[] transitions(double[] blocks) {
            final double[] c = new double[actions * states * states];
            for (int k = 0; k < triples.size(); k++) {
                final int[] tri = triples.get(k);
                final int a = tri[0], from = tri[1], to = tri[2];
                for (int i = 0; i < clones[from]; i++) {
                    for (int j = 0; j < clones[to]; j++) {
                        c[(a * states + first[from] + i) * states + first[to] + j] += blocks[(k * block + i) * block + j];
                    }
                }
            }
            return c;
        }
    }

    /** The batch of {@code walks} (checked by the model) with the transitions {@code logT}. */
    BlockBatch batch(List<Walk> walks, double[] logT) {
        final Layout kept = layout;
        if (kept != null && kept.matches(walks)) {
            return new BlockBatch(kept.problem.withTrans(
                    Tensor.of(blockTransitions(kept.triples, logT), kept.triples.size(), block, block)), walks, kept, logT);
        }
        final Layout built = layout(walks, logT);
        layout = built;
        return new BlockBatch(built.problem, walks, built, logT);
    }

    /**
     * What the block problem of a batch takes from its walks alone. Walks never change, so the same
     * walks are the same walk objects in the same order: checking that is O(B). Immutable once built.
     */
    private static final class Layout {
        final Walk[] walks;              // the walks it was built from, in order
        final List<int[]> triples;
        final long[] lengths;
        final Factorized problem;        // with the transition scores of the call that built it

        Layout(List<Walk> walks, List<int[]> triples, long[] lengths, Factorized problem) {
            this.walks = walks.toArray(new Walk[0]);
            this.triples = triples;
            this.lengths = lengths;
            this.problem = problem;
        }

        boolean matches(List<Walk> w) {
            if (w.size() != walks.length) {
                return false;
            }
            for (int b = 0; b < walks.length; b++) {
                if (w.get(b) != walks[b]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Whether {@code walks} are those of the kept batch (already checked against the model when it was built). */
    boolean kept(List<Walk> walks) {
        final Layout kept = layout;
        return kept != null && kept.matches(walks);
    }

    /** The block matrices of the triples: {@code [K][block][block]}, −inf outside each symbol's clones. */
    private double[] blockTransitions(List<int[]> triples, double[] logT) {
        final int k = triples.size();
        final double[] trans = new double[Limits.array("block transitions (triples × block × block)", k, block, block)];
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
        final Map<Long, Integer> index = table == null ? new HashMap<>() : null;
        final List<int[]> triples = new ArrayList<>();
        final long[] transIndex = new long[Limits.array("the walks' steps (walks × longest walk)", batch, steps)];
        final long[] lengths = new long[batch];
        final double[] init = new double[batch * block];
        Arrays.fill(init, Double.NEGATIVE_INFINITY);
        for (int b = 0; b < batch; b++) {
            final Walk w = walks.get(b);
            lengths[b] = w.length();
            if (w.length() > 0) {
                Arrays.fill(init, b * block, b * block + clones[w.x()[0]], -Math.log(states));
            }
            for (int t = 1; t < w.length(); t++) {
                final int a = w.a()[t - 1], from = w.x()[t - 1], to = w.x()[t];
                final long key = ((long) a * clones.length + from) * clones.length + to;
                int k = table != null ? table[(int) key] : index.getOrDefault(key, -1);
                if (k < 0) {
                    triples.add(new int[] {a, from, to});
                    k = triples.size() - 1;
                    if (table != null) {
                        table[(int) key] = k;
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
        // No emission scores: a clone emits its symbol, which the blocks carry (nothing made, read or scanned).
        final Factorized problem = Factorized.withoutEmissions(Tensor.of(init, batch, block),
                Tensor.of(blockTransitions(triples, logT), k, block, block), transIndex, batch, steps);
        return new Layout(walks, triples, lengths, problem);
    }
}
