package org.diffhmm.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Path;
import org.diffhmm.testing.AdapterCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's DJL snippets (nll, nllBackward), taken from the README itself, compiled against this
 * module and run: they cannot rot. The loss equals DJL's own forward algorithm, and every input gets a
 * gradient.
 */
class ReadmeSnippetTest {
    @Test
    void theReadmeSnippetCompilesAndRuns(@TempDir Path dir) throws Exception {
        final String source = "import ai.djl.ndarray.NDArray;\n"
                + "import ai.djl.training.GradientCollector;\n"
                + "import org.diffhmm.djl.DjlHmm;\n"
                + "public class Snippet {\n"
                + "  public static NDArray run(GradientCollector collector, NDArray emit, NDArray transLogits,"
                + " NDArray initLogits, long[] lengths) {\n"
                + AdapterCases.readmeSnippet("djl")
                + "    return loss;\n  }\n}\n";

        final AdapterCases.Case c = AdapterCases.randomCase(21, 3, 7, 4, 0.0);
        try (NDManager manager = NDManager.newBaseManager();
                URLClassLoader loader = AdapterCases.compileSnippet(dir, source, getClass().getClassLoader())) {
            final NDArray[] x = parameters(manager, c);
            final NDArray emit = x[0], trans = x[1], init = x[2];
            final Method run = loader.loadClass("Snippet").getMethod("run", GradientCollector.class, NDArray.class,
                    NDArray.class, NDArray.class, long[].class);
            final double got;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                got = DjlHmmTest.values((NDArray) run.invoke(null, collector, emit, trans, init, c.lengths()))[0];
            }
            assertLossAndGradients(x, c, got);
        }
    }

    @Test
    void theReadmeNllBackwardSnippetCompilesAndRuns(@TempDir Path dir) throws Exception {
        final String source = "import ai.djl.ndarray.NDArray;\n"
                + "import org.diffhmm.Options;\n"
                + "import org.diffhmm.djl.DjlHmm;\n"
                + "public class Snippet {\n"
                + "  public static double run(NDArray emit, NDArray transLogits, NDArray initLogits, long[] lengths) {\n"
                + AdapterCases.readmeSnippet("djl-backward")
                + "    return nll;\n  }\n}\n";

        final AdapterCases.Case c = AdapterCases.randomCase(22, 3, 7, 4, 0.0);
        try (NDManager manager = NDManager.newBaseManager();
                URLClassLoader loader = AdapterCases.compileSnippet(dir, source, getClass().getClassLoader())) {
            final NDArray[] x = parameters(manager, c);
            final NDArray emit = x[0], trans = x[1], init = x[2];
            final Method run = loader.loadClass("Snippet").getMethod("run", NDArray.class, NDArray.class, NDArray.class,
                    long[].class);
            final double got;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                got = (Double) run.invoke(null, emit, trans, init, c.lengths());
            }
            assertLossAndGradients(x, c, got);
        }
    }

    /** emit, trans logits and init logits of the case, each a parameter (requiring a gradient). */
    private static NDArray[] parameters(NDManager manager, AdapterCases.Case c) {
        final NDArray[] x = {
            DjlHmmTest.array(manager, c.emit(), false, c.B(), c.T(), c.N()),
            DjlHmmTest.array(manager, c.trans(), false, c.N(), c.N()),
            DjlHmmTest.array(manager, c.init(), false, c.N())};
        for (NDArray a : x) {
            a.setRequiresGradient(true);
        }
        return x;
    }

    /** The snippet's loss is DJL's own forward algorithm's, and a finite, non-zero gradient reached every input. */
    private static void assertLossAndGradients(NDArray[] x, AdapterCases.Case c, double got) {
        final double want = DjlHmmTest.values(DjlHmmTest.referenceNll(x[0].stopGradient(), x[1].stopGradient().logSoftmax(1),
                x[2].stopGradient().logSoftmax(0), c.lengths()))[0];
        assertEquals(want, got, 1e-10);
        for (NDArray a : x) {
            double norm = 0;
            for (double v : DjlHmmTest.values(a.getGradient())) {
                assertTrue(Double.isFinite(v));
                norm += v * v;
            }
            assertTrue(norm > 0, "a gradient reached every input");
        }
    }
}
