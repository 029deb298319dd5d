package org.diffhmm.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.FileFormatException;
import org.diffhmm.models.TextFiles;

/**
 * The CLI's input formats, read with errors that name the line and column:
 * <ul>
 *   <li>symbols ({@code .txt}): one sequence per line, symbols separated by white space — or, with
 *       {@code chars}, every character of the line (spaces included) is a symbol;</li>
 *   <li>real values ({@code .csv}): one step per line, D comma-separated numbers; a blank line ends a
 *       sequence;</li>
 *   <li>walks ({@code .json}, clone-structured HMM): {@code {"x": [[symbols…], …], "a": [[actions…], …]}}
 *       (or one walk: {@code {"x": […], "a": […]}}), with {@code a} one shorter than {@code x} (or as long).</li>
 * </ul>
 */
final class DataFiles {
    private DataFiles() {}

    private static final Pattern SYMBOL = Pattern.compile("\\S+");

    /** A symbol as written in the file, with its 1-based position for error messages. */
    record Token(String text, int line, int column) {}

    /** Symbol sequences as located tokens, one sequence per non-empty line. */
    static List<List<Token>> symbols(Path file, boolean chars) throws IOException {
        final List<List<Token>> out = new ArrayList<>();
        final List<String> lines = lines(file);
        for (int ln = 0; ln < lines.size(); ln++) {
            final String line = lines.get(ln);
            final List<Token> seq = new ArrayList<>();
            if (chars) {
                for (int k = 0; k < line.length(); k++) {
                    seq.add(new Token(String.valueOf(line.charAt(k)), ln + 1, k + 1));
                }
            } else {
                final Matcher m = SYMBOL.matcher(line);
                while (m.find()) {
                    seq.add(new Token(m.group(), ln + 1, m.start() + 1));
                }
            }
            if (!seq.isEmpty()) {
                out.add(seq);
            }
        }
        if (out.isEmpty()) {
            throw new InputFileException(file.toString(), "no sequences (the file is empty or blank)");
        }
        return out;
    }

    /** Tokens to symbol indices under a vocabulary; an unknown symbol is reported where it stands. */
    static List<int[]> encode(Path file, List<List<Token>> sequences, List<String> vocabulary) {
        final List<int[]> out = new ArrayList<>();
        for (List<Token> seq : sequences) {
            final int[] x = new int[seq.size()];
            for (int t = 0; t < x.length; t++) {
                final Token token = seq.get(t);
                x[t] = vocabulary.indexOf(token.text());
                if (x[t] < 0) {
                    throw new InputFileException(file.toString(), token.line(), token.column(), "unknown symbol '"
                            + token.text() + "' (the model knows " + vocabulary.size() + " symbols)");
                }
            }
            out.add(x);
        }
        return out;
    }

    static List<double[][]> reals(Path file) throws IOException {
        final List<String> lines = lines(file);
        final List<double[][]> out = new ArrayList<>();
        List<double[]> current = new ArrayList<>();
        int dims = -1;
        for (int ln = 0; ln <= lines.size(); ln++) {
            final String line = ln < lines.size() ? lines.get(ln) : "";
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    out.add(current.toArray(new double[0][]));
                    current = new ArrayList<>();
                }
                continue;
            }
            final String[] cells = line.split(",", -1);
            if (dims < 0) {
                dims = cells.length;
            } else if (cells.length != dims) {
                throw new InputFileException(file.toString(), ln + 1, 1, "expected " + dims + " comma-separated values (as on the"
                        + " first line), got " + cells.length);
            }
            final double[] step = new double[dims];
            int column = 0;
            for (int d = 0; d < dims; d++) {
                try {
                    step[d] = Double.parseDouble(cells[d].trim());
                } catch (NumberFormatException e) {
                    throw new InputFileException(file.toString(), ln + 1, column + 1, "expected a number, got '"
                            + cells[d].trim() + "'");
                }
                if (!Double.isFinite(step[d])) {
                    throw new InputFileException(file.toString(), ln + 1, column + 1, "expected a finite number, got '"
                            + cells[d].trim() + "'");
                }
                column += cells[d].length() + 1;
            }
            current.add(step);
        }
        if (out.isEmpty()) {
            throw new InputFileException(file.toString(), "no sequences (the file is empty or blank)");
        }
        return out;
    }

    /** Walks for the clone-structured HMM, ids below {@code symbols} and {@code actions} ({@link CloneHmm#readWalks}). */
    static List<CloneHmm.Walk> walks(Path file, int symbols, int actions) throws IOException {
        try {
            return CloneHmm.readWalks(file, symbols, actions);
        } catch (FileFormatException e) {
            throw located(file, e);
        } catch (NoSuchFileException e) {
            throw new InputFileException(file.toString(), "no such file");
        }
    }

    /** A text file's lines (UTF-8; a byte that is not is reported with its line and column). */
    static List<String> lines(Path file) throws IOException {
        try {
            return TextFiles.readUtf8(file).lines().collect(java.util.stream.Collectors.toList());
        } catch (FileFormatException e) {
            throw located(file, e);
        } catch (NoSuchFileException e) {
            throw new InputFileException(file.toString(), "no such file");
        } catch (AccessDeniedException e) {
            throw new InputFileException(file.toString(), "cannot be read (permission denied)");
        }
    }

    static InputFileException located(Path file, FileFormatException e) {
        return e.line() > 0 ? new InputFileException(file.toString(), e.line(), e.column(), e.problem())
                : new InputFileException(file.toString(), e.problem());
    }
}
