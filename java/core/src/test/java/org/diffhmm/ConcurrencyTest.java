package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Eight Java threads calling at once get exactly (bit for bit) the answers of serial calls. */
class ConcurrencyTest {
    @Test
    void eightThreadsGetTheSerialAnswers() throws Exception {
        final SplittableRandom rng = new SplittableRandom(601);
        final int threads = 8;
        final List<Problems> problems = new ArrayList<>();
        final List<double[]> grads = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            problems.add(k % 2 == 0 ? Problems.dense(rng, 6, 40, 24, new Problems.Spec())
                    : Problems.factorized(rng, 6, 40, 24, 3, new Problems.Spec()));
            grads.add(Problems.randomGrad(rng, 6));
        }
        final List<Reference.Outputs> serial = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
            serial.add(Run.all(Options.DEFAULT, problems.get(k), DType.FLOAT32, grads.get(k)));
        }
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<List<Reference.Outputs>>> futures = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                final int id = k;
                futures.add(pool.submit(() -> {
                    start.await();
                    final List<Reference.Outputs> mine = new ArrayList<>();
                    for (int rep = 0; rep < 5; rep++) {
                        mine.add(Run.all(Options.DEFAULT, problems.get(id), DType.FLOAT32, grads.get(id)));
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (int k = 0; k < threads; k++) {
                for (Reference.Outputs got : futures.get(k).get()) {
                    final Reference.Outputs want = serial.get(k);
                    assertArrayEquals(want.logZ, got.logZ, "thread " + k + " logZ");
                    assertArrayEquals(want.gradPotential, got.gradPotential, "thread " + k + " grad");
                    assertArrayEquals(want.gradInit, got.gradInit, "thread " + k + " gradInit");
                    assertArrayEquals(want.gradTrans, got.gradTrans, "thread " + k + " gradTrans");
                    assertArrayEquals(want.gradEmit, got.gradEmit, "thread " + k + " gradEmit");
                    assertArrayEquals(want.gamma, got.gamma, "thread " + k + " gamma");
                    assertArrayEquals(want.path, got.path, "thread " + k + " path");
                    assertArrayEquals(want.score, got.score, "thread " + k + " score");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
