package org.diffhmm.bench;

import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.diffhmm.Factorized;
import org.diffhmm.HmmForward;
import org.diffhmm.pytorch.TorchHmm;
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
 * What the PyTorch adapter costs over calling diffhmm directly on the same storage, at B = 32,
 * T = 500, N = 64, float32, CPU: {@code direct} runs forward + backward through the Java API on views
 * of the torch tensors' memory, writing the three gradients into preallocated torch tensors;
 * {@code adapter} is {@link TorchHmm#nll} and {@code loss.backward()} — the same diffhmm work plus
 * the surrogate's tensor operations and autograd, gradients left in {@code .grad()} and reset to none
 * after each step as libtorch's optimizers do; {@code nllBackward} is {@link TorchHmm#nllBackward}, the
 * same gradients without a surrogate, and {@code nllBackwardInPlace} the same with the gradients kept
 * between steps (diffhmm then adds into them itself). Each step runs in a {@code PointerScope}, as a JavaCPP training
 * loop frees its step's tensors.
 *
 * <p>libtorch's OpenMP and OpenBLAS workers spin-wait for a while after each parallel operation and
 * take cores from diffhmm's threads; {@code scripts/bench-torch-adapter.sh} runs the benchmark with
 * libtorch's defaults and again with {@code OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1}.
 *
 * <pre>java -jar bench/target/benchmarks.jar TorchAdapterBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TorchAdapterBench {
    private static final int B = 32, T = 500, N = 64;
    private Tensor emit, trans, init, gEmit, gTrans, gInit;
    private long[] lengths;
    private double[] minusOne;

    @Setup(Level.Trial)
    public void setUp() {
        torch.manual_seed(5);
        emit = torch.log_softmax(torch.randn(B, T, N), 2).detach().requires_grad_(true);
        trans = torch.log_softmax(torch.randn(N, N), 1).detach().requires_grad_(true);
        init = torch.log_softmax(torch.randn(N), 0).detach().requires_grad_(true);
        gEmit = torch.empty_like(emit);
        gTrans = torch.empty_like(trans);
        gInit = torch.empty_like(init);
        lengths = new long[B];
        java.util.Arrays.fill(lengths, T);
        minusOne = new double[B];
        java.util.Arrays.fill(minusOne, -1.0);
    }

    @Benchmark
    public double direct() {
        try (HmmForward.FactorizedResult r = HmmForward.apply(Factorized.of(TorchHmm.view(init), TorchHmm.view(trans),
                null, TorchHmm.view(emit)), lengths)) {
            r.backward(minusOne, TorchHmm.view(gInit), TorchHmm.view(gTrans), TorchHmm.view(gEmit));
            return r.logZ()[0];
        }
    }

    @Benchmark
    public double nllBackward() {
        try (PointerScope step = new PointerScope()) {
            final double value = TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, emit, trans, init, lengths, null, 1.0);
            for (Tensor x : new Tensor[] {emit, trans, init}) {
                x.mutable_grad().put(new Tensor());
            }
            return value;
        }
    }

    /** nllBackward with the parameters' gradients kept between steps (zero_grad(false)'s state). */
    @Benchmark
    public double nllBackwardInPlace() {
        try (PointerScope step = new PointerScope()) {
            return TorchHmm.nllBackward(org.diffhmm.Options.DEFAULT, emit, trans, init, lengths, null, 1.0);
        }
    }

    @Benchmark
    public double adapter() {
        try (PointerScope step = new PointerScope()) {
            final Tensor loss = TorchHmm.nll(emit, trans, init, lengths);
            loss.backward();
            final double value = loss.item_double();
            // What libtorch's Optimizer::zero_grad() does by default (set_to_none): the next backward
            // takes its gradient tensors as they come instead of adding them to zeroed ones.
            for (Tensor x : new Tensor[] {emit, trans, init}) {
                x.mutable_grad().put(new Tensor());
            }
            return value;
        }
    }
}
