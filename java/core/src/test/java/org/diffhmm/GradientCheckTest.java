package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradients against central finite differences of log Z in float64, for dense and factorized
 * problems with unnormalised scores and mixed-sign upstream gradients: relative agreement better
 * than 1e-5 for every parameter, including the structural zeros (step 0 rows 1..N-1, padding).
 */
class GradientCheckTest {
    private static final Options CPU = Options.DEFAULT.backend(Backend.CPU);
    private static final double H = 1e-5;

    private static double loss(Problems p, double[] g) {
        final double[] logZ;
        if (p.dense) {
            try (HmmForward.Result r = HmmForward.apply(CPU, p.potentialTensor(DType.FLOAT64), p.lengths, null)) {
                logZ = r.logZ();
            }
        } else {
            try (HmmForward.FactorizedResult r = HmmForward.apply(CPU, p.factorized(DType.FLOAT64), p.lengths)) {
                logZ = r.logZ();
            }
        }
        double s = 0;
        for (int b = 0; b < g.length; b++) {
            s += g[b] * logZ[b];
        }
        return s;
    }

    private static void check(Problems p, double[] theta, double[] analytic, double[] g, String name) {
        double worst = 0;
        for (int e = 0; e < theta.length; e++) {
            final double keep = theta[e];
            theta[e] = keep + H;
            final double up = loss(p, g);
            theta[e] = keep - H;
            final double down = loss(p, g);
            theta[e] = keep;
            final double numeric = (up - down) / (2 * H);
            worst = Math.max(worst, Math.abs(numeric - analytic[e]) / Math.max(1, Math.abs(numeric)));
        }
        assertTrue(worst < 1e-5, name + ": worst relative difference to finite differences " + worst);
    }

    @Test
    void denseGradient() {
        final SplittableRandom rng = new SplittableRandom(301);
        final Problems p = Problems.dense(rng, 3, 5, 4, new Problems.Spec().offset(1.5));
        final double[] g = {1.3, -0.7, 2.1};
        final Reference.Outputs r = Run.all(CPU, p, DType.FLOAT64, g);
        check(p, p.potential, r.gradPotential, g, "potential");
    }

    @Test
    void factorizedGradients() {
        final SplittableRandom rng = new SplittableRandom(302);
        for (int k : new int[] {1, 3}) {
            final Problems p = Problems.factorized(rng, 3, 6, 5, k, new Problems.Spec().offset(-1.0));
            final double[] g = {-0.4, 1.9, 0.8};
            final Reference.Outputs r = Run.all(CPU, p, DType.FLOAT64, g);
            check(p, p.init, r.gradInit, g, "init");
            check(p, p.trans, r.gradTrans, g, "trans K=" + k);
            check(p, p.emit, r.gradEmit, g, "emit");
        }
    }
}
