package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a platform the jar has no native library for, every call — the first and all later ones —
 * throws one clear {@link BackendUnavailableException} naming the platform and what is bundled, never
 * an {@code UnsatisfiedLinkError} or {@code NoClassDefFoundError}. Each platform runs in a fresh JVM
 * told by JavaCPP's {@code org.bytedeco.javacpp.platform} property that it is that platform.
 */
class UnsupportedPlatformTest {
    @ParameterizedTest
    @ValueSource(strings = {"linux-arm64", "macosx-arm64", "macosx-x86_64", "windows-x86_64", "linux-ppc64le"})
    void everyCallExplainsThePlatform(String platform, @TempDir Path cache) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.bytedeco.javacpp.platform=" + platform, "-Dorg.bytedeco.javacpp.cachedir=" + cache,
                "-cp", System.getProperty("java.class.path"), Probe.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM timed out");
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        final List<String> lines = out.lines().filter(l -> l.startsWith("call ")).toList();
        assertEquals(4, lines.size(), out);
        for (String line : lines) {
            assertTrue(line.contains("BackendUnavailableException: diffhmm has no native library for " + platform), line);
            assertTrue(line.contains("bundles linux-x86_64"), line);
        }
        assertFalse(out.contains("UnsatisfiedLinkError") || out.contains("NoClassDefFoundError"), out);
    }

    /** Makes four different first calls into the library and prints what each threw. */
    public static final class Probe {
        public static void main(String[] args) {
            final List<Runnable> calls = List.of(Diffhmm::version, Diffhmm::version, Diffhmm::cudaAvailable,
                    () -> HmmForward.apply(Tensor.of(new float[4], 1, 1, 2, 2), new long[] {1}).close());
            for (int k = 0; k < calls.size(); k++) {
                try {
                    calls.get(k).run();
                    System.out.println("call " + k + " returned");
                } catch (Throwable t) {
                    System.out.println("call " + k + " threw " + t);
                }
            }
        }
    }
}
