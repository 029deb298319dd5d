package org.diffhmm.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.diffhmm.Backend;
import org.diffhmm.DType;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Options;
import org.diffhmm.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Factorized potentials (shared init and transition matrix, emissions {@code [B][L][N]}) — what the
 * models use; reads {@code B·L·N + N²} numbers instead of {@code B·L·N²}. Defaults: N = 50 and 256,
 * B = 8, L = 1000; the large-batch shape is {@code -p batch=1024 -p states=64 -p length=1000}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FactorizedBench {
    @Param({"cpu"})
    public String backend;

    @Param({"float32"})
    public String dtype;

    @Param({"8"})
    public int batch;

    @Param({"50", "256"})
    public int states;

    @Param({"1000"})
    public int length;

    private final Inputs inputs = new Inputs();
    private Factorized[] problems;
    private long[] lengths;
    private double[] gradLogZ;
    private Options options;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        options = Options.DEFAULT.backend(Backend.valueOf(backend.toUpperCase()));
        final DType type = DType.valueOf(dtype.toUpperCase());
        final SplittableRandom rng = new SplittableRandom(11);
        problems = new Factorized[2];
        for (int s = 0; s < problems.length; s++) {
            problems[s] = Factorized.of(inputs.random(type, rng, -2, 0, states),
                    inputs.random(type, rng, -4, 0, states, states), null,
                    inputs.random(type, rng, -3, 0, batch, length, states));
        }
        lengths = Inputs.fullLengths(batch, length);
        gradLogZ = Inputs.ones(batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inputs.close();
    }

    private Factorized nextInput() {
        next = (next + 1) % problems.length;
        return problems[next];
    }

    @Benchmark
    public double[] forward() {
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, nextInput(), lengths)) {
            return r.logZ();
        }
    }

    @Benchmark
    public HmmForward.FactorizedGradient forwardBackward() {
        try (HmmForward.FactorizedResult r = HmmForward.apply(options, nextInput(), lengths)) {
            return r.backward(gradLogZ);
        }
    }

    @Benchmark
    public long[] viterbi() {
        return HmmForward.viterbi(options, nextInput(), lengths).paths();
    }
}
