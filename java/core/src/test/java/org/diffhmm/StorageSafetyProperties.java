package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Storage the caller passes is used only as it can be safely: buffers in the wrong byte order,
 * read-only outputs and outputs that share memory with an input are refused with a message naming
 * the argument — for every shape, dtype and overlap, whether gradients are written or added — and
 * refused storage is left as it was; result sizes beyond one Java array name the argument and the
 * limit.
 */
class StorageSafetyProperties {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);

    @Property(tries = 40)
    void buffersNotInNativeByteOrderAreRefused(@ForAll @IntRange(min = 1, max = 4) int b,
                                                @ForAll @IntRange(min = 1, max = 5) int t,
                                                @ForAll @IntRange(min = 1, max = 6) int n, @ForAll boolean float64) {
        final ByteOrder wrong = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        final int size = b * t * n * n;
        final ByteBuffer bytes = ByteBuffer.allocateDirect(size * (float64 ? 8 : 4)).order(wrong);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            if (float64) {
                Tensor.of(bytes.asDoubleBuffer(), b, t, n, n);
            } else {
                Tensor.of(bytes.asFloatBuffer(), b, t, n, n);
            }
        });
        assertTrue(e.getMessage().contains("is " + wrong + " but native code reads " + ByteOrder.nativeOrder()), e.getMessage());
    }

    @Property(tries = 30)
    void readOnlyGradientOutputsAreRefusedAndLeftAlone(@ForAll @IntRange(min = 1, max = 3) int b,
                                                       @ForAll @IntRange(min = 1, max = 5) int t,
                                                       @ForAll @IntRange(min = 1, max = 5) int n, @ForAll long seed,
                                                       @ForAll boolean add) {
        final int size = b * t * n * n;
        final float[] scores = random(size, seed);
        final FloatBuffer out = direct(size);
        for (int k = 0; k < size; k++) {
            out.put(k, 7f);
        }
        try (HmmForward.Result r = HmmForward.apply(CPU, Tensor.of(scores, b, t, n, n), fullLengths(b, t))) {
            final Tensor readOnly = Tensor.of(out.asReadOnlyBuffer(), b, t, n, n);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                if (add) {
                    r.addGradient(ones(b), readOnly);
                } else {
                    r.backward(ones(b), readOnly);
                }
            });
            assertTrue(e.getMessage().contains("gradPotential is a read-only buffer"), e.getMessage());
        }
        for (int k = 0; k < size; k++) {
            assertEquals(7f, out.get(k));
        }
    }

    @Property(tries = 60)
    void gradientOutputsSharingMemoryWithThePotentialAreRefused(@ForAll @IntRange(min = 1, max = 3) int b,
                                                                @ForAll @IntRange(min = 1, max = 4) int t,
                                                                @ForAll @IntRange(min = 1, max = 4) int n,
                                                                @ForAll @IntRange(min = -200, max = 200) int shift,
                                                                @ForAll long seed, @ForAll boolean add) {
        // One direct buffer of 3 sizes holds the potential at [size, 2 size) and the gradient output
        // `shift` elements away: they overlap exactly when |shift| < size.
        final int size = b * t * n * n;
        final int at = size + Math.max(-size, Math.min(size, shift));
        final FloatBuffer all = direct(3 * size);
        final float[] scores = random(size, seed);
        all.position(size);
        all.put(scores);
        final Tensor potential = Tensor.of(all.duplicate().position(size), b, t, n, n);
        final Tensor grad = Tensor.of(all.duplicate().position(at), b, t, n, n);
        final boolean overlaps = Math.abs(at - size) < size;
        try (HmmForward.Result r = HmmForward.apply(CPU, potential, fullLengths(b, t))) {
            if (overlaps) {
                final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                    if (add) {
                        r.addGradient(ones(b), grad);
                    } else {
                        r.backward(ones(b), grad);
                    }
                });
                assertTrue(e.getMessage().contains("gradPotential shares memory with potential"), e.getMessage());
            } else if (add) {
                r.addGradient(ones(b), grad);  // into zeros (a new direct buffer): the gradient itself
                final Tensor want = r.backward(ones(b));
                for (int k = 0; k < size; k++) {
                    assertEquals(want.floatArray()[k], all.get(at + k), "added gradient entry " + k);
                }
            } else {
                r.backward(ones(b), grad);
                final Tensor want = r.backward(ones(b));
                for (int k = 0; k < size; k++) {
                    assertEquals(want.floatArray()[k], all.get(at + k), "gradient entry " + k);
                }
            }
        }
        final float[] after = new float[size];
        all.duplicate().position(size).get(after);
        if (!overlaps) {
            assertArrayEquals(scores, after, "the potential is never written");
        }
    }

    @Property(tries = 30)
    void factorizedGradientOutputsSharingMemoryWithAnInputAreRefused(@ForAll @IntRange(min = 1, max = 3) int b,
                                                                     @ForAll @IntRange(min = 1, max = 4) int t,
                                                                     @ForAll @IntRange(min = 1, max = 4) int n,
                                                                     @ForAll @IntRange(min = 0, max = 2) int victim,
                                                                     @ForAll long seed, @ForAll boolean add) {
        final DoubleBuffer emitStorage = ByteBuffer.allocateDirect(b * t * n * 8).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        final double[] e = doubles(b * t * n, seed);
        emitStorage.put(e).flip();
        final Tensor init = Tensor.of(doubles(n, seed + 1), n), trans = Tensor.of(doubles(n * n, seed + 2), n, n);
        final Tensor emit = Tensor.of(emitStorage, b, t, n);
        try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, Factorized.of(init, trans, null, emit), fullLengths(b, t))) {
            final IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> {
                final Tensor[] outs = victim == 0 ? new Tensor[] {null, null, emit}             // gradEmit is emit
                        : victim == 1 ? new Tensor[] {init, null, null}                         // gradInit is init
                        : new Tensor[] {null, trans, Tensor.zeros(DType.FLOAT64, b, t, n)};     // gradTrans is trans
                if (add) {
                    r.addGradients(ones(b), outs[0], outs[1], outs[2]);
                } else {
                    r.backward(ones(b), outs[0], outs[1], outs[2]);
                }
            });
            assertTrue(x.getMessage().contains("shares memory with"), x.getMessage());
        }
        final double[] after = new double[e.length];
        emitStorage.duplicate().get(after);
        assertArrayEquals(e, after, "emit is never written");
    }

    @Property(tries = 30)
    void float32UpstreamGradientsBeyondTheFloatRangeAreNamed(@ForAll @DoubleRange(min = 3.5e38, max = 1.7e308) double g,
                                                             @ForAll boolean negative) {
        final double[] gradLogZ = {1, negative ? -g : g};
        try (HmmForward.Result r = HmmForward.apply(CPU, Tensor.of(random(2 * 2 * 4, 1), 2, 2, 2, 2), fullLengths(2, 2))) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.backward(gradLogZ));
            assertTrue(e.getMessage().contains("gradLogZ[1] = " + gradLogZ[1] + " is outside the float32 range"), e.getMessage());
        }
    }

    @Test
    void resultsBeyondOneJavaArrayNameTheArgumentAndTheLimit() {
        // A foreign pointer of unknown extent: nothing is read before the size check refuses the call.
        final FloatPointer memory = new FloatPointer(16);
        final FloatPointer foreign = new FloatPointer(new Pointer() {
            {
                address = memory.address();
            }
        });
        final long b = 1 << 16, t = 1 << 16;
        final Tensor huge = Tensor.of(foreign, b, t, 1, 1);
        final IllegalArgumentException viterbi = assertThrows(IllegalArgumentException.class,
                () -> HmmForward.viterbi(CPU, huge, new long[(int) b]));
        assertTrue(viterbi.getMessage().contains("Viterbi paths need B*T = 4294967296 entries, more than one Java array holds"),
                viterbi.getMessage());
        final IllegalArgumentException samples = assertThrows(IllegalArgumentException.class,
                () -> HmmForward.sample(CPU, Tensor.of(random(3 * 4, 2), 1, 3, 2, 2), new long[] {3}, 1_000_000_000, 1));
        assertTrue(samples.getMessage().contains("posterior samples need B*numSamples*T = 3000000000 entries"), samples.getMessage());
        memory.close();
    }

    private static FloatBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static long[] fullLengths(int b, int t) {
        final long[] lengths = new long[b];
        java.util.Arrays.fill(lengths, t);
        return lengths;
    }

    private static double[] ones(int b) {
        final double[] g = new double[b];
        java.util.Arrays.fill(g, 1);
        return g;
    }

    private static float[] random(int size, long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final float[] x = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = (float) rng.nextDouble(-2, 2);
        }
        return x;
    }

    private static double[] doubles(int size, long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final double[] x = new double[size];
        for (int k = 0; k < size; k++) {
            x[k] = rng.nextDouble(-2, 2);
        }
        return x;
    }
}
