package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffhmm.internal.DiffhmmNative;
import org.junit.jupiter.api.Test;

/**
 * The JavaCPP binding mirrors the C header 1:1: every function {@code diffhmm.h} declares has Java
 * overloads of the same name and arity, and the binding declares nothing the header does not.
 */
class BindingTest {
    private static final Pattern DECLARATION = Pattern.compile("DIFFHMM_API\\s+[^;(]*?\\b(diffhmm_\\w+)\\s*\\(([^)]*)\\)\\s*;",
            Pattern.DOTALL);

    @Test
    void theBindingDeclaresExactlyTheHeadersFunctions() throws IOException {
        final String header = Files.readString(Path.of("../../native/include/diffhmm/diffhmm.h"));
        final Map<String, Integer> c = new TreeMap<>();
        final Matcher m = DECLARATION.matcher(header.replaceAll("/\\*.*?\\*/", " "));
        while (m.find()) {
            final String params = m.group(2).trim();
            c.put(m.group(1), params.isEmpty() || params.equals("void") ? 0 : params.split(",").length);
        }
        assertTrue(c.size() >= 20, "read " + c.size() + " declarations from the header: " + c.keySet());

        final Map<String, List<Integer>> java = new TreeMap<>();
        for (Method method : DiffhmmNative.class.getDeclaredMethods()) {
            if (Modifier.isNative(method.getModifiers()) && method.getName().startsWith("diffhmm_")) {
                java.computeIfAbsent(method.getName(), k -> new ArrayList<>()).add(method.getParameterCount());
            }
        }
        assertEquals(c.keySet(), java.keySet(), "functions of diffhmm.h vs native methods of DiffhmmNative");
        for (Map.Entry<String, List<Integer>> e : java.entrySet()) {
            for (int arity : e.getValue()) {
                assertEquals(c.get(e.getKey()), arity, e.getKey() + ": an overload's parameter count differs from C");
            }
        }
    }
}
