package org.diffhmm.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saving and loading models as JSON: {@code {"format": "diffhmm-model", "version": 1, "type":
 * "categorical" | "gaussian" | "clone", ...parameters}}. Non-finite logits (structural zeros) are
 * written as the strings "-Infinity". Files are written to a temporary file beside the target and
 * moved into place atomically, so a failed save never leaves half a file and concurrent saves to one
 * path each leave a complete file (the last move wins). A replaced file keeps its permissions; a new
 * one gets the process's default (0666 less the umask). Thread-safe.
 */
public final class Models {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Models() {}

    /**
     * A model as JSON text.
     *
     * @param model a model of a registered family ({@link Hmm}: {@link CategoricalHmm}, {@link GaussianHmm}, {@link CloneHmm})
     * @return the JSON document
     * @throws IllegalArgumentException if {@code model} is not one of those
     */
    public static String toJson(Object model) {
        if (!(model instanceof Hmm)) {
            throw new IllegalArgumentException("not a diffhmm model: " + model);
        }
        final Hmm<?> hmm = (Hmm<?>) model;
        final ObjectNode root = JSON.createObjectNode();
        root.put("format", "diffhmm-model");
        root.put("version", 1);
        root.put("type", Families.of(hmm).tag());
        hmm.write(root);
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Saves a model as JSON, atomically. Replacing a file keeps its POSIX permissions (a model served
     * by another user stays readable to it); a new file gets the permissions of any new file of the
     * process (0666 less the umask).
     *
     * @param model a model of a registered family ({@link Hmm}: {@link CategoricalHmm}, {@link GaussianHmm}, {@link CloneHmm})
     * @param file  where to write it (replaced if it exists)
     * @throws IOException              if the file cannot be written
     * @throws IllegalArgumentException if {@code model} is not one of those
     */
    public static void save(Object model, Path file) throws IOException {
        final String json = toJson(model);
        final Path target = file.toAbsolutePath();
        final Path tmp = newSibling(target);
        try {
            Files.writeString(tmp, json);
            keepPermissions(target, tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final java.security.SecureRandom NAMES = new java.security.SecureRandom();

    /**
     * A new empty file beside {@code target} with a name of its own. Created without attributes, it
     * gets the permissions every new file of the process gets (0666 less the umask) — not the
     * owner-only 0600 of {@code Files.createTempFile}, which would make every saved model unreadable
     * to a serving process running as another user.
     */
    private static Path newSibling(Path target) throws IOException {
        for (int attempt = 0; ; attempt++) {
            final Path candidate = target.resolveSibling("." + target.getFileName() + "."
                    + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt >= 16) {
                    throw e;
                }
            }
        }
    }

    /** A replaced file's POSIX permissions carry over to its replacement (where the file system has them). */
    private static void keepPermissions(Path target, Path replacement) throws IOException {
        if (!Files.exists(target) || Files.getFileAttributeView(replacement, java.nio.file.attribute.PosixFileAttributeView.class) == null) {
            return;
        }
        Files.setPosixFilePermissions(replacement, Files.getPosixFilePermissions(target));
    }

    /**
     * Loads a model saved by {@link #save}, checked as {@link #fromJson} does.
     *
     * @param file a JSON model file
     * @return the model ({@link CategoricalHmm}, {@link GaussianHmm}, {@link CloneHmm}, …)
     * @throws FileFormatException if the file is not a valid model (with the line and column)
     * @throws IOException         if the file cannot be read
     */
    public static Hmm<?> load(Path file) throws IOException {
        return read(LocatedJson.parse(Files.readAllBytes(file)));
    }

    /**
     * Loads a model of a given family.
     *
     * @param <M>  the family's class
     * @param file a JSON model file
     * @param type the family expected, e.g. {@code GaussianHmm.class}
     * @return the model
     * @throws FileFormatException if the file is not a valid model, or holds another family (the
     *                             message names both)
     * @throws IOException         if the file cannot be read
     */
    public static <M extends Hmm<?>> M load(Path file, Class<M> type) throws IOException {
        java.util.Objects.requireNonNull(type, "type");
        final Hmm<?> model = load(file);
        if (!type.isInstance(model)) {
            throw new FileFormatException(0, 0, "the file holds a " + Families.of(model).tag() + " model ("
                    + model.getClass().getSimpleName() + "), not a " + type.getSimpleName());
        }
        return type.cast(model);
    }

    /**
     * Reads a model from JSON text, checking every field: the format and version, the type, sizes
     * within bounds and consistent with each other, every parameter a finite number (logits may also
     * be the string {@code "-Infinity"}, a structural zero), no duplicate keys.
     *
     * @param text a document written by {@link #toJson}
     * @return the model ({@link CategoricalHmm}, {@link GaussianHmm}, {@link CloneHmm}, …)
     * @throws FileFormatException if the text is not a valid model; the exception names the line and
     *                             column and what is wrong
     */
    public static Hmm<?> fromJson(String text) throws FileFormatException {
        return read(LocatedJson.parse(text));
    }

    private static Hmm<?> read(LocatedJson json) throws FileFormatException {
        if (!json.root.isObject()) {
            throw json.fail("", "expected a JSON object (a diffhmm model file)");
        }
        final JsonNode format = json.root.get("format");
        if (format == null || !"diffhmm-model".equals(format.asText())) {
            throw json.fail("/format", "not a diffhmm model file (expected \"format\": \"diffhmm-model\")");
        }
        final JsonNode version = json.field("version");
        if (!version.isIntegralNumber() || version.asLong() != VERSION) {
            throw json.fail("/version", "model file version " + version + " is not supported (this diffhmm reads version "
                    + VERSION + ")");
        }
        final JsonNode type = json.field("type");
        final Families.Family<?> family = Families.of(type.asText());
        if (family == null) {
            throw json.fail("/type", "unknown model type " + type + " (expected " + Families.tags() + ")");
        }
        try {
            return family.reader().read(json);
        } catch (IllegalArgumentException e) {  // a constraint of the model's own constructor
            throw json.fail("", e.getMessage());
        }
    }

    /**
     * The family tag of a model: the {@code "type"} of its file ({@code "categorical"},
     * {@code "gaussian"}, {@code "clone"}), which the other modules key their per-family parts on.
     *
     * @param model a model
     * @return its family's tag
     * @throws IllegalArgumentException if its class is not a registered family
     */
    public static String type(Hmm<?> model) {
        return Families.of(java.util.Objects.requireNonNull(model, "model")).tag();
    }

    /** The model file version this code writes and reads. */
    private static final int VERSION = 1;
}
