package org.diffhmm.cli;

/** A problem in an input file, located by line and column (1-based): the CLI's exit code 3. */
final class InputFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputFileException(String file, int line, int column, String message) {
        super(file + ":" + line + ":" + column + ": " + message);
    }

    InputFileException(String file, String message) {
        super(file + ": " + message);
    }
}
