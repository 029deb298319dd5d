package org.diffhmm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random test problems held in float64 (dense or factorized), with ragged lengths, optional -inf
 * entries and CRF-style offsets, convertible to tensors of either dtype. Every test draws fresh
 * inputs from a seeded generator; nothing is zero-filled.
 */
final class Problems {
    static final double NEG_INF = Double.NEGATIVE_INFINITY;

    final boolean dense;
    final int B, T, N, K;
    final long[] lengths;
    final double[] potential;              // dense [B][T][N][N]
    final double[] init, trans, emit;      // factorized
    final boolean initBatched;
    final long[] transIndex;               // [B*T] or null

    private Problems(boolean dense, int B, int T, int N, int K, long[] lengths, double[] potential, double[] init,
                     double[] trans, double[] emit, boolean initBatched, long[] transIndex) {
        this.dense = dense;
        this.B = B;
        this.T = T;
        this.N = N;
        this.K = K;
        this.lengths = lengths;
        this.potential = potential;
        this.init = init;
        this.trans = trans;
        this.emit = emit;
        this.initBatched = initBatched;
        this.transIndex = transIndex;
    }

    static final class Spec {
        double scale = 2.0, offset = 0.0, negInfRate = 0.0;
        boolean ragged = true;

        Spec offset(double v) { offset = v; return this; }
        Spec negInf(double v) { negInfRate = v; return this; }
        Spec fullLength() { ragged = false; return this; }
    }

    static Problems dense(SplittableRandom rng, int B, int T, int N, Spec s) {
        final double[] pot = new double[B * T * N * N];
        for (int k = 0; k < pot.length; k++) {
            pot[k] = draw(rng, s);
        }
        return new Problems(true, B, T, N, 1, lengths(rng, B, T, s), pot, null, null, null, false, null);
    }

    static Problems factorized(SplittableRandom rng, int B, int T, int N, int K, Spec s) {
        final boolean batched = rng.nextBoolean();
        final double[] init = new double[(batched ? B : 1) * N];
        final double[] trans = new double[K * N * N];
        final double[] emit = new double[B * T * N];
        for (double[] a : new double[][] {init, trans, emit}) {
            for (int k = 0; k < a.length; k++) {
                a[k] = draw(rng, s);
            }
        }
        long[] index = null;
        if (K > 1) {
            index = new long[B * T];
            for (int k = 0; k < index.length; k++) {
                index[k] = rng.nextInt(K);
            }
        }
        return new Problems(false, B, T, N, K, lengths(rng, B, T, s), null, init, trans, emit, batched, index);
    }

    private static double draw(SplittableRandom rng, Spec s) {
        return rng.nextDouble() < s.negInfRate ? NEG_INF : (rng.nextDouble() * 2 - 1) * s.scale + s.offset;
    }

    private static long[] lengths(SplittableRandom rng, int B, int T, Spec s) {
        final long[] len = new long[B];
        for (int b = 0; b < B; b++) {
            len[b] = s.ragged ? rng.nextInt(T + 1) : T;
        }
        if (B > 0) {
            len[0] = T;
        }
        return len;
    }

    /** score(b, t, i, j) of the dense potential this problem stands for. */
    double score(int b, int t, int i, int j) {
        if (dense) {
            return potential[((b * T + t) * N + i) * N + j];
        }
        if (t == 0) {
            return init[(initBatched ? b * N : 0) + j] + emit[(b * T) * N + j];
        }
        final int k = transIndex == null ? 0 : (int) transIndex[b * T + t];
        return trans[(k * N + i) * N + j] + emit[(b * T + t) * N + j];
    }

    Tensor potentialTensor(DType dtype) {
        return tensor(potential, dtype, B, T, N, N);
    }

    Factorized factorized(DType dtype) {
        final Tensor i = initBatched ? tensor(init, dtype, B, N) : tensor(init, dtype, N);
        return Factorized.of(i, tensor(trans, dtype, K, N, N), transIndex, tensor(emit, dtype, B, T, N));
    }

    static Tensor tensor(double[] values, DType dtype, long... shape) {
        if (dtype == DType.FLOAT64) {
            return Tensor.of(values.clone(), shape);
        }
        final float[] f = new float[values.length];
        for (int k = 0; k < f.length; k++) {
            f[k] = (float) values[k];
        }
        return Tensor.of(f, shape);
    }

    static double[] randomGrad(SplittableRandom rng, int B) {
        final double[] g = new double[B];
        for (int b = 0; b < B; b++) {
            g[b] = rng.nextDouble() * 4 - 2;   // negative and positive
        }
        return g;
    }

    /** The problem with every score rounded to float32, so float64 oracles see what float32 backends see. */
    Problems roundedToFloat() {
        return new Problems(dense, B, T, N, K, lengths, round(potential), round(init), round(trans), round(emit),
                initBatched, transIndex);
    }

    private static double[] round(double[] a) {
        if (a == null) {
            return null;
        }
        final double[] r = new double[a.length];
        for (int k = 0; k < a.length; k++) {
            r[k] = (float) a[k];
        }
        return r;
    }

    @Override
    public String toString() {
        return (dense ? "dense" : "factorized K=" + K) + " B=" + B + " T=" + T + " N=" + N + " lengths="
                + Arrays.toString(lengths);
    }
}
