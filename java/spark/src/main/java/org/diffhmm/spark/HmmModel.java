package org.diffhmm.spark;

import java.io.IOException;
import java.util.Objects;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;
import scala.Option;

/**
 * The Spark ML model an {@link HmmEstimator} fits (or {@link #of} wraps): {@code transform} adds
 * {@code log_likelihood} and {@code path} to every row ({@link HmmScorer}, with the stage's
 * {@link HmmParams}).
 *
 * <p>Saved the Spark ML way — {@code model.write().save(path)}, {@code HmmModel.load(path)}, or as a
 * stage of a saved {@code PipelineModel} — to a directory at any Hadoop path: Spark's
 * {@code metadata/} (class, uid, params) and {@code model.json}, the model itself, readable by
 * {@code Models.load} and the command line too. A single JSON file: {@link ModelStore}.
 */
public final class HmmModel extends Model<HmmModel> implements HmmParams<HmmModel>, MLWritable {
    private static final long serialVersionUID = 1L;
    /** The model file inside a saved stage's directory. */
    static final String MODEL_FILE = "model.json";
    /** This stage's id (the estimator's). */
    private final String uid;
    /** The trained model as JSON. */
    private final String json;
    /** The shared params. */
    private final HmmParams.Shared shared;

    HmmModel(String uid, String json) {
        this.uid = uid;
        this.json = json;
        this.shared = HmmParams.Shared.of(this);
    }

    /**
     * A transformer for a trained model (from {@link HmmEm}, {@link HmmGradientTrainer},
     * {@link ModelStore#load} or anywhere else), with the default params.
     *
     * @param model a model of any family (copied)
     * @return the stage
     */
    public static HmmModel of(Hmm<?> model) {
        Objects.requireNonNull(model, "model");
        return new HmmModel(Identifiable$.MODULE$.randomUID("hmm"), Models.toJson(model));
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public HmmParams.Shared hmmParams() {
        return shared;
    }

    /**
     * The trained model (a fresh copy each call).
     *
     * @return the model ({@code CategoricalHmm}, {@code GaussianHmm}, {@code CloneHmm}, …)
     */
    public Hmm<?> model() {
        try {
            return Models.fromJson(json);
        } catch (IOException e) {
            throw new IllegalStateException("the fitted model does not read back", e);
        }
    }

    private HmmScorer scorer() {
        return configure(new HmmScorer(model()));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Dataset<Row> transform(Dataset<?> dataset) {
        return scorer().score((Dataset<Row>) dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Kind.inputColumns(schema, Kind.familyOf(json), new RowCodecs.Names($(symbolsCol()), $(actionsCol()), $(observationsCol())));
        return schema.add(new StructField(HmmScorer.LOG_LIKELIHOOD, DataTypes.DoubleType, false, Metadata.empty()))
                .add(new StructField(HmmScorer.PATH, DataTypes.createArrayType(DataTypes.IntegerType, false), false,
                        Metadata.empty()));
    }

    @Override
    public HmmModel copy(ParamMap extra) {
        return copyValues(new HmmModel(uid, json), extra).setParent(parent());
    }

    /**
     * A writer that saves this stage to a directory (see the class comment).
     *
     * @return the writer; {@code .overwrite()} replaces an existing directory
     */
    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /**
     * The reader of saved stages ({@code PipelineModel.load} finds it by this name).
     *
     * @return the reader
     */
    public static MLReader<HmmModel> read() {
        return new Reader();
    }

    /**
     * Loads a stage saved by {@code write().save(path)}.
     *
     * @param path the directory, any Hadoop path
     * @return the stage, with its uid and params
     */
    public static HmmModel load(String path) {
        return read().load(path);
    }

    /** Spark's metadata, then the model file (written whole or not at all, {@link ModelStore}). */
    private static final class Writer extends MLWriter {
        /** The stage written. */
        private final HmmModel stage;

        Writer(HmmModel stage) {
            this.stage = stage;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, sparkSession());
            try {
                ModelStore.save(sparkSession(), stage.model(), path + "/" + MODEL_FILE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("writing " + path + "/" + MODEL_FILE, e);
            }
        }
    }

    /** Reads what {@link Writer} wrote: the uid and params from Spark's metadata, the model from its file. */
    private static final class Reader extends MLReader<HmmModel> {
        @Override
        public HmmModel load(String path) {
            final DefaultParamsReader.Metadata metadata =
                    DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(), HmmModel.class.getName());
            final Hmm<?> model;
            try {
                model = ModelStore.load(sparkSession(), path + "/" + MODEL_FILE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("reading " + path + "/" + MODEL_FILE, e);
            }
            final HmmModel stage = new HmmModel(metadata.uid(), Models.toJson(model));
            metadata.getAndSetParams(stage, Option.empty());
            return stage;
        }
    }
}
