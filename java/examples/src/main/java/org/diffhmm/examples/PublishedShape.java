package org.diffhmm.examples;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.diffhmm.Diffhmm;
import org.diffhmm.HmmForward;
import org.diffhmm.Tensor;

/**
 * The published benchmark shape end to end from Java: B = 8 sequences, N = 50 states, lengths
 * L = 100, 1000, 3000, float32 dense potentials in a direct buffer (zero-copy), on the backend AUTO
 * picks. Prints log Z, a gradient check value and the forward / forward+backward times (median of
 * five runs after a warm-up). Run with {@code java -cp java/examples/target/diffhmm-examples-*-all.jar org.diffhmm.examples.PublishedShape}.
 * For real measurements use the JMH benchmarks (bench/) or the native timer (diffhmm_bench).
 */
public final class PublishedShape {
    private PublishedShape() {}

    public static void main(String[] args) {
        final int batch = 8, states = 50;
        final int[] lengthsToRun = args.length > 0 ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] {100, 1000, 3000};
        System.out.printf("diffhmm %s — backend %s (%s, %d threads)%s%n", Diffhmm.version(), Diffhmm.autoBackend(),
                Diffhmm.cpuIsa(), Diffhmm.cpuThreads(),
                Diffhmm.cudaAvailable() ? "" : " — " + Diffhmm.cudaUnavailableReason());
        System.out.printf("B = %d, N = %d, float32 dense potentials [B][L][N][N]%n%n", batch, states);
        System.out.println("|    L | log Z[0]        | sum of grad (= B) | forward ms | forward+backward ms |");
        System.out.println("|------|-----------------|-------------------|------------|---------------------|");
        for (int length : lengthsToRun) {
            run(batch, length, states);
        }
    }

    private static void run(int batch, int length, int states) {
        final long count = (long) batch * length * states * states;
        final FloatBuffer scores = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        final SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < count; k++) {
            scores.put(k, (float) (random.nextDouble() * 4 - 3));
        }
        final Tensor potential = Tensor.of(scores, batch, length, states, states);
        final long[] lengths = new long[batch];
        Arrays.fill(lengths, length);
        final double[] gradLogZ = new double[batch];
        Arrays.fill(gradLogZ, 1.0);
        final FloatBuffer gradScores = ByteBuffer.allocateDirect(Math.toIntExact(count * 4))
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        final Tensor grad = Tensor.of(gradScores, batch, length, states, states);

        final double[] forward = new double[5];
        final double[] both = new double[5];
        double[] logZ = null;
        for (int rep = -1; rep < forward.length; rep++) {
            final long t0 = System.nanoTime();
            try (HmmForward.Result result = HmmForward.apply(potential, lengths)) {
                final long t1 = System.nanoTime();
                result.backward(gradLogZ, grad);
                final long t2 = System.nanoTime();
                logZ = result.logZ();
                if (rep >= 0) {
                    forward[rep] = (t1 - t0) / 1e6;
                    both[rep] = (t2 - t0) / 1e6;
                }
            }
        }
        // Each sequence's edge marginals sum to 1 at every step: the gradient of sum(log Z) sums to
        // B (initial step) + B·(L-1) (transitions) over all its entries.
        double total = 0;
        for (int k = 0; k < count; k++) {
            total += gradScores.get(k);
        }
        Arrays.sort(forward);
        Arrays.sort(both);
        System.out.printf("| %4d | %15.4f | %17.2f | %10.2f | %19.2f |%n", length, logZ[0], total / length,
                forward[forward.length / 2], both[both.length / 2]);
    }
}
