package org.diffhmm.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.diffhmm.Backend;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The published table's shape through the Java API: dense float32 potentials in direct buffers
 * (zero-copy), B = 8, N = 50, L = 100 … 3000. Two input sets alternate between invocations so the
 * last-level cache does not flatter (each set is ≥ 8 MB from L = 100 on). Work is synchronous, so
 * the measured method contains all of it.
 *
 * <pre>java -jar bench/target/benchmarks.jar ForwardBench -p length=3000</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardBench {
    @Param({"cpu"})
    public String backend;

    @Param({"8"})
    public int batch;

    @Param({"50"})
    public int states;

    @Param({"100", "500", "1000", "2000", "3000"})
    public int length;

    private Tensor[] potentials;
    private Tensor grad;
    private long[] lengths;
    private double[] gradLogZ;
    private Options options;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        options = Options.DEFAULT.backend(Backend.valueOf(backend.toUpperCase()));
        final SplittableRandom random = new SplittableRandom(7);
        potentials = new Tensor[2];
        for (int s = 0; s < potentials.length; s++) {
            potentials[s] = Tensor.of(randomBuffer(random), batch, length, states, states);
        }
        grad = Tensor.of(randomBuffer(random), batch, length, states, states);
        lengths = new long[batch];
        Arrays.fill(lengths, length);
        gradLogZ = new double[batch];
        Arrays.fill(gradLogZ, 1.0);
    }

    private FloatBuffer randomBuffer(SplittableRandom random) {
        final int count = batch * length * states * states;
        final FloatBuffer b = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int k = 0; k < count; k++) {
            b.put(k, (float) (random.nextDouble() * 4 - 3));
        }
        return b;
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
