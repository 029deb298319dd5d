package org.diffhmm.spark;

import java.io.IOException;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.GaussianHmm;
import org.diffhmm.models.Models;

/**
 * The Spark ML model an {@link HmmEstimator} fits: {@code transform} adds {@code log_likelihood} and
 * {@code path} to every row ({@link HmmScorer}, the estimator's input columns). {@link #save} and
 * {@link #load} keep it at any Hadoop path through {@link ModelStore} (the model's JSON, readable by
 * {@code Models.load} and the command line too).
 */
public final class HmmModel extends Model<HmmModel> {
    private static final long serialVersionUID = 1L;
    /** This stage's id (the estimator's). */
    private final String uid;
    /** The trained model as JSON. */
    private final String json;
    /** Input column of symbol ids. */
    private final String symbols;
    /** Input column of actions. */
    private final String actions;
    /** Input column of observation vectors. */
    private final String observations;
    /** Column naming rows in errors, or empty. */
    private final String id;
    /** Sequences per native call. */
    private final int batchSize;

    HmmModel(String uid, String json, String symbols, String actions, String observations, String id, int batchSize) {
        this.uid = uid;
        this.json = json;
        this.symbols = symbols;
        this.actions = actions;
        this.observations = observations;
        this.id = id;
        this.batchSize = batchSize;
    }

    @Override
    public String uid() {
        return uid;
    }

    /**
     * The trained model (a fresh copy each call).
     *
     * @return a {@code CategoricalHmm}, {@code GaussianHmm} or {@code CloneHmm}
     */
    public Object model() {
        try {
            return Models.fromJson(json);
        } catch (IOException e) {
            throw new IllegalStateException("the fitted model does not read back", e);
        }
    }

    private HmmScorer scorer() {
        final Object model = model();
        final HmmScorer scorer = model instanceof CategoricalHmm ? new HmmScorer((CategoricalHmm) model)
                : model instanceof GaussianHmm ? new HmmScorer((GaussianHmm) model) : new HmmScorer((CloneHmm) model);
        return scorer.symbolsColumn(symbols).actionsColumn(actions).observationsColumn(observations)
                .idColumn(id.isEmpty() ? null : id).batchSize(batchSize);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Dataset<Row> transform(Dataset<?> dataset) {
        return scorer().score((Dataset<Row>) dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Kind.inputColumns(schema, Kind.familyOf(json), symbols, actions, observations);
        return schema.add(new StructField(HmmScorer.LOG_LIKELIHOOD, DataTypes.DoubleType, false, Metadata.empty()))
                .add(new StructField(HmmScorer.PATH, DataTypes.createArrayType(DataTypes.IntegerType, false), false,
                        Metadata.empty()));
    }

    @Override
    public HmmModel copy(ParamMap extra) {
        return copyValues(new HmmModel(uid, json, symbols, actions, observations, id, batchSize), extra).setParent(parent());
    }

    /**
     * Saves the trained model at a path ({@link ModelStore#save}: complete or not at all).
     *
     * @param spark the session whose Hadoop configuration resolves the path
     * @param path  any Hadoop file system URI, or a local path
     * @throws IOException if the write fails (the path keeps what it held)
     */
    public void save(SparkSession spark, String path) throws IOException {
        ModelStore.save(spark, model(), path);
    }

    /**
     * Loads a model saved by {@link #save} (or {@code Models.save}) as a transformer with the default
     * input columns ({@code symbols}, {@code actions}, {@code observations}; no id column).
     *
     * @param spark the session whose Hadoop configuration resolves the path
     * @param path  the file
     * @return the model
     * @throws IOException if the file cannot be read or is not a diffhmm model
     */
    public static HmmModel load(SparkSession spark, String path) throws IOException {
        final Object model = ModelStore.load(spark, path);
        return new HmmModel(org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID("hmm"), Models.toJson(model), "symbols",
                "actions", "observations", "", 256);
    }
}
