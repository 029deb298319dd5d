package org.diffhmm;

import java.util.Arrays;

/** Rows of the path tables the native core fills ({@code -1} after a path's last real step). */
final class Paths {
    private Paths() {}

    /** The path in {@code table[start, start + steps)} up to its first -1 (a copy). */
    static long[] trimmed(long[] table, long start, long steps) {
        final int from = Math.toIntExact(start);
        int length = 0;
        while (length < steps && table[from + length] >= 0) {
            length++;
        }
        return Arrays.copyOfRange(table, from, from + length);
    }
}
