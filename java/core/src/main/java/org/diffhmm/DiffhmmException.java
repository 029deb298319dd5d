package org.diffhmm;

/**
 * A failure reported by the native core: the {@link Status} it returned and the message it
 * explained it with (for example {@code "potential[0][12][3][7] is NaN (scores must be finite or
 * -inf)"}). Argument errors that Java can see (shapes, lengths, masks, nulls) are thrown as
 * {@link IllegalArgumentException} / {@link NullPointerException} before any native call.
 */
public class DiffhmmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The native status behind this exception. */
    private final Status status;

    /**
     * An exception for a native status.
     *
     * @param status  the status the native core returned
     * @param message what went wrong, in the native core's words
     */
    public DiffhmmException(Status status, String message) {
        super(message);
        this.status = status;
    }

    /**
     * The native status behind this exception.
     *
     * @return the status
     */
    public Status status() {
        return status;
    }
}
