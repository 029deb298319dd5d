package org.diffhmm.models;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A JSON document read for validation: the tree, and where every value starts (by JSON pointer, e.g.
 * {@code /x/0/3}), so each complaint names its line and column. Duplicate keys are an error.
 * Used by {@link Models} (model files) and {@link CloneHmm#readWalks} (walk files).
 */
final class LocatedJson {
    private static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final Object OBJECT = new Object();  // an open object on the path stack

    final JsonNode root;
    private final Map<String, JsonLocation> at;

    private LocatedJson(JsonNode root, Map<String, JsonLocation> at) {
        this.root = root;
        this.at = at;
    }

    static LocatedJson parse(String text) throws FileFormatException {
        try {
            final JsonNode root = STRICT.readTree(text);
            if (root == null) {
                throw new FileFormatException(0, 0, "the file is empty (expected a JSON object)");
            }
            return new LocatedJson(root, locations(text));
        } catch (JsonProcessingException e) {
            final JsonLocation l = e.getLocation();
            throw new FileFormatException(l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** A complaint about the value at {@code pointer} (or, if it is missing, about its parent). */
    FileFormatException fail(String pointer, String problem) {
        String p = pointer;
        while (!p.isEmpty() && !at.containsKey(p)) {
            p = p.substring(0, p.lastIndexOf('/'));
        }
        final JsonLocation l = at.get(p);
        return l == null ? new FileFormatException(0, 0, problem) : new FileFormatException(l.getLineNr(), l.getColumnNr(), problem);
    }

    private static Map<String, JsonLocation> locations(String text) throws JsonProcessingException {
        final Map<String, JsonLocation> at = new HashMap<>();
        final Deque<Object> path = new ArrayDeque<>();  // field names (String), open arrays (int[1]), OBJECT
        try (JsonParser p = new JsonFactory().createParser(text)) {
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
                final StringBuilder pointer = new StringBuilder();
                final Object[] parts = path.toArray();
                for (int k = parts.length - 1; k >= 0; k--) {
                    if (parts[k] != OBJECT) {
                        pointer.append('/').append(parts[k] instanceof int[] ? String.valueOf(((int[]) parts[k])[0] - 1) : parts[k]);
                    }
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
        } catch (JsonProcessingException e) {
            throw e;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);  // reading a String cannot fail
        }
        return at;
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
