package org.diffhmm.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
     * @param model a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
     * @return the JSON document
     * @throws IllegalArgumentException if {@code model} is not one of those
     */
    public static String toJson(Object model) {
        final ObjectNode root = JSON.createObjectNode();
        root.put("format", "diffhmm-model");
        root.put("version", 1);
        if (model instanceof CategoricalHmm || model instanceof GaussianHmm) {
            final EmissionHmm<?> hmm = (EmissionHmm<?>) model;
            root.put("type", model instanceof CategoricalHmm ? "categorical" : "gaussian");
            root.put("states", hmm.states());
            array(root.putArray("initLogits"), hmm.chain().initLogits);
            array(root.putArray("transLogits"), hmm.chain().transLogits);
            hmm.writeEmissions(root);
        } else if (model instanceof CloneHmm) {
            root.put("type", "clone");
            ((CloneHmm) model).write(root);
        } else {
            throw new IllegalArgumentException("not a diffhmm model: " + model);
        }
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
     * @param model a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
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
     * @return a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
     * @throws FileFormatException if the file is not a valid model (with the line and column)
     * @throws IOException         if the file cannot be read
     */
    public static Object load(Path file) throws IOException {
        return read(LocatedJson.parse(Files.readAllBytes(file)));
    }

    /**
     * Reads a model from JSON text, checking every field: the format and version, the type, sizes
     * within bounds and consistent with each other, every parameter a finite number (logits may also
     * be the string {@code "-Infinity"}, a structural zero), no duplicate keys.
     *
     * @param text a document written by {@link #toJson}
     * @return a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
     * @throws FileFormatException if the text is not a valid model; the exception names the line and
     *                             column and what is wrong
     */
    public static Object fromJson(String text) throws FileFormatException {
        return read(LocatedJson.parse(text));
    }

    private static Object read(LocatedJson json) throws FileFormatException {
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
        try {
            switch (type.asText()) {
                case "categorical": {
                    final Chain chain = chain(json);
                    final int symbols = json.integer(json.field("symbols"), "/symbols", 1, MAX_ENTRIES / chain.states());
                    return new CategoricalHmm(chain, symbols, json.numbers("emissionLogits", (long) chain.states() * symbols, true));
                }
                case "gaussian": {
                    final Chain chain = chain(json);
                    final int dims = json.integer(json.field("dims"), "/dims", 1, MAX_ENTRIES / chain.states());
                    final long n = (long) chain.states() * dims;
                    return new GaussianHmm(chain, dims, json.numbers("means", n, false),
                            json.numbers("logStds", n, -GaussianHmm.MAX_ABS_LOG_STD, GaussianHmm.MAX_ABS_LOG_STD));
                }
                case "clone": {
                    final JsonNode c = json.field("clones");
                    if (!c.isArray() || c.size() < 1) {
                        throw json.fail("/clones", "/clones must be a non-empty array of clone counts");
                    }
                    final int[] clones = new int[c.size()];
                    long states = 0;
                    for (int k = 0; k < clones.length; k++) {
                        clones[k] = json.integer(c.get(k), "/clones/" + k, 1, MAX_STATES);
                        states += clones[k];
                    }
                    if (states > MAX_STATES) {
                        throw json.fail("/clones", "the clones add up to " + states + " states, more than " + MAX_STATES);
                    }
                    final int actions = json.integer(json.field("actions"), "/actions", 1, MAX_ENTRIES / (states * states));
                    final double pseudocount = json.number(json.field("pseudocount"), "/pseudocount", false);
                    if (pseudocount < 0) {
                        throw json.fail("/pseudocount", "/pseudocount = " + pseudocount + " (expected >= 0)");
                    }
                    return new CloneHmm(clones, actions, json.numbers("logits", actions * states * states, true), pseudocount);
                }
                default:
                    throw json.fail("/type", "unknown model type " + type + " (expected \"categorical\", \"gaussian\" or \"clone\")");
            }
        } catch (IllegalArgumentException e) {  // a constraint of the model's own constructor
            throw json.fail("", e.getMessage());
        }
    }

    /** The model file version this code writes and reads. */
    private static final int VERSION = 1;
    /** The models' own bounds ({@link Limits}): a file holds nothing its model could not. */
    private static final long MAX_ENTRIES = Limits.MAX_TABLE, MAX_STATES = Limits.MAX_STATES;

    private static Chain chain(LocatedJson json) throws FileFormatException {
        final int states = json.integer(json.field("states"), "/states", 1, MAX_STATES);
        return new Chain(states, json.numbers("initLogits", states, true),
                json.numbers("transLogits", (long) states * states, true));
    }

    private static void array(ArrayNode node, double[] values) {
        for (double v : values) {
            node.add(v);
        }
    }

}
