package org.diffhmm.models;

import java.io.IOException;

/**
 * A model file or data file that is not what it should be, located by line and column (1-based;
 * 0 when the problem has no single place, e.g. a missing field). The message reads
 * {@code "line 3, column 14: /transLogits/2 is null (expected a number or \"-Infinity\")"}; a caller
 * that knows the file's name prefixes it ({@code file:line:column: …}, as the command line does).
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    /** The 1-based line, or 0. */
    private final int line;
    /** The 1-based column, or 0. */
    private final int column;
    /** What is wrong, without the location. */
    private final String problem;

    /**
     * A located problem.
     *
     * @param line    the 1-based line, or 0 when unknown
     * @param column  the 1-based column, or 0 when unknown
     * @param problem what is wrong
     */
    public FileFormatException(int line, int column, String problem) {
        super(line > 0 ? "line " + line + ", column " + column + ": " + problem : problem);
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    /**
     * The line of the problem.
     *
     * @return 1-based, or 0 when unknown
     */
    public int line() {
        return line;
    }

    /**
     * The column of the problem.
     *
     * @return 1-based, or 0 when unknown
     */
    public int column() {
        return column;
    }

    /**
     * What is wrong, without the location.
     *
     * @return the description
     */
    public String problem() {
        return problem;
    }
}
