package org.diffhmm.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.diffhmm.testing.AdapterCases;
import org.diffhmm.testing.AdapterCases.Case;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The adapter's gradients, through PyTorch's autograd of the surrogate, equal the autograd gradients
 * of a forward algorithm written in PyTorch alone, and finite differences — float32 and float64, with
 * ragged lengths (0 and 1 included), unnormalised scores and −inf structure.
 */
class TorchHmmTest {
    /** A CPU tensor holding a copy of {@code data}, as float64 or float32. */
    static Tensor tensor(double[] data, boolean float32, long... shape) {
        try (DoublePointer p = new DoublePointer(data)) {
            final Tensor t = torch.from_blob(p, shape, new TensorOptions(torch.ScalarType.Double)).clone();
            return float32 ? t.to(torch.ScalarType.Float) : t;
        }
    }

    static double[] values(Tensor t) {
        final Tensor d = t.detach().to(torch.ScalarType.Double).contiguous();
        final double[] out = new double[(int) d.numel()];
        if (out.length > 0) {  // an empty tensor may have no storage
            d.data_ptr_double().capacity(out.length).get(out);
        }
        return out;
    }

    /** −Σ_b log p(x_b) by the forward algorithm in PyTorch operations, sequence by sequence. */
    static Tensor referenceNll(Tensor emit, Tensor trans, Tensor init, long[] lengths) {
        Tensor total = null;
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] == 0) {
                continue;  // log p = 0 by definition
            }
            final Tensor e = emit.select(0, b);
            Tensor alpha = init.add(e.select(0, 0));
            for (int t = 1; t < lengths[b]; t++) {
                alpha = torch.logsumexp(alpha.unsqueeze(1).add(trans), 0).add(e.select(0, t));
            }
            final Tensor logP = torch.logsumexp(alpha, 0).neg();
            total = total == null ? logP : total.add(logP);
        }
        return total;
    }


    /** Gradients of the adapter and of the reference for one case, in one precision. */
    static void checkAgainstReference(Case c, boolean float32) {
        final Tensor[] ours = leaves(c, float32), theirs = leaves(c, float32);
        final Tensor loss = TorchHmm.nll(ours[0], ours[1], ours[2], c.lengths());
        loss.backward();
        final Tensor want = referenceNll(theirs[0], theirs[1], theirs[2], c.lengths());
        want.backward();
        final double eps = float32 ? 1.2e-7 : 2.3e-16;
        final double scale = Math.abs(want.item_double()) + 1;
        assertEquals(want.item_double(), loss.item_double(), 64 * eps * scale * c.T(), (float32 ? "f32" : "f64") + " value");
        final String[] names = {"emit", "trans", "init"};
        for (int k = 0; k < 3; k++) {
            final double[] got = values(ours[k].grad()), exp = values(theirs[k].grad());
            for (int e = 0; e < got.length; e++) {
                final double tol = 64 * eps * c.T() * (1 + Math.abs(exp[e]));
                assertEquals(exp[e], got[e], tol, (float32 ? "f32 " : "f64 ") + names[k] + " gradient [" + e + "]");
            }
        }
    }

    static Tensor[] leaves(Case c, boolean float32) {
        return new Tensor[] {
            tensor(c.emit(), float32, c.B(), c.T(), c.N()).requires_grad_(true),
            tensor(c.trans(), float32, c.N(), c.N()).requires_grad_(true),
            tensor(c.init(), float32, c.N()).requires_grad_(true)};
    }

    @Test
    void gradientsEqualPyTorchsOwnForwardAlgorithm() {
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
        final Tensor[] x = leaves(c, false);
        TorchHmm.nll(x[0], x[1], x[2], c.lengths()).backward();
        final double h = 1e-6;
        final double[][] data = {c.emit(), c.trans(), c.init()};
        for (int k = 0; k < 3; k++) {
            final double[] grad = values(x[k].grad());
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

    private static double value(Case c) {
        final Tensor[] x = leaves(c, false);
        return TorchHmm.nll(x[0], x[1], x[2], c.lengths()).item_double();
    }

    /** −Σ_b log Z_b of dense potentials by PyTorch operations: step 0 reads row 0. */
    static Tensor referenceDense(Tensor potential, long[] lengths) {
        Tensor total = null;
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] == 0) {
                continue;
            }
            final Tensor p = potential.select(0, b);
            Tensor alpha = p.select(0, 0).select(0, 0);
            for (int t = 1; t < lengths[b]; t++) {
                alpha = torch.logsumexp(alpha.unsqueeze(1).add(p.select(0, t)), 0);
            }
            final Tensor logZ = torch.logsumexp(alpha, 0).neg();
            total = total == null ? logZ : total.add(logZ);
        }
        return total;
    }

    @Test
    void denseGradientsEqualPyTorchsOwnRecursion() {
        final SplittableRandom rng = new SplittableRandom(41);
        final int B = 4, T = 7, N = 5;
        final double[] pot = new double[B * T * N * N];
        for (int k = 0; k < pot.length; k++) {
            pot[k] = rng.nextDouble() < 0.15 ? Double.NEGATIVE_INFINITY : rng.nextDouble() * 6 - 2;  // CRF scores
        }
        for (int j = 0; j < N; j++) {
            pot[j] = rng.nextDouble();  // a finite initial row for every sequence start
        }
        final long[] lengths = {7, 1, 0, 4};
        for (boolean float32 : new boolean[] {false, true}) {
            final Tensor ours = tensor(pot, float32, B, T, N, N).requires_grad_(true);
            final Tensor theirs = tensor(pot, float32, B, T, N, N).requires_grad_(true);
            final Tensor loss = TorchHmm.nllDense(org.diffhmm.Options.DEFAULT, ours, lengths);
            loss.backward();
            final Tensor want = referenceDense(theirs, lengths);
            want.backward();
            final double eps = float32 ? 1.2e-7 : 2.3e-16;
            assertEquals(want.item_double(), loss.item_double(), 64 * eps * T * (1 + Math.abs(want.item_double())));
            final double[] got = values(ours.grad()), exp = values(theirs.grad());
            for (int e = 0; e < got.length; e++) {
                // Entries a sequence never reads (padding, rows 1.. of step 0) get 0 from both.
                assertEquals(exp[e], got[e], 64 * eps * T * (1 + Math.abs(exp[e])), (float32 ? "f32" : "f64") + " [" + e + "]");
            }
        }
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchHmm.nllDense(org.diffhmm.Options.DEFAULT, tensor(pot, false, B, T, N * N), lengths));
        assertTrue(e.getMessage().contains("[B][T][N][N]"), e.getMessage());
    }

    @Test
    void aLossWhoseBackwardIsPendingKeepsItsGradients() {
        // The adapter reuses its gradient buffers once a surrogate's backward has released them; a
        // surrogate still waiting for its backward must keep its own.
        final Case first = AdapterCases.randomCase(31, 3, 8, 5, 0.2), second = AdapterCases.randomCase(32, 3, 8, 5, 0.2);
        final Tensor[] a = leaves(first, false), b = leaves(second, false);
        final Tensor lossA = TorchHmm.nll(a[0], a[1], a[2], first.lengths());
        final Tensor lossB = TorchHmm.nll(b[0], b[1], b[2], second.lengths());  // while lossA's graph is alive
        lossB.backward();
        final Tensor lossC = TorchHmm.nll(b[0], b[1], b[2], second.lengths());  // may reuse lossB's buffers
        lossA.backward();
        final Tensor[] wantA = leaves(first, false);
        referenceNll(wantA[0], wantA[1], wantA[2], first.lengths()).backward();
        for (int k = 0; k < 3; k++) {
            final double[] got = values(a[k].grad()), want = values(wantA[k].grad());
            for (int e = 0; e < got.length; e++) {
                assertEquals(want[e], got[e], 1e-10 * (1 + Math.abs(want[e])), "first loss, input " + k + " [" + e + "]");
            }
        }
        for (Tensor x : b) {
            x.grad().zero_();
        }
        lossC.backward();
        final Tensor[] wantB = leaves(second, false);
        referenceNll(wantB[0], wantB[1], wantB[2], second.lengths()).backward();
        for (int k = 0; k < 3; k++) {
            final double[] got = values(b[k].grad()), want = values(wantB[k].grad());
            for (int e = 0; e < got.length; e++) {
                assertEquals(want[e], got[e], 1e-10 * (1 + Math.abs(want[e])), "reused buffers, input " + k + " [" + e + "]");
            }
        }
    }

    @Test
    void nllBackwardGivesTheSurrogatesGradientsWithoutOne() {
        for (boolean float32 : new boolean[] {false, true}) {
            final Case c = AdapterCases.randomCase(17, 4, 9, 5, 0.2);
            final Tensor[] a = leaves(c, float32), b = leaves(c, float32), w = leaves(c, float32);
            final Tensor loss = TorchHmm.nll(a[0], a[1], a[2], c.lengths());
            loss.backward();
            final double value = TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, b[0], b[1], b[2], c.lengths(), null, 1.0);
            // The surrogate's value is rounded to the inputs' dtype; nllBackward returns the float64 sum.
            assertEquals(loss.item_double(), value, (float32 ? 1.2e-7 : 1e-12) * (1 + Math.abs(value)));
            // A weighted term through a network-like op (a non-leaf emission input): 2.5 · 3 · ∂.
            final Tensor weight = w[0];
            TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, weight.mul(new org.bytedeco.pytorch.Scalar(3.0)).div(
                    new org.bytedeco.pytorch.Scalar(3.0)).mul(new org.bytedeco.pytorch.Scalar(1.0)), w[1], w[2], c.lengths(),
                    null, 2.5);
            final double tol = float32 ? 1e-5 : 1e-12;
            final double[][] first = new double[3][];
            for (int k = 0; k < 3; k++) {
                final double[] want = values(a[k].grad()), got = values(b[k].grad()), weighted = values(w[k].grad());
                first[k] = got;
                for (int e = 0; e < want.length; e++) {
                    assertEquals(want[e], got[e], 0.0, (float32 ? "f32 " : "f64 ") + "input " + k + " [" + e + "]");
                    assertEquals(2.5 * want[e], weighted[e], tol * (1 + Math.abs(want[e])), "weighted input " + k + " [" + e + "]");
                }
            }
            // The leaves (b) were given diffhmm's tensors as their gradients; a second step without
            // resetting them adds to those, as autograd accumulates.
            TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, b[0], b[1], b[2], c.lengths(), null, 1.0);
            for (int k = 0; k < 3; k++) {
                final double[] got = values(b[k].grad());
                for (int e = 0; e < got.length; e++) {
                    assertEquals(2 * first[k][e], got[e], tol * (1 + Math.abs(first[k][e])), "accumulated input " + k);
                }
            }
        }
        // Nothing requires a gradient: the value, and no backward.
        final Case c = AdapterCases.randomCase(18, 2, 5, 3, 0);
        final Tensor[] x = leaves(c, false);
        final double plain = TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, x[0].detach(), x[1].detach(), x[2].detach(),
                c.lengths(), null, 1.0);
        assertEquals(referenceNll(x[0].detach(), x[1].detach(), x[2].detach(), c.lengths()).item_double(), plain, 1e-12);
    }

    @Test
    void emptyBatchesAndEmptySequencesGiveZeroLossAndZeroGradients() {
        for (int[] shape : new int[][] {{0, 5}, {3, 0}}) {
            final int B = shape[0], T = shape[1], N = 4;
            final Tensor emit = torch.randn(B, T, N).requires_grad_(true);
            final Tensor trans = torch.randn(N, N).requires_grad_(true);
            final Tensor init = torch.randn(N).requires_grad_(true);
            final long[] lengths = new long[B];
            final Tensor loss = TorchHmm.nll(emit, trans, init, lengths);
            assertEquals(0.0, loss.item_double(), 0.0, "B=" + B + " T=" + T);
            loss.backward();
            for (Tensor x : new Tensor[] {emit, trans, init}) {
                for (double v : values(x.grad())) {
                    assertEquals(0.0, v, 0.0, "B=" + B + " T=" + T + ": gradient");
                }
            }
            final Tensor[] again = {emit.detach().requires_grad_(true), trans.detach().requires_grad_(true),
                init.detach().requires_grad_(true)};
            assertEquals(0.0, TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, again[0], again[1], again[2], lengths, null,
                    1.0), 0.0);
            for (Tensor x : again) {
                for (double v : values(x.grad())) {
                    assertEquals(0.0, v, 0.0, "nllBackward B=" + B + " T=" + T + ": gradient");
                }
            }
        }
    }

    @Test
    void onlyTheInputsThatRequireGradientsGetThem() {
        final Case c = AdapterCases.randomCase(9, 2, 5, 3, 0);
        final Tensor emit = tensor(c.emit(), false, c.B(), c.T(), c.N()).requires_grad_(true);
        final Tensor trans = tensor(c.trans(), false, c.N(), c.N());
        final Tensor init = tensor(c.init(), false, c.N());
        final Tensor loss = TorchHmm.nll(emit, trans, init, c.lengths());
        assertTrue(loss.requires_grad());
        loss.backward();
        assertEquals(c.B() * c.T() * c.N(), values(emit.grad()).length);
        // Nothing requires a gradient: a plain scalar, equal to the reference.
        final Tensor plain = TorchHmm.nll(emit.detach(), trans, init, c.lengths());
        assertEquals(referenceNll(emit.detach(), trans, init, c.lengths()).item_double(), plain.item_double(), 1e-12);
        assertTrue(!plain.requires_grad());
    }

    @Test
    void viewsLetDiffhmmsOwnApiReadTorchMemory() {
        final Case c = AdapterCases.randomCase(51, 3, 6, 4, 0.2);
        final Tensor emit = tensor(c.emit(), true, c.B(), c.T(), c.N());
        final Tensor trans = tensor(c.trans(), true, c.N(), c.N());
        final Tensor init = tensor(c.init(), true, c.N());
        double want = 0;
        try (org.diffhmm.HmmForward.FactorizedResult r = org.diffhmm.HmmForward.apply(
                org.diffhmm.Factorized.of(TorchHmm.view(init), TorchHmm.view(trans), null, TorchHmm.view(emit)), c.lengths())) {
            for (double z : r.logZ()) {
                want -= z;
            }
        }
        // The same call underneath: equal once rounded to the tensors' float32.
        assertEquals((float) want, (float) TorchHmm.nll(emit, trans, init, c.lengths()).item_double(), 0.0f);
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchHmm.view(trans.t()));
        assertTrue(e.getMessage().contains("contiguous"), e.getMessage());
    }

    @Test
    void badInputIsNamed() {
        final Case c = AdapterCases.randomCase(11, 2, 4, 3, 0);
        final Tensor emit = tensor(c.emit(), false, c.B(), c.T(), c.N());
        final Tensor trans = tensor(c.trans(), false, c.N(), c.N());
        final Tensor init32 = tensor(c.init(), true, c.N());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchHmm.nll(emit, trans, init32, c.lengths()));
        assertTrue(e.getMessage().contains("one dtype"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TorchHmm.nll(emit, trans, tensor(c.init(), false, c.N()),
                new long[] {4}));
        assertTrue(e.getMessage().contains("lengths has 1 entries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TorchHmm.nll(emit, trans, tensor(c.init(), false, c.N()),
                new long[] {4, 5}));
        assertTrue(e.getMessage().contains("lengths"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TorchHmm.nll(emit.select(0, 0), trans,
                tensor(c.init(), false, c.N()), new long[] {4}));
        assertTrue(e.getMessage().contains("[B][T][N]"), e.getMessage());
    }
}
