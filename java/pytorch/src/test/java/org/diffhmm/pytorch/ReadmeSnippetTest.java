package org.diffhmm.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's PyTorch snippet, taken from the README itself, compiled against this module and run:
 * it cannot rot. Its loss equals the adapter's tests' reference, and every input gets a gradient.
 */
class ReadmeSnippetTest {
    static String snippet() throws IOException {
        final String readme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
        final int marker = readme.indexOf("<!-- snippet: pytorch");
        assertTrue(marker >= 0, "the README has no pytorch snippet marker");
        final int start = readme.indexOf("```java\n", marker) + "```java\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    @Test
    void theReadmeSnippetCompilesAndRuns(@TempDir Path dir) throws Exception {
        final String source = "import org.bytedeco.pytorch.Tensor;\n"
                + "import org.bytedeco.pytorch.global.torch;\n"
                + "import org.diffhmm.pytorch.TorchHmm;\n"
                + "public class Snippet {\n"
                + "  public static Tensor run(Tensor emitLogits, Tensor transLogits, Tensor initLogits, long[] lengths) {\n"
                + snippet()
                + "    return loss;\n  }\n}\n";
        final Path file = dir.resolve("Snippet.java");
        Files.writeString(file, source);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final int rc = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(),
                file.toString());
        assertEquals(0, rc, "the README snippet does not compile:\n" + source);

        final TorchHmmTest.Case c = TorchHmmTest.randomCase(21, 3, 7, 4, 0.0);
        final Tensor emit = TorchHmmTest.tensor(c.emit(), false, c.B(), c.T(), c.N()).requires_grad_(true);
        final Tensor trans = TorchHmmTest.tensor(c.trans(), false, c.N(), c.N()).requires_grad_(true);
        final Tensor init = TorchHmmTest.tensor(c.init(), false, c.N()).requires_grad_(true);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
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
