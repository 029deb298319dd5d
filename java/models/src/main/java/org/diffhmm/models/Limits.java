package org.diffhmm.models;

/**
 * The size limits of models, checked up front with the limit in the message — never an int that
 * overflows into a wrong-sized table, a {@code NegativeArraySizeException} or an index error later.
 * One parameter table (transition logits {@code [N][N]} or {@code [A][N][N]}, emission tables
 * {@code [N][M]}, {@code [N][D]}) holds at most {@link #MAX_TABLE} entries (1 GiB of float64), so a
 * dense chain has at most {@link #MAX_STATES} states. Model files obey the same limits.
 */
final class Limits {
    /** Entries of one parameter table: 2^27. */
    static final long MAX_TABLE = 1L << 27;
    /** States of a dense chain: the largest N with N² within {@link #MAX_TABLE} (11585). */
    static final int MAX_STATES = (int) Math.sqrt((double) MAX_TABLE);
    /** The largest Java array. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Limits() {}

    /**
     * The entries of a parameter table of the given dimensions.
     *
     * @param what  the table and its dimensions' names, e.g. "transition logits (states × states)"
     * @param dims  the dimensions, each at least 1
     * @return their product
     * @throws IllegalArgumentException if a dimension is below 1 or the product exceeds {@link #MAX_TABLE}
     */
    static int table(String what, long... dims) {
        return (int) product(what, MAX_TABLE, "2^27 entries per parameter table", dims);
    }

    /**
     * The length of a Java array of the given dimensions (a batch's emissions, say).
     *
     * @throws IllegalArgumentException if a dimension is negative or the product exceeds one Java array
     */
    static int array(String what, long... dims) {
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(what + ": dimension " + d + " is negative");
            }
        }
        long n = 1;
        for (long d : dims) {
            if (d == 0) {
                return 0;
            }
        }
        for (long d : dims) {
            n = d > MAX_ARRAY / n ? MAX_ARRAY + 1 : n * d;
        }
        if (n > MAX_ARRAY) {
            throw new IllegalArgumentException(what + " " + dims(dims) + " need more entries than one Java array holds ("
                    + MAX_ARRAY + ")");
        }
        return (int) n;
    }

    /**
     * The first of {@code values[from, from + count)} outside {@code [-bound, bound]} (NaN included).
     *
     * @return its index relative to {@code from}, or -1 if there is none
     */
    static int firstOutside(double[] values, int from, int count, double bound) {
        for (int k = 0; k < count; k++) {
            if (!(values[from + k] >= -bound && values[from + k] <= bound)) {
                return k;
            }
        }
        return -1;
    }

    /**
     * A count that must be at least {@code min}.
     *
     * @throws IllegalArgumentException naming the count otherwise
     */
    static int atLeast(String what, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
        }
        return value;
    }

    private static long product(String what, long limit, String limitText, long... dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException(what + ": every dimension must be >= 1, got " + dims(dims));
            }
            n = d > limit / n ? limit + 1 : n * d;  // saturates: no overflow
        }
        if (n > limit) {
            throw new IllegalArgumentException(what + " " + dims(dims) + " exceed the limit of " + limitText + " ("
                    + limit + ")");
        }
        return n;
    }

    private static String dims(long[] dims) {
        final StringBuilder s = new StringBuilder();
        for (int k = 0; k < dims.length; k++) {
            s.append(k == 0 ? "" : " × ").append(dims[k]);
        }
        return s.toString();
    }
}
