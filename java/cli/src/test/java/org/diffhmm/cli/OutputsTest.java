package org.diffhmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs appear as a whole set or not at all — after failures and after the process is killed. */
class OutputsTest {
    private static final List<String> SET = List.of("loss.csv", "loss.png", "model.json", "summary.txt");

    @TempDir
    Path dir;

    @Test
    void anAbandonedSetLeavesNothingNotEvenTheFolderItMade() throws Exception {
        final Path out = dir.resolve("new");
        try (Outputs o = new Outputs(out)) {
            Files.writeString(o.file("model.json"), "{}");
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void anAbandonedSetLeavesAnEarlierRunAlone() throws Exception {
        Files.writeString(dir.resolve("model.json"), "earlier");
        try (Outputs o = new Outputs(dir)) {
            Files.writeString(o.file("model.json"), "half");
        }
        assertEquals("earlier", Files.readString(dir.resolve("model.json")));
        assertEquals(List.of("model.json"), names(dir));
    }

    @Test
    void aCommittedSetIsWholeAndNothingIsStagedAfterwards() throws Exception {
        try (Outputs o = new Outputs(dir)) {
            for (String name : SET) {
                Files.writeString(o.file(name), name);
            }
            o.commit(SET);
            assertThrows(IllegalStateException.class, () -> o.commit(SET));
        }
        assertEquals(SET, names(dir));
    }

    @Test
    void killingTrainingAtAnyMomentLeavesTheWholeSetOrNothing() throws Exception {
        // SIGTERM (like Ctrl-C, it runs the shutdown hooks) at spread-out moments of a real run.
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int k = 0; k < 6; k++) {
            final Path out = dir.resolve("run" + k);
            final Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("cache"), Main.class.getName(), "train", "--quiet",
                    "--epochs", "60", "--out", out.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log" + k).toFile()).start();
            Thread.sleep(300 + 350L * k);
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "training did not stop");
            if (Files.exists(out)) {
                final List<String> left = names(out);
                assertTrue(left.isEmpty() || left.equals(SET), "after SIGTERM at " + (300 + 350 * k) + " ms: " + left);
            }
        }
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
