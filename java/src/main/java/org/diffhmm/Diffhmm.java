package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

/**
 * Facts about the library and this machine: version, which backends can run, the CPU's
 * instruction set and thread count. All methods load the native library on first use.
 */
public final class Diffhmm {
    private Diffhmm() {}

    /** The native library's version, e.g. "0.1.0". */
    public static String version() {
        Natives.load();
        return diffhmm_version().getString();
    }

    /** True if the CUDA backend can run here (compiled in, a driver and a device present). */
    public static boolean cudaAvailable() {
        Natives.load();
        return diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) == DIFFHMM_OK;
    }

    /** Why CUDA cannot run here ("CUDA not available: ..."), or "" if it can. */
    public static String cudaUnavailableReason() {
        Natives.load();
        return diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) == DIFFHMM_OK ? "" : Natives.lastError();
    }

    /** CUDA device 0: name, memory, compute capability and driver — or why there is none. */
    public static String cudaDevice() {
        Natives.load();
        return diffhmm_cuda_device().getString();
    }

    /** Where the native library was loaded from (extracted from the jar into JavaCPP's cache). */
    public static String nativeLibrary() {
        return Natives.library();
    }

    /** The backend {@link Backend#AUTO} resolves to on this machine. */
    public static Backend autoBackend() {
        return cudaAvailable() ? Backend.CUDA : Backend.CPU;
    }

    /** The widest CPU instruction set this machine supports (never AUTO). */
    public static CpuIsa cpuIsa() {
        Natives.load();
        return CpuIsa.values()[diffhmm_cpu_isa_supported()];
    }

    /** Hardware threads the CPU backend uses by default. */
    public static int cpuThreads() {
        Natives.load();
        return diffhmm_cpu_default_threads();
    }

    /** Frees the native workspaces cached for reuse between calls (memory in use is not affected). */
    public static void releaseCachedMemory() {
        Workspaces.clear();
    }
}
