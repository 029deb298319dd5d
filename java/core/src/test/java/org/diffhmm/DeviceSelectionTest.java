package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.Test;

/**
 * {@link Options#cudaDevice(int)}: the ordinal is validated, ignored where calls run on the CPU,
 * and on a GPU machine picks the device for the call without changing the thread's current one.
 */
class DeviceSelectionTest {
    private static final int B = 3, T = 9, N = 5;

    private static float[] scores() {
        final SplittableRandom rng = new SplittableRandom(4242);
        final float[] s = new float[B * T * N * N];
        for (int k = 0; k < s.length; k++) {
            s[k] = (float) (rng.nextDouble() * 4 - 3);
        }
        return s;
    }

    private static double[] logZ(Options options, float[] scores, long[] lengths) {
        try (HmmForward.Result r = HmmForward.apply(options, Tensor.of(scores, B, T, N, N), lengths, null)) {
            return r.logZ();
        }
    }

    @Test
    void ordinalsBelowMinusOneAreRefusedByName() {
        for (int bad : new int[] {-2, -17, Integer.MIN_VALUE}) {
            final IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> Options.DEFAULT.cudaDevice(bad));
            assertTrue(e.getMessage().contains("cudaDevice") && e.getMessage().contains(String.valueOf(bad)),
                    e.getMessage());
        }
        assertEquals(-1, Options.DEFAULT.cudaDevice());
        assertEquals(3, Options.DEFAULT.cudaDevice(3).cudaDevice());
        assertTrue(Options.DEFAULT.cudaDevice(3).toString().contains("cudaDevice=3"));
    }

    @Test
    void cpuCallsIgnoreTheDevice() {
        final float[] s = scores();
        final long[] lengths = {9, 4, 1};
        final Options cpu = Options.DEFAULT.backend(Backend.CPU);
        final double[] want = logZ(cpu, s, lengths);
        // An ordinal no machine has: the CPU does not use it, so nothing fails and nothing changes.
        assertArrayEquals(want, logZ(cpu.cudaDevice(63), s, lengths));
        if (!Diffhmm.cudaAvailable()) {
            assertEquals(0, Diffhmm.cudaDeviceCount());
            assertArrayEquals(want, logZ(Options.DEFAULT.cudaDevice(63), s, lengths), "AUTO without CUDA runs on the CPU");
        }
    }

    @Test
    void cudaCallsRunOnTheChosenDevice() {
        assumeTrue(Diffhmm.cudaAvailable(), () -> "no CUDA: " + Diffhmm.cudaUnavailableReason());
        final int count = Diffhmm.cudaDeviceCount();
        assertTrue(count >= 1, "device count " + count);
        final float[] s = scores();
        final long[] lengths = {9, 4, 1};
        final Options cuda = Options.DEFAULT.backend(Backend.CUDA);
        final double[] want = logZ(cuda, s, lengths);
        assertEquals(0, cudart.cudaSetDevice(0));
        for (int device = 0; device < count; device++) {
            assertArrayEquals(want, logZ(cuda.cudaDevice(device), s, lengths), "device " + device);
            try (IntPointer current = new IntPointer(1)) {
                assertEquals(0, cudart.cudaGetDevice(current));
                assertEquals(0, current.get(), "the thread's current device is restored after a call on " + device);
            }
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> logZ(cuda.cudaDevice(count), s, lengths));
        assertTrue(e.getMessage().contains("cuda device " + count), e.getMessage());
    }
}
