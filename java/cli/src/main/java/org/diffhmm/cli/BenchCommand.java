package org.diffhmm.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.FloatPointer;
import org.diffhmm.Backend;
import org.diffhmm.Diffhmm;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diffhmm bench}: the published table (B = 8, N = 50, float32 dense) on the backends available
 * here, timed in-process (median of repetitions, two input sets alternating), written with
 * {@link BenchReport} like {@code scripts/bench.sh} (which adds JMH and the PyTorch peers).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time forward and forward+backward of the published shape (B = 8, N = 50, "
        + "float32 dense, L = 100…3000) on every available backend; print the table beside the published numbers "
        + "and write markdown and a PNG plot.",
        footerHeading = "%nExamples:%n", footer = {"  diffhmm bench", "  diffhmm bench --full --out bench/results"})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--full", description = "L = 100, 500, 1000, 2000, 3000 and 7 repetitions (default: quick, "
            + "L = 100, 1000, 3000 and 3 repetitions)")
    boolean full;

    @Option(names = "--lengths", description = "explicit comma-separated lengths (overrides quick/full)", split = ",")
    int[] lengths;

    @Option(names = "--out", description = "folder for <machine>-<date>.md and .png (default: ${DEFAULT-VALUE})",
            defaultValue = "diffhmm-bench")
    Path out;

    /** Longest length --lengths accepts. */
    static final int MAX_LENGTH = 20000;

    @Override
    public Integer call() throws Exception {
        final PrintWriter w = spec.commandLine().getOut();
        final int[] ls = lengths != null ? lengths : full ? new int[] {100, 500, 1000, 2000, 3000} : new int[] {100, 1000, 3000};
        for (int length : ls) {
            // Three inputs of B·L·N² float32 each: 30 MB per 1000 steps; 20000 steps is 2.4 GB.
            Usage.require(spec, length >= 1 && length <= MAX_LENGTH, "--lengths must each be in [1, " + MAX_LENGTH + "], got "
                    + length);
        }
        Usage.require(spec, !out.toString().isBlank(), "--out must name a folder, got ''");
        final int reps = full ? 7 : 3;
        final List<Backend> backends = new ArrayList<>(List.of(Backend.CPU));
        if (Diffhmm.cudaAvailable()) {
            backends.add(Backend.CUDA);
        }
        final BenchReport.Table table = new BenchReport.Table();
        for (Backend backend : backends) {
            final Options options = Options.DEFAULT.backend(backend);
            for (int length : ls) {
                final double[] ms = time(options, length, reps);
                final String name = "diffhmm " + backend.name().toLowerCase() + " ";
                table.put(name + "forward", length, ms[0]);
                table.put(name + "backward", length, ms[2]);
                table.put(name + "forwardBackward", length, ms[1]);
                w.printf("%s L=%d: forward %.3f ms, forward+backward %.3f ms%n", backend, length, ms[0], ms[1]);
                w.flush();
            }
        }
        Files.createDirectories(out);
        final String machine = (Diffhmm.cudaAvailable() ? Diffhmm.cudaDevice() : "CPU " + Diffhmm.cpuIsa() + ", "
                + Diffhmm.cpuThreads() + " threads").replaceAll("[^A-Za-z0-9_.-]+", "-");
        final Path report = out.resolve(machine + "-" + LocalDate.now());
        BenchReport.write(table, "diffhmm " + Diffhmm.version() + " (diffhmm bench, in-process timer), "
                + Diffhmm.cpuThreads() + " CPU threads" + (Diffhmm.cudaAvailable() ? ", GPU " + Diffhmm.cudaDevice() : ""), report);
        w.println();
        w.print(Files.readString(Path.of(report + ".md")));
        w.println("wrote " + report + ".md and .png");
        return 0;
    }

    /** Median forward, forward+backward and backward-alone times (ms) of the published shape at one length. */
    static double[] time(Options options, int length, int reps) {
        final int batch = 8, states = 50;
        final long n = (long) batch * length * states * states;
        final SplittableRandom rng = new SplittableRandom(1);
        final FloatPointer[] data = new FloatPointer[3];
        try {
            for (int k = 0; k < data.length; k++) {
                data[k] = new FloatPointer(n);
                for (long e = 0; e < n; e++) {
                    data[k].put(e, (float) (rng.nextDouble() * 4 - 3));
                }
            }
            final Tensor[] inputs = {Tensor.of(data[0], batch, length, states, states),
                    Tensor.of(data[1], batch, length, states, states)};
            final Tensor grad = Tensor.of(data[2], batch, length, states, states);
            final long[] lens = new long[batch];
            Arrays.fill(lens, length);
            final double[] g = new double[batch];
            Arrays.fill(g, 1.0);
            final double[] fwd = new double[reps], both = new double[reps], back = new double[reps];
            for (int r = -1; r < reps; r++) {
                final long t0 = System.nanoTime();
                try (HmmForward.Result result = HmmForward.apply(options, inputs[(r + 2) % 2], lens, null)) {
                    final long t1 = System.nanoTime();
                    result.backward(g, grad);
                    final long t2 = System.nanoTime();
                    if (r >= 0) {
                        fwd[r] = (t1 - t0) / 1e6;
                        both[r] = (t2 - t0) / 1e6;
                        back[r] = (t2 - t1) / 1e6;
                    }
                }
            }
            Arrays.sort(fwd);
            Arrays.sort(both);
            Arrays.sort(back);
            return new double[] {fwd[reps / 2], both[reps / 2], back[reps / 2]};
        } finally {
            for (FloatPointer p : data) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }
}
