package org.diffhmm.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.diffhmm.testing.AdapterCases;
import org.junit.jupiter.api.Test;

/**
 * Arrays on a GPU: copied to the CPU for diffhmm and their gradients copied back; the loss and the
 * gradients equal the CPU adapter's, through the surrogate and through nllBackward. Needs a GPU for DJL's engine (the CUDA build of its libtorch);
 * skips otherwise.
 */
class DjlHmmGpuTest {
    @Test
    void gpuArraysGiveTheCpuAdaptersLossAndGradients() {
        assumeTrue(Engine.getInstance().getGpuCount() > 0, "no GPU for DJL's engine");
        final AdapterCases.Case c = AdapterCases.randomCase(81, 4, 10, 6, 0.2);
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu()); NDManager gpu = NDManager.newBaseManager(Device.gpu())) {
            final NDArray[] host = {
                DjlHmmTest.array(cpu, c.emit(), false, c.B(), c.T(), c.N()),
                DjlHmmTest.array(cpu, c.trans(), false, c.N(), c.N()),
                DjlHmmTest.array(cpu, c.init(), false, c.N())};
            final NDArray[] device = new NDArray[3], backward = new NDArray[3];
            for (int k = 0; k < 3; k++) {
                device[k] = host[k].toDevice(Device.gpu(), true);
                device[k].attach(gpu);
                backward[k] = host[k].toDevice(Device.gpu(), true);
                backward[k].attach(gpu);
                host[k].setRequiresGradient(true);
                device[k].setRequiresGradient(true);
                backward[k].setRequiresGradient(true);
            }
            final double want, got;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                final NDArray loss = DjlHmm.nll(host[0], host[1], host[2], c.lengths());
                collector.backward(loss);
                want = DjlHmmTest.values(loss)[0];
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                final NDArray loss = DjlHmm.nll(device[0], device[1], device[2], c.lengths());
                assertEquals(Device.gpu(), loss.getDevice());
                collector.backward(loss);
                got = DjlHmmTest.values(loss.toDevice(Device.cpu(), true))[0];
            }
            assertEquals(want, got, 1e-12 * (1 + Math.abs(want)));
            // nllBackward: diffhmm's gradients copied to the GPU and backpropagated there.
            final double direct;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                direct = DjlHmm.nllBackward(org.diffhmm.Options.DEFAULT, backward[0], backward[1], backward[2], c.lengths(),
                        null, 1.0);
            }
            assertEquals(want, direct, 1e-12 * (1 + Math.abs(want)));
            for (int k = 0; k < 3; k++) {
                final double[] w = DjlHmmTest.values(host[k].getGradient());
                final double[] g = DjlHmmTest.values(device[k].getGradient().toDevice(Device.cpu(), true));
                final double[] d = DjlHmmTest.values(backward[k].getGradient().toDevice(Device.cpu(), true));
                for (int e = 0; e < w.length; e++) {
                    assertEquals(w[e], g[e], 1e-12 * (1 + Math.abs(w[e])), "input " + k + " [" + e + "]");
                    assertEquals(w[e], d[e], 1e-12 * (1 + Math.abs(w[e])), "nllBackward: input " + k + " [" + e + "]");
                }
            }
        }
    }
}
