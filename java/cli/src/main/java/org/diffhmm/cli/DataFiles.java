package org.diffhmm.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffhmm.models.CloneHmm;

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
        final List<String> lines = Files.readAllLines(file);
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
        final List<String> lines = Files.readAllLines(file);
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

    private static final Object OBJECT = new Object();  // marks an open object on the path stack

    /** Where every value of a JSON document starts, keyed by JSON pointer ("/x/0/3"). */
    static Map<String, JsonLocation> locations(Path file) throws IOException {
        final Map<String, JsonLocation> at = new HashMap<>();
        final Deque<Object> path = new ArrayDeque<>();  // field names (String) and array indices (int[1])
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            for (JsonToken token; (token = p.nextToken()) != null; ) {
                if (token == JsonToken.FIELD_NAME) {
                    path.push(p.currentName());
                    continue;
                }
                // (String entries on the stack are field names; OBJECT and int[] are open containers.)
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    path.pop();
                    if (!path.isEmpty() && path.peek() instanceof String) {
                        path.pop();
                    }
                    continue;
                }
                if (!path.isEmpty() && path.peek() instanceof int[]) {
                    ((int[]) path.peek())[0]++;
                }
                final StringBuilder pointer = new StringBuilder();
                final Object[] parts = path.toArray();
                for (int k = parts.length - 1; k >= 0; k--) {
                    if (parts[k] == OBJECT) {
                        continue;
                    }
                    pointer.append('/').append(parts[k] instanceof int[] ? String.valueOf(((int[]) parts[k])[0] - 1) : parts[k]);
                }
                at.put(pointer.toString(), p.currentTokenLocation());
                if (token == JsonToken.START_ARRAY) {
                    path.push(new int[] {0});
                } else if (token == JsonToken.START_OBJECT) {
                    path.push(OBJECT);
                } else if (!path.isEmpty() && path.peek() instanceof String) {
                    path.pop();  // a scalar field value is complete
                }
            }
        }
        return at;
    }

    private static InputFileException at(Path file, Map<String, JsonLocation> where, String pointer, String message) {
        final JsonLocation l = where.get(pointer);
        return l == null ? new InputFileException(file.toString(), message)
                : new InputFileException(file.toString(), l.getLineNr(), l.getColumnNr(), message);
    }

    static List<CloneHmm.Walk> walks(Path file) throws IOException {
        final JsonNode root;
        final Map<String, JsonLocation> where;
        try {
            root = new ObjectMapper().readTree(file.toFile());
            where = locations(file);
        } catch (JsonProcessingException e) {
            final JsonLocation at = e.getLocation();
            throw new InputFileException(file.toString(), at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InputFileException(file.toString(), "expected a JSON object with arrays \"x\" (symbols) and \"a\" (actions)");
        }
        final JsonNode x = root.path("x"), a = root.path("a");
        if (!x.isArray() || !a.isArray()) {
            throw new InputFileException(file.toString(), "expected arrays \"x\" (symbols) and \"a\" (actions)");
        }
        final boolean single = x.size() > 0 && x.get(0).isNumber();
        final List<CloneHmm.Walk> out = new ArrayList<>();
        final int count = single ? 1 : x.size();
        if (!single && a.size() != x.size()) {
            throw new InputFileException(file.toString(), "\"x\" has " + x.size() + " walks but \"a\" has " + a.size());
        }
        for (int w = 0; w < count; w++) {
            final JsonNode xs = single ? x : x.get(w), as = single ? a : a.get(w);
            final String xp = single ? "/x" : "/x/" + w, ap = single ? "/a" : "/a/" + w;
            final int[] symbols = ints(file, where, xs, xp);
            final int[] actions = ints(file, where, as, ap);
            if (actions.length < symbols.length - 1) {
                throw at(file, where, ap, (single ? "walk" : "walk " + w) + " has " + symbols.length + " symbols but "
                        + actions.length + " actions (expected " + (symbols.length - 1) + ")");
            }
            if (symbols.length > 0) {
                out.add(new CloneHmm.Walk(symbols, actions));
            }
        }
        if (out.isEmpty()) {
            throw new InputFileException(file.toString(), "no walks");
        }
        return out;
    }

    private static int[] ints(Path file, Map<String, JsonLocation> where, JsonNode array, String pointer) {
        if (!array.isArray()) {
            throw at(file, where, pointer, pointer + " must be an array of non-negative integers");
        }
        final int[] out = new int[array.size()];
        for (int k = 0; k < out.length; k++) {
            final JsonNode v = array.get(k);
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
                throw at(file, where, pointer + "/" + k, pointer + "/" + k + " = " + v + " (expected a non-negative integer)");
            }
            out[k] = v.asInt();
        }
        return out;
    }
}
