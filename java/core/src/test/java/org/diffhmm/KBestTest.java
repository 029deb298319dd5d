package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link HmmForward#kbest} through the Java API, against every path enumerated in Java: scores in
 * order, the paths themselves (ties by the reversed path), -inf structure, ragged lengths, dense and
 * factorized, array and buffer storage; k = 1 is Viterbi; bad k is refused.
 */
class KBestTest {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);

    @Test
    void kBestPathsMatchEnumeration() {
        final SplittableRandom rng = new SplittableRandom(131);
        for (int trial = 0; trial < 30; trial++) {
            final boolean dense = trial % 2 == 0;
            final int n = 1 + trial % 3, k = new int[] {1, 3, 8, 64}[trial % 4];
            final Problems.Spec spec = new Problems.Spec().negInf(trial % 3 == 0 ? 0.3 : 0).offset(0.5);
            final Problems p = dense ? Problems.dense(rng, 4, 4, n, spec) : Problems.factorized(rng, 4, 4, n, 2, spec);
            final HmmForward.KBest got = dense ? HmmForward.kbest(CPU, p.potentialTensor(DType.FLOAT64), p.lengths, k)
                    : HmmForward.kbest(CPU, p.factorized(DType.FLOAT64), p.lengths, k);
            for (int b = 0; b < p.B; b++) {
                final List<Ranked> want = enumerate(p, b);
                for (int r = 0; r < k; r++) {
                    final String where = "trial " + trial + " b " + b + " rank " + r;
                    if (r < want.size()) {
                        assertEquals(want.get(r).score, got.score(b, r), 1e-12, where);
                        assertArrayEquals(want.get(r).path, got.path(b, r), where);
                    } else {
                        assertEquals(p.lengths[b] == 0 && r == 0 ? 0.0 : Double.NEGATIVE_INFINITY, got.score(b, r), where);
                        assertEquals(0, got.path(b, r).length, where);
                    }
                }
            }
        }
    }

    @Test
    void kOneIsViterbiAndStorageDoesNotMatter() {
        final SplittableRandom rng = new SplittableRandom(137);
        final Problems p = Problems.dense(rng, 5, 30, 9, new Problems.Spec());
        final Tensor array = p.potentialTensor(DType.FLOAT32);
        final java.nio.FloatBuffer direct = java.nio.ByteBuffer.allocateDirect(array.floatArray().length * 4)
                .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        direct.put(array.floatArray()).flip();
        final HmmForward.ViterbiResult v = HmmForward.viterbi(CPU, array, p.lengths);
        for (Tensor t : new Tensor[] {array, Tensor.of(direct, 5, 30, 9, 9)}) {
            final HmmForward.KBest one = HmmForward.kbest(CPU, t, p.lengths, 1);
            assertArrayEquals(v.paths(), one.paths());
            assertArrayEquals(v.scores(), one.scores());
        }
    }

    @Test
    void kOutOfRangeIsRefused() {
        final Tensor t = Tensor.of(new double[4], 1, 1, 2, 2);
        for (int k : new int[] {0, -1, HmmForward.MAX_KBEST + 1}) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HmmForward.kbest(CPU, t, new long[] {1}, k));
            assertTrue(e.getMessage().contains("k must be in [1, 64]"), e.getMessage());
        }
    }

    private record Ranked(double score, long[] path) {}

    /** Every finite path of sequence b: score descending, then the reversed path ascending. */
    private static List<Ranked> enumerate(Problems p, int b) {
        final int length = (int) p.lengths[b];
        final List<Ranked> all = new ArrayList<>();
        if (length == 0) {
            return all;
        }
        final int[] z = new int[length];
        while (true) {
            double s = p.score(b, 0, 0, z[0]);
            for (int t = 1; t < length; t++) {
                s += p.score(b, t, z[t - 1], z[t]);
            }
            if (s > Double.NEGATIVE_INFINITY) {
                all.add(new Ranked(s, Arrays.stream(z).asLongStream().toArray()));
            }
            int t = length - 1;
            while (t >= 0 && ++z[t] == p.N) {
                z[t--] = 0;
            }
            if (t < 0) {
                break;
            }
        }
        all.sort(Comparator.comparingDouble((Ranked r) -> -r.score).thenComparing((x, y) -> {
            for (int t = length - 1; t >= 0; t--) {
                if (x.path[t] != y.path[t]) {
                    return Long.compare(x.path[t], y.path[t]);
                }
            }
            return 0;
        }));
        return all;
    }
}
