package org.diffhmm.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.diffhmm.Diffhmm;
import org.junit.jupiter.api.Test;

/**
 * CUDA tensors: the adapter runs diffhmm's CUDA backend on the tensors' device and libtorch's
 * current stream, and its loss and gradients equal the CPU adapter's. Needs the presets' GPU build
 * and a GPU with diffhmm's CUDA library; skips otherwise.
 */
class TorchHmmCudaTest {
    @Test
    void cudaTensorsGiveTheCpuAdaptersLossAndGradients() {
        assumeTrue(torch.cuda_is_available() && Diffhmm.cudaAvailable(), "no CUDA device for libtorch and diffhmm");
        for (boolean float32 : new boolean[] {false, true}) {
            final org.diffhmm.testing.AdapterCases.Case c = org.diffhmm.testing.AdapterCases.randomCase(71, 6, 40, 9, 0.2);
            final Tensor[] cpu = TorchHmmTest.leaves(c, float32);
            final Tensor[] gpu = new Tensor[3];
            for (int k = 0; k < 3; k++) {
                gpu[k] = cpu[k].detach().cuda().requires_grad_(true);
            }
            final Tensor want = TorchHmm.nll(cpu[0], cpu[1], cpu[2], c.lengths());
            want.backward();
            final Tensor got = TorchHmm.nll(gpu[0], gpu[1], gpu[2], c.lengths());
            assertTrue(got.is_cuda(), "the loss stays on the inputs' device");
            got.backward();
            final double eps = float32 ? 1.2e-7 : 2.3e-16;
            assertEquals(want.item_double(), got.item_double(), 64 * eps * c.T() * (1 + Math.abs(want.item_double())));
            for (int k = 0; k < 3; k++) {
                assertTrue(gpu[k].grad().is_cuda(), "gradient " + k + " on the device");
                final double[] g = TorchHmmTest.values(gpu[k].grad().cpu()), w = TorchHmmTest.values(cpu[k].grad());
                for (int e = 0; e < g.length; e++) {
                    assertEquals(w[e], g[e], 64 * eps * c.T() * (1 + Math.abs(w[e])), (float32 ? "f32 " : "f64 ") + k + " [" + e + "]");
                }
            }
        }
    }

    @Test
    void mixedDevicesAreNamed() {
        assumeTrue(torch.cuda_is_available(), "no CUDA device for libtorch");
        final org.diffhmm.testing.AdapterCases.Case c = org.diffhmm.testing.AdapterCases.randomCase(72, 2, 5, 3, 0);
        final Tensor[] x = TorchHmmTest.leaves(c, true);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchHmm.nll(x[0].detach().cuda(), x[1], x[2], c.lengths()));
        assertTrue(e.getMessage().contains("trans is on the CPU but emit is on CUDA device 0"), e.getMessage());
    }
}
