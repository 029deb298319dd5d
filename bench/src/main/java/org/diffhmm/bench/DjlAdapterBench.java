package org.diffhmm.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.concurrent.TimeUnit;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.djl.DjlHmm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the DJL adapter costs over calling diffhmm directly on the same storage, at B = 32, T = 500,
 * N = 64, float32, CPU, DJL's PyTorch engine: {@code direct} runs forward + backward through the Java
 * API on views of the arrays' memory, writing the three gradients into preallocated arrays;
 * {@code adapter} is {@link DjlHmm#nll} and {@code collector.backward(loss)} inside a
 * {@code GradientCollector} — the same diffhmm work plus the surrogate's operations and autograd —
 * with each step's arrays in a sub-manager closed after it, as a DJL training loop frees a batch;
 * {@code nllBackward} is {@link DjlHmm#nllBackward} in the same collector (no surrogate; the three
 * parameters keep their gradients between steps, as after DJL's in-place zeroing, so from the second
 * step on diffhmm adds into them itself and nothing runs in libtorch).
 *
 * <p>Run offline with DJL's libtorch jar on the class path ({@code scripts/bench-torch-adapter.sh}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dai.djl.offline=true")
public class DjlAdapterBench {
    private static final int B = 32, T = 500, N = 64;
    private NDManager manager;
    private NDArray emit, trans, init, gEmit, gTrans, gInit;
    private long[] lengths;
    private double[] minusOne;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
        emit = manager.randomNormal(new Shape(B, T, N)).logSoftmax(2);
        trans = manager.randomNormal(new Shape(N, N)).logSoftmax(1);
        init = manager.randomNormal(new Shape(N)).logSoftmax(0);
        for (NDArray x : new NDArray[] {emit, trans, init}) {
            x.setRequiresGradient(true);
        }
        gEmit = manager.zeros(emit.getShape());
        gTrans = manager.zeros(trans.getShape());
        gInit = manager.zeros(init.getShape());
        lengths = new long[B];
        java.util.Arrays.fill(lengths, T);
        minusOne = new double[B];
        java.util.Arrays.fill(minusOne, -1.0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public double direct() {
        try (HmmForward.FactorizedResult r = HmmForward.apply(Factorized.of(DjlHmm.view(init), DjlHmm.view(trans),
                null, DjlHmm.view(emit)), lengths)) {
            r.backward(minusOne, DjlHmm.view(gInit), DjlHmm.view(gTrans), DjlHmm.view(gEmit));
            return r.logZ()[0];
        }
    }

    @Benchmark
    public double adapter() {
        try (NDManager step = manager.newSubManager(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            final NDArray loss = DjlHmm.nll(emit, trans, init, lengths);
            loss.attach(step);
            collector.backward(loss);
            return loss.getFloat();
        }
    }

    @Benchmark
    public double nllBackward() {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            return DjlHmm.nllBackward(org.diffhmm.Options.DEFAULT, emit, trans, init, lengths, null, 1.0);
        }
    }
}
