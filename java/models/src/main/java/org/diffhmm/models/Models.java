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
 * path each leave a complete file (the last move wins). Thread-safe.
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
     * Saves a model as JSON, atomically.
     *
     * @param model a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
     * @param file  where to write it (replaced if it exists)
     * @throws IOException              if the file cannot be written
     * @throws IllegalArgumentException if {@code model} is not one of those
     */
    public static void save(Object model, Path file) throws IOException {
        final String json = toJson(model);
        final Path target = file.toAbsolutePath();
        final Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, json);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Loads a model saved by {@link #save}.
     *
     * @param file a JSON model file
     * @return a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
     * @throws IOException if the file cannot be read or is not a valid model (the message says why)
     */
    public static Object load(Path file) throws IOException {
        return fromJson(Files.readString(file));
    }

    /**
     * Reads a model from JSON text.
     *
     * @param text a document written by {@link #toJson}
     * @return a {@link CategoricalHmm}, {@link GaussianHmm} or {@link CloneHmm}
     * @throws IOException if the text is not a valid model (the message says why)
     */
    public static Object fromJson(String text) throws IOException {
        final JsonNode root = JSON.readTree(text);
        if (!"diffhmm-model".equals(root.path("format").asText())) {
            throw new IOException("not a diffhmm model file (missing \"format\": \"diffhmm-model\")");
        }
        final String type = root.path("type").asText();
        switch (type) {
            case "categorical": {
                final Chain chain = chain(root);
                return new CategoricalHmm(chain, root.path("symbols").asInt(), doubles(root, "emissionLogits"));
            }
            case "gaussian": {
                final Chain chain = chain(root);
                return new GaussianHmm(chain, root.path("dims").asInt(), doubles(root, "means"), doubles(root, "logStds"));
            }
            case "clone": {
                final JsonNode c = root.path("clones");
                final int[] clones = new int[c.size()];
                for (int k = 0; k < clones.length; k++) {
                    clones[k] = c.get(k).asInt();
                }
                return new CloneHmm(clones, root.path("actions").asInt(), doubles(root, "logits"),
                        root.path("pseudocount").asDouble());
            }
            default:
                throw new IOException("unknown model type \"" + type + "\"");
        }
    }

    private static Chain chain(JsonNode root) throws IOException {
        return new Chain(root.path("states").asInt(), doubles(root, "initLogits"), doubles(root, "transLogits"));
    }

    private static void array(ArrayNode node, double[] values) {
        for (double v : values) {
            node.add(v);
        }
    }

    private static double[] doubles(JsonNode root, String field) throws IOException {
        final JsonNode a = root.path(field);
        if (!a.isArray()) {
            throw new IOException("field \"" + field + "\" is missing or not an array");
        }
        final double[] out = new double[a.size()];
        for (int k = 0; k < out.length; k++) {
            final JsonNode v = a.get(k);
            out[k] = v.isTextual() ? Double.parseDouble(v.asText()) : v.asDouble();
        }
        return out;
    }
}
