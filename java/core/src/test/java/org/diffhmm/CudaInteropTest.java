package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Zero-copy GPU pipelines: device memory allocated with the JavaCPP CUDA presets
 * ({@code cudart.cudaMalloc}), passed as {@link Tensor#ofDevice} with a caller's stream; results
 * written on the device equal the host-array results. Skipped without a usable GPU (and then never
 * touches the presets, whose JNI needs a driver).
 */
class CudaInteropTest {
    @Test
    void devicePointersAndStreams() {
        assumeTrue(Diffhmm.cudaAvailable(), () -> "no CUDA: " + Diffhmm.cudaUnavailableReason());
        final int B = 4, T = 12, N = 9;
        final SplittableRandom rng = new SplittableRandom(901);
        final float[] scores = new float[B * T * N * N];
        for (int k = 0; k < scores.length; k++) {
            scores[k] = (float) (rng.nextDouble() * 3 - 2);
        }
        final long[] lengths = {12, 5, 1, 9};
        final double[] g = {1, -2, 0.5, 3};
        final Options cuda = Options.DEFAULT.backend(Backend.CUDA);
        final double[] wantLogZ;
        final float[] wantGrad;
        try (HmmForward.Result r = HmmForward.apply(cuda, Tensor.of(scores, B, T, N, N), lengths, null)) {
            wantLogZ = r.logZ();
            wantGrad = r.backward(g).floatArray();
        }

        final long bytes = scores.length * 4L;
        final Pointer dPotential = new Pointer(), dGrad = new Pointer();
        check(cudart.cudaMalloc(dPotential, bytes));
        check(cudart.cudaMalloc(dGrad, bytes));
        final CUstream_st stream = new CUstream_st();
        check(cudart.cudaStreamCreate(stream));
        try (FloatPointer host = new FloatPointer(scores); FloatPointer back = new FloatPointer(scores.length)) {
            check(cudart.cudaMemcpy(dPotential, host, bytes, cudart.cudaMemcpyHostToDevice));
            final Tensor potential = Tensor.ofDevice(dPotential, DType.FLOAT32, B, T, N, N);
            final Tensor grad = Tensor.ofDevice(dGrad, DType.FLOAT32, B, T, N, N);
            try (HmmForward.Result r = HmmForward.apply(cuda.stream(stream), potential, lengths, null)) {
                assertArrayEquals(wantLogZ, r.logZ());
                r.backward(g, grad);
            }
            check(cudart.cudaMemcpy(back, dGrad, bytes, cudart.cudaMemcpyDeviceToHost));
            final float[] got = new float[scores.length];
            back.get(got);
            assertArrayEquals(wantGrad, got, "gradient written on the device");
            assertThrows(IllegalArgumentException.class,
                    () -> HmmForward.apply(Options.DEFAULT.backend(Backend.CPU), potential, lengths, null));
            assertThrows(IllegalStateException.class, potential::toFloatArray);
        } finally {
            cudart.cudaFree(dPotential);
            cudart.cudaFree(dGrad);
            cudart.cudaStreamDestroy(stream);
        }
    }

    private static void check(int status) {
        assertEquals(0, status, "CUDA call failed with status " + status);
    }
}
