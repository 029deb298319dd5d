package org.diffhmm.models;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * A JSON document read for validation: the tree, and the source it came from, so each complaint
 * names the line and column of the value it is about (found by reading the source again, on the error
 * path only: a valid document costs its tree and nothing per value). One document per source:
 * anything after it (a second document, stray text) is an error. Duplicate keys are an error. Used by
 * {@link Models} (model files) and {@link CloneHmm#readWalks} (walk files).
 */
final class LocatedJson {
    private static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    final JsonNode root;
    private final byte[] bytes;  // the source: UTF-8 bytes, or
    private final String text;   // ... text

    private LocatedJson(JsonNode root, byte[] bytes, String text) {
        this.root = root;
        this.bytes = bytes;
        this.text = text;
    }

    /** A document from text (a string in memory). */
    static LocatedJson parse(String text) throws FileFormatException {
        return parse(null, text);
    }

    /** A document from the bytes of a file, which must be UTF-8 ({@link TextFiles#requireUtf8}). */
    static LocatedJson parse(byte[] utf8) throws FileFormatException {
        TextFiles.requireUtf8(utf8);
        return parse(utf8, null);
    }

    private static LocatedJson parse(byte[] bytes, String text) throws FileFormatException {
        try (JsonParser p = parser(bytes, text)) {
            final JsonNode root = STRICT.readTree(p);
            if (root == null || root.isMissingNode()) {
                throw new FileFormatException(0, 0, "the file is empty (expected a JSON object)");
            }
            if (p.nextToken() != null) {
                final JsonLocation l = p.currentTokenLocation();
                throw new FileFormatException(l.getLineNr(), l.getColumnNr(),
                        "unexpected content after the end of the JSON document (a file holds one document)");
            }
            return new LocatedJson(root, bytes, text);
        } catch (FileFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            final JsonLocation l = e.getLocation();
            throw new FileFormatException(l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // reading memory cannot fail
        }
    }

    private static JsonParser parser(byte[] bytes, String text) throws IOException {
        return bytes != null ? STRICT.createParser(bytes) : STRICT.createParser(text);
    }

    /** A complaint about the value at {@code pointer} (or, if it is missing, about its nearest parent). */
    FileFormatException fail(String pointer, String problem) {
        final JsonLocation l = locate(pointer);
        return l == null ? new FileFormatException(0, 0, problem) : new FileFormatException(l.getLineNr(), l.getColumnNr(), problem);
    }

    /**
     * Where the value at a JSON pointer ({@code /x/0/3}) starts, or its nearest ancestor that exists:
     * the source read again token by token, following the path.
     */
    private JsonLocation locate(String pointer) {
        final String[] want = pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1);
        final Deque<Object> path = new ArrayDeque<>();  // field names (String), array indices (int[1]), objects (OBJECT)
        final List<String> at = new ArrayList<>();      // the current value's pointer components
        JsonLocation best = null;
        int bestDepth = -1;
        try (JsonParser p = parser(bytes, text)) {
            for (JsonToken token; (token = p.nextToken()) != null; ) {
                if (token == JsonToken.FIELD_NAME) {
                    path.push(p.currentName());
                    continue;
                }
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
                components(path, at);
                final int depth = matching(at, want);
                if (depth == at.size() && depth > bestDepth) {  // this value is the target or one of its ancestors
                    best = p.currentTokenLocation();
                    bestDepth = depth;
                    if (depth == want.length) {
                        return best;
                    }
                }
                if (token == JsonToken.START_ARRAY) {
                    path.push(new int[] {0});
                } else if (token == JsonToken.START_OBJECT) {
                    path.push(OBJECT);
                } else if (!path.isEmpty() && path.peek() instanceof String) {
                    path.pop();  // a scalar field value is complete
                }
            }
        } catch (IOException e) {
            // the document parsed before; whatever was located so far is the answer
        }
        return best;
    }

    private static final Object OBJECT = new Object();  // an open object on the path stack

    /** The pointer components of the value the path stack is at, outermost first. */
    private static void components(Deque<Object> path, List<String> out) {
        out.clear();
        final Iterator<Object> it = path.descendingIterator();
        while (it.hasNext()) {
            final Object part = it.next();
            if (part != OBJECT) {
                out.add(part instanceof int[] ? String.valueOf(((int[]) part)[0] - 1) : (String) part);
            }
        }
    }

    /** How many leading components of {@code at} equal those of {@code want}. */
    private static int matching(List<String> at, String[] want) {
        int k = 0;
        while (k < at.size() && k < want.length && at.get(k).equals(want[k])) {
            k++;
        }
        return k;
    }

    // --- Typed reads: each names the pointer and the expectation on failure. -------------------------

    JsonNode field(String name) throws FileFormatException {
        final JsonNode v = root.get(name);
        if (v == null) {
            throw fail("", "the field \"" + name + "\" is missing");
        }
        return v;
    }

    int integer(JsonNode v, String pointer, long min, long max) throws FileFormatException {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw fail(pointer, pointer + " = " + v + " (expected an integer in [" + min + ", " + max + "])");
        }
        return (int) v.asLong();
    }

    /**
     * A finite number, or, where {@code minusInfinity} allows, the string {@code "-Infinity"}
     * (a structural zero of a logit).
     */
    double number(JsonNode v, String pointer, boolean minusInfinity) throws FileFormatException {
        if (v != null && v.isNumber()) {
            final double d = v.asDouble();
            if (Double.isFinite(d)) {
                return d;
            }
            throw fail(pointer, pointer + " is beyond the range of a double (expected a finite number)");
        }
        if (minusInfinity && v != null && v.isTextual() && v.asText().equals("-Infinity")) {
            return Double.NEGATIVE_INFINITY;
        }
        throw fail(pointer, pointer + " = " + v + " (expected a finite number" + (minusInfinity ? " or \"-Infinity\"" : "") + ")");
    }

    /** The finite numbers of a field, each in {@code [min, max]} (the message names the entry and the range). */
    double[] numbers(String name, long expected, double min, double max) throws FileFormatException {
        final double[] out = numbers(name, expected, false);
        for (int k = 0; k < out.length; k++) {
            if (out[k] < min || out[k] > max) {
                final String pointer = "/" + name + "/" + k;
                throw fail(pointer, pointer + " = " + out[k] + " is out of range (expected a number in [" + min + ", " + max + "])");
            }
        }
        return out;
    }

    double[] numbers(String name, long expected, boolean minusInfinity) throws FileFormatException {
        final JsonNode a = field(name);
        final String pointer = "/" + name;
        if (!a.isArray()) {
            throw fail(pointer, pointer + " must be an array of " + expected + " numbers");
        }
        if (a.size() != expected) {
            throw fail(pointer, pointer + " has " + a.size() + " entries, expected " + expected);
        }
        final double[] out = new double[a.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = number(a.get(k), pointer + "/" + k, minusInfinity);
        }
        return out;
    }
}
