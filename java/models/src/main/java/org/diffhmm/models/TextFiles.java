package org.diffhmm.models;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading the text files of models and data: UTF-8 only, with the place of the first byte that is not. */
public final class TextFiles {
    private TextFiles() {}

    /**
     * Reads a whole file as UTF-8 text.
     *
     * @param file the file
     * @return its text
     * @throws FileFormatException if a byte sequence is not UTF-8 (a binary file, another encoding):
     *                             its line and column are named
     * @throws NoSuchFileException if the file does not exist
     * @throws IOException         if it cannot be read
     */
    public static String readUtf8(Path file) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        requireUtf8(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Checks that bytes are UTF-8 text, decoding them in blocks (memory: one block, whatever the size).
     *
     * @param bytes the bytes of a file
     * @throws FileFormatException if a byte sequence is not UTF-8: its line and column are named
     */
    static void requireUtf8(byte[] bytes) throws FileFormatException {
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        final CharBuffer out = CharBuffer.allocate(1 << 16);
        int line = 1, column = 1;
        while (true) {
            final CoderResult result = decoder.decode(in, out, true);
            // Place what decoded so far: lines and characters.
            out.flip();
            for (int k = 0; k < out.length(); k++) {
                if (out.charAt(k) == '\n') {
                    line++;
                    column = 1;
                } else {
                    column++;
                }
            }
            out.clear();
            if (result.isError()) {
                throw new FileFormatException(line, column, String.format("byte 0x%02x (offset %d) is not UTF-8 text%s",
                        bytes[in.position()] & 0xff, in.position(), bytes.length > 0 && looksBinary(bytes) ? " (a binary file?)" : ""));
            }
            if (result.isUnderflow()) {
                return;
            }
        }
    }

    private static boolean looksBinary(byte[] bytes) {
        for (int k = 0; k < Math.min(bytes.length, 4096); k++) {
            if (bytes[k] == 0) {
                return true;
            }
        }
        return false;
    }
}
