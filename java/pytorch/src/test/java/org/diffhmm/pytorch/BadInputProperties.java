package org.diffhmm.pytorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.diffhmm.DiffhmmException;
import org.diffhmm.Options;
import org.diffhmm.Status;

/**
 * Every class of bad input to the adapter (nll, nllBackward, nllDense) is refused with an error that
 * names it, and the caller's tensors are left as they were: wrong ranks, mismatched lengths, lengths
 * out of range, NaN scores, integer or mixed dtypes, a dense potential that is not square.
 */
class BadInputProperties {
    enum Fault { EMIT_RANK, LENGTH_COUNT, LENGTH_RANGE, NAN_SCORE, INTEGER_TYPE, MIXED_TYPES, DENSE_SHAPE }

    @Property(tries = 60)
    void badInputIsRefusedByName(@ForAll Fault fault, @ForAll boolean backward, @ForAll boolean float32,
            @ForAll @IntRange(min = 1, max = 4) int b, @ForAll @IntRange(min = 1, max = 6) int t,
            @ForAll @IntRange(min = 1, max = 5) int n, @ForAll long seed) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final double[] e = random(rng, b * t * n), tr = random(rng, n * n), in = random(rng, n);
        long[] lengths = new long[b];
        java.util.Arrays.fill(lengths, t);
        if (fault == Fault.NAN_SCORE) {
            e[rng.nextInt(e.length)] = Double.NaN;  // every step of every sequence is read: full lengths
        }
        Tensor emit = TorchHmmTest.tensor(e, float32, b, t, n);
        Tensor trans = TorchHmmTest.tensor(tr, float32, n, n);
        final Tensor init = TorchHmmTest.tensor(in, float32, n);
        final String expect;
        switch (fault) {
            case EMIT_RANK: emit = emit.reshape(b * t, n); expect = "[B][T][N]"; break;
            case LENGTH_COUNT: lengths = new long[b + 1]; expect = "lengths has " + (b + 1) + " entries"; break;
            case LENGTH_RANGE: lengths[b - 1] = t + 1; expect = "length"; break;
            case NAN_SCORE: expect = "NaN"; break;
            case INTEGER_TYPE: emit = emit.to(torch.ScalarType.Int); expect = "float32 or float64"; break;
            case MIXED_TYPES: trans = trans.to(float32 ? torch.ScalarType.Double : torch.ScalarType.Float); expect = "one dtype"; break;
            default: expect = "[B][T][N][N]"; break;
        }
        final double[][] before = {TorchHmmTest.values(emit), TorchHmmTest.values(trans), TorchHmmTest.values(init)};
        final Tensor x = emit, y = trans;
        final long[] len = lengths;
        final RuntimeException error = assertThrows(RuntimeException.class, () -> {
            if (fault == Fault.DENSE_SHAPE) {
                TorchHmm.nllDense(Options.DEFAULT, torch.randn(b, t, n, n + 1), len);
            } else if (backward) {
                TorchHmm.nllBackward(Options.DEFAULT, x, y, init, len, null, 1.0);
            } else {
                TorchHmm.nll(x, y, init, len);
            }
        });
        assertTrue(error.getMessage().contains(expect), fault + ": " + error.getMessage());
        // Shapes and types: the adapter's IllegalArgumentException; values: diffhmm's own statuses.
        final Status status = fault == Fault.NAN_SCORE ? Status.INVALID_VALUE : Status.INVALID_ARGUMENT;
        assertTrue(error instanceof IllegalArgumentException
                || error instanceof DiffhmmException d && d.status() == status, fault + ": " + error);
        assertArrayEquals(before[0], TorchHmmTest.values(emit), "emit modified");
        assertArrayEquals(before[1], TorchHmmTest.values(trans), "trans modified");
        assertArrayEquals(before[2], TorchHmmTest.values(init), "init modified");
    }

    private static double[] random(SplittableRandom rng, int n) {
        final double[] a = new double[n];
        for (int k = 0; k < n; k++) {
            a[k] = rng.nextDouble() * 4 - 3;
        }
        return a;
    }
}
