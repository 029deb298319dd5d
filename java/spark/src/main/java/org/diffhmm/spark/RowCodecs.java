package org.diffhmm.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import org.diffhmm.models.PoissonHmm;

/**
 * How each model family's sequences sit in Spark rows, registered once under the family's tag
 * ({@link Models#type}): which input columns it reads (checked to exist with the right types) and how
 * a row becomes one sequence (checked, errors naming the row and step). A new family is one entry here.
 */
final class RowCodecs {
    /** The names of the input columns a family may read (set on {@link SequenceColumns}). */
    record Names(String symbols, String actions, String observations) implements Serializable {}

    /** One family's rows. */
    interface RowCodec<S> {
        /** The indices of the input columns, checked to exist with the right types. */
        int[] columns(StructType schema, Names names);

        /** A row's sequence for {@code model}; {@code where} names the row in errors. */
        S read(Hmm<S> model, Row row, int[] columns, String where);
    }

    private static final DataType INTS = DataTypes.createArrayType(DataTypes.IntegerType);
    private static final DataType VECTORS = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.DoubleType));
    private static final DataType COUNTS = DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.IntegerType));

    private static final Map<String, RowCodec<?>> BY_TAG = new LinkedHashMap<>();

    static {
        BY_TAG.put("categorical", new RowCodec<int[]>() {
            public int[] columns(StructType schema, Names names) {
                return new int[] {Kind.column(schema, names.symbols(), INTS)};
            }

            public int[] read(Hmm<int[]> model, Row row, int[] columns, String where) {
                return ids(row, columns[0], ((CategoricalHmm) model).symbols(), where, "symbols");
            }
        });
        BY_TAG.put("gaussian", new RowCodec<double[][]>() {
            public int[] columns(StructType schema, Names names) {
                return new int[] {Kind.column(schema, names.observations(), VECTORS)};
            }

            public double[][] read(Hmm<double[][]> model, Row row, int[] columns, String where) {
                return vectors(row, columns[0], ((GaussianHmm) model).dims(), where);
            }
        });
        BY_TAG.put("clone", new RowCodec<CloneHmm.Walk>() {
            public int[] columns(StructType schema, Names names) {
                return new int[] {Kind.column(schema, names.symbols(), INTS), Kind.column(schema, names.actions(), INTS)};
            }

            public CloneHmm.Walk read(Hmm<CloneHmm.Walk> model, Row row, int[] columns, String where) {
                final CloneHmm hmm = (CloneHmm) model;
                final int[] x = ids(row, columns[0], hmm.symbols(), where, "symbols");
                final int[] a = ids(row, columns[1], hmm.actions(), where, "actions");
                if (x.length > 0 && a.length != x.length - 1 && a.length != x.length) {
                    throw new IllegalArgumentException(where + ": " + a.length + " actions for " + x.length
                            + " symbols (expected " + (x.length - 1) + ")");
                }
                return new CloneHmm.Walk(x, a);
            }
        });
    }

    static {
        BY_TAG.put("poisson", new RowCodec<int[][]>() {
            public int[] columns(StructType schema, Names names) {
                return new int[] {Kind.column(schema, names.observations(), COUNTS)};
            }

            public int[][] read(Hmm<int[][]> model, Row row, int[] columns, String where) {
                return counts(row, columns[0], ((PoissonHmm) model).dims(), where);
            }
        });
    }

    private RowCodecs() {}

    /** An {@code array<array<int>>} cell as {@code [T][dims]} counts ≥ 0; null becomes empty. */
    private static int[][] counts(Row row, int at, int dims, String where) {
        final List<List<Object>> steps = steps(row, at, dims, where, "counts");
        final int[][] x = new int[steps.size()][dims];
        for (int t = 0; t < x.length; t++) {
            for (int d = 0; d < dims; d++) {
                final Object e = steps.get(t).get(d);
                if (!(e instanceof Integer) || (Integer) e < 0) {
                    throw new IllegalArgumentException(where + ": observations[" + t + "][" + d + "] = " + e
                            + " (expected a count >= 0)");
                }
                x[t][d] = (Integer) e;
            }
        }
        return x;
    }

    /**
     * The steps of a nested array cell, each checked to hold {@code dims} entries ({@code unit} names
     * them in the message); null becomes no steps.
     */
    private static List<List<Object>> steps(Row row, int at, int dims, String where, String unit) {
        if (row.isNullAt(at)) {
            return List.of();
        }
        final List<Object> cells = row.getList(at);
        final List<List<Object>> steps = new java.util.ArrayList<>(cells.size());
        for (int t = 0; t < cells.size(); t++) {
            final List<Object> v = asList(cells.get(t));
            if (v == null || v.size() != dims) {
                throw new IllegalArgumentException(where + ": observations[" + t + "] has "
                        + (v == null ? "no" : String.valueOf(v.size())) + " " + unit + ", the model takes " + dims);
            }
            steps.add(v);
        }
        return steps;
    }

    /** The codec of a family tag. */
    static RowCodec<?> of(String tag) {
        final RowCodec<?> codec = BY_TAG.get(tag);
        if (codec == null) {
            throw new IllegalArgumentException("no Spark row reader for model family \"" + tag + "\" (known: "
                    + BY_TAG.keySet() + ")");
        }
        return codec;
    }

    /** The codec of a model's family, typed for its sequences. */
    @SuppressWarnings("unchecked")
    static <S> RowCodec<S> of(Hmm<S> model) {
        return (RowCodec<S>) of(Models.type(model));
    }

    /** An {@code array<int>} cell as ids in {@code [0, bound)}; null becomes empty. */
    private static int[] ids(Row row, int at, int bound, String where, String name) {
        if (row.isNullAt(at)) {
            return new int[0];
        }
        final List<Object> values = row.getList(at);
        final int[] x = new int[values.size()];
        for (int t = 0; t < x.length; t++) {
            final Object v = values.get(t);
            if (v == null || (Integer) v < 0 || (Integer) v >= bound) {
                throw new IllegalArgumentException(where + ": " + name + "[" + t + "] = " + v + " is not one of the model's "
                        + name + " (ids 0.." + (bound - 1) + ")");
            }
            x[t] = (Integer) v;
        }
        return x;
    }

    /** An {@code array<array<double>>} cell as {@code [T][dims]} finite values; null becomes empty. */
    private static double[][] vectors(Row row, int at, int dims, String where) {
        final List<List<Object>> steps = steps(row, at, dims, where, "values");
        final double[][] x = new double[steps.size()][dims];
        for (int t = 0; t < x.length; t++) {
            for (int d = 0; d < dims; d++) {
                final Object e = steps.get(t).get(d);
                if (!(e instanceof Double) || !Double.isFinite((Double) e)) {
                    throw new IllegalArgumentException(where + ": observations[" + t + "][" + d + "] = " + e
                            + " (expected a finite number)");
                }
                x[t][d] = (Double) e;
            }
        }
        return x;
    }

    /** A nested array cell as a Java list (Spark hands inner arrays over as Scala sequences). */
    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object cell) {
        if (cell == null) {
            return null;
        }
        if (cell instanceof List) {
            return (List<Object>) cell;
        }
        return scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<Object>) cell);
    }
}
