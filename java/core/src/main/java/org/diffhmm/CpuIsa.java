package org.diffhmm;

/**
 * Instruction set of the CPU backend's inner loops. {@link #AUTO} (the default) picks the widest
 * this CPU supports; forcing a narrower one is for testing and comparison.
 */
public enum CpuIsa {
    /** The widest this CPU supports (the default). */
    AUTO,
    /** Baseline x86-64 (SSE2), 128-bit vectors. */
    GENERIC,
    /** AVX2 + FMA, 256-bit vectors. */
    AVX2,
    /** AVX-512 F/DQ, 512-bit vectors. */
    AVX512
}
