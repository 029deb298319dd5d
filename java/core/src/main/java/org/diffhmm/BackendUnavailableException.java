package org.diffhmm;

/**
 * The requested backend cannot run on this machine; the message gives the reason, e.g.
 * {@code "CUDA not available: CUDA driver version is insufficient for CUDA runtime version"}.
 */
public class BackendUnavailableException extends DiffhmmException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception for a backend that cannot run here.
     *
     * @param message the reason, e.g. {@code "CUDA not available: no CUDA-capable device is detected"}
     */
    public BackendUnavailableException(String message) {
        super(Status.BACKEND_UNAVAILABLE, message);
    }
}
