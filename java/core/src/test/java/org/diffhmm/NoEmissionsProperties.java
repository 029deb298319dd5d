package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Factorized potentials without emissions ({@link Factorized#withoutEmissions}) are the same problem
 * as with all-zero emissions — bit for bit on every verb, in both dtypes — with nothing standing in for
 * the emissions; bad sizes and dtypes are refused naming them.
 */
class NoEmissionsProperties {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);

    @Property(tries = 40)
    void withoutEmissionsEqualsZeroEmissions(@ForAll @IntRange(min = 1, max = 4) int b,
                                             @ForAll @IntRange(min = 1, max = 12) int t,
                                             @ForAll @IntRange(min = 1, max = 20) int n,
                                             @ForAll @IntRange(min = 1, max = 3) int k,
                                             @ForAll boolean float64, @ForAll boolean batchedInit, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final long[] lengths = rng.longs(b, 0, t + 1).toArray();
        lengths[0] = t;
        final long[] index = k == 1 ? null : rng.longs((long) b * t, 0, k).toArray();
        final Tensor init = tensor(float64, rng, batchedInit ? new long[] {b, n} : new long[] {n});
        final Tensor trans = tensor(float64, rng, new long[] {k, n, n});
        final Tensor zeros = Tensor.zeros(float64 ? DType.FLOAT64 : DType.FLOAT32, b, t, n);
        final Factorized with = Factorized.of(init, trans, index, zeros);
        final Factorized without = Factorized.withoutEmissions(init, trans, index, b, t);
        assertNull(without.emit());
        assertArrayEquals(with.emitShape(), without.emitShape());
        final double[] g = rng.doubles(b, -2, 2).toArray();
        try (HmmForward.FactorizedResult x = HmmForward.apply(CPU, with, lengths);
             HmmForward.FactorizedResult y = HmmForward.apply(CPU, without, lengths)) {
            assertArrayEquals(x.logZ(), y.logZ(), 0.0, "log Z");
            final HmmForward.FactorizedGradient gx = x.backward(g), gy = y.backward(g);
            assertArrayEquals(gx.init().toDoubleArray(), gy.init().toDoubleArray(), 0.0, "grad init");
            assertArrayEquals(gx.trans().toDoubleArray(), gy.trans().toDoubleArray(), 0.0, "grad trans");
            assertArrayEquals(gx.emit().toDoubleArray(), gy.emit().toDoubleArray(), 0.0, "grad emit (node marginals)");
        }
        assertArrayEquals(HmmForward.viterbi(CPU, with, lengths).paths(), HmmForward.viterbi(CPU, without, lengths).paths());
        assertArrayEquals(HmmForward.marginals(CPU, with, lengths).gamma().toDoubleArray(),
                HmmForward.marginals(CPU, without, lengths).gamma().toDoubleArray(), 0.0, "marginals");
        assertArrayEquals(HmmForward.sample(CPU, with, lengths, 3, seed).paths(),
                HmmForward.sample(CPU, without, lengths, 3, seed).paths(), "posterior samples");
    }

    @Property(tries = 30)
    void badSizesAndDtypesAreRefused(@ForAll @IntRange(min = -3, max = 3) int b, @ForAll @IntRange(min = -3, max = 3) int t,
                                     @ForAll boolean mixedDtypes) {
        final SplittableRandom rng = new SplittableRandom(7);
        final Tensor init = tensor(false, rng, new long[] {3});
        final Tensor trans = tensor(mixedDtypes, rng, new long[] {3, 3});
        if (b < 0 || t < 0 || mixedDtypes) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Factorized.withoutEmissions(init, trans, null, b, t));
            assertTrue(e.getMessage().contains(mixedDtypes && b >= 0 && t >= 0 ? "must share one dtype" : "must be >= 0"),
                    e.getMessage());
        } else {
            assertArrayEquals(new long[] {b, t, 3}, Factorized.withoutEmissions(init, trans, null, b, t).emitShape());
        }
    }

    private static Tensor tensor(boolean float64, SplittableRandom rng, long[] shape) {
        final int size = (int) Tensor.elements(shape);
        final double[] v = rng.doubles(size, -2, 1).toArray();
        if (float64) {
            return Tensor.of(v, shape);
        }
        final float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(f, shape);
    }
}
