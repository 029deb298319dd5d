package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.diffhmm.Backend;
import org.diffhmm.Options;
import org.junit.jupiter.api.Test;

/**
 * Where a task's native calls run, from the backend asked for, the task's CPUs and the GPU
 * addresses Spark's resource scheduling gave it.
 */
class TaskOptionsTest {
    private static final String[] NONE = new String[0];

    private static void assertPlacement(Options got, Backend backend, int threads, int device) {
        assertEquals(backend, got.backend(), got.toString());
        assertEquals(threads, got.threads(), got.toString());
        assertEquals(device, got.cudaDevice(), got.toString());
    }

    @Test
    void eachBackendChoiceWithAndWithoutAGpu() {
        // CPU: always the CPU, on the task's cores.
        assertPlacement(TaskOptions.choose(Backend.CPU, 4, new String[] {"1"}, "gpu", true), Backend.CPU, 4, -1);
        // AUTO: the task's GPU when CUDA can run; the CPU when none was assigned or CUDA cannot run.
        assertPlacement(TaskOptions.choose(Backend.AUTO, 2, NONE, "gpu", true), Backend.CPU, 2, -1);
        assertPlacement(TaskOptions.choose(Backend.AUTO, 2, new String[] {"3", "5"}, "gpu", true), Backend.CUDA, 2, 3);
        assertPlacement(TaskOptions.choose(Backend.AUTO, 2, new String[] {"3"}, "gpu", false), Backend.CPU, 2, -1);
        // CUDA: the task's GPU, or the executor's current device.
        assertPlacement(TaskOptions.choose(Backend.CUDA, 1, new String[] {" 7 "}, "gpu", true), Backend.CUDA, 1, 7);
        assertPlacement(TaskOptions.choose(Backend.CUDA, 1, NONE, "gpu", true), Backend.CUDA, 1, -1);
        // The driver (no task): all cores, CPU.
        assertPlacement(TaskOptions.of(null, Backend.AUTO, "gpu"), Backend.CPU, 0, -1);
    }

    @Property
    void anAddressIsUsedAsAnOrdinalOrRefusedByName(@ForAll String address, @ForAll("backends") Backend backend,
                                                   @ForAll @IntRange(min = 1, max = 64) int cpus) {
        int ordinal = -1;
        try {
            ordinal = Integer.parseInt(address.trim());
        } catch (NumberFormatException e) {
            // not an ordinal
        }
        if (backend == Backend.CPU) {
            assertPlacement(TaskOptions.choose(backend, cpus, new String[] {address}, "accel", true), Backend.CPU, cpus, -1);
        } else if (ordinal >= 0) {
            assertPlacement(TaskOptions.choose(backend, cpus, new String[] {address}, "accel", true), Backend.CUDA, cpus,
                    ordinal);
        } else {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TaskOptions.choose(backend, cpus, new String[] {address}, "accel", true));
            assertTrue(e.getMessage().contains("'accel'") && e.getMessage().contains("'" + address + "'"), e.getMessage());
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<Backend> backends() {
        return net.jqwik.api.Arbitraries.of(Backend.values());
    }
}
