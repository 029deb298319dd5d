package org.diffhmm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend on the CPU backend's ladder (CpuBackendTest's checks against the Java float64
 * reference and enumeration), through the Java API with host arrays. Skipped without a usable GPU.
 */
class CudaBackendTest {
    private static final Options CUDA = Options.DEFAULT.backend(Backend.CUDA);

    @BeforeEach
    void requireCuda() {
        assumeTrue(Diffhmm.cudaAvailable(), () -> "no CUDA: " + Diffhmm.cudaUnavailableReason());
    }

    @Test
    void matchesEnumeration() {
        final SplittableRandom rng = new SplittableRandom(801);
        for (boolean dense : new boolean[] {true, false}) {
            final Problems p = dense ? Problems.dense(rng, 5, 4, 3, new Problems.Spec().negInf(0.1))
                    : Problems.factorized(rng, 5, 4, 3, 2, new Problems.Spec());
            final double[] g = Problems.randomGrad(rng, p.B);
            Run.compare(p + " cuda f64", Run.all(CUDA, p, DType.FLOAT64, g), Reference.enumerate(p, g), 1e-12, 1e-12, 1e-12,
                    true);
        }
    }

    @Test
    void matchesReference() {
        final SplittableRandom rng = new SplittableRandom(802);
        for (int n : new int[] {1, 7, 50, 130}) {
            CpuBackendTest.checkAgainstReference(CUDA, Problems.dense(rng, 6, 9, n, new Problems.Spec().offset(2)),
                    Problems.randomGrad(rng, 6));
            CpuBackendTest.checkAgainstReference(CUDA, Problems.factorized(rng, 6, 9, n, 3, new Problems.Spec().negInf(0.1)),
                    Problems.randomGrad(rng, 6));
        }
    }

    @Test
    void emptyBatchesAndBatchesOfEmptySequences() {
        final SplittableRandom rng = new SplittableRandom(803);
        CpuBackendTest.checkAgainstReference(CUDA, Problems.dense(rng, 0, 4, 3, new Problems.Spec()), new double[0]);
        CpuBackendTest.checkAgainstReference(CUDA, Problems.factorized(rng, 0, 4, 3, 2, new Problems.Spec()), new double[0]);
        CpuBackendTest.checkAgainstReference(CUDA, Problems.dense(rng, 3, 0, 3, new Problems.Spec()), new double[] {1, -2, 3});
        CpuBackendTest.checkAgainstReference(CUDA, Problems.factorized(rng, 3, 0, 3, 2, new Problems.Spec()),
                new double[] {1, -2, 3});
    }
}
