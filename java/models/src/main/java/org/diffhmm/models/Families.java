package org.diffhmm.models;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model families, each registered once: its JSON tag ({@code "type"} in a model file), its
 * class, and how a model file's fields become a model (writing is the model's own
 * {@code write(ObjectNode)}). The other modules key their own per-family parts — Spark's row
 * readers, the command line's file readers — on the same tag ({@link Models#type}).
 */
final class Families {
    /** A family's codec: reads the type-specific fields of a checked model file. */
    interface Reader<M extends Hmm<?>> {
        M read(LocatedJson json) throws FileFormatException;
    }

    /** One family: its tag, its class, its reader. */
    record Family<M extends Hmm<?>>(String tag, Class<M> type, Reader<M> reader) {}

    /** Every family, in the order messages list them. A new family is one line here. */
    private static final List<Family<?>> ALL = List.of(
            new Family<>("categorical", CategoricalHmm.class, CategoricalHmm::read),
            new Family<>("gaussian", GaussianHmm.class, GaussianHmm::read),
            new Family<>("clone", CloneHmm.class, CloneHmm::read),
            new Family<>("poisson", PoissonHmm.class, PoissonHmm::read));

    private static final Map<String, Family<?>> BY_TAG = new LinkedHashMap<>();
    private static final Map<Class<?>, Family<?>> BY_CLASS = new HashMap<>();

    static {
        for (Family<?> f : ALL) {
            BY_TAG.put(f.tag(), f);
            BY_CLASS.put(f.type(), f);
        }
    }

    private Families() {}

    /** The family of a model (its exact class). */
    static Family<?> of(Hmm<?> model) {
        final Family<?> f = BY_CLASS.get(model.getClass());
        if (f == null) {
            throw new IllegalArgumentException("not a registered diffhmm model family: " + model.getClass().getName());
        }
        return f;
    }

    /** The family of a tag, or null. */
    static Family<?> of(String tag) {
        return BY_TAG.get(tag);
    }

    /** The tags, quoted, for messages: {@code "categorical", "gaussian" or "clone"}. */
    static String tags() {
        final StringBuilder s = new StringBuilder();
        int k = 0;
        for (String tag : BY_TAG.keySet()) {
            s.append(k == 0 ? "" : k == BY_TAG.size() - 1 ? " or " : ", ").append('"').append(tag).append('"');
            k++;
        }
        return s.toString();
    }
}
