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
    void abandoningWhileTheTrainingThreadStillWritesLeavesNoStagingFolder() throws Exception {
        // During shutdown the training thread keeps running beside the hook: files may appear in the
        // staging folder while it is being removed.
        for (int round = 0; round < 200; round++) {
            final Path out = dir.resolve("round" + round);
            final Outputs o = new Outputs(out);
            final List<Path> targets = java.util.stream.IntStream.range(0, 64).mapToObj(i -> o.file("f" + i)).toList();
            final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
            final Thread writer = new Thread(() -> {
                started.countDown();
                for (Path t : targets) {
                    try {
                        Files.writeString(t, "x");
                    } catch (java.io.IOException e) {
                        return;  // the folder is gone: what a real writer sees after the hook ran
                    }
                }
            });
            writer.start();
            started.await();
            o.close();
            writer.join();
            assertFalse(Files.exists(out), "round " + round + " left " + (Files.exists(out) ? names(out) : List.of()));
        }
    }

    @Test
    void killingTrainingAtAnyMomentLeavesTheWholeSetOrNothing() throws Exception {
        // SIGTERM (like Ctrl-C, it runs the shutdown hooks) at spread-out moments of a real run: during
        // start-up and while the outputs are being opened (the window CI once hit), training, writing.
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final long[] moments = {150, 220, 260, 300, 340, 400, 650, 1000, 1400, 1800, 2100};
        for (int k = 0; k < moments.length; k++) {
            final Path out = dir.resolve("run" + k);
            final Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-Dorg.bytedeco.javacpp.cachedir=" + dir.resolve("cache"), Main.class.getName(), "train", "--quiet",
                    "--epochs", "60", "--out", out.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log" + k).toFile()).start();
            Thread.sleep(moments[k]);
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "training did not stop");
            if (Files.exists(out)) {
                final List<String> left = names(out);
                assertTrue(left.isEmpty() || left.equals(SET), "after SIGTERM at " + moments[k] + " ms: " + left);
            }
        }
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
