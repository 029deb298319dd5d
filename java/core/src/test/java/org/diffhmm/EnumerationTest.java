package org.diffhmm;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Top rung of the ladder: every path of tiny problems enumerated, against the CPU backend through
 * the Java API — log Z, gradients, Viterbi and marginals, dense and factorized, float64 and float32,
 * with ragged lengths (0 and 1 included) and -inf entries.
 */
class EnumerationTest {
    @ParameterizedTest
    @EnumSource(DType.class)
    void everyOutputMatchesEnumeration(DType dtype) {
        final SplittableRandom rng = new SplittableRandom(101);
        final Options cpu = Options.DEFAULT.backend(Backend.CPU);
        for (boolean dense : new boolean[] {true, false}) {
            for (int n = 1; n <= 3; n++) {
                final Problems.Spec spec = new Problems.Spec().negInf(0.1).offset(0.5);
                final Problems p = dense ? Problems.dense(rng, 6, 4, n, spec) : Problems.factorized(rng, 6, 4, n, 2, spec);
                final Problems seen = dtype == DType.FLOAT32 ? p.roundedToFloat() : p;
                final double[] g = Problems.randomGrad(rng, p.B);
                final Reference.Outputs truth = Reference.enumerate(seen, g);
                // float32: a few ulps of the values involved (these problems are 4 steps long).
                final double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5 * Math.max(1, Run.maxAbs(truth.logZ));
                Run.compare(p + " " + dtype, Run.all(cpu, p, dtype, g), truth, tol, tol, tol, true);
            }
        }
    }
}
