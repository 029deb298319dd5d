package org.diffhmm;

/**
 * The native status codes of {@code diffhmm.h}, carried by {@link DiffhmmException}. The table of
 * causes and remedies is in {@code docs/errors.md}.
 */
public enum Status {
    /** Success. */
    OK(0),
    /** Bad shape, null pointer, length, index or flag that only native code could check. */
    INVALID_ARGUMENT(1),
    /** NaN or +inf in a score (the message names the index), or a non-finite upstream gradient. */
    INVALID_VALUE(2),
    /** The backend cannot run here; the message says why. */
    BACKEND_UNAVAILABLE(3),
    /** A host or device allocation failed. */
    OUT_OF_MEMORY(4),
    /** Calls in the wrong order (e.g. a backward without its forward). */
    INVALID_STATE(5),
    /** A CUDA runtime call failed. */
    DEVICE(6),
    /** A bug in diffhmm: please report the message. */
    INTERNAL(7);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /**
     * The C value of this status.
     *
     * @return the {@code DIFFHMM_*} code
     */
    public int code() {
        return code;
    }

    /**
     * The status with a C value.
     *
     * @param code a {@code DIFFHMM_*} code
     * @return its status ({@link #INTERNAL} for unknown values)
     */
    public static Status of(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return INTERNAL;
    }
}
