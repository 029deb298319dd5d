package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

/**
 * Java arrays, direct buffers (with a non-zero position) and JavaCPP pointers (with a non-zero
 * position), and mixtures of them, all give bit-identical results — inputs and outputs alike.
 */
class StorageTest {
    private static final int B = 4, T = 9, N = 7;

    @Test
    void denseFloat32AnyStorage() {
        final SplittableRandom rng = new SplittableRandom(701);
        final float[] scores = new float[B * T * N * N];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = (float) (rng.nextDouble() * 3 - 2);
        }
        final long[] lengths = {9, 4, 1, 7};
        final double[] g = {0.5, -1, 2, 1};

        final Tensor array = Tensor.of(scores, B, T, N, N);
        final float[] wantGrad;
        final double[] wantLogZ;
        try (HmmForward.Result r = HmmForward.apply(array, lengths)) {
            wantLogZ = r.logZ();
            wantGrad = r.backward(g).floatArray();
        }

        final FloatBuffer buffer = ByteBuffer.allocateDirect((scores.length + 3) * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        buffer.position(3);
        buffer.put(scores);
        buffer.position(3);
        final FloatPointer pointer = new FloatPointer(scores.length + 5);
        pointer.position(5).put(scores);
        try {
            final Tensor[] inputs = {Tensor.of(buffer, B, T, N, N), Tensor.of(pointer, B, T, N, N)};
            for (Tensor input : inputs) {
                final FloatBuffer gradBuffer = ByteBuffer.allocateDirect(scores.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                try (HmmForward.Result r = HmmForward.apply(input, lengths)) {
                    assertArrayEquals(wantLogZ, r.logZ(), input.toString());
                    assertArrayEquals(wantGrad, r.backward(g).floatArray(), input + " into a new array");
                    r.backward(g, Tensor.of(gradBuffer, B, T, N, N));
                    final float[] viaBuffer = new float[scores.length];
                    gradBuffer.get(viaBuffer);
                    assertArrayEquals(wantGrad, viaBuffer, input + " into a direct buffer");
                }
                assertArrayEquals(HmmForward.viterbi(array, lengths).paths(), HmmForward.viterbi(input, lengths).paths());
                assertArrayEquals(HmmForward.marginals(array, lengths).gamma().toFloatArray(),
                        HmmForward.marginals(input, lengths).gamma().toFloatArray());
            }
        } finally {
            pointer.close();
        }
    }

    @Test
    void factorizedFloat64MixedStorage() {
        final SplittableRandom rng = new SplittableRandom(702);
        final Problems p = Problems.factorized(rng, B, T, N, 2, new Problems.Spec());
        final double[] g = Problems.randomGrad(rng, B);
        final Factorized arrays = p.factorized(DType.FLOAT64);
        final HmmForward.FactorizedGradient want;
        final double[] wantLogZ;
        try (HmmForward.FactorizedResult r = HmmForward.apply(arrays, p.lengths)) {
            wantLogZ = r.logZ();
            want = r.backward(g);
        }
        final DoubleBuffer emit = ByteBuffer.allocateDirect(p.emit.length * 8).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        emit.put(p.emit).flip();
        final DoublePointer trans = new DoublePointer(p.trans);
        try {
            final Factorized mixed = Factorized.of(arrays.init(), Tensor.of(trans, p.K, N, N), p.transIndex,
                    Tensor.of(emit, B, T, N));
            try (HmmForward.FactorizedResult r = HmmForward.apply(mixed, p.lengths)) {
                assertArrayEquals(wantLogZ, r.logZ());
                final HmmForward.FactorizedGradient got = r.backward(g);
                assertArrayEquals(want.init().doubleArray(), got.init().doubleArray());
                assertArrayEquals(want.trans().doubleArray(), got.trans().doubleArray());
                assertArrayEquals(want.emit().doubleArray(), got.emit().doubleArray());
            }
        } finally {
            trans.close();
        }
    }
}
