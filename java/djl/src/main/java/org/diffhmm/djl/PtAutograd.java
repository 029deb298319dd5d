package org.diffhmm.djl;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Autograd's backward started from an array with a given gradient, through DJL's PyTorch engine —
 * what {@code torch.autograd.backward(x, grad)} does, which DJL's engine-neutral API has no call for.
 * Kept apart from {@link DjlHmm} so that the engine's classes load only when its arrays are passed.
 */
final class PtAutograd {
    /** The name DJL's PyTorch engine reports. */
    static final String ENGINE = "PyTorch";

    private PtAutograd() {}

    /**
     * Backpropagates {@code grad} from {@code x}: into {@code x}'s gradient when it is a parameter
     * (libtorch adds in place to an existing gradient), on through its graph when a network computed
     * it; nothing when {@code x} needs no gradient.
     *
     * @param keepGraph keep the graph's saved arrays for a later pass through a shared part of it
     */
    static void backwardIfRequired(NDArray x, NDArray grad, boolean keepGraph) {
        // The engine's hasGradient() is true for parameters only; a network's output (which has a
        // gradient function) says false, like an array that needs no gradient, and the engine offers
        // no safe way to tell the two apart but to ask libtorch for the backward.
        try {
            JniUtils.backward((PtNDArray) x, (PtNDArray) grad, keepGraph, false);
        } catch (EngineException e) {
            if (x.hasGradient() || e.getMessage() == null || !e.getMessage().contains("does not require grad")) {
                throw e;
            }
        }
    }
}
