package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Loading a model file needs a few times the file's size, not a location entry per JSON value: a
 * model file of tens of megabytes loads in a JVM whose whole heap is {@value #HEAP_PER_FILE_BYTE}
 * times the file (run in a child JVM, so the limit is real), and the loaded model equals the saved
 * one.
 */
class ModelFileMemoryProperties {
    /** The child JVM's heap, in multiples of the file's size (plus a fixed base for the JVM itself). */
    static final int HEAP_PER_FILE_BYTE = 4;
    private static final long BASE_HEAP_MB = 24;

    @Property(tries = 3)
    void aLargeModelFileLoadsInAFewTimesItsSize(@ForAll @IntRange(min = 1000, max = 1300) int states,
                                                @ForAll boolean gaussian, @ForAll long seed)
            throws IOException, InterruptedException {
        final Path dir = Files.createTempDirectory("diffhmm-model-memory");
        try {
            final SplittableRandom rng = new SplittableRandom(seed);
            final Object model = gaussian ? GaussianHmm.random(states, 3, 0, 1, rng) : CategoricalHmm.random(states, 5, rng);
            final Path file = dir.resolve("model.json");
            Models.save(model, file);
            final long bytes = Files.size(file);
            assertTrue(bytes > 20_000_000, "a file of tens of megabytes: " + bytes + " bytes");
            final long heapMb = BASE_HEAP_MB + HEAP_PER_FILE_BYTE * bytes / (1 << 20);
            final Path out = dir.resolve("out.json");
            final Process child = new ProcessBuilder(javaCommand(), "-Xmx" + heapMb + "m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), Child.class.getName(), file.toString(), out.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM finished");
            final String log = Files.readString(dir.resolve("child.log"), StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), "loading a " + bytes + "-byte model file in a " + heapMb + " MB heap:\n" + log);
            assertEquals(fingerprint(model), Files.readString(out).strip(), "the model loaded in the child is the one saved");
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The type, shape and every parameter's bits of a model, in a line. */
    static String fingerprint(Object model) {
        final EmissionHmm<?> hmm = (EmissionHmm<?>) model;
        return model.getClass().getSimpleName() + " " + hmm.states() + " " + java.util.Arrays.hashCode(hmm.parameters());
    }

    /** Runs in the child JVM: loads the model file and writes its fingerprint. */
    static final class Child {
        public static void main(String[] args) throws IOException {
            final Object model = Models.load(Path.of(args[0]));
            Files.writeString(Path.of(args[1]), fingerprint(model));
        }
    }
}
