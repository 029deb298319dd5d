package org.diffhmm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The English text bundled with the command line (public-domain U.S. documents,
 * {@code org/diffhmm/data/english.txt}, licence beside it): the data of {@code diffhmm train} without a
 * file and of the text example. Letters a–z and space are its 27 symbols.
 */
public final class BundledText {
    /** The symbols, in id order: {@code ALPHABET.charAt(id)}. */
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

    private BundledText() {}

    /**
     * The text as sequences of symbol ids, one per paragraph; letters are lower-cased and every run
     * of other characters becomes one space.
     *
     * @return the paragraphs, each a non-empty array of ids in {@code [0, 27)}
     */
    public static List<int[]> corpus() {
        final String text;
        try (InputStream in = BundledText.class.getResourceAsStream("/org/diffhmm/data/english.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final List<int[]> paragraphs = new ArrayList<>();
        for (String paragraph : text.split("\n\\s*\n")) {
            final String clean = paragraph.toLowerCase().replaceAll("[^a-z]+", " ").trim();
            if (clean.isEmpty()) {
                continue;
            }
            final int[] x = new int[clean.length()];
            for (int t = 0; t < x.length; t++) {
                x[t] = ALPHABET.indexOf(clean.charAt(t));
            }
            paragraphs.add(x);
        }
        return paragraphs;
    }
}
