package org.diffhmm.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import net.jqwik.api.ForAll;
import org.diffhmm.DiffhmmException;
import org.diffhmm.Status;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Every class of bad input to the adapter (nll, nllBackward, nllDense) is refused with an error that names it, and the caller's
 * arrays are left as they were: wrong ranks, mismatched lengths, lengths out of range, NaN scores,
 * integer or mixed data types.
 */
class BadInputProperties {
    enum Fault { EMIT_RANK, LENGTH_COUNT, LENGTH_RANGE, NAN_SCORE, INTEGER_TYPE, MIXED_TYPES, DENSE_SHAPE }

    @Property(tries = 60)
    void badInputIsRefusedByName(@ForAll Fault fault, @ForAll boolean backward, @ForAll @IntRange(min = 1, max = 4) int b,
            @ForAll @IntRange(min = 1, max = 6) int t, @ForAll @IntRange(min = 1, max = 5) int n) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray emit = m.randomNormal(new Shape(b, t, n));
            NDArray trans = m.randomNormal(new Shape(n, n));
            final NDArray init = m.randomNormal(new Shape(n));
            long[] lengths = new long[b];
            java.util.Arrays.fill(lengths, t);
            final String expect;
            switch (fault) {
                case EMIT_RANK: emit = emit.reshape(b * t, n); expect = "[B][T][N]"; break;
                case LENGTH_COUNT: lengths = new long[b + 1]; expect = "lengths has " + (b + 1) + " entries"; break;
                case LENGTH_RANGE: lengths[b - 1] = t + 1; expect = "length"; break;
                case NAN_SCORE: emit.set(new ai.djl.ndarray.index.NDIndex(0, 0, 0), Float.NaN); expect = "NaN"; break;
                case INTEGER_TYPE: emit = emit.toType(DataType.INT32, false); expect = "float32 or float64"; break;
                case MIXED_TYPES: trans = trans.toType(DataType.FLOAT64, false); expect = "one data type"; break;
                default: expect = "[B][T][N][N]"; break;
            }
            final float[][] before = {snapshot(emit), snapshot(trans), snapshot(init)};
            final NDArray e = emit, tr = trans;
            final long[] len = lengths;
            final RuntimeException error = assertThrows(RuntimeException.class, () -> {
                if (fault == Fault.DENSE_SHAPE) {
                    DjlHmm.nllDense(org.diffhmm.Options.DEFAULT, e, len);
                } else if (backward) {
                    DjlHmm.nllBackward(org.diffhmm.Options.DEFAULT, e, tr, init, len, null, 1.0);
                } else {
                    DjlHmm.nll(e, tr, init, len);
                }
            });
            assertTrue(error.getMessage().contains(expect), fault + ": " + error.getMessage());
            // Shapes and types: the adapter's IllegalArgumentException; values: diffhmm's own statuses.
            final Status status = fault == Fault.NAN_SCORE ? Status.INVALID_VALUE : Status.INVALID_ARGUMENT;
            assertTrue(error instanceof IllegalArgumentException
                    || error instanceof DiffhmmException d && d.status() == status, fault + ": " + error);
            assertArrayEquals(before[0], snapshot(emit), "emit modified");
            assertArrayEquals(before[1], snapshot(trans), "trans modified");
            assertArrayEquals(before[2], snapshot(init), "init modified");
        }
    }

    private static float[] snapshot(NDArray a) {
        return a.toType(DataType.FLOAT32, false).toFloatArray();
    }
}
