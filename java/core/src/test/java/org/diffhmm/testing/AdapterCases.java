package org.diffhmm.testing;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * What the deep-learning adapters' tests (diffhmm-pytorch, diffhmm-djl) share: random factorized
 * problems with ragged lengths and −inf structure, and the README snippets they compile.
 */
public final class AdapterCases {
    private AdapterCases() {}

    /**
     * A factorized problem as plain arrays.
     *
     * @param emit    {@code [B][T][N]}
     * @param trans   {@code [N][N]}
     * @param init    {@code [N]}
     * @param lengths {@code [B]}: sequence 0 full, 1 of length 1, 2 of length 0, the rest random
     * @param B       sequences
     * @param T       steps
     * @param N       states
     */
    public record Case(double[] emit, double[] trans, double[] init, long[] lengths, int B, int T, int N) {}

    /**
     * A random case: emissions in [−3, 1), transitions in [−1.5, 1.5) with a fraction {@code negInfRate}
     * of −inf off the diagonal, initial scores in [−1, 1).
     *
     * @param seed       the generator's seed
     * @param B          sequences
     * @param T          steps
     * @param N          states
     * @param negInfRate the fraction of −inf transitions (the diagonal stays finite, so paths exist)
     * @return the case
     */
    public static Case randomCase(long seed, int B, int T, int N, double negInfRate) {
        final SplittableRandom rng = new SplittableRandom(seed);
        final double[] emit = new double[B * T * N], trans = new double[N * N], init = new double[N];
        for (int k = 0; k < emit.length; k++) {
            emit[k] = rng.nextDouble() * 4 - 3;
        }
        for (int k = 0; k < trans.length; k++) {
            trans[k] = rng.nextDouble() < negInfRate && k % (N + 1) != 0 ? Double.NEGATIVE_INFINITY : rng.nextDouble() * 3 - 1.5;
        }
        for (int k = 0; k < init.length; k++) {
            init[k] = rng.nextDouble() * 2 - 1;
        }
        final long[] lengths = new long[B];
        for (int b = 0; b < B; b++) {
            lengths[b] = b == 0 ? T : b == 1 ? 1 : b == 2 ? 0 : 1 + rng.nextInt(T);
        }
        return new Case(emit, trans, init, lengths, B, T, N);
    }

    /**
     * The Java block after the README's {@code <!-- snippet: name ... -->} marker, read from the
     * repository root (tests run in {@code java/<module>}).
     *
     * @param name the snippet's name
     * @return its code
     * @throws IOException if the README cannot be read
     * @throws AssertionError if it has no such snippet
     */
    public static String readmeSnippet(String name) throws IOException {
        final String readme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
        final int marker = readme.indexOf("<!-- snippet: " + name + " ");
        if (marker < 0) {
            throw new AssertionError("the README has no " + name + " snippet marker");
        }
        final int start = readme.indexOf("```java\n", marker) + "```java\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    /**
     * Compiles {@code source} (class {@code Snippet}) against the test class path into {@code dir}.
     *
     * @param dir    an empty folder
     * @param source the class's source
     * @param parent the loader the snippet's imports resolve in
     * @return a loader holding the compiled class
     * @throws IOException if the source cannot be written
     * @throws AssertionError if it does not compile (the message holds the source)
     */
    public static URLClassLoader compileSnippet(Path dir, String source, ClassLoader parent) throws IOException {
        final Path file = dir.resolve("Snippet.java");
        Files.writeString(file, source);
        final JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        final int rc = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(),
                file.toString());
        if (rc != 0) {
            throw new AssertionError("the README snippet does not compile:\n" + source);
        }
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, parent);
    }
}
