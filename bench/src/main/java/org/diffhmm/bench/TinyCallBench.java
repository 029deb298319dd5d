package org.diffhmm.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.diffhmm.Backend;
import org.diffhmm.DType;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fixed cost of a call: apply + backward + close of a tiny problem (B = 1, T = 50, N = 8 by
 * default) from Java arrays, in steady state (pooled workspaces). Small models in training loops
 * (the CHMM's small rooms, per-sequence calls) live here.
 *
 * <pre>java -jar bench/target/benchmarks.jar TinyCallBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TinyCallBench {
    @Param({"8"})
    public int states;

    @Param({"50"})
    public int length;

    @Param({"1"})
    public int batch;

    private Tensor potential, grad;
    private long[] lengths;
    private double[] gradLogZ;
    private final Options cpu = Options.DEFAULT.backend(Backend.CPU);

    @Setup
    public void setUp() {
        final SplittableRandom rng = new SplittableRandom(5);
        final float[] scores = new float[batch * length * states * states];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = (float) rng.nextDouble(-3, 1);
        }
        potential = Tensor.of(scores, batch, length, states, states);
        grad = Tensor.zeros(DType.FLOAT32, batch, length, states, states);
        lengths = new long[batch];
        java.util.Arrays.fill(lengths, length);
        gradLogZ = new double[batch];
        java.util.Arrays.fill(gradLogZ, 1.0);
    }

    @Benchmark
    public double applyBackwardClose() {
        try (HmmForward.Result r = HmmForward.apply(cpu, potential, lengths)) {
            r.backward(gradLogZ, grad);
            return r.logZ()[0];
        }
    }
}
