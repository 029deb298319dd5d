package org.diffhmm.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.Room;
import org.diffhmm.train.EmStatistics;

/**
 * The clone-structured HMM problems of {@link CloneHmmRoomsBench}, written out for a peer in
 * another language (bench/python/chmm_peers.py): the clones per symbol, the walk, the initial
 * log-transitions, and what one soft-EM iteration of diffhmm gives on them (the log-likelihood of the
 * initial model and the log-transitions after the M-step), so the peer is checked before it is timed.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.diffhmm.bench.CloneHmmData ROOM OUT</pre>
 *
 * <p>ROOM is one of {@link CloneHmmRoomsBench}'s rooms ({@code 3x3}, {@code 3x9}, {@code 9x9},
 * {@code 7x10c70}). The file has one line per item: {@code states actions pseudocount}, clones,
 * symbols, actions, initial log T {@code [A][N][N]}, log-likelihood, log T after one EM step.
 */
public final class CloneHmmData {
    private CloneHmmData() {}

    /** A room's model and walk, as the benchmark builds them. */
    record Problem(CloneHmm model, List<CloneHmm.Walk> walks) {}

    /**
     * The problem of a room name: {@code HxW} (4 colours, one clone per cell: N = H·W) or
     * {@code HxWcC} (C clones per colour).
     */
    static Problem of(String room) {
        final String[] parts = room.split("[xc]");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("room must be HxW or HxWcC, got " + room);
        }
        final int height = Integer.parseInt(parts[0]), width = Integer.parseInt(parts[1]);
        final SplittableRandom rng = new SplittableRandom(3);
        final Room r = Room.random(height, width, 4, rng);
        final List<CloneHmm.Walk> walks = List.of(r.walk(10_000, rng));
        final int[] clones = r.cellsPerSymbol();
        if (parts.length == 3) {
            java.util.Arrays.fill(clones, Integer.parseInt(parts[2]));
        }
        return new Problem(CloneHmm.random(clones, Room.ACTIONS, 0.1, rng), walks);
    }

    private static String line(double[] values) {
        final StringJoiner j = new StringJoiner(" ");
        for (double v : values) {
            j.add(Double.toString(v));
        }
        return j.toString();
    }

    private static String line(int[] values) {
        final StringJoiner j = new StringJoiner(" ");
        for (int v : values) {
            j.add(Integer.toString(v));
        }
        return j.toString();
    }

    /**
     * Writes a room's problem and diffhmm's first EM iteration on it.
     *
     * @param args the room and the output file
     * @throws IOException if the file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CloneHmmData ROOM OUT");
            System.exit(2);
        }
        final Problem p = of(args[0]);
        final CloneHmm model = p.model();
        final CloneHmm.Walk walk = p.walks().get(0);
        final double[] before = model.logTransitions();
        final EmStatistics stats = model.expectations(p.walks());
        model.maximise(stats);
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8))) {
            out.println(model.states() + " " + Room.ACTIONS + " " + 0.1);
            out.println(line(model.clones()));
            out.println(line(walk.symbols()));
            out.println(line(walk.actions()));
            out.println(line(before));
            out.println(stats.logLikelihood());
            out.println(line(model.logTransitions()));
        }
    }
}
