package org.diffhmm;

import static org.diffhmm.internal.DiffhmmNative.*;

/**
 * Facts about the library and this machine: version, which backends can run, the CPU's
 * instruction set and thread count. All methods load the native library on first use.
 */
public final class Diffhmm {
    private Diffhmm() {}

    /**
     * The native library's version.
     *
     * @return the version, e.g. {@code "0.1.0"}
     * @throws DiffhmmException when the native library cannot be loaded on this platform
     */
    public static String version() {
        Natives.load();
        return diffhmm_version().getString();
    }

    /**
     * Whether the CUDA backend can run here: compiled in, a driver and a device present, and not
     * disabled by {@code DIFFHMM_DISABLE_CUDA=1}. Never creates more CUDA state than that check needs.
     *
     * @return true if {@link Backend#CUDA} calls can run
     */
    public static boolean cudaAvailable() {
        Boolean known = cudaAvailable;
        if (known == null) {
            Natives.load();
            known = diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) == DIFFHMM_OK;
            cudaAvailable = known;  // a process's devices and driver do not change under it: asked once
        }
        return known;
    }

    private static volatile Boolean cudaAvailable;

    /**
     * Why CUDA cannot run here.
     *
     * @return {@code "CUDA not available: <reason>"}, or {@code ""} if it can run
     */
    public static String cudaUnavailableReason() {
        Natives.load();
        return diffhmm_backend_available(DIFFHMM_BACKEND_CUDA) == DIFFHMM_OK ? "" : Natives.lastError();
    }

    /**
     * A description of CUDA device 0.
     *
     * @return its name, memory, compute capability and driver version — or why there is none
     */
    public static String cudaDevice() {
        Natives.load();
        return diffhmm_cuda_device().getString();
    }

    /**
     * How many CUDA devices this process can use (the ordinals {@link Options#cudaDevice(int)} accepts).
     *
     * @return the device count, 0 when {@link #cudaAvailable()} is false
     */
    public static int cudaDeviceCount() {
        Natives.load();
        return diffhmm_cuda_device_count();
    }

    /**
     * Where the native library was loaded from.
     *
     * @return the path of the JNI library, extracted from the jar into JavaCPP's cache
     *         ({@code libdiffhmm.so} sits beside it)
     */
    public static String nativeLibrary() {
        return Natives.library();
    }

    /**
     * The backend {@link Backend#AUTO} resolves to on this machine.
     *
     * @return {@link Backend#CUDA} or {@link Backend#CPU}
     */
    public static Backend autoBackend() {
        return cudaAvailable() ? Backend.CUDA : Backend.CPU;
    }

    /**
     * The widest CPU instruction set this machine supports.
     *
     * @return {@link CpuIsa#GENERIC}, {@link CpuIsa#AVX2} or {@link CpuIsa#AVX512} (never AUTO)
     */
    public static CpuIsa cpuIsa() {
        Natives.load();
        return CpuIsa.values()[diffhmm_cpu_isa_supported()];
    }

    /**
     * The number of threads the CPU backend uses by default.
     *
     * @return the hardware threads available to this process
     */
    public static int cpuThreads() {
        Natives.load();
        return diffhmm_cpu_default_threads();
    }

    /** Frees the native workspaces cached for reuse between calls (memory in use is not affected). */
    public static void releaseCachedMemory() {
        Workspaces.clear();
    }
}
