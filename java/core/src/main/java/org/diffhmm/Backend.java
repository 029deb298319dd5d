package org.diffhmm;

/**
 * Where a computation runs.
 *
 * <ul>
 *   <li>{@link #CPU} — the vectorised, multi-threaded C++ backend; always available on
 *       linux-x86_64.</li>
 *   <li>{@link #CUDA} — an NVIDIA GPU. Asking for it where it cannot run throws
 *       {@link BackendUnavailableException} with the reason ("CUDA not available: ...").</li>
 *   <li>{@link #AUTO} — CUDA when {@link Diffhmm#cudaAvailable()} is true, the CPU otherwise.</li>
 * </ul>
 */
public enum Backend {
    /** The vectorised, multi-threaded C++ backend. */
    CPU,
    /** An NVIDIA GPU (device 0, or the device of the caller's pointers). */
    CUDA,
    /** CUDA when it can run here, the CPU otherwise. */
    AUTO
}
