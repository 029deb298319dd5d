package org.diffhmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * No input crashes the command line: random bad option values are one-line usage errors naming the
 * option (exit code 2) that write nothing; random file contents either train (exit 0) or are input
 * errors located in the file (exit 3); nothing half-written or staged is ever left behind.
 */
class CliProperties {
    private Path dir;

    @BeforeProperty
    void folder() throws IOException {
        dir = Files.createTempDirectory("diffhmm-cli-properties");
    }

    @AfterProperty
    void cleanUp() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 120)
    void badOptionValuesAreOneLineUsageErrorsThatWriteNothing(@ForAll("badOptions") Tuple.Tuple2<String, String> bad) {
        final Path out = dir.resolve("never");
        final CliTest.Run r = CliTest.run("train", bad.get1() + "=" + bad.get2(), "--quiet", "--epochs", "1",
                "--out", bad.get1().equals("--out") ? bad.get2() : out.toString());
        assertEquals(2, r.code(), bad + ": " + r.err());
        final List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), bad + ": " + r.err());
        assertTrue(lines.get(0).startsWith("diffhmm train: ") && lines.get(0).contains(bad.get1().substring(2)), r.err());
        assertEquals("Try 'diffhmm train --help'.", lines.get(1));
        assertFalse(Files.exists(out), bad + " wrote " + out);
    }

    @Provide
    Arbitrary<Tuple.Tuple2<String, String>> badOptions() {
        final Arbitrary<String> negative = Arbitraries.integers().between(Integer.MIN_VALUE, -1).map(String::valueOf);
        final Arbitrary<String> notANumber = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6)
                .filter(s -> !s.equalsIgnoreCase("nan") && !s.equalsIgnoreCase("infinity"));
        final Arbitrary<String> badReal = Arbitraries.oneOf(Arbitraries.doubles().lessThan(0).map(String::valueOf),
                Arbitraries.of("NaN", "Infinity", "-Infinity"), notANumber);
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of("--states", "--clones"), Arbitraries.oneOf(negative, Arbitraries.of("0"),
                        Arbitraries.integers().between(4097, Integer.MAX_VALUE).map(String::valueOf), notANumber)).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--epochs"), Arbitraries.oneOf(negative, Arbitraries.of("0"))).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--batch-size", "--patience"), negative).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--lr"), Arbitraries.oneOf(badReal, Arbitraries.of("0"))).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--clip", "--pseudocount"), badReal).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--held-out"), Arbitraries.oneOf(badReal,
                        Arbitraries.doubles().between(1, 1e9).map(String::valueOf))).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--method"), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8)
                        .filter(m -> !List.of("adam", "sgd", "em").contains(m))).as(Tuple::of),
                Combinators.combine(Arbitraries.of("--out"), Arbitraries.of("", " ")).as(Tuple::of));
    }

    @Property(tries = 60)
    void anyFileContentTrainsOrIsALocatedInputError(@ForAll("contents") Tuple.Tuple2<String, byte[]> file) throws IOException {
        final Path data = dir.resolve("data." + file.get1());
        Files.write(data, file.get2());
        final Path out = Files.createTempDirectory(dir, "run").resolve("out");
        final CliTest.Run r = CliTest.run("train", data.toString(), "--quiet", "--epochs", "1", "--states", "2",
                "--clones", "2", "--out", out.toString());
        assertTrue(r.code() == 0 || r.code() == 3, "exit " + r.code() + ": " + r.err());
        if (r.code() == 3) {
            assertTrue(r.err().startsWith("diffhmm: " + data), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out), "a failed run leaves no output folder");
        } else {
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(List.of("loss.csv", "loss.png", "model.json", "summary.txt"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Provide
    Arbitrary<Tuple.Tuple2<String, byte[]>> contents() {
        final Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        final Arbitrary<String> json = Arbitraries.of(
                "{\"x\": [[0, 1, 1, 0]], \"a\": [[1, 0, 1]]}", "{\"x\": [0, 1, 2], \"a\": [0, 1]}", "{\"x\": [[0, 1]]}",
                "{\"x\": [[0, -1]], \"a\": [[0]]}", "{\"x\": [[0, 1.5]], \"a\": [[0]]}", "{\"x\": [[null]], \"a\": [[]]}",
                "{\"x\": [[0, 1]], \"a\": [[0]], \"a\": [[1]]}", "[1, 2, 3]", "{\"x\": \"abc\", \"a\": []}",
                "{\"x\": [[70000]], \"a\": [[]]}", "{\"x\": [[]], \"a\": [[]]}");
        final Arbitrary<String> csv = Arbitraries.of("1,2\n3,4\n\n5,6\n", "1,2\n3\n", "1,x\n", "NaN\n", "1e999\n", "\n\n",
                "0.5\n0.25\n", ",\n");
        final Arbitrary<String> truncated = Combinators.combine(json, Arbitraries.integers().between(0, 40))
                .as((s, cut) -> s.substring(0, Math.min(cut, s.length())));
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.of("txt", "csv", "json"), bytes).as(Tuple::of),
                json.map(s -> Tuple.of("json", s.getBytes())),
                truncated.map(s -> Tuple.of("json", s.getBytes())),
                csv.map(s -> Tuple.of("csv", s.getBytes())));
    }

    @Property(tries = 4)
    void everySubcommandExplainsItself(@ForAll("subcommands") String command) {
        final CliTest.Run r = CliTest.run(command, "--help");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: diffhmm " + command), r.out());
    }

    @Provide
    Arbitrary<String> subcommands() {
        return Arbitraries.of("info", "bench", "train", "decode");
    }
}
