package org.diffhmm;

/**
 * How {@link HmmForward} runs: backend, CPU threads, CPU instruction set, and whether to skip the
 * NaN/+inf scan of inputs. Immutable; {@link #DEFAULT} is AUTO backend, all cores, the widest
 * instruction set, inputs checked.
 *
 * <pre>{@code
 * Options cpu1 = Options.DEFAULT.backend(Backend.CPU).threads(1);
 * }</pre>
 */
public final class Options {
    /** AUTO backend, all hardware threads, widest CPU instruction set, inputs checked. */
    public static final Options DEFAULT = new Options(Backend.AUTO, 0, CpuIsa.AUTO, false, null, -1);

    private final Backend backend;
    private final int threads;
    private final CpuIsa cpuIsa;
    private final boolean trustedInput;
    private final org.bytedeco.javacpp.Pointer stream;
    private final int cudaDevice;

    private Options(Backend backend, int threads, CpuIsa cpuIsa, boolean trustedInput,
                    org.bytedeco.javacpp.Pointer stream, int cudaDevice) {
        this.backend = backend;
        this.threads = threads;
        this.cpuIsa = cpuIsa;
        this.trustedInput = trustedInput;
        this.stream = stream;
        this.cudaDevice = cudaDevice;
    }

    /**
     * The CUDA stream work is queued on.
     *
     * @return a {@code cudaStream_t} (e.g. the CUDA presets' {@code CUstream_st}), or null for the default stream
     */
    public org.bytedeco.javacpp.Pointer stream() {
        return stream;
    }

    /**
     * CUDA backend: queue work on this stream (null: the default stream), so calls order with the
     * caller's own kernels. Calls still return when their results are in place. Ignored by the CPU.
     *
     * @param stream a {@code cudaStream_t} on the device of the call's data, or null
     * @return options with this stream
     */
    public Options stream(org.bytedeco.javacpp.Pointer stream) {
        return new Options(backend, threads, cpuIsa, trustedInput, stream, cudaDevice);
    }

    /**
     * The CUDA device calls run on.
     *
     * @return a device ordinal, or -1 (the default) for the device current on the calling thread
     */
    public int cudaDevice() {
        return cudaDevice;
    }

    /**
     * CUDA backend: run calls on this device. It is made current for each call and the thread's
     * current device restored afterwards; device tensors and the {@linkplain #stream(org.bytedeco.javacpp.Pointer)
     * stream} must belong to it. Use it where work is spread over GPUs by ordinal (one per Spark
     * task, one per worker thread). When the calls run on the CPU — {@link Backend#CPU}, or
     * {@link Backend#AUTO} on a machine without CUDA — the device is not used. An ordinal the
     * machine lacks is an {@link IllegalArgumentException} at the call.
     *
     * @param device a device ordinal {@code >= 0}, or -1 for the thread's current device
     * @return options with this device
     * @throws IllegalArgumentException if {@code device < -1}
     */
    public Options cudaDevice(int device) {
        if (device < -1) {
            throw new IllegalArgumentException("cudaDevice must be a device ordinal >= 0, or -1 for the current device; got "
                    + device);
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream, device);
    }

    /**
     * Where calls run.
     *
     * @return the backend ({@link Backend#AUTO} by default)
     */
    public Backend backend() {
        return backend;
    }

    /**
     * CPU threads per call.
     *
     * @return the limit; 0 means all hardware threads
     */
    public int threads() {
        return threads;
    }

    /**
     * The CPU instruction set of the inner loops.
     *
     * @return the forced instruction set, or {@link CpuIsa#AUTO}
     */
    public CpuIsa cpuIsa() {
        return cpuIsa;
    }

    /**
     * Whether the NaN/+inf scan of the scores is skipped.
     *
     * @return true if the caller vouches for its scores
     */
    public boolean trustedInput() {
        return trustedInput;
    }

    /**
     * Run on this backend.
     *
     * @param backend CPU, CUDA or AUTO
     * @return options with this backend
     * @throws NullPointerException if {@code backend} is null
     */
    public Options backend(Backend backend) {
        if (backend == null) {
            throw new NullPointerException("backend");
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream, cudaDevice);
    }

    /**
     * Use at most this many CPU threads per call. Log-partitions, paths, marginals, dense gradients
     * and emission gradients do not depend on it, bit for bit; the gradients of shared parameters
     * (factorized {@code init} and {@code trans}) are float64 sums taken per thread and then in a
     * fixed order, so they repeat exactly for a given thread count and may differ in the last bits
     * of float32 between thread counts.
     *
     * @param threads the limit, or 0 for all hardware threads
     * @return options with this limit
     * @throws IllegalArgumentException if {@code threads} is negative
     */
    public Options threads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream, cudaDevice);
    }

    /**
     * Force an instruction set (for tests and comparisons).
     *
     * @param cpuIsa the instruction set; one this CPU lacks gives a {@link BackendUnavailableException} at the call
     * @return options with this instruction set
     * @throws NullPointerException if {@code cpuIsa} is null
     */
    public Options cpuIsa(CpuIsa cpuIsa) {
        if (cpuIsa == null) {
            throw new NullPointerException("cpuIsa");
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream, cudaDevice);
    }

    /**
     * Skip the NaN/+inf scan: the caller vouches for the scores. Invalid values then give
     * unspecified (but memory-safe) results instead of an exception.
     *
     * @param trustedInput true to skip the scan
     * @return options with this choice
     */
    public Options trustedInput(boolean trustedInput) {
        return new Options(backend, threads, cpuIsa, trustedInput, stream, cudaDevice);
    }

    @Override
    public String toString() {
        return "Options[backend=" + backend + ", threads=" + (threads == 0 ? "all" : threads) + ", cpuIsa=" + cpuIsa
                + ", trustedInput=" + trustedInput + (cudaDevice >= 0 ? ", cudaDevice=" + cudaDevice : "") + "]";
    }
}
