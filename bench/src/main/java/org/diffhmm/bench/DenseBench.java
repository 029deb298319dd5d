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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Dense potentials {@code [B][L][N][N]} through the Java API — the published table's operation.
 * Defaults are the published shape (B = 8, N = 50, float32, L = 100 … 3000). Inputs live in native
 * memory (zero-copy for the CPU backend; the CUDA backend copies host memory, see the native bench
 * for device-resident timings); two random input sets alternate so caches do not flatter. Calls are
 * synchronous, so all work is inside the measured method. {@code backward} times the backward alone
 * (its forward runs in an untimed per-invocation setup).
 *
 * <pre>java -jar bench/target/benchmarks.jar DenseBench -p length=3000</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DenseBench {
    @Param({"cpu"})
    public String backend;

    @Param({"float32"})
    public String dtype;

    @Param({"8"})
    public int batch;

    @Param({"50"})
    public int states;

    @Param({"100", "500", "1000", "2000", "3000"})
    public int length;

    private final Inputs inputs = new Inputs();
    private Tensor[] potentials;
    private Tensor grad;
    private long[] lengths;
    private double[] gradLogZ;
    private Options options;
    private int next;
    private HmmForward.Result pending;

    @Setup(Level.Trial)
    public void setUp() {
        options = Options.DEFAULT.backend(Backend.valueOf(backend.toUpperCase()));
        final DType type = DType.valueOf(dtype.toUpperCase());
        final SplittableRandom rng = new SplittableRandom(7);
        potentials = new Tensor[2];
        for (int s = 0; s < potentials.length; s++) {
            potentials[s] = inputs.random(type, rng, -3, 1, batch, length, states, states);
        }
        grad = inputs.random(type, rng, -1, 1, batch, length, states, states);
        lengths = Inputs.fullLengths(batch, length);
        gradLogZ = Inputs.ones(batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inputs.close();
    }

    private Tensor nextInput() {
        next = (next + 1) % potentials.length;
        return potentials[next];
    }

    @Benchmark
    public double[] forward() {
        try (HmmForward.Result r = HmmForward.apply(options, nextInput(), lengths, null)) {
            return r.logZ();
        }
    }

    @Setup(Level.Invocation)
    public void forwardBeforeBackward(BenchmarkParams params) {
        if (params.getBenchmark().endsWith(".backward") && pending == null) {
            pending = HmmForward.apply(options, nextInput(), lengths, null);
        }
    }

    @TearDown(Level.Invocation)
    public void closeForward() {
        if (pending != null) {
            pending.close();
            pending = null;
        }
    }

    @Benchmark
    public Tensor backward() {
        pending.backward(gradLogZ, grad);
        return grad;
    }

    @Benchmark
    public double[] forwardBackward() {
        try (HmmForward.Result r = HmmForward.apply(options, nextInput(), lengths, null)) {
            r.backward(gradLogZ, grad);
            return r.logZ();
        }
    }

    @Benchmark
    public long[] viterbi() {
        return HmmForward.viterbi(options, nextInput(), lengths).paths();
    }
}
