package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Memory the caller passes is read and written only within what JavaCPP knows of it, and the native
 * memory open results are charged is what they hold:
 * <ul>
 *   <li>a pointer whose position is negative or past its limit or capacity, or whose limit is past
 *       its capacity, is refused naming which; one that is known to be too short is refused; every
 *       other is read from the element its position named when the tensor was made, whatever the
 *       caller does with the pointer afterwards;</li>
 *   <li>a shape whose element count overflows a long is refused naming the shape;</li>
 *   <li>after one large result is closed, small results are charged small amounts — several fit under
 *       a bound the large one alone would exceed.</li>
 * </ul>
 */
class MemorySafetyProperties {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);

    @Property(tries = 200)
    void pointersAreReadOnlyWithinWhatJavaCppKnowsOfThem(@ForAll @IntRange(min = 1, max = 48) int capacity,
                                                         @ForAll @IntRange(min = -3, max = 60) int position,
                                                         @ForAll @IntRange(min = 0, max = 70) int limit,
                                                         @ForAll @IntRange(min = 1, max = 3) int t,
                                                         @ForAll @IntRange(min = 1, max = 3) int n,
                                                         @ForAll boolean float64, @ForAll long seed) {
        final int size = t * n * n;  // B = 1
        final double[] values = new SplittableRandom(seed).doubles(capacity, -2, 2).toArray();
        try (FloatPointer f = new FloatPointer(capacity); DoublePointer d = new DoublePointer(capacity)) {
            for (int k = 0; k < capacity; k++) {
                f.put(k, (float) values[k]);
                d.put(k, values[k]);
            }
            (float64 ? d : f).limit(limit).position(position);
            final long[] shape = {1, t, n, n};
            final long end = limit > 0 ? limit : capacity;
            final String problem = position < 0 ? "position " + position + " is negative"
                    : limit > capacity ? "limit " + limit + " is past its capacity " + capacity
                    : position > end ? "position " + position + " is past its " + (limit > 0 ? "limit " : "capacity ") + end
                    : end - position < size ? "needs " + size + " elements but the storage holds " + (end - position)
                    : null;
            if (problem != null) {
                final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> tensor(float64, f, d, shape));
                assertTrue(e.getMessage().contains(problem), e.getMessage() + " — expected: " + problem);
                return;
            }
            final Tensor viewed = tensor(float64, f, d, shape);
            // The caller moves its pointer afterwards: the tensor still reads from where it was made.
            (float64 ? d : f).position(0).limit(capacity);
            final double[] expected = Arrays.copyOfRange(values, position, position + size);
            final double[] logZ;
            try (HmmForward.Result r = HmmForward.apply(CPU, viewed, new long[] {t})) {
                logZ = r.logZ();
            }
            final Tensor copy = float64 ? Tensor.of(expected, shape) : Tensor.of(toFloats(expected), shape);
            try (HmmForward.Result r = HmmForward.apply(CPU, copy, new long[] {t})) {
                assertArrayEquals(r.logZ(), logZ, 0.0, "log Z from the pointer equals log Z from a copy of its elements");
            }
        }
    }

    private static Tensor tensor(boolean float64, FloatPointer f, DoublePointer d, long[] shape) {
        return float64 ? Tensor.of(d, shape) : Tensor.of(f, shape);
    }

    private static float[] toFloats(double[] v) {
        final float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = (float) v[k];
        }
        return out;
    }

    @Provide
    Arbitrary<long[]> overflowingShapes() {
        final Arbitrary<Long> big = Arbitraries.longs().between(1L << 22, Long.MAX_VALUE);
        return big.array(long[].class).ofMinSize(3).ofMaxSize(5);
    }

    @Property(tries = 60)
    void shapesWhoseElementCountOverflowsAreRefusedNamingTheShape(@ForAll("overflowingShapes") long[] shape,
                                                                  @ForAll boolean zeroDim) {
        final FloatPointer p = new FloatPointer(1);
        try {
            if (zeroDim) {
                final long[] withZero = shape.clone();
                withZero[1] = 0;
                assertEquals(0, Tensor.of(p, withZero).size(), "a zero dimension has no elements however large the rest");
                return;
            }
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(p, shape));
            assertTrue(e.getMessage().contains("shape " + Arrays.toString(shape) + " has more elements than a long counts"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(DType.FLOAT32, shape));
        } finally {
            p.close();
        }
    }

    @Property(tries = 3)
    void afterALargeResultSmallResultsAreChargedWhatTheyHold(@ForAll @IntRange(min = 150_000, max = 250_000) int large,
                                                             @ForAll @IntRange(min = 2, max = 4) int open,
                                                             @ForAll @LongRange(min = 0, max = 1000) long seed) {
        final int n = 32;
        final SplittableRandom rng = new SplittableRandom(seed);
        final Tensor init = Tensor.of(toFloats(rng.doubles(n, -1, 1).toArray()), n);
        final Tensor trans = Tensor.of(toFloats(rng.doubles((long) n * n, -1, 1).toArray()), n, n);
        final Factorized big = Factorized.of(init, trans, null, Tensor.of(toFloats(rng.doubles((long) large * n, -2, 2).toArray()), 1, large, n));
        final long held;
        try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, big, new long[] {large})) {
            held = Leases.openBytes();
            assertTrue(Double.isFinite(r.logZ()[0]), "log Z of the large problem");
        }
        assertTrue(held >= (long) large * n * 4, "the large result holds its tape: " + held + " bytes");
        // A bound the large result alone exceeds: before, every small result reusing its workspace was
        // charged the large one's whole capacity, so the second one was refused (OUT_OF_MEMORY).
        final long[] previous = Leases.configure(held / 2, 128);
        final HmmForward.FactorizedResult[] small = new HmmForward.FactorizedResult[open];
        try {
            for (int k = 0; k < open; k++) {
                final Factorized f = Factorized.of(init, trans, null, Tensor.of(toFloats(rng.doubles(3 * 50 * n, -2, 2).toArray()), 3, 50, n));
                small[k] = HmmForward.apply(CPU, f, new long[] {50, 20, 7});
            }
            assertTrue(Leases.openBytes() < open * (4L << 20),
                    open + " small results are charged " + Leases.openBytes() + " bytes");
        } finally {
            for (HmmForward.FactorizedResult r : small) {
                if (r != null) {
                    r.close();
                }
            }
            Leases.configure(previous[0], (int) previous[1]);
        }
    }
}
