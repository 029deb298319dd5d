package org.diffhmm.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code native/include/diffhmm/diffhmm.h}, one Java method per C function
 * with the same name and argument order. Not public API: {@code org.diffhmm} validates arguments,
 * chooses overloads and turns statuses into exceptions.
 *
 * <p>Each verb has three overloads: {@link Pointer} arguments (direct buffers, JavaCPP memory and,
 * for the CUDA backend, device memory: zero-copy), and {@code float[]} / {@code double[]} arguments
 * pinned for the duration of the call with JNI critical regions (zero-copy on HotSpot; the garbage
 * collector waits for the call to return). The C functions never throw ({@link NoException}).
 */
@NoException
@Platform(include = "diffhmm/diffhmm.h", link = "diffhmm")
public final class DiffhmmNative {
    static {
        Loader.load();
    }

    private DiffhmmNative() {}

    /** Opaque handle of {@code diffhmm_workspace}. */
    @Opaque
    public static class diffhmm_workspace extends Pointer {
        public diffhmm_workspace() {
            super((Pointer) null);
        }

        public diffhmm_workspace(Pointer p) {
            super(p);
        }
    }

    public static final int DIFFHMM_OK = 0;
    public static final int DIFFHMM_ERROR_INVALID_ARGUMENT = 1;
    public static final int DIFFHMM_ERROR_INVALID_VALUE = 2;
    public static final int DIFFHMM_ERROR_BACKEND_UNAVAILABLE = 3;
    public static final int DIFFHMM_ERROR_OUT_OF_MEMORY = 4;
    public static final int DIFFHMM_ERROR_INVALID_STATE = 5;
    public static final int DIFFHMM_ERROR_DEVICE = 6;
    public static final int DIFFHMM_ERROR_INTERNAL = 7;

    public static final int DIFFHMM_BACKEND_CPU = 0;
    public static final int DIFFHMM_BACKEND_CUDA = 1;
    public static final int DIFFHMM_BACKEND_REFERENCE = 2;

    public static final int DIFFHMM_FLOAT32 = 0;
    public static final int DIFFHMM_FLOAT64 = 1;

    public static final int DIFFHMM_CPU_ISA_AUTO = 0;
    public static final int DIFFHMM_CPU_ISA_GENERIC = 1;
    public static final int DIFFHMM_CPU_ISA_AVX2 = 2;
    public static final int DIFFHMM_CPU_ISA_AVX512 = 3;

    public static final int DIFFHMM_FLAG_TRUSTED_INPUT = 1;
    public static final int DIFFHMM_FLAG_ACCUMULATE = 2;

    public static native @Cast("const char*") BytePointer diffhmm_version();
    public static native @Cast("const char*") BytePointer diffhmm_last_error();
    public static native int diffhmm_backend_available(int backend);
    public static native @Cast("const char*") BytePointer diffhmm_cuda_device();
    public static native int diffhmm_cuda_device_count();
    public static native int diffhmm_cpu_isa_supported();
    public static native int diffhmm_cpu_default_threads();

    public static native int diffhmm_workspace_create(int backend, @ByPtrPtr diffhmm_workspace out);
    public static native int diffhmm_workspace_destroy(diffhmm_workspace ws);
    public static native int diffhmm_workspace_set_num_threads(diffhmm_workspace ws, int numThreads);
    public static native int diffhmm_workspace_set_cpu_isa(diffhmm_workspace ws, int isa);
    public static native int diffhmm_workspace_set_stream(diffhmm_workspace ws, Pointer stream);
    public static native int diffhmm_workspace_set_cuda_device(diffhmm_workspace ws, int device);
    public static native int diffhmm_workspace_cpu_isa(@Const diffhmm_workspace ws);

    public static native @Cast("int64_t") long diffhmm_workspace_bytes(@Const diffhmm_workspace ws);
    public static native @Cast("const int64_t*") LongPointer diffhmm_workspace_bytes_counter(@Const diffhmm_workspace ws);
    public static native int diffhmm_workspace_set_option(diffhmm_workspace ws, String name, String value);

    // diffhmm_forward_dense
    public static native int diffhmm_forward_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Const Pointer potential, @Cast("const int64_t*") LongPointer lengths, Pointer logZ);
    @CriticalRegion public static native int diffhmm_forward_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") float[] potential, @Cast("const int64_t*") long[] lengths, @Cast("void*") float[] logZ);
    @CriticalRegion public static native int diffhmm_forward_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") double[] potential, @Cast("const int64_t*") long[] lengths, @Cast("void*") double[] logZ);

    // diffhmm_backward_dense
    public static native int diffhmm_backward_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Const Pointer potential, @Cast("const int64_t*") LongPointer lengths, @Const Pointer gradLogZ, Pointer gradPotential);
    @CriticalRegion public static native int diffhmm_backward_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") float[] potential, @Cast("const int64_t*") long[] lengths, @Cast("const void*") float[] gradLogZ, @Cast("void*") float[] gradPotential);
    @CriticalRegion public static native int diffhmm_backward_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") double[] potential, @Cast("const int64_t*") long[] lengths, @Cast("const void*") double[] gradLogZ, @Cast("void*") double[] gradPotential);

    // diffhmm_viterbi_dense
    public static native int diffhmm_viterbi_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Const Pointer potential, @Cast("const int64_t*") LongPointer lengths, @Cast("int64_t*") LongPointer path, Pointer score);
    @CriticalRegion public static native int diffhmm_viterbi_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") float[] potential, @Cast("const int64_t*") long[] lengths, @Cast("int64_t*") long[] path, @Cast("void*") float[] score);
    @CriticalRegion public static native int diffhmm_viterbi_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") double[] potential, @Cast("const int64_t*") long[] lengths, @Cast("int64_t*") long[] path, @Cast("void*") double[] score);

    // diffhmm_kbest_dense
    public static native int diffhmm_kbest_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Const Pointer potential, @Cast("const int64_t*") LongPointer lengths, long k, @Cast("int64_t*") LongPointer paths, Pointer scores);
    @CriticalRegion public static native int diffhmm_kbest_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") float[] potential, @Cast("const int64_t*") long[] lengths, long k, @Cast("int64_t*") long[] paths, @Cast("void*") float[] scores);
    @CriticalRegion public static native int diffhmm_kbest_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") double[] potential, @Cast("const int64_t*") long[] lengths, long k, @Cast("int64_t*") long[] paths, @Cast("void*") double[] scores);

    // diffhmm_marginals_dense
    public static native int diffhmm_marginals_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Const Pointer potential, @Cast("const int64_t*") LongPointer lengths, Pointer logZ, Pointer gamma);
    @CriticalRegion public static native int diffhmm_marginals_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") float[] potential, @Cast("const int64_t*") long[] lengths, @Cast("void*") float[] logZ, @Cast("void*") float[] gamma);
    @CriticalRegion public static native int diffhmm_marginals_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") double[] potential, @Cast("const int64_t*") long[] lengths, @Cast("void*") double[] logZ, @Cast("void*") double[] gamma);

    // diffhmm_forward_factorized
    public static native int diffhmm_forward_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Const Pointer init, int initBatched, @Const Pointer trans, @Cast("const int64_t*") LongPointer transIndex, @Const Pointer emit, @Cast("const int64_t*") LongPointer lengths, Pointer logZ);
    @CriticalRegion public static native int diffhmm_forward_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") float[] init, int initBatched, @Cast("const void*") float[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") float[] emit, @Cast("const int64_t*") long[] lengths, @Cast("void*") float[] logZ);
    @CriticalRegion public static native int diffhmm_forward_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") double[] init, int initBatched, @Cast("const void*") double[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") double[] emit, @Cast("const int64_t*") long[] lengths, @Cast("void*") double[] logZ);

    // diffhmm_backward_factorized
    public static native int diffhmm_backward_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Const Pointer init, int initBatched, @Const Pointer trans, @Cast("const int64_t*") LongPointer transIndex, @Const Pointer emit, @Cast("const int64_t*") LongPointer lengths, @Const Pointer gradLogZ, Pointer gradInit, Pointer gradTrans, Pointer gradEmit);
    @CriticalRegion public static native int diffhmm_backward_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") float[] init, int initBatched, @Cast("const void*") float[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") float[] emit, @Cast("const int64_t*") long[] lengths, @Cast("const void*") float[] gradLogZ, @Cast("void*") float[] gradInit, @Cast("void*") float[] gradTrans, @Cast("void*") float[] gradEmit);
    @CriticalRegion public static native int diffhmm_backward_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") double[] init, int initBatched, @Cast("const void*") double[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") double[] emit, @Cast("const int64_t*") long[] lengths, @Cast("const void*") double[] gradLogZ, @Cast("void*") double[] gradInit, @Cast("void*") double[] gradTrans, @Cast("void*") double[] gradEmit);

    // diffhmm_viterbi_factorized
    public static native int diffhmm_viterbi_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Const Pointer init, int initBatched, @Const Pointer trans, @Cast("const int64_t*") LongPointer transIndex, @Const Pointer emit, @Cast("const int64_t*") LongPointer lengths, @Cast("int64_t*") LongPointer path, Pointer score);
    @CriticalRegion public static native int diffhmm_viterbi_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") float[] init, int initBatched, @Cast("const void*") float[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") float[] emit, @Cast("const int64_t*") long[] lengths, @Cast("int64_t*") long[] path, @Cast("void*") float[] score);
    @CriticalRegion public static native int diffhmm_viterbi_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") double[] init, int initBatched, @Cast("const void*") double[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") double[] emit, @Cast("const int64_t*") long[] lengths, @Cast("int64_t*") long[] path, @Cast("void*") double[] score);

    // diffhmm_kbest_factorized
    public static native int diffhmm_kbest_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Const Pointer init, int initBatched, @Const Pointer trans, @Cast("const int64_t*") LongPointer transIndex, @Const Pointer emit, @Cast("const int64_t*") LongPointer lengths, long k, @Cast("int64_t*") LongPointer paths, Pointer scores);
    @CriticalRegion public static native int diffhmm_kbest_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") float[] init, int initBatched, @Cast("const void*") float[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") float[] emit, @Cast("const int64_t*") long[] lengths, long k, @Cast("int64_t*") long[] paths, @Cast("void*") float[] scores);
    @CriticalRegion public static native int diffhmm_kbest_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") double[] init, int initBatched, @Cast("const void*") double[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") double[] emit, @Cast("const int64_t*") long[] lengths, long k, @Cast("int64_t*") long[] paths, @Cast("void*") double[] scores);

    // diffhmm_marginals_factorized
    public static native int diffhmm_marginals_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Const Pointer init, int initBatched, @Const Pointer trans, @Cast("const int64_t*") LongPointer transIndex, @Const Pointer emit, @Cast("const int64_t*") LongPointer lengths, Pointer logZ, Pointer gamma);
    @CriticalRegion public static native int diffhmm_marginals_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") float[] init, int initBatched, @Cast("const void*") float[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") float[] emit, @Cast("const int64_t*") long[] lengths, @Cast("void*") float[] logZ, @Cast("void*") float[] gamma);
    @CriticalRegion public static native int diffhmm_marginals_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") double[] init, int initBatched, @Cast("const void*") double[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") double[] emit, @Cast("const int64_t*") long[] lengths, @Cast("void*") double[] logZ, @Cast("void*") double[] gamma);
    // diffhmm_sample_dense
    public static native int diffhmm_sample_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Const Pointer potential, @Cast("const int64_t*") LongPointer lengths, long numSamples, @Cast("uint64_t") long seed, @Cast("int64_t*") LongPointer paths);
    @CriticalRegion public static native int diffhmm_sample_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") float[] potential, @Cast("const int64_t*") long[] lengths, long numSamples, @Cast("uint64_t") long seed, @Cast("int64_t*") long[] paths);
    @CriticalRegion public static native int diffhmm_sample_dense(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, @Cast("const void*") double[] potential, @Cast("const int64_t*") long[] lengths, long numSamples, @Cast("uint64_t") long seed, @Cast("int64_t*") long[] paths);

    // diffhmm_sample_factorized
    public static native int diffhmm_sample_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Const Pointer init, int initBatched, @Const Pointer trans, @Cast("const int64_t*") LongPointer transIndex, @Const Pointer emit, @Cast("const int64_t*") LongPointer lengths, long numSamples, @Cast("uint64_t") long seed, @Cast("int64_t*") LongPointer paths);
    @CriticalRegion public static native int diffhmm_sample_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") float[] init, int initBatched, @Cast("const void*") float[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") float[] emit, @Cast("const int64_t*") long[] lengths, long numSamples, @Cast("uint64_t") long seed, @Cast("int64_t*") long[] paths);
    @CriticalRegion public static native int diffhmm_sample_factorized(diffhmm_workspace ws, int dtype, int flags, long batch, long steps, long states, long numTrans, @Cast("const void*") double[] init, int initBatched, @Cast("const void*") double[] trans, @Cast("const int64_t*") long[] transIndex, @Cast("const void*") double[] emit, @Cast("const int64_t*") long[] lengths, long numSamples, @Cast("uint64_t") long seed, @Cast("int64_t*") long[] paths);

}
