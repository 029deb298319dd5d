package org.diffhmm.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * The block is the log-softmax-parameterised HMM: its loss and the gradients of its transition and
 * initial logits equal DJL's own forward algorithm over the same log-softmaxes, in both precisions.
 */
class HmmNllBlockTest {
    @Test
    void theBlocksLossAndParameterGradientsEqualTheReference() {
        for (boolean float32 : new boolean[] {false, true}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                final org.diffhmm.testing.AdapterCases.Case c = org.diffhmm.testing.AdapterCases.randomCase(61, 4, 8, 6, 0);
                final DataType type = float32 ? DataType.FLOAT32 : DataType.FLOAT64;
                final HmmNllBlock block = new HmmNllBlock(c.N());
                block.initialize(manager, type, new Shape(c.B(), c.T(), c.N()), new Shape(c.B()));
                block.transitionLogits().getArray().set(DjlHmmTest.array(manager, c.trans(), float32, c.N(), c.N())
                        .toByteBuffer());
                block.initialLogits().getArray().set(DjlHmmTest.array(manager, c.init(), float32, c.N()).toByteBuffer());
                final NDArray emit = DjlHmmTest.array(manager, c.emit(), float32, c.B(), c.T(), c.N());
                emit.setRequiresGradient(true);
                final double got;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    final NDArray loss = block.forward(new ParameterStore(manager, false),
                            new NDList(emit, manager.create(c.lengths())), true).singletonOrThrow();
                    collector.backward(loss);
                    got = DjlHmmTest.values(loss)[0];
                }
                final NDArray[] ref = {
                    DjlHmmTest.array(manager, c.emit(), float32, c.B(), c.T(), c.N()),
                    DjlHmmTest.array(manager, c.trans(), float32, c.N(), c.N()),
                    DjlHmmTest.array(manager, c.init(), float32, c.N())};
                for (NDArray r : ref) {
                    r.setRequiresGradient(true);
                }
                final double want;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    final NDArray loss = DjlHmmTest.referenceNll(ref[0], ref[1].logSoftmax(1), ref[2].logSoftmax(0), c.lengths());
                    collector.backward(loss);
                    want = DjlHmmTest.values(loss)[0];
                }
                final double eps = float32 ? 1.2e-7 : 2.3e-16;
                assertEquals(want, got, 64 * eps * c.T() * (1 + Math.abs(want)), type + " loss");
                final NDArray[] ours = {emit, block.transitionLogits().getArray(), block.initialLogits().getArray()};
                final String[] names = {"emissions", "transition logits", "initial logits"};
                for (int k = 0; k < 3; k++) {
                    final double[] g = DjlHmmTest.values(ours[k].getGradient()), w = DjlHmmTest.values(ref[k].getGradient());
                    for (int e = 0; e < g.length; e++) {
                        assertEquals(w[e], g[e], 64 * eps * c.T() * (1 + Math.abs(w[e])), type + " " + names[k] + " [" + e + "]");
                    }
                }
            }
        }
    }

    @Test
    void badInputsAreNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            final HmmNllBlock block = new HmmNllBlock(3);
            block.initialize(manager, DataType.FLOAT32, new Shape(2, 4, 3), new Shape(2));
            final ParameterStore ps = new ParameterStore(manager, false);
            final NDArray emit = manager.randomNormal(new Shape(2, 4, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> block.forward(ps, new NDList(manager.randomNormal(new Shape(2, 4, 5)), manager.create(new long[] {4, 4})), false));
            assertTrue(e.getMessage().contains("emissions must be [B][T][3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> block.forward(ps, new NDList(emit, manager.create(new float[] {4, 4})), false));
            assertTrue(e.getMessage().contains("lengths must be a [B] integer array"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> block.forward(ps, new NDList(emit), false));
            assertTrue(e.getMessage().contains("takes (emissions"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new HmmNllBlock(0));
            assertTrue(e.getMessage().contains("states must be at least 1"), e.getMessage());
        }
    }
}
