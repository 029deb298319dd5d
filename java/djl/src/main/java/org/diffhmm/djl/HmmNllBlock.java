package org.diffhmm.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.Objects;
import org.diffhmm.Options;

/**
 * An HMM negative-log-likelihood layer for DJL with its own parameters: transition logits
 * {@code [N][N]} and initial logits {@code [N]}, turned into log-probabilities by a log-softmax
 * (rows of the transition matrix), so the layer is a proper HMM whatever the optimizer does.
 *
 * <p>Input: an {@link NDList} of the emission log-likelihoods {@code [B][T][N]} (float32 or float64,
 * on the CPU; typically a network's output) and the sequence lengths {@code [B]} (any integer type).
 * Output: the scalar {@code −Σ_b log p(x_b)} computed by {@link DjlHmm#nll}, whose autograd gradient
 * reaches the emissions and the two logit parameters exactly. The logits start as small normal noise
 * (standard deviation 0.1); {@link #setInitializer} replaces that.
 */
public final class HmmNllBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    private final int states;
    private final Options options;
    private final Parameter transition;
    private final Parameter initial;

    /**
     * A layer for {@code states} hidden states with diffhmm's default options.
     *
     * @param states the number of hidden states N, at least 1
     */
    public HmmNllBlock(int states) {
        this(states, Options.DEFAULT);
    }

    /**
     * A layer for {@code states} hidden states.
     *
     * @param states  the number of hidden states N, at least 1
     * @param options diffhmm's options for every call (threads, instruction set)
     * @throws IllegalArgumentException if {@code states} is below 1
     */
    public HmmNllBlock(int states, Options options) {
        super(VERSION);
        if (states < 1) {
            throw new IllegalArgumentException("states must be at least 1, got " + states);
        }
        this.states = states;
        this.options = Objects.requireNonNull(options, "options");
        transition = addParameter(Parameter.builder().setName("transition").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(states, states)).optInitializer(new NormalInitializer(0.1f)).build());
        initial = addParameter(Parameter.builder().setName("initial").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(states)).optInitializer(new NormalInitializer(0.1f)).build());
    }

    /** @return the number of hidden states N */
    public int states() {
        return states;
    }

    /** @return the transition logits parameter, {@code [N][N]} (row i: the logits of i → j) */
    public Parameter transitionLogits() {
        return transition;
    }

    /** @return the initial logits parameter, {@code [N]} */
    public Parameter initialLogits() {
        return initial;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (inputs.size() != 2) {
            throw new IllegalArgumentException("HmmNllBlock takes (emissions [B][T][N], lengths [B]), got "
                    + inputs.size() + " arrays");
        }
        final NDArray emit = inputs.get(0);
        final Shape shape = emit.getShape();
        if (shape.dimension() != 3 || shape.get(2) != states) {
            throw new IllegalArgumentException("emissions must be [B][T][" + states + "], got " + shape);
        }
        final NDArray lengthArray = inputs.get(1);
        if (lengthArray.getDataType().isFloating() || lengthArray.getShape().dimension() != 1) {
            throw new IllegalArgumentException("lengths must be a [B] integer array, got " + lengthArray.getDataType()
                    + " " + lengthArray.getShape());
        }
        final long[] lengths = lengthArray.toType(DataType.INT64, false).toLongArray();
        final NDArray trans = parameterStore.getValue(transition, emit.getDevice(), training)
                .toType(emit.getDataType(), false).logSoftmax(1);
        final NDArray init = parameterStore.getValue(initial, emit.getDevice(), training)
                .toType(emit.getDataType(), false).logSoftmax(0);
        return new NDList(DjlHmm.nll(options, emit, trans, init, lengths, null));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape()};
    }
}
