package org.diffhmm.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The family interface holds: outside the families' own files, no main source of any module tests a
 * model's family with {@code instanceof} — code that handles models goes through {@link Hmm}, and
 * per-family parts are registered once ({@link Families}, Spark's {@code RowCodecs}, the command
 * line's {@code FileFamilies}).
 */
class FamilyArchitectureTest {
    private static final Pattern FAMILY_TEST = Pattern.compile("instanceof\\s+(CategoricalHmm|GaussianHmm|PoissonHmm|CloneHmm|EmissionHmm)\\b");

    @Test
    void noMainSourceSwitchesOnAModelFamily() throws IOException {
        final Path modules = Path.of("..").toAbsolutePath().normalize();  // java/, from the models module
        assertTrue(Files.isDirectory(modules.resolve("models/src/main/java")), "run from the models module: " + modules);
        final List<String> found = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(modules)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/")).toList()) {
                scanned++;
                final List<String> lines = Files.readAllLines(p);
                for (int k = 0; k < lines.size(); k++) {
                    if (FAMILY_TEST.matcher(lines.get(k)).find()) {
                        found.add(modules.relativize(p) + ":" + (k + 1) + ": " + lines.get(k).trim());
                    }
                }
            }
        }
        assertTrue(scanned > 50, "the main sources of every module were scanned (" + scanned + " files)");
        assertEquals(List.of(), found, "instanceof on a model family outside its codec registration");
    }
}
