package org.diffhmm.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.diffhmm.models.CloneHmm;
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
 * One soft-EM iteration of the clone-structured HMM on rooms from small to the source documents'
 * size, one walk of 10,000 steps each ({@link CloneHmmData#of}): {@code 3x3} (N = 9), {@code 3x9}
 * (N = 27), {@code 9x9} (N = 81), one clone per cell; {@code 7x10c70} (70 clones per colour, N = 280).
 * scripts/bench-chmm.sh times a numba peer on the same problems in the same run.
 *
 * <pre>java -jar bench/target/benchmarks.jar CloneHmmRoomsBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CloneHmmRoomsBench {
    /** The room (see the class comment). */
    @Param({"3x3", "3x9", "9x9", "7x10c70"})
    public String room;

    private CloneHmm model;
    private double[] start;
    private List<CloneHmm.Walk> walks;

    @Setup(Level.Trial)
    public void setUp() {
        final CloneHmmData.Problem p = CloneHmmData.of(room);
        model = p.model();
        walks = p.walks();
        start = model.parameters();
    }

    @Benchmark
    public double softEmIteration() {
        model.setParameters(start);
        return model.emStep(walks);
    }
}
