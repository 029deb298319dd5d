package org.diffhmm;

/** Element type of a {@link Tensor}: every floating-point array of one call has the same dtype. */
public enum DType {
    /** IEEE 754 single precision ({@code float}). */
    FLOAT32(4),
    /** IEEE 754 double precision ({@code double}). */
    FLOAT64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /**
     * Size of one element.
     *
     * @return 4 or 8 bytes
     */
    public int bytes() {
        return bytes;
    }
}
