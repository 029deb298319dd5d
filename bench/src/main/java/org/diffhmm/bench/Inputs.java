package org.diffhmm.bench;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.diffhmm.DType;
import org.diffhmm.Tensor;

/** Off-heap random inputs for the benchmarks (any size; never zeros), freed by {@link #close}. */
final class Inputs implements AutoCloseable {
    private final java.util.List<Pointer> owned = new java.util.ArrayList<>();

    /** A tensor of uniform values in [lo, hi) in native memory. */
    Tensor random(DType dtype, SplittableRandom rng, double lo, double hi, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (dtype == DType.FLOAT32) {
            final FloatPointer p = new FloatPointer(n);
            for (long k = 0; k < n; k++) {
                p.put(k, (float) (lo + (hi - lo) * rng.nextDouble()));
            }
            owned.add(p);
            return Tensor.of(p, shape);
        }
        final DoublePointer p = new DoublePointer(n);
        for (long k = 0; k < n; k++) {
            p.put(k, lo + (hi - lo) * rng.nextDouble());
        }
        owned.add(p);
        return Tensor.of(p, shape);
    }

    static long[] fullLengths(int batch, int length) {
        final long[] lengths = new long[batch];
        java.util.Arrays.fill(lengths, length);
        return lengths;
    }

    static double[] ones(int batch) {
        final double[] g = new double[batch];
        java.util.Arrays.fill(g, 1.0);
        return g;
    }

    @Override
    public void close() {
        for (Pointer p : owned) {
            p.close();
        }
        owned.clear();
    }
}
