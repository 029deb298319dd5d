package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code addGradient(s)} adds exactly what {@code backward} writes to what the tensors held — in Java
 * arrays (pinned), in direct buffers, and in Java arrays staged through native memory because an
 * input is a buffer — both dtypes, both forms, any output skipped; on the CPU backend, and on the
 * CUDA backend where a GPU is usable (host outputs, staged through the device).
 */
class AccumulateTest {
    private static final int B = 5, T = 11, N = 6;
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU), CUDA = Options.DEFAULT.backend(Backend.CUDA);

    /** A tensor of random values in the given storage (a Java array, or a direct buffer). */
    private static Tensor random(SplittableRandom rng, DType dtype, boolean direct, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        final double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = rng.nextDouble() * 6 - 3;
        }
        final Tensor array = Problems.tensor(v, dtype, shape);
        return direct ? inBuffer(array) : array;
    }

    /** The same values in a direct buffer. */
    private static Tensor inBuffer(Tensor t) {
        final double[] v = t.toDoubleArray();
        final ByteBuffer bytes = ByteBuffer.allocateDirect(v.length * t.dtype().bytes()).order(ByteOrder.nativeOrder());
        if (t.dtype() == DType.FLOAT32) {
            for (double x : v) {
                bytes.putFloat((float) x);
            }
            return Tensor.of(bytes.flip().asFloatBuffer(), t.shape());
        }
        for (double x : v) {
            bytes.putDouble(x);
        }
        return Tensor.of(bytes.flip().asDoubleBuffer(), t.shape());
    }

    private static void assertAdded(double[] before, Tensor fresh, Tensor got, DType dtype, String what) {
        final double[] f = fresh.toDoubleArray(), g = got.toDoubleArray();
        for (int k = 0; k < g.length; k++) {
            // One addition in the tensors' dtype, exactly.
            final double want = dtype == DType.FLOAT32 ? (double) ((float) before[k] + (float) f[k]) : before[k] + f[k];
            assertEquals(want, g[k], 0.0, what + " [" + k + "]");
        }
    }

    @Test
    void factorizedGradientsAreAddedExactly() {
        factorized(CPU);
    }

    @Test
    void denseGradientIsAddedExactly() {
        dense(CPU);
    }

    @Test
    void onTheCudaBackendToo() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Diffhmm.cudaAvailable(), () -> "no CUDA: " + Diffhmm.cudaUnavailableReason());
        factorized(CUDA);
        dense(CUDA);
    }

    private static void factorized(Options options) {
        final SplittableRandom rng = new SplittableRandom(902);
        int mask = 0;
        for (DType dtype : DType.values()) {
            for (int storage = 0; storage < 3; storage++) {
                final Problems p = Problems.factorized(rng, B, T, N, 2, new Problems.Spec().negInf(0.1));
                final Factorized arrays = p.factorized(dtype);
                // storage 0: arrays in and out; 1: direct buffers out; 2: a buffer input, arrays out (staged)
                final Factorized h = storage == 2
                        ? Factorized.of(arrays.init(), arrays.trans(), p.transIndex, inBuffer(arrays.emit())) : arrays;
                final double[] g = Problems.randomGrad(rng, B);
                final boolean direct = storage == 1;
                final Tensor[] grads = {random(rng, dtype, direct, arrays.init().shape()),
                    random(rng, dtype, direct, arrays.trans().shape()), random(rng, dtype, direct, arrays.emit().shape())};
                final boolean[] skip = {(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0};
                mask = (mask + 3) % 8;
                final double[][] before = new double[3][];
                for (int k = 0; k < 3; k++) {
                    before[k] = grads[k].toDoubleArray();
                }
                try (HmmForward.FactorizedResult r = HmmForward.apply(options, h, p.lengths)) {
                    final HmmForward.FactorizedGradient fresh = r.backward(g);
                    r.addGradients(g, skip[0] ? null : grads[0], skip[1] ? null : grads[1], skip[2] ? null : grads[2]);
                    final Tensor[] want = {fresh.init(), fresh.trans(), fresh.emit()};
                    final String[] names = {"init", "trans", "emit"};
                    for (int k = 0; k < 3; k++) {
                        final String what = dtype + " storage " + storage + " grad " + names[k];
                        if (skip[k]) {
                            assertEquals(java.util.Arrays.toString(before[k]), java.util.Arrays.toString(grads[k].toDoubleArray()),
                                    what + ": skipped, untouched");
                        } else {
                            assertAdded(before[k], want[k], grads[k], dtype, what);
                        }
                    }
                }
            }
        }
    }

    private static void dense(Options options) {
        final SplittableRandom rng = new SplittableRandom(903);
        for (DType dtype : DType.values()) {
            for (boolean direct : new boolean[] {false, true}) {
                final Problems p = Problems.dense(rng, B, T, N, new Problems.Spec().offset(0.5));
                final double[] g = Problems.randomGrad(rng, B);
                final Tensor grad = random(rng, dtype, direct, B, T, N, N);
                final double[] before = grad.toDoubleArray();
                try (HmmForward.Result r = HmmForward.apply(options, p.potentialTensor(dtype), p.lengths)) {
                    final Tensor fresh = r.backward(g);
                    r.addGradient(g, grad);
                    assertAdded(before, fresh, grad, dtype, dtype + (direct ? " buffer" : " array"));
                    // Twice: the second adds again.
                    final double[] once = grad.toDoubleArray();
                    r.addGradient(g, grad);
                    assertAdded(once, fresh, grad, dtype, dtype + " added twice");
                }
            }
        }
    }
}
