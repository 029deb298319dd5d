package org.diffhmm.bench;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.Tensor;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.Room;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The clone-structured HMM at the size of the source documents: a 7×10 room with 4 symbols, 70
 * clones per symbol (N = 280 states, blocks of 70×70), one walk of 10,000 steps ({@link CloneHmmData#of}
 * {@code "7x10c70"}; its soft-EM iteration is {@link CloneHmmRoomsBench}'s). Measures one gradient
 * evaluation (the work of an Adam step), and — for scale — the same
 * walk as a dense factorized HMM over all 280 states (what a CHMM without the block structure costs).
 *
 * <pre>java -jar bench/target/benchmarks.jar CloneHmmBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CloneHmmBench {
    private CloneHmm model;
    private List<CloneHmm.Walk> walks;
    private Factorized dense;
    private long[] denseLengths;

    @Setup(Level.Trial)
    public void setUp() {
        final CloneHmmData.Problem p = CloneHmmData.of("7x10c70");
        model = p.model();
        walks = p.walks();

        final int n = model.states(), steps = walks.get(0).length();
        final double[] logT = model.logTransitions();
        final long[] index = new long[steps];
        final double[] emit = new double[steps * n];
        Arrays.fill(emit, Double.NEGATIVE_INFINITY);
        for (int t = 0; t < steps; t++) {
            if (t > 0) {
                index[t] = walks.get(0).actions()[t - 1];
            }
            for (int z = 0; z < n; z++) {
                if (model.symbolOf(z) == walks.get(0).symbols()[t]) {
                    emit[t * n + z] = 0;   // deterministic emission as a dense emission matrix
                }
            }
        }
        final double[] init = new double[n];
        Arrays.fill(init, -Math.log(n));
        dense = Factorized.of(Tensor.of(init, n), Tensor.of(logT, Room.ACTIONS, n, n), index, Tensor.of(emit, 1, steps, n));
        denseLengths = new long[] {steps};
    }

    @Benchmark
    public double gradientEvaluation() {
        return model.objective(walks).value();
    }

    @Benchmark
    public double denseEquivalentForwardBackward() {
        try (HmmForward.FactorizedResult r = HmmForward.apply(dense, denseLengths)) {
            return r.backward(new double[] {1}).trans().get(0, 0, 0);
        }
    }
}
