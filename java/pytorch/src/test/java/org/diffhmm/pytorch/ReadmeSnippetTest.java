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
 * The README's PyTorch snippet, taken from the README itself, compiled against this module and run:
 * it cannot rot. Its loss equals the adapter's tests' reference, and every input gets a gradient.
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
        for (Tensor x : List.of(emit, trans, init)) {
            final double[] g = TorchHmmTest.values(x.grad());
            double norm = 0;
            for (double v : g) {
                assertTrue(Double.isFinite(v));
                norm += v * v;
            }
            assertTrue(norm > 0, "a gradient reached every input");
        }
    }
}
