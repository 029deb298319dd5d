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
    public static final Options DEFAULT = new Options(Backend.AUTO, 0, CpuIsa.AUTO, false, null);

    private final Backend backend;
    private final int threads;
    private final CpuIsa cpuIsa;
    private final boolean trustedInput;
    private final org.bytedeco.javacpp.Pointer stream;

    private Options(Backend backend, int threads, CpuIsa cpuIsa, boolean trustedInput,
                    org.bytedeco.javacpp.Pointer stream) {
        this.backend = backend;
        this.threads = threads;
        this.cpuIsa = cpuIsa;
        this.trustedInput = trustedInput;
        this.stream = stream;
    }

    /** The CUDA stream work is queued on (a {@code cudaStream_t}, e.g. the CUDA presets' {@code CUstream_st}), or null. */
    public org.bytedeco.javacpp.Pointer stream() {
        return stream;
    }

    /**
     * CUDA backend: queue work on this stream (null: the default stream), so calls order with the
     * caller's own kernels. Calls still return when their results are in place.
     */
    public Options stream(org.bytedeco.javacpp.Pointer stream) {
        return new Options(backend, threads, cpuIsa, trustedInput, stream);
    }

    public Backend backend() {
        return backend;
    }

    /** CPU threads per call; 0 means all hardware threads. */
    public int threads() {
        return threads;
    }

    public CpuIsa cpuIsa() {
        return cpuIsa;
    }

    /** True if the NaN/+inf scan of the scores is skipped. */
    public boolean trustedInput() {
        return trustedInput;
    }

    public Options backend(Backend backend) {
        if (backend == null) {
            throw new NullPointerException("backend");
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream);
    }

    /** At most {@code threads} CPU threads per call (0 = all hardware threads). */
    public Options threads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream);
    }

    /** Force an instruction set; one this CPU lacks gives a {@link BackendUnavailableException} at the call. */
    public Options cpuIsa(CpuIsa cpuIsa) {
        if (cpuIsa == null) {
            throw new NullPointerException("cpuIsa");
        }
        return new Options(backend, threads, cpuIsa, trustedInput, stream);
    }

    /**
     * Skip the NaN/+inf scan: the caller vouches for the scores. Invalid values then give
     * unspecified (but memory-safe) results instead of an exception.
     */
    public Options trustedInput(boolean trustedInput) {
        return new Options(backend, threads, cpuIsa, trustedInput, stream);
    }

    @Override
    public String toString() {
        return "Options[backend=" + backend + ", threads=" + (threads == 0 ? "all" : threads) + ", cpuIsa=" + cpuIsa
                + ", trustedInput=" + trustedInput + "]";
    }
}
