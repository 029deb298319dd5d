package org.diffhmm;

import java.lang.ref.Reference;
import java.util.Objects;

/** What {@link HmmForward.Result} does: the backward of a dense forward, written into or added to the caller's storage. */
class DenseForward extends SavedForward {
    private final NativeProblem.Dense problem;

    DenseForward(Workspaces.Workspace ws, double[] logZ, NativeProblem.Dense problem, String kind) {
        super(ws, logZ, kind);
        this.problem = problem;
    }

    /**
     * The gradient of {@code sum_b gradLogZ[b] * logZ[b]} with respect to the potential.
     *
     * @param gradLogZ {@code [B]} upstream gradient, any finite reals
     * @return a new array-backed tensor of the potential's dtype and shape
     * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
     * @throws IllegalStateException    if this result is closed
     */
    public Tensor backward(double[] gradLogZ) {
        final Tensor grad = Tensor.zeros(problem.dtype, problem.B, problem.T, problem.N, problem.N);
        backward(gradLogZ, grad);
        return grad;
    }

    /**
     * Writes the gradient into {@code gradPotential} (same dtype and shape as the potential; any
     * storage). {@code gradPotential[b][t][i][j] = gradLogZ[b] · P(z_{t-1} = i, z_t = j)} for
     * {@code 1 <= t < lengths[b]}, {@code gradLogZ[b] · P(z_0 = j)} at {@code [b][0][0][j]}, and 0
     * everywhere else. {@code gradLogZ} may hold any finite reals.
     *
     * @param gradLogZ      {@code [B]} upstream gradient
     * @param gradPotential where the gradient goes: the potential's dtype and shape, any storage
     * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
     * @throws IllegalStateException    if this result is closed
     */
    public void backward(double[] gradLogZ, Tensor gradPotential) {
        gradient(gradLogZ, gradPotential, false);
    }

    /**
     * Adds the gradient to what {@code gradPotential} holds ({@code gradPotential += ∂}), as autograd
     * accumulates into a parameter's gradient: the same numbers as {@link #backward(double[], Tensor)}
     * without a tensor to hold them and a pass to add them.
     *
     * @param gradLogZ      {@code [B]} upstream gradient
     * @param gradPotential what the gradient is added to: the potential's dtype and shape, any storage
     * @throws IllegalArgumentException if {@code gradLogZ} has the wrong length or a non-finite entry
     * @throws IllegalStateException    if this result is closed
     */
    public void addGradient(double[] gradLogZ, Tensor gradPotential) {
        gradient(gradLogZ, gradPotential, true);
    }

    private synchronized void gradient(double[] gradLogZ, Tensor gradPotential, boolean accumulate) {
        final NativeProblem.Dense p = problem;
        NativeProblem.checkGradLogZ(gradLogZ, p.B, p.dtype);
        Objects.requireNonNull(gradPotential, "gradPotential");
        NativeProblem.requireLike(gradPotential, p.potential, "gradPotential");
        NativeProblem.requireOutput(gradPotential, "gradPotential", p.potential, "potential");
        final Workspaces.Workspace ws = workspace();
        try (Operands ops = p.operands(gradPotential)) {
            Natives.check(p.backward(ws, accumulate, ops, ops.vector(gradLogZ), gradPotential));
            ops.finish();
        } finally {
            Reference.reachabilityFence(this);
        }
    }
}
