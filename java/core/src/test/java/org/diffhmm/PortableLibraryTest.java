package org.diffhmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.diffhmm.internal.DiffhmmNative;
import org.junit.jupiter.api.Test;

/**
 * The bundled native libraries load with nothing but a JVM on glibc >= 2.28 (RHEL 8, Ubuntu 20.04):
 * reads the ELF of every library bundled for linux-x86_64 — the symbol versions it needs
 * (.gnu.version_r) and the libraries it needs (DT_NEEDED) — and fails on anything newer than the
 * baseline or outside the base system. cmake/GlibcBaseline.cmake is what keeps them there.
 */
class PortableLibraryTest {
    /** Newest version of each versioned library the bundled code may need (RHEL 8: glibc 2.28, gcc 8). */
    private static final Map<String, String> BASELINE = Map.of("GLIBC", "2.28", "GCC", "7.0.0", "GLIBCXX", "3.4.25",
            "CXXABI", "1.3.11");
    /** Libraries every glibc system has, and our own. No libstdc++ (linked in), no CUDA (static runtime). */
    private static final Set<String> SYSTEM = Set.of("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0",
            "librt.so.1", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libdiffhmm.so");

    @Test
    void everyBundledLibraryNeedsNothingNewerThanTheBaseline() throws IOException {
        final List<Path> libraries = bundledLibraries();
        assertTrue(libraries.stream().anyMatch(p -> p.getFileName().toString().equals("libdiffhmm.so")), libraries::toString);
        assertTrue(libraries.stream().anyMatch(p -> p.getFileName().toString().startsWith("libjni")), libraries::toString);
        final List<String> problems = new ArrayList<>();
        for (Path library : libraries) {
            final Elf elf = Elf.read(library);
            for (Map.Entry<String, List<String>> need : elf.versionNeeds.entrySet()) {
                for (String version : need.getValue()) {
                    final int cut = version.indexOf('_');
                    final String family = cut < 0 ? version : version.substring(0, cut);
                    final String limit = BASELINE.get(family);
                    if (limit != null && compare(version.substring(cut + 1), limit) > 0) {
                        problems.add(library.getFileName() + " needs " + version + " from " + need.getKey()
                                + " (baseline " + family + "_" + limit + ")");
                    }
                }
            }
            for (String needed : elf.needed) {
                if (!SYSTEM.contains(needed)) {
                    problems.add(library.getFileName() + " needs " + needed + ", which a bare system may not have");
                }
            }
        }
        assertEquals(List.of(), problems, "bundled native libraries must load on glibc 2.28 with only a JVM installed");
    }

    @Test
    void theReaderSeesTheVersionsItChecks() throws IOException {
        // Guards the test above against a reader that finds nothing: libdiffhmm.so certainly needs
        // some glibc version and names libc.so.6.
        final Elf elf = Elf.read(bundledLibraries().stream()
                .filter(p -> p.getFileName().toString().equals("libdiffhmm.so")).findFirst().orElseThrow());
        assertTrue(elf.needed.contains("libc.so.6"), elf.needed::toString);
        assertFalse(elf.versionNeeds.getOrDefault("libc.so.6", List.of()).isEmpty(), elf.versionNeeds::toString);
        assertTrue(elf.versionNeeds.get("libc.so.6").contains("GLIBC_2.2.5"), elf.versionNeeds::toString);
    }

    static List<Path> bundledLibraries() throws IOException {
        final Path classes;
        try {
            classes = Path.of(DiffhmmNative.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        final Path dir = classes.resolve("org/diffhmm/internal/linux-x86_64");
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".so")).sorted().collect(Collectors.toList());
        }
    }

    /** Dotted version order: 2.2.5 < 2.14 < 2.28. */
    static int compare(String a, String b) {
        final String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            final int u = i < x.length ? Integer.parseInt(x[i]) : 0, v = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (u != v) {
                return Integer.compare(u, v);
            }
        }
        return 0;
    }

    /** The two dynamic-linking facts of a 64-bit little-endian ELF shared library. */
    static final class Elf {
        private static final int SHT_DYNAMIC = 6, SHT_GNU_VERNEED = 0x6ffffffe;
        private static final long DT_NULL = 0, DT_NEEDED = 1;
        final Map<String, List<String>> versionNeeds = new TreeMap<>();
        final List<String> needed = new ArrayList<>();

        static Elf read(Path file) throws IOException {
            final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x464c457f, b.getInt(0), file + " is not an ELF file");
            assertEquals(2, b.get(4), file + " is not a 64-bit ELF file");
            final Elf elf = new Elf();
            final long shoff = b.getLong(0x28);
            final int shentsize = Short.toUnsignedInt(b.getShort(0x3A)), shnum = Short.toUnsignedInt(b.getShort(0x3C));
            for (int s = 0; s < shnum; s++) {
                final int h = (int) (shoff + (long) s * shentsize);
                final int type = b.getInt(h + 4);
                final int offset = (int) b.getLong(h + 0x18), size = (int) b.getLong(h + 0x20);
                final int link = b.getInt(h + 0x28), info = b.getInt(h + 0x2C);
                final int strings = (int) b.getLong((int) (shoff + (long) link * shentsize) + 0x18);
                if (type == SHT_GNU_VERNEED) {
                    int need = offset;
                    for (int n = 0; n < info; n++) {
                        final int count = Short.toUnsignedInt(b.getShort(need + 2));
                        final String from = string(b, strings + b.getInt(need + 4));
                        final List<String> versions = elf.versionNeeds.computeIfAbsent(from, k -> new ArrayList<>());
                        int aux = need + b.getInt(need + 8);
                        for (int a = 0; a < count; a++) {
                            versions.add(string(b, strings + b.getInt(aux + 8)));
                            aux += b.getInt(aux + 12);
                        }
                        need += b.getInt(need + 12);
                    }
                } else if (type == SHT_DYNAMIC) {
                    for (int e = offset; e + 16 <= offset + size; e += 16) {
                        final long tag = b.getLong(e);
                        if (tag == DT_NULL) {
                            break;
                        }
                        if (tag == DT_NEEDED) {
                            elf.needed.add(string(b, strings + (int) b.getLong(e + 8)));
                        }
                    }
                }
            }
            return elf;
        }

        private static String string(ByteBuffer b, int at) {
            int end = at;
            while (b.get(end) != 0) {
                end++;
            }
            final byte[] bytes = new byte[end - at];
            b.get(at, bytes);
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }
}
