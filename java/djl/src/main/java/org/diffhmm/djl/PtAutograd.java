package org.diffhmm.djl;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.bytedeco.javacpp.Pointer;

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
     * The gradient array of a parameter {@code x} as an array over its own memory, for diffhmm to add
     * into in place; null when {@code x} is no parameter, has no gradient yet, or its gradient is not
     * one contiguous block (a view of it would be a copy).
     *
     * @param scratch the manager that frees the returned array (the gradient's memory stays x's)
     */
    static NDArray gradientInPlace(NDArray x, NDManager scratch) {
        // The engine's hasGradient() is true only for a leaf that requires a gradient (DJL cannot make
        // a network's output keep its gradient), and for such a leaf autograd's backward is exactly
        // "add to its gradient": no hook can be registered through DJL.
        if (!x.hasGradient()) {
            return null;
        }
        final PtNDArray grad = JniUtils.getGradient((PtNDArray) x);  // null while x has no gradient
        if (grad == null) {
            return null;
        }
        grad.attach(scratch);
        // A contiguous array gives the same direct buffer every time; any other gives a fresh copy.
        final long first = new Pointer(grad.toByteBuffer(true)).address();
        return first == new Pointer(grad.toByteBuffer(true)).address() ? grad : null;
    }

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
