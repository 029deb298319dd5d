package org.diffhmm.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.diffhmm.testing.AdapterCases;
import org.diffhmm.testing.AdapterCases.Case;
import org.diffhmm.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter's gradients, through DJL's autograd of the surrogate, equal the autograd gradients of
 * a forward algorithm written in DJL operations alone, and finite differences — float32 and float64,
 * ragged lengths (0 and 1 included), unnormalised scores and −inf structure.
 */
class DjlHmmTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }


    static NDArray array(NDManager m, double[] data, boolean float32, long... shape) {
        final NDArray a = m.create(data, new Shape(shape));
        return float32 ? a.toType(DataType.FLOAT32, false) : a;
    }

    static double[] values(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** log Σ exp along {@code axis}, exact with −inf entries (an all −inf slice gives −inf). */
    static NDArray logSumExp(NDArray a, int axis) {
        NDArray max = a.max(new int[] {axis}, true).stopGradient();
        max = NDArrays.where(max.isInfinite(), max.zerosLike(), max);
        return a.sub(max).exp().sum(new int[] {axis}).log().add(max.squeeze(axis));
    }

    /** −Σ_b log p(x_b) by the forward algorithm in DJL operations, sequence by sequence. */
    static NDArray referenceNll(NDArray emit, NDArray trans, NDArray init, long[] lengths) {
        NDArray total = null;
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] == 0) {
                continue;  // log p = 0 by definition
            }
            final NDArray e = emit.get(b);
            NDArray alpha = init.add(e.get(0));
            for (int t = 1; t < lengths[b]; t++) {
                alpha = logSumExp(alpha.expandDims(1).add(trans), 0).add(e.get(t));
            }
            final NDArray logP = logSumExp(alpha, 0).neg();
            total = total == null ? logP : total.add(logP);
        }
        return total;
    }

    NDArray[] leaves(Case c, boolean float32) {
        final NDArray[] x = {
            array(manager, c.emit(), float32, c.B(), c.T(), c.N()),
            array(manager, c.trans(), float32, c.N(), c.N()),
            array(manager, c.init(), float32, c.N())};
        for (NDArray a : x) {
            a.setRequiresGradient(true);
        }
        return x;
    }

    void checkAgainstReference(Case c, boolean float32) {
        final NDArray[] ours = leaves(c, float32), theirs = leaves(c, float32);
        final double got, want;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            final NDArray loss = DjlHmm.nll(ours[0], ours[1], ours[2], c.lengths());
            assertEquals(ours[0].getDataType(), loss.getDataType(), "the loss has the inputs' data type");
            assertEquals(0, loss.getShape().dimension(), "the loss is a scalar");
            collector.backward(loss);
            got = values(loss)[0];
        }
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            final NDArray loss = referenceNll(theirs[0], theirs[1], theirs[2], c.lengths());
            collector.backward(loss);
            want = values(loss)[0];
        }
        final String p = float32 ? "f32 " : "f64 ";
        final double eps = float32 ? 1.2e-7 : 2.3e-16;
        assertEquals(want, got, 64 * eps * c.T() * (1 + Math.abs(want)), p + "value");
        final String[] names = {"emit", "trans", "init"};
        for (int k = 0; k < 3; k++) {
            final double[] g = values(ours[k].getGradient()), w = values(theirs[k].getGradient());
            for (int e = 0; e < g.length; e++) {
                assertEquals(w[e], g[e], 64 * eps * c.T() * (1 + Math.abs(w[e])), p + names[k] + " gradient [" + e + "]");
            }
        }
    }

    @Test
    void gradientsEqualDjlsOwnForwardAlgorithm() {
        int n = 0;
        for (int N : new int[] {1, 3, 8, 17}) {
            for (double negInf : new double[] {0.0, 0.3}) {
                final Case c = AdapterCases.randomCase(100 + n++, 5, 9, N, negInf);
                checkAgainstReference(c, false);
                checkAgainstReference(c, true);
            }
        }
    }

    @Test
    void gradientsEqualFiniteDifferences() {
        final Case c = AdapterCases.randomCase(7, 3, 6, 4, 0.2);
        final NDArray[] x = leaves(c, false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(DjlHmm.nll(x[0], x[1], x[2], c.lengths()));
        }
        final double h = 1e-6;
        final double[][] data = {c.emit(), c.trans(), c.init()};
        for (int k = 0; k < 3; k++) {
            final double[] grad = values(x[k].getGradient());
            for (int e = 0; e < data[k].length; e++) {
                final double keep = data[k][e];
                if (keep == Double.NEGATIVE_INFINITY) {
                    assertEquals(0.0, grad[e], "a structural zero gets no gradient");
                    continue;
                }
                data[k][e] = keep + h;
                final double up = value(c);
                data[k][e] = keep - h;
                final double down = value(c);
                data[k][e] = keep;
                assertEquals((up - down) / (2 * h), grad[e], 1e-6 * (1 + Math.abs(grad[e])), "input " + k + " entry " + e);
            }
        }
    }

    private double value(Case c) {
        try (NDManager m = manager.newSubManager()) {
            return values(DjlHmm.nll(array(m, c.emit(), false, c.B(), c.T(), c.N()), array(m, c.trans(), false, c.N(), c.N()),
                    array(m, c.init(), false, c.N()), c.lengths()))[0];
        }
    }

    /** −Σ_b log Z_b of dense potentials by DJL operations: step 0 reads row 0. */
    static NDArray referenceDense(NDArray potential, long[] lengths) {
        NDArray total = null;
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] == 0) {
                continue;
            }
            final NDArray p = potential.get(b);
            NDArray alpha = p.get(0).get(0);
            for (int t = 1; t < lengths[b]; t++) {
                alpha = logSumExp(alpha.expandDims(1).add(p.get(t)), 0);
            }
            final NDArray logZ = logSumExp(alpha, 0).neg();
            total = total == null ? logZ : total.add(logZ);
        }
        return total;
    }

    @Test
    void denseGradientsEqualDjlsOwnRecursion() {
        final SplittableRandom rng = new SplittableRandom(41);
        final int B = 4, T = 7, N = 5;
        final double[] pot = new double[B * T * N * N];
        for (int k = 0; k < pot.length; k++) {
            pot[k] = rng.nextDouble() < 0.15 ? Double.NEGATIVE_INFINITY : rng.nextDouble() * 6 - 2;  // CRF scores
        }
        for (int b = 0; b < B; b++) {
            for (int j = 0; j < N; j++) {
                pot[b * T * N * N + j] = rng.nextDouble();  // a finite initial row for every sequence start
            }
        }
        final long[] lengths = {7, 1, 0, 4};
        for (boolean float32 : new boolean[] {false, true}) {
            final NDArray ours = array(manager, pot, float32, B, T, N, N), theirs = array(manager, pot, float32, B, T, N, N);
            ours.setRequiresGradient(true);
            theirs.setRequiresGradient(true);
            final double got, want;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                final NDArray loss = DjlHmm.nllDense(Options.DEFAULT, ours, lengths);
                collector.backward(loss);
                got = values(loss)[0];
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                final NDArray loss = referenceDense(theirs, lengths);
                collector.backward(loss);
                want = values(loss)[0];
            }
            final double eps = float32 ? 1.2e-7 : 2.3e-16;
            assertEquals(want, got, 64 * eps * T * (1 + Math.abs(want)));
            final double[] g = values(ours.getGradient()), w = values(theirs.getGradient());
            for (int e = 0; e < g.length; e++) {
                // Entries a sequence never reads (padding, rows 1.. of step 0) get 0 from both.
                assertEquals(w[e], g[e], 64 * eps * T * (1 + Math.abs(w[e])), (float32 ? "f32" : "f64") + " [" + e + "]");
            }
        }
    }

    @Test
    void gradientsReachANetworksParametersAndNothingLeaksIntoTheCallersManager() {
        final Case c = AdapterCases.randomCase(9, 2, 5, 3, 0);
        final NDArray weight = array(manager, c.emit(), false, c.B(), c.T(), c.N());
        final NDArray trans = array(manager, c.trans(), false, c.N(), c.N());
        final NDArray init = array(manager, c.init(), false, c.N());
        final double[] before = values(weight);
        weight.setRequiresGradient(true);
        final int arrays;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            final NDArray emit = weight.mul(2);   // a network's output, not a leaf
            arrays = manager.getManagedArrays().size();
            final NDArray loss = DjlHmm.nll(emit, trans, init, c.lengths());
            // The call leaves one array in the caller's manager: the loss.
            assertEquals(arrays + 1, manager.getManagedArrays().size(), "arrays left in the caller's manager");
            collector.backward(loss);
        }
        final NDArray[] ref = leaves(new Case(values(weight.mul(2)), c.trans(), c.init(), c.lengths(), c.B(), c.T(), c.N()), false);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(referenceNll(ref[0], ref[1], ref[2], c.lengths()));
        }
        final double[] got = values(weight.getGradient()), want = values(ref[0].getGradient());
        for (int e = 0; e < got.length; e++) {
            assertEquals(2 * want[e], got[e], 1e-12 * (1 + Math.abs(want[e])), "d loss / d weight [" + e + "]");
        }
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(values(weight)), "inputs unchanged");
        // Outside a collector: a plain scalar equal to the reference.
        final NDArray plain = DjlHmm.nll(array(manager, c.emit(), false, c.B(), c.T(), c.N()), trans, init, c.lengths());
        assertEquals(values(referenceNll(array(manager, c.emit(), false, c.B(), c.T(), c.N()), trans, init, c.lengths()))[0],
                values(plain)[0], 1e-12);
    }

    @Test
    void emptyBatchesAndEmptySequencesGiveZeroLossAndZeroGradients() {
        for (int[] shape : new int[][] {{0, 5}, {3, 0}}) {
            final int B = shape[0], T = shape[1], N = 4;
            for (boolean backward : new boolean[] {false, true}) {
                final NDArray emit = manager.randomNormal(new Shape(B, T, N));
                final NDArray trans = manager.randomNormal(new Shape(N, N));
                final NDArray init = manager.randomNormal(new Shape(N));
                for (NDArray x : new NDArray[] {emit, trans, init}) {
                    x.setRequiresGradient(true);
                }
                final String what = (backward ? "nllBackward" : "nll") + " B=" + B + " T=" + T;
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    if (backward) {
                        assertEquals(0.0, DjlHmm.nllBackward(Options.DEFAULT, emit, trans, init, new long[B], null, 1.0), 0.0,
                                what);
                    } else {
                        final NDArray loss = DjlHmm.nll(emit, trans, init, new long[B]);
                        assertEquals(0.0, values(loss)[0], 0.0, what);
                        collector.backward(loss);
                    }
                }
                for (NDArray x : new NDArray[] {emit, trans, init}) {
                    for (double v : values(x.getGradient())) {
                        assertEquals(0.0, v, 0.0, what + ": gradient");
                    }
                }
            }
        }
    }

    @Test
    void nllBackwardGivesTheSurrogatesGradientsWithoutOne() {
        for (boolean float32 : new boolean[] {false, true}) {
            final Case c = AdapterCases.randomCase(17, 4, 9, 5, 0.2);
            final NDArray[] a = leaves(c, float32), b = leaves(c, float32);
            final double want;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                final NDArray loss = DjlHmm.nll(a[0], a[1], a[2], c.lengths());
                collector.backward(loss);
                want = values(loss)[0];
            }
            final double value;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                value = DjlHmm.nllBackward(Options.DEFAULT, b[0], b[1], b[2], c.lengths(), null, 1.0);
            }
            // The surrogate's value is rounded to the inputs' type; nllBackward returns the float64 sum.
            assertEquals(want, value, (float32 ? 1.2e-7 : 1e-12) * (1 + Math.abs(value)), "value");
            final double tol = float32 ? 1e-5 : 1e-12;
            final double[][] first = new double[3][];
            for (int k = 0; k < 3; k++) {
                final double[] w = values(a[k].getGradient()), got = values(b[k].getGradient());
                first[k] = got;
                for (int e = 0; e < w.length; e++) {
                    assertEquals(w[e], got[e], 0.0, (float32 ? "f32 " : "f64 ") + "input " + k + " [" + e + "]");
                }
            }
            // The parameters now have gradients: a second, weighted step adds to them in place.
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                DjlHmm.nllBackward(Options.DEFAULT, b[0], b[1], b[2], c.lengths(), null, 0.5);
            }
            for (int k = 0; k < 3; k++) {
                final double[] got = values(b[k].getGradient());
                for (int e = 0; e < got.length; e++) {
                    assertEquals(1.5 * first[k][e], got[e], tol * (1 + Math.abs(first[k][e])), "accumulated input " + k + " [" + e + "]");
                }
            }
        }
    }

    @Test
    void nllBackwardAddsIntoAGradientThatIsNotOneBlockThroughAutograd() {
        // A transposed parameter: its gradient has the parameter's strides, so no view of it is its
        // memory; the second call (gradients defined) must still land there.
        final Case c = AdapterCases.randomCase(29, 3, 8, 5, 0.2);
        final int N = c.N();
        final double[] transposed = new double[N * N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                transposed[j * N + i] = c.trans()[i * N + j];
            }
        }
        final NDArray[] x = leaves(c, false);
        final NDArray trans = array(manager, transposed, false, N, N).transpose();
        trans.setRequiresGradient(true);
        final NDArray[] want = leaves(c, false);
        for (int step = 0; step < 2; step++) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                DjlHmm.nllBackward(Options.DEFAULT, x[0], trans, x[2], c.lengths(), null, 1.0);
                collector.backward(DjlHmm.nll(want[0], want[1], want[2], c.lengths()));
            }
        }
        final double[] got = values(trans.getGradient()), w = values(want[1].getGradient());
        for (int e = 0; e < w.length; e++) {
            assertEquals(w[e], got[e], 1e-12 * (1 + Math.abs(w[e])), "trans gradient [" + e + "] after two steps");
        }
        final double[] gotEmit = values(x[0].getGradient()), wantEmit = values(want[0].getGradient());
        for (int e = 0; e < wantEmit.length; e++) {
            assertEquals(wantEmit[e], gotEmit[e], 1e-12 * (1 + Math.abs(wantEmit[e])), "emit gradient [" + e + "]");
        }
    }

    @Test
    void nllBackwardReachesANetworksParametersThroughAGraphItsInputsShare() {
        // emit, trans and init all computed from one parameter vector: three passes through one graph.
        final Case c = AdapterCases.randomCase(23, 3, 7, 4, 0);
        final int N = c.N();
        final double[] theta = new double[c.B() * c.T() * N];
        final SplittableRandom rng = new SplittableRandom(3);
        for (int k = 0; k < theta.length; k++) {
            theta[k] = rng.nextDouble() * 2 - 1;
        }
        final NDArray[] params = {array(manager, theta, false, c.B(), c.T(), N), array(manager, theta, false, c.B(), c.T(), N)};
        final double[] got = new double[2];
        for (int run = 0; run < 2; run++) {
            final NDArray p = params[run];
            p.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                final NDArray emit = p.mul(1.5).logSoftmax(2);
                final NDArray base = p.get(0).get("0:" + N);                          // [N][N] from the same parameter
                final NDArray trans = base.logSoftmax(1), init = p.get(1).get(0).logSoftmax(0);
                if (run == 0) {
                    got[0] = DjlHmm.nllBackward(Options.DEFAULT, emit, trans, init, c.lengths(), null, 1.0);
                } else {
                    final NDArray loss = referenceNll(emit, trans, init, c.lengths());
                    collector.backward(loss);
                    got[1] = values(loss)[0];
                }
            }
        }
        assertEquals(got[1], got[0], 1e-10 * (1 + Math.abs(got[1])), "value");
        final double[] mine = values(params[0].getGradient()), ref = values(params[1].getGradient());
        for (int e = 0; e < mine.length; e++) {
            assertEquals(ref[e], mine[e], 1e-10 * (1 + Math.abs(ref[e])), "d loss / d parameter [" + e + "]");
        }
        // Nothing requires a gradient: the value, and nothing to backpropagate.
        final NDArray[] x = leaves(c, false);
        for (NDArray a : x) {
            a.setRequiresGradient(false);
        }
        assertEquals(values(referenceNll(x[0], x[1], x[2], c.lengths()))[0],
                DjlHmm.nllBackward(Options.DEFAULT, x[0], x[1], x[2], c.lengths(), null, 1.0), 1e-12);
    }

    @Test
    void viewsLetDiffhmmsOwnApiReadAndWriteDjlMemory() {
        final Case c = AdapterCases.randomCase(51, 3, 6, 4, 0.2);
        final NDArray emit = array(manager, c.emit(), true, c.B(), c.T(), c.N());
        final NDArray trans = array(manager, c.trans(), true, c.N(), c.N());
        final NDArray init = array(manager, c.init(), true, c.N());
        final NDArray gEmit = manager.zeros(new Shape(c.B(), c.T(), c.N()));
        double want = 0;
        try (org.diffhmm.HmmForward.FactorizedResult r = org.diffhmm.HmmForward.apply(
                org.diffhmm.Factorized.of(DjlHmm.view(init), DjlHmm.view(trans), null, DjlHmm.view(emit)), c.lengths())) {
            for (double z : r.logZ()) {
                want -= z;
            }
            r.backward(new double[] {1, 1, 1}, null, null, DjlHmm.view(gEmit));
        }
        // The same call underneath: equal once rounded to the arrays' float32.
        assertEquals((float) want, (float) values(DjlHmm.nll(emit, trans, init, c.lengths()))[0], 0.0f);
        // Written in place: each step's emission gradient of a full-length sequence is a posterior (sums to 1).
        final double[] g = values(gEmit);
        double s = 0;
        for (int j = 0; j < c.N(); j++) {
            s += g[j];
        }
        assertEquals(1.0, s, 1e-5);
    }
}
