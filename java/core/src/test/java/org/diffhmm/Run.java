package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs every verb of the library on a problem and compares outputs with printed tolerances. */
final class Run {
    private Run() {}

    static Reference.Outputs all(Options options, Problems p, DType dtype, double[] g) {
        final Reference.Outputs o = new Reference.Outputs();
        if (p.dense) {
            final Tensor potential = p.potentialTensor(dtype);
            try (HmmForward.Result r = HmmForward.apply(options, potential, p.lengths, null)) {
                o.logZ = r.logZ();
                o.gradPotential = r.backward(g).toDoubleArray();
            }
            final HmmForward.ViterbiResult v = HmmForward.viterbi(options, potential, p.lengths);
            o.path = v.paths();
            o.score = v.scores();
            o.gamma = HmmForward.marginals(options, potential, p.lengths).gamma().toDoubleArray();
        } else {
            final Factorized f = p.factorized(dtype);
            try (HmmForward.FactorizedResult r = HmmForward.apply(options, f, p.lengths)) {
                o.logZ = r.logZ();
                final HmmForward.FactorizedGradient grad = r.backward(g);
                o.gradInit = grad.init().toDoubleArray();
                o.gradTrans = grad.trans().toDoubleArray();
                o.gradEmit = grad.emit().toDoubleArray();
            }
            final HmmForward.ViterbiResult v = HmmForward.viterbi(options, f, p.lengths);
            o.path = v.paths();
            o.score = v.scores();
            o.gamma = HmmForward.marginals(options, f, p.lengths).gamma().toDoubleArray();
        }
        return o;
    }

    /** Largest |a - b| over finite entries; infinities must match exactly, NaN never passes. */
    static double maxDiff(double[] a, double[] b) {
        if (a == null || b == null) {
            return a == b ? 0 : Double.POSITIVE_INFINITY;
        }
        assertEquals(a.length, b.length, "lengths differ");
        double m = 0;
        for (int k = 0; k < a.length; k++) {
            if (Double.isNaN(a[k]) || Double.isNaN(b[k])) {
                return Double.POSITIVE_INFINITY;
            }
            if (Double.isInfinite(a[k]) || Double.isInfinite(b[k])) {
                if (a[k] != b[k]) {
                    return Double.POSITIVE_INFINITY;
                }
                continue;
            }
            m = Math.max(m, Math.abs(a[k] - b[k]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            if (Double.isFinite(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    static void close(String what, double[] got, double[] want, double tolerance) {
        final double d = maxDiff(got, want);
        if (!(d <= tolerance)) {
            fail(what + ": max |got - want| = " + d + " > tolerance " + tolerance);
        }
    }

    /** got within the given tolerances of want, every output. */
    static void compare(String label, Reference.Outputs got, Reference.Outputs want, double tolLogZ, double tolGrad,
                        double tolGamma, boolean paths) {
        close(label + " logZ", got.logZ, want.logZ, tolLogZ);
        close(label + " gradPotential", got.gradPotential, want.gradPotential, tolGrad);
        close(label + " gradInit", got.gradInit, want.gradInit, tolGrad);
        close(label + " gradTrans", got.gradTrans, want.gradTrans, tolGrad * 8);
        close(label + " gradEmit", got.gradEmit, want.gradEmit, tolGrad);
        close(label + " gamma", got.gamma, want.gamma, tolGamma);
        close(label + " viterbi score", got.score, want.score, tolLogZ);
        if (paths) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(want.path, got.path, label + " Viterbi paths");
        }
    }
}
