package org.diffhmm.models;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffhmm.models.CloneHmm.Walk;

/** Walk files of the clone-structured HMM ({@link CloneHmm#readWalks}): JSON read and checked, errors located. */
final class Walks {
    private Walks() {}

    /** Largest symbol id and action id a walk file may hold. */
    static final int MAX_SYMBOL = 65535, MAX_ACTION = 1023;

    /**
     * Reads walks from a JSON file: {@code {"x": [[symbols…], …], "a": [[actions…], …]}}, or one walk
     * {@code {"x": […], "a": […]}}, for a model that knows {@code symbols} symbols and {@code actions}
     * actions: every id must be below them (and within {@link #MAX_SYMBOL}, {@link #MAX_ACTION}).
     *
     * @param file    the walk file (UTF-8)
     * @param symbols symbol ids must be in {@code [0, symbols)}
     * @param actions action ids must be in {@code [0, actions)}
     * @return the walks, at least one
     * @throws FileFormatException if the file is not such a document (with the line and column)
     * @throws IOException         if it cannot be read
     */
    static List<Walk> read(Path file, int symbols, int actions) throws IOException {
        final LocatedJson json = LocatedJson.parse(Files.readAllBytes(file));
        if (!json.root.isObject()) {
            throw json.fail("", "expected a JSON object with arrays \"x\" (symbols) and \"a\" (actions)");
        }
        final JsonNode x = json.field("x"), a = json.field("a");
        if (!x.isArray() || !a.isArray()) {
            throw json.fail(x.isArray() ? "/a" : "/x", "\"x\" (symbols) and \"a\" (actions) must be arrays");
        }
        final boolean single = x.size() > 0 && !x.get(0).isArray();
        final int count = single ? 1 : x.size();
        if (!single && a.size() != x.size()) {
            throw json.fail("/a", "\"x\" has " + x.size() + " walks but \"a\" has " + a.size());
        }
        final List<Walk> out = new ArrayList<>();
        for (int w = 0; w < count; w++) {
            final String xp = single ? "/x" : "/x/" + w, ap = single ? "/a" : "/a/" + w;
            final int[] xs = ids(json, single ? x : x.get(w), xp, Math.min(symbols, MAX_SYMBOL + 1) - 1);
            final int[] as = ids(json, single ? a : a.get(w), ap, Math.min(actions, MAX_ACTION + 1) - 1);
            if (xs.length > 0 && as.length != xs.length - 1 && as.length != xs.length) {
                throw json.fail(ap, ap + " has " + as.length + " actions for " + xs.length
                        + " symbols (expected " + (xs.length - 1) + ", one between consecutive steps)");
            }
            if (xs.length > 0) {
                out.add(new Walk(xs, as));
            }
        }
        if (out.isEmpty()) {
            throw json.fail("/x", "no walks (every walk is empty)");
        }
        return out;
    }

    private static int[] ids(LocatedJson json, JsonNode array, String pointer, int max)
            throws FileFormatException {
        if (array == null || !array.isArray()) {
            throw json.fail(pointer, pointer + " must be an array of integers in [0, " + max + "]");
        }
        final int[] out = new int[array.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = json.integer(array.get(k), pointer + "/" + k, 0, max);
        }
        return out;
    }

}
