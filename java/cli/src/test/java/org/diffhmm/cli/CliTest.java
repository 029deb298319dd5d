package org.diffhmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every subcommand of the command line, with good, bad and empty input files. */
class CliTest {
    @TempDir
    Path dir;

    /** Exit code, standard output and standard error of one run. */
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        final StringWriter out = new StringWriter(), err = new StringWriter();
        final int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private Path file(String name, String content) throws Exception {
        final Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void infoAndHelp() {
        final Run info = run("info");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("diffhmm 0.1.0"), info.out());
        assertTrue(info.out().contains("CPU backend: available"), info.out());
        assertTrue(info.out().contains("CUDA backend: "), info.out());
        assertTrue(info.out().contains("native library: "), info.out());
        final Run help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("Exit codes") && help.out().contains("train"), help.out());
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run("train", "--method", "newton").code());
    }

    @Test
    void benchWritesTheTable() throws Exception {
        final Path out = dir.resolve("bench");
        final Run r = run("bench", "--lengths", "20,40", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (var files = Files.list(out)) {
            final var names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.endsWith(".md")) && names.stream().anyMatch(n -> n.endsWith(".png")), names.toString());
        }
        assertTrue(r.out().contains("| 20 |") && r.out().contains("| 40 |") && r.out().contains("published"), r.out());
    }

    @Test
    void trainOnTheBundledTextAndDecode() throws Exception {
        final Path out = dir.resolve("text");
        final Run r = run("train", "--epochs", "120", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String name : new String[] {"model.json", "loss.png", "loss.csv", "summary.txt"}) {
            assertTrue(Files.exists(out.resolve(name)), name);
        }
        assertTrue(r.out().contains("state 0 favours") && r.out().contains("bits per step"), r.out());
        final Path text = file("line.txt", "the cat sat on the mat\n");
        final Run d = run("decode", "--model", out.resolve("model.json").toString(), text.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals("the cat sat on the mat".length(), d.out().trim().split(" ").length, d.out());
    }

    @Test
    void trainTokensThenDecodeAsTextJsonAndPosteriors() throws Exception {
        final Path data = file("words.txt", "a b a b c\nb b a c\n\nc a b a b a\n");
        final Path out = dir.resolve("words");
        final Run r = run("train", data.toString(), "--states", "3", "--epochs", "40", "--quiet", "--compare-em",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("EM from the same start"), r.out());
        final String model = out.resolve("model.json").toString();
        final Run text = run("decode", "--model", model, data.toString());
        assertEquals(0, text.code(), text.err());
        assertEquals(3, text.out().trim().split("\n").length, text.out());
        final Run json = run("decode", "--model", model, data.toString(), "--format", "json");
        assertTrue(json.out().startsWith("{\"paths\":[["), json.out());
        final Run post = run("decode", "--model", model, data.toString(), "--posteriors");
        assertTrue(post.out().contains("# sequence 2"), post.out());
        final Path unknown = file("unknown.txt", "a b\na z b\n");
        final Run bad = run("decode", "--model", model, unknown.toString());
        assertEquals(3, bad.code());
        assertTrue(bad.err().contains("unknown.txt:2:3: unknown symbol 'z'"), bad.err());
    }

    @Test
    void gaussianFromCsv() throws Exception {
        final StringBuilder csv = new StringBuilder();
        final java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int s = 0; s < 4; s++) {
            for (int t = 0; t < 30; t++) {
                csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f%n", (t / 10) * 2 + rng.nextDouble(), rng.nextDouble()));
            }
            csv.append('\n');
        }
        final Path data = file("signal.csv", csv.toString());
        final Path out = dir.resolve("gauss");
        final Run r = run("train", data.toString(), "--states", "3", "--method", "em", "--epochs", "50", "--quiet",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Gaussian HMM, 3 states, 2 dimension(s)"), r.out());
        final Run d = run("decode", "--model", out.resolve("model.json").toString(), data.toString(), "--format", "json");
        assertEquals(0, d.code(), d.err());
    }

    @Test
    void cloneHmmFromJsonWalks() throws Exception {
        final Path data = file("walks.json", "{\"x\": [[0, 1, 1, 0, 1, 0, 0, 1]], \"a\": [[1, 0, 1, 1, 0, 0, 1]]}");
        final Path out = dir.resolve("clone");
        final Run r = run("train", data.toString(), "--clones", "2", "--method", "em", "--epochs", "20", "--quiet",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("clone-structured HMM, 2 symbols × 2 clones, 2 actions"), r.out());
        final Run d = run("decode", "--model", out.resolve("model.json").toString(), data.toString());
        assertEquals(0, d.code(), d.err());
        assertEquals(8, d.out().trim().split(" ").length, d.out());
    }

    @Test
    void badAndEmptyFilesNameTheProblemAndLeaveNothingBehind() throws Exception {
        final Path out = dir.resolve("never");
        final String[][] cases = {
                {"empty.txt", "\n  \n", "empty.txt: no sequences"},
                {"empty.csv", "", "empty.csv: no sequences"},
                {"bad.csv", "1.0,2.0\n3.0,x\n", "bad.csv:2:5: expected a number, got 'x'"},
                {"ragged.csv", "1.0,2.0\n3.0\n", "ragged.csv:2:1: expected 2 comma-separated values"},
                {"broken.json", "{\"x\": [[0, 1]\n  \"a\": []}", "broken.json:2:"},
                {"short.json", "{\"x\": [0, 1, 0], \"a\": [1]}", "short.json:1:23: /a has 1 actions for 3 symbols (expected 2, one between consecutive steps)"},
                {"negative.json", "{\"x\": [[0, 1],\n       [1, -1, 0]],\n \"a\": [[0], [1, 1]]}", "negative.json:2:12: /x/1/1 = -1"},
                {"data.bin", "0 1", "unknown format '.bin'"}};
        for (String[] c : cases) {
            final Run r = run("train", file(c[0], c[1]).toString(), "--quiet", "--out", out.toString());
            assertEquals(3, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[2]), c[0] + ": " + r.err());
        }
        assertFalse(Files.exists(out), "a failed run leaves no output folder");
        final Run missingModel = run("decode", "--model", dir.resolve("none.json").toString(), file("x.txt", "a\n").toString());
        assertEquals(3, missingModel.code(), missingModel.err());
    }
}
