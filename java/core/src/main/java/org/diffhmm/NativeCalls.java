package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.diffhmm.internal.DiffhmmNative.diffhmm_workspace;

/**
 * The binding's three overloads of each verb (Java arrays pinned for the call, {@code float[]} or
 * {@code double[]}; or pointers) behind one method per C function. {@link Operands} hands out every
 * operand of a call in one form — all {@code float[]}, all {@code double[]}, or all pointers (index
 * arrays as {@code long[]} or {@link LongPointer} alike) — and the first floating-point operand
 * tells which overload that is. Everything above this class writes each verb once.
 */
final class NativeCalls {
    private NativeCalls() {}

    static int forwardDense(diffhmm_workspace ws, int dt, int f, long b, long t, long n, Object pot, Object len, Object logZ) {
        if (pot instanceof float[]) {
            return diffhmm_forward_dense(ws, dt, f, b, t, n, (float[]) pot, (long[]) len, (float[]) logZ);
        }
        if (pot instanceof double[]) {
            return diffhmm_forward_dense(ws, dt, f, b, t, n, (double[]) pot, (long[]) len, (double[]) logZ);
        }
        return diffhmm_forward_dense(ws, dt, f, b, t, n, (Pointer) pot, (LongPointer) len, (Pointer) logZ);
    }

    static int backwardDense(diffhmm_workspace ws, int dt, int f, long b, long t, long n, Object pot, Object len, Object g,
                             Object grad) {
        if (pot instanceof float[]) {
            return diffhmm_backward_dense(ws, dt, f, b, t, n, (float[]) pot, (long[]) len, (float[]) g, (float[]) grad);
        }
        if (pot instanceof double[]) {
            return diffhmm_backward_dense(ws, dt, f, b, t, n, (double[]) pot, (long[]) len, (double[]) g, (double[]) grad);
        }
        return diffhmm_backward_dense(ws, dt, f, b, t, n, (Pointer) pot, (LongPointer) len, (Pointer) g, (Pointer) grad);
    }

    static int viterbiDense(diffhmm_workspace ws, int dt, int f, long b, long t, long n, Object pot, Object len, Object path,
                            Object score) {
        if (pot instanceof float[]) {
            return diffhmm_viterbi_dense(ws, dt, f, b, t, n, (float[]) pot, (long[]) len, (long[]) path, (float[]) score);
        }
        if (pot instanceof double[]) {
            return diffhmm_viterbi_dense(ws, dt, f, b, t, n, (double[]) pot, (long[]) len, (long[]) path, (double[]) score);
        }
        return diffhmm_viterbi_dense(ws, dt, f, b, t, n, (Pointer) pot, (LongPointer) len, (LongPointer) path, (Pointer) score);
    }

    static int kbestDense(diffhmm_workspace ws, int dt, int f, long b, long t, long n, Object pot, Object len, long k,
                          Object paths, Object scores) {
        if (pot instanceof float[]) {
            return diffhmm_kbest_dense(ws, dt, f, b, t, n, (float[]) pot, (long[]) len, k, (long[]) paths, (float[]) scores);
        }
        if (pot instanceof double[]) {
            return diffhmm_kbest_dense(ws, dt, f, b, t, n, (double[]) pot, (long[]) len, k, (long[]) paths, (double[]) scores);
        }
        return diffhmm_kbest_dense(ws, dt, f, b, t, n, (Pointer) pot, (LongPointer) len, k, (LongPointer) paths,
                (Pointer) scores);
    }

    static int marginalsDense(diffhmm_workspace ws, int dt, int f, long b, long t, long n, Object pot, Object len,
                              Object logZ, Object gamma) {
        if (pot instanceof float[]) {
            return diffhmm_marginals_dense(ws, dt, f, b, t, n, (float[]) pot, (long[]) len, (float[]) logZ, (float[]) gamma);
        }
        if (pot instanceof double[]) {
            return diffhmm_marginals_dense(ws, dt, f, b, t, n, (double[]) pot, (long[]) len, (double[]) logZ, (double[]) gamma);
        }
        return diffhmm_marginals_dense(ws, dt, f, b, t, n, (Pointer) pot, (LongPointer) len, (Pointer) logZ, (Pointer) gamma);
    }

    static int sampleDense(diffhmm_workspace ws, int dt, int f, long b, long t, long n, Object pot, Object len, long samples,
                           long seed, Object paths) {
        if (pot instanceof float[]) {
            return diffhmm_sample_dense(ws, dt, f, b, t, n, (float[]) pot, (long[]) len, samples, seed, (long[]) paths);
        }
        if (pot instanceof double[]) {
            return diffhmm_sample_dense(ws, dt, f, b, t, n, (double[]) pot, (long[]) len, samples, seed, (long[]) paths);
        }
        return diffhmm_sample_dense(ws, dt, f, b, t, n, (Pointer) pot, (LongPointer) len, samples, seed, (LongPointer) paths);
    }

    /** The operands every factorized call shares, in the form of the call. */
    record Factors(int dt, long b, long t, long n, long k, Object init, int initBatched, Object trans, Object index,
                   Object emit, Object len) {}

    static int forwardFactorized(diffhmm_workspace ws, int f, Factors x, Object logZ) {
        if (x.init instanceof float[]) {
            return diffhmm_forward_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (float[]) x.init, x.initBatched,
                    (float[]) x.trans, (long[]) x.index, (float[]) x.emit, (long[]) x.len, (float[]) logZ);
        }
        if (x.init instanceof double[]) {
            return diffhmm_forward_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (double[]) x.init, x.initBatched,
                    (double[]) x.trans, (long[]) x.index, (double[]) x.emit, (long[]) x.len, (double[]) logZ);
        }
        return diffhmm_forward_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (Pointer) x.init, x.initBatched,
                (Pointer) x.trans, (LongPointer) x.index, (Pointer) x.emit, (LongPointer) x.len, (Pointer) logZ);
    }

    static int backwardFactorized(diffhmm_workspace ws, int f, Factors x, Object g, Object gi, Object gt, Object ge) {
        if (x.init instanceof float[]) {
            return diffhmm_backward_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (float[]) x.init, x.initBatched,
                    (float[]) x.trans, (long[]) x.index, (float[]) x.emit, (long[]) x.len, (float[]) g, (float[]) gi,
                    (float[]) gt, (float[]) ge);
        }
        if (x.init instanceof double[]) {
            return diffhmm_backward_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (double[]) x.init, x.initBatched,
                    (double[]) x.trans, (long[]) x.index, (double[]) x.emit, (long[]) x.len, (double[]) g, (double[]) gi,
                    (double[]) gt, (double[]) ge);
        }
        return diffhmm_backward_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (Pointer) x.init, x.initBatched,
                (Pointer) x.trans, (LongPointer) x.index, (Pointer) x.emit, (LongPointer) x.len, (Pointer) g, (Pointer) gi,
                (Pointer) gt, (Pointer) ge);
    }

    static int viterbiFactorized(diffhmm_workspace ws, int f, Factors x, Object path, Object score) {
        if (x.init instanceof float[]) {
            return diffhmm_viterbi_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (float[]) x.init, x.initBatched,
                    (float[]) x.trans, (long[]) x.index, (float[]) x.emit, (long[]) x.len, (long[]) path, (float[]) score);
        }
        if (x.init instanceof double[]) {
            return diffhmm_viterbi_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (double[]) x.init, x.initBatched,
                    (double[]) x.trans, (long[]) x.index, (double[]) x.emit, (long[]) x.len, (long[]) path, (double[]) score);
        }
        return diffhmm_viterbi_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (Pointer) x.init, x.initBatched,
                (Pointer) x.trans, (LongPointer) x.index, (Pointer) x.emit, (LongPointer) x.len, (LongPointer) path,
                (Pointer) score);
    }

    static int kbestFactorized(diffhmm_workspace ws, int f, Factors x, long k, Object paths, Object scores) {
        if (x.init instanceof float[]) {
            return diffhmm_kbest_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (float[]) x.init, x.initBatched,
                    (float[]) x.trans, (long[]) x.index, (float[]) x.emit, (long[]) x.len, k, (long[]) paths, (float[]) scores);
        }
        if (x.init instanceof double[]) {
            return diffhmm_kbest_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (double[]) x.init, x.initBatched,
                    (double[]) x.trans, (long[]) x.index, (double[]) x.emit, (long[]) x.len, k, (long[]) paths,
                    (double[]) scores);
        }
        return diffhmm_kbest_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (Pointer) x.init, x.initBatched,
                (Pointer) x.trans, (LongPointer) x.index, (Pointer) x.emit, (LongPointer) x.len, k, (LongPointer) paths,
                (Pointer) scores);
    }

    static int marginalsFactorized(diffhmm_workspace ws, int f, Factors x, Object logZ, Object gamma) {
        if (x.init instanceof float[]) {
            return diffhmm_marginals_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (float[]) x.init, x.initBatched,
                    (float[]) x.trans, (long[]) x.index, (float[]) x.emit, (long[]) x.len, (float[]) logZ, (float[]) gamma);
        }
        if (x.init instanceof double[]) {
            return diffhmm_marginals_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (double[]) x.init, x.initBatched,
                    (double[]) x.trans, (long[]) x.index, (double[]) x.emit, (long[]) x.len, (double[]) logZ,
                    (double[]) gamma);
        }
        return diffhmm_marginals_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (Pointer) x.init, x.initBatched,
                (Pointer) x.trans, (LongPointer) x.index, (Pointer) x.emit, (LongPointer) x.len, (Pointer) logZ,
                (Pointer) gamma);
    }

    static int sampleFactorized(diffhmm_workspace ws, int f, Factors x, long samples, long seed, Object paths) {
        if (x.init instanceof float[]) {
            return diffhmm_sample_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (float[]) x.init, x.initBatched,
                    (float[]) x.trans, (long[]) x.index, (float[]) x.emit, (long[]) x.len, samples, seed, (long[]) paths);
        }
        if (x.init instanceof double[]) {
            return diffhmm_sample_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (double[]) x.init, x.initBatched,
                    (double[]) x.trans, (long[]) x.index, (double[]) x.emit, (long[]) x.len, samples, seed, (long[]) paths);
        }
        return diffhmm_sample_factorized(ws, x.dt, f, x.b, x.t, x.n, x.k, (Pointer) x.init, x.initBatched,
                (Pointer) x.trans, (LongPointer) x.index, (Pointer) x.emit, (LongPointer) x.len, samples, seed,
                (LongPointer) paths);
    }
}
