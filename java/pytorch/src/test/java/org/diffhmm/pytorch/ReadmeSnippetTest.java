package org.diffhmm.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.diffhmm.testing.AdapterCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's PyTorch snippets, taken from the README itself, compiled against this module and run:
 * they cannot rot. The loss equals the adapter's tests' reference, and every input gets a gradient
 * (for nllBackward, the one an optimizer's step then applies).
 */
class ReadmeSnippetTest {
    @Test
    void theReadmeSnippetCompilesAndRuns(@TempDir Path dir) throws Exception {
        final String source = "import org.bytedeco.pytorch.Tensor;\n"
                + "import org.bytedeco.pytorch.global.torch;\n"
                + "import org.diffhmm.pytorch.TorchHmm;\n"
                + "public class Snippet {\n"
                + "  public static Tensor run(Tensor emitLogits, Tensor transLogits, Tensor initLogits, long[] lengths) {\n"
                + AdapterCases.readmeSnippet("pytorch")
                + "    return loss;\n  }\n}\n";

        final AdapterCases.Case c = AdapterCases.randomCase(21, 3, 7, 4, 0.0);
        final Tensor emit = TorchHmmTest.tensor(c.emit(), false, c.B(), c.T(), c.N()).requires_grad_(true);
        final Tensor trans = TorchHmmTest.tensor(c.trans(), false, c.N(), c.N()).requires_grad_(true);
        final Tensor init = TorchHmmTest.tensor(c.init(), false, c.N()).requires_grad_(true);
        try (URLClassLoader loader = AdapterCases.compileSnippet(dir, source, getClass().getClassLoader())) {
            final Method run = loader.loadClass("Snippet").getMethod("run", Tensor.class, Tensor.class, Tensor.class,
                    long[].class);
            final Tensor loss = (Tensor) run.invoke(null, emit, trans, init, c.lengths());
            final Tensor want = TorchHmmTest.referenceNll(
                    org.bytedeco.pytorch.global.torch.log_softmax(emit.detach(), 2),
                    org.bytedeco.pytorch.global.torch.log_softmax(trans.detach(), 1),
                    org.bytedeco.pytorch.global.torch.log_softmax(init.detach(), 0), c.lengths());
            assertEquals(want.item_double(), loss.item_double(), 1e-10);
        }
        assertEveryInputHasAGradient(List.of(emit, trans, init));
    }

    @Test
    void theReadmeNllBackwardSnippetCompilesAndRuns(@TempDir Path dir) throws Exception {
        final String source = "import org.bytedeco.pytorch.Optimizer;\n"
                + "import org.bytedeco.pytorch.Tensor;\n"
                + "import org.bytedeco.pytorch.global.torch;\n"
                + "import org.diffhmm.Options;\n"
                + "import org.diffhmm.pytorch.TorchHmm;\n"
                + "public class Snippet {\n"
                + "  public static double run(Optimizer optimizer, Tensor emitLogits, Tensor transLogits, Tensor initLogits,"
                + " long[] lengths) {\n"
                + AdapterCases.readmeSnippet("pytorch-backward")
                + "    return nll;\n  }\n}\n";

        final AdapterCases.Case c = AdapterCases.randomCase(22, 3, 7, 4, 0.0);
        final Tensor emit = TorchHmmTest.tensor(c.emit(), false, c.B(), c.T(), c.N()).requires_grad_(true);
        final Tensor trans = TorchHmmTest.tensor(c.trans(), false, c.N(), c.N()).requires_grad_(true);
        final Tensor init = TorchHmmTest.tensor(c.init(), false, c.N()).requires_grad_(true);
        final List<Tensor> params = List.of(emit, trans, init);
        final List<double[]> before = params.stream().map(TorchHmmTest::values).toList();
        final double lr = 0.1;
        final org.bytedeco.pytorch.SGD sgd = new org.bytedeco.pytorch.SGD(
                new org.bytedeco.pytorch.TensorVector(emit, trans, init), new org.bytedeco.pytorch.SGDOptions(lr));
        try (URLClassLoader loader = AdapterCases.compileSnippet(dir, source, getClass().getClassLoader())) {
            final Method run = loader.loadClass("Snippet").getMethod("run", org.bytedeco.pytorch.Optimizer.class,
                    Tensor.class, Tensor.class, Tensor.class, long[].class);
            final double nll = (Double) run.invoke(null, sgd, emit, trans, init, c.lengths());
            final Tensor want = TorchHmmTest.referenceNll(
                    org.bytedeco.pytorch.global.torch.log_softmax(TorchHmmTest.tensor(before.get(0), false, c.B(), c.T(), c.N()), 2),
                    org.bytedeco.pytorch.global.torch.log_softmax(TorchHmmTest.tensor(before.get(1), false, c.N(), c.N()), 1),
                    org.bytedeco.pytorch.global.torch.log_softmax(TorchHmmTest.tensor(before.get(2), false, c.N()), 0),
                    c.lengths());
            assertEquals(want.item_double(), nll, 1e-10);
        }
        assertEveryInputHasAGradient(params);
        // The optimizer's step used the gradients nllBackward left: every parameter moved by −lr·grad.
        for (int k = 0; k < 3; k++) {
            final double[] g = TorchHmmTest.values(params.get(k).grad()), now = TorchHmmTest.values(params.get(k));
            for (int e = 0; e < g.length; e++) {
                assertEquals(before.get(k)[e] - lr * g[e], now[e], 1e-12, "parameter " + k + " [" + e + "]");
            }
        }
    }

    /** A finite, non-zero gradient reached every input. */
    private static void assertEveryInputHasAGradient(List<Tensor> inputs) {
        for (Tensor x : inputs) {
            double norm = 0;
            for (double v : TorchHmmTest.values(x.grad())) {
                assertTrue(Double.isFinite(v));
                norm += v * v;
            }
            assertTrue(norm > 0, "a gradient reached every input");
        }
    }
}
