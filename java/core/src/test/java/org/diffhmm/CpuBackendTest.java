package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast CPU backend against the plain float64 recursion on fresh random inputs, for every
 * instruction set this CPU has and for 1 and 2 threads: ragged lengths (0 and 1 included), N = 1,
 * N not a multiple of 8 or 16, unnormalised (CRF) scores of both signs, positive and negative
 * upstream gradients, -inf entries and a sequence with no finite path. Float32 tolerance: twice
 * the error of the naive float32 recursion against float64, plus a few ulps (STYLE.md).
 */
class CpuBackendTest {
    static List<Options> configurations() {
        final List<Options> all = new ArrayList<>();
        for (CpuIsa isa : CpuIsa.values()) {
            if (isa == CpuIsa.AUTO || isa.ordinal() > Diffhmm.cpuIsa().ordinal()) {
                continue;
            }
            for (int threads : new int[] {1, 2}) {
                all.add(Options.DEFAULT.backend(Backend.CPU).cpuIsa(isa).threads(threads));
            }
        }
        return all;
    }

    private static final double EPS32 = Math.ulp(1.0f), EPS64 = Math.ulp(1.0);

    static void checkAgainstReference(Options options, Problems p, double[] g) {
        final Reference.Outputs want = Reference.recursion(p, g, false);
        final double scaleZ = Math.max(1, Run.maxAbs(want.logZ));
        final double scaleG = Math.max(1, Run.maxAbs(g));
        final double steps = Math.max(1, p.T);
        final double tol64Z = 64 * EPS64 * steps * scaleZ;
        Run.compare(p + " f64 " + options, Run.all(options, p, DType.FLOAT64, g), want, tol64Z, tol64Z * scaleG,
                tol64Z, true);

        final Problems rounded = p.roundedToFloat();
        final Reference.Outputs want32 = Reference.recursion(rounded, g, false);
        final Reference.Outputs naive = Reference.recursion(rounded, g, true);
        final double tol32Z = 2 * Run.maxDiff(naive.logZ, want32.logZ) + 8 * EPS32 * scaleZ;
        final double naiveGrad = Math.max(Math.max(Run.maxDiff(naive.gradPotential, want32.gradPotential),
                Run.maxDiff(naive.gradEmit, want32.gradEmit)), Run.maxDiff(naive.gradInit, want32.gradInit));
        final double tol32G = 2 * naiveGrad + 16 * EPS32 * scaleG;
        final double tol32Gamma = 2 * Run.maxDiff(naive.gamma, want32.gamma) + 16 * EPS32;
        Run.compare(p + " f32 " + options, Run.all(options, p, DType.FLOAT32, g), want32, tol32Z, tol32G, tol32Gamma,
                false);
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void denseMatchesReference(Options options) {
        final SplittableRandom rng = new SplittableRandom(201);
        for (int n : new int[] {1, 3, 8, 13, 50}) {
            final double offset = n % 2 == 0 ? 4.0 : -2.5;  // unnormalised scores, both signs
            final Problems p = Problems.dense(rng, 7, 9, n, new Problems.Spec().offset(offset));
            checkAgainstReference(options, p, Problems.randomGrad(rng, p.B));
        }
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void factorizedMatchesReference(Options options) {
        final SplittableRandom rng = new SplittableRandom(202);
        for (int n : new int[] {1, 6, 17, 40}) {
            for (int k : new int[] {1, 3}) {
                final Problems p = Problems.factorized(rng, 5, 11, n, k, new Problems.Spec().offset(1.0));
                checkAgainstReference(options, p, Problems.randomGrad(rng, p.B));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void minusInfinityAndSequencesWithoutAPath(Options options) {
        final SplittableRandom rng = new SplittableRandom(203);
        final Problems dense = Problems.dense(rng, 5, 8, 7, new Problems.Spec().negInf(0.3));
        // Sequence 1: every transition into step 2 is impossible, so it has no finite path.
        dense.lengths[1] = 6;
        for (int k = 0; k < 7 * 7; k++) {
            dense.potential[(1 * 8 + 2) * 49 + k] = Problems.NEG_INF;
        }
        checkAgainstReference(options, dense, Problems.randomGrad(rng, dense.B));
        final Reference.Outputs got = Run.all(options, dense, DType.FLOAT32, Problems.randomGrad(rng, dense.B));
        assertEquals(Double.NEGATIVE_INFINITY, got.logZ[1]);
        assertEquals(Double.NEGATIVE_INFINITY, got.score[1]);
        for (int k = 8 * 7 * 7; k < 2 * 8 * 7 * 7; k++) {
            assertEquals(0.0, got.gradPotential[k], "no path: zero gradient");
        }
        final Problems factorized = Problems.factorized(rng, 5, 8, 9, 2, new Problems.Spec().negInf(0.25));
        checkAgainstReference(options, factorized, Problems.randomGrad(rng, factorized.B));
    }

    @Test
    void largeStateCountsSplitEachStepAcrossThreads() {
        // B = 1 < threads and N >= 128: the backend splits every step's states across threads.
        final SplittableRandom rng = new SplittableRandom(204);
        final Options two = Options.DEFAULT.backend(Backend.CPU).threads(2);
        checkAgainstReference(two, Problems.dense(rng, 1, 5, 140, new Problems.Spec()), new double[] {-1.5});
        checkAgainstReference(two, Problems.factorized(rng, 1, 6, 130, 2, new Problems.Spec()), new double[] {0.75});
    }

    @Test
    void lengthZeroAndOne() {
        final SplittableRandom rng = new SplittableRandom(205);
        final Problems p = Problems.dense(rng, 4, 3, 5, new Problems.Spec());
        p.lengths[1] = 0;
        p.lengths[2] = 1;
        p.lengths[3] = 0;
        final Reference.Outputs got = Run.all(Options.DEFAULT.backend(Backend.CPU), p, DType.FLOAT64, new double[] {1, 2, 3, 4});
        assertEquals(0.0, got.logZ[1]);
        assertEquals(0.0, got.score[1]);
        final long[] padded = Arrays.copyOfRange(got.path, 3, 6);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {-1, -1, -1}, padded);
        checkAgainstReference(Options.DEFAULT.backend(Backend.CPU), p, new double[] {1, -2, 3, -4});
    }

    @Test
    void emptyBatchesAndBatchesOfEmptySequences() {
        final SplittableRandom rng = new SplittableRandom(206);
        final Options cpu = Options.DEFAULT.backend(Backend.CPU);
        checkAgainstReference(cpu, Problems.dense(rng, 0, 4, 3, new Problems.Spec()), new double[0]);
        checkAgainstReference(cpu, Problems.factorized(rng, 0, 4, 3, 2, new Problems.Spec()), new double[0]);
        checkAgainstReference(cpu, Problems.dense(rng, 3, 0, 3, new Problems.Spec()), new double[] {1, -2, 3});
        checkAgainstReference(cpu, Problems.factorized(rng, 3, 0, 3, 2, new Problems.Spec()), new double[] {1, -2, 3});
    }
}
