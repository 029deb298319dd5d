package org.diffhmm;

import java.lang.ref.Reference;
import java.util.Arrays;

/** What {@link HmmForward.FactorizedResult} does: the backward of a factorized forward and its marginals. */
class FactorizedForward extends SavedForward {
    private final NativeProblem.Fact problem;

    FactorizedForward(Workspaces.Workspace ws, double[] logZ, NativeProblem.Fact problem, String kind) {
        super(ws, logZ, kind);
        this.problem = problem;
    }

    /**
     * All three gradients of {@code sum_b gradLogZ[b] * logZ[b]}.
     *
     * @param gradLogZ {@code [B]} upstream gradient, any finite reals
     * @return new array-backed tensors shaped like init, trans and emit
     * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
     * @throws IllegalStateException    if this result is closed
     */
    public HmmForward.FactorizedGradient backward(double[] gradLogZ) {
        final Factorized h = problem.h;
        final HmmForward.FactorizedGradient g = new HmmForward.FactorizedGradient(Tensor.zeros(h.dtype(), h.init().shape()),
                Tensor.zeros(h.dtype(), h.trans().shape()), Tensor.zeros(h.dtype(), h.emitShape()));
        backward(gradLogZ, g.init(), g.trans(), g.emit());
        return g;
    }

    /**
     * The node marginals {@code P(z_t = j)} of every sequence, from this result's saved forward (one
     * backward sweep, no second forward): the emission gradient of {@code sum_b logZ[b]}.
     *
     * @return {@code [B][T][N]} of the problem's dtype, 0 at padding
     * @throws IllegalStateException if this result is closed
     */
    public Tensor gamma() {
        final Factorized h = problem.h;
        final Tensor gamma = Tensor.zeros(h.dtype(), h.emitShape());
        final double[] ones = new double[(int) problem.B];
        Arrays.fill(ones, 1.0);
        backward(ones, null, null, gamma);
        return gamma;
    }

    /**
     * Writes the gradients into the caller's tensors.
     *
     * @param gradLogZ  {@code [B]} upstream gradient, any finite reals
     * @param gradInit  shaped like init, or null to skip it
     * @param gradTrans shaped like trans, or null to skip it
     * @param gradEmit  shaped like emit, or null to skip it
     * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
     * @throws IllegalStateException    if this result is closed
     */
    public void backward(double[] gradLogZ, Tensor gradInit, Tensor gradTrans, Tensor gradEmit) {
        gradients(gradLogZ, gradInit, gradTrans, gradEmit, false);
    }

    /**
     * Adds the gradients to what the caller's tensors hold ({@code grad += ∂}), as autograd
     * accumulates into a parameter's gradient: the same numbers as
     * {@link #backward(double[], Tensor, Tensor, Tensor)} without tensors to hold them and a pass to
     * add them.
     *
     * @param gradLogZ  {@code [B]} upstream gradient, any finite reals
     * @param gradInit  shaped like init, or null to skip it
     * @param gradTrans shaped like trans, or null to skip it
     * @param gradEmit  shaped like emit, or null to skip it
     * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
     * @throws IllegalStateException    if this result is closed
     */
    public void addGradients(double[] gradLogZ, Tensor gradInit, Tensor gradTrans, Tensor gradEmit) {
        gradients(gradLogZ, gradInit, gradTrans, gradEmit, true);
    }

    private synchronized void gradients(double[] gradLogZ, Tensor gradInit, Tensor gradTrans, Tensor gradEmit,
            boolean accumulate) {
        final NativeProblem.Fact p = problem;
        final Factorized h = p.h;
        NativeProblem.checkGradLogZ(gradLogZ, p.B, p.dtype);
        if (gradInit != null) {
            NativeProblem.requireLike(gradInit, h.init(), "gradInit");
            NativeProblem.requireOutput(gradInit, "gradInit", h.init(), "init", h.trans(), "trans", h.emit(), "emit");
        }
        if (gradTrans != null) {
            NativeProblem.requireLike(gradTrans, h.trans(), "gradTrans");
            NativeProblem.requireOutput(gradTrans, "gradTrans", h.init(), "init", h.trans(), "trans", h.emit(), "emit",
                    gradInit, "gradInit");
        }
        if (gradEmit != null) {
            NativeProblem.requireLike(gradEmit, h.dtype(), h.emitShape(), "gradEmit", "emit");
            NativeProblem.requireOutput(gradEmit, "gradEmit", h.init(), "init", h.trans(), "trans", h.emit(), "emit",
                    gradInit, "gradInit", gradTrans, "gradTrans");
        }
        final Workspaces.Workspace ws = workspace();
        try (Operands ops = p.operands(gradInit, gradTrans, gradEmit)) {
            Natives.check(p.backward(ws, accumulate, ops, ops.vector(gradLogZ), gradInit, gradTrans, gradEmit));
            ops.finish();
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
