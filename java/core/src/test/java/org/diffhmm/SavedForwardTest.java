package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What a forward result offers beyond the gradient: the backend that ran it and, factorized, γ. */
class SavedForwardTest {
    @Test
    void gammaFromTheSavedForwardEqualsTheMarginalsVerb() {
        final SplittableRandom rng = new SplittableRandom(151);
        for (DType dtype : DType.values()) {
            final Problems p = Problems.factorized(rng, 5, 9, 4, 2, new Problems.Spec().negInf(0.2));
            final Factorized f = p.factorized(dtype);
            final Options cpu = Options.DEFAULT.backend(Backend.CPU);
            final double[] want = HmmForward.marginals(cpu, f, p.lengths).gamma().toDoubleArray();
            try (HmmForward.FactorizedResult r = HmmForward.apply(cpu, f, p.lengths)) {
                assertEquals(Backend.CPU, r.backend());
                final double[] got = r.gamma().toDoubleArray();
                final double tol = dtype == DType.FLOAT64 ? 1e-12 : 2e-6;
                for (int k = 0; k < want.length; k++) {
                    assertEquals(want[k], got[k], tol, dtype + " entry " + k);
                }
                r.close();
                assertThrows(IllegalStateException.class, r::gamma);
            }
        }
    }

    @Test
    void resultsSayWhichBackendRan() {
        final Tensor potential = Tensor.of(new double[2 * 3 * 4], 2, 3, 2, 2);
        try (HmmForward.Result r = HmmForward.apply(Options.DEFAULT.backend(Backend.CPU), potential, new long[] {3, 1})) {
            assertEquals(Backend.CPU, r.backend());
        }
        try (HmmForward.Result r = HmmForward.apply(potential, new long[] {3, 1})) {
            assertEquals(Diffhmm.autoBackend(), r.backend());
        }
    }
}
