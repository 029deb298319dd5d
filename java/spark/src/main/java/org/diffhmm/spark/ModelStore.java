package org.diffhmm.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.diffhmm.models.FileFormatException;
import org.diffhmm.models.Hmm;
import org.diffhmm.models.Models;

/**
 * Saves and loads trained models (their JSON, as {@link Models} writes it) at any path the Spark
 * session's Hadoop configuration can reach: a local path, {@code file:}, {@code hdfs:}, {@code s3a:}
 * and so on. A save writes a hidden temporary file beside the target and renames it into place only
 * once it is complete, so a failed save (or a job that fails before it) never leaves a partial model
 * at the path.
 *
 * <pre>{@code
 * new HmmEm(chmm).fit(walks);
 * ModelStore.save(spark, chmm, "hdfs:///models/room.json");
 * CloneHmm again = (CloneHmm) ModelStore.load(spark, "hdfs:///models/room.json");
 * }</pre>
 */
public final class ModelStore {
    private ModelStore() {}

    /**
     * Writes a model to a path, replacing what is there only once the new file is complete.
     *
     * @param spark the session whose Hadoop configuration resolves the path
     * @param model a {@code CategoricalHmm}, {@code GaussianHmm} or {@code CloneHmm}
     * @param path  where to write it (any Hadoop file system URI, or a local path)
     * @throws IOException              if the file system refuses the write or the rename; the path
     *                                  then holds what it held before
     * @throws IllegalArgumentException if the model is not one diffhmm can save
     */
    public static void save(SparkSession spark, Object model, String path) throws IOException {
        Objects.requireNonNull(model, "model");
        final byte[] json = Models.toJson(model).getBytes(StandardCharsets.UTF_8);
        final Path target = new Path(Objects.requireNonNull(path, "path"));
        final FileSystem fs = target.getFileSystem(configuration(spark));
        final Path parent = target.getParent();
        if (parent != null) {
            fs.mkdirs(parent);
        }
        final Path temporary = new Path(parent, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (OutputStream out = fs.create(temporary, false)) {
                out.write(json);
            }
            if (fs.exists(target) && !fs.delete(target, false)) {
                throw new IOException("cannot replace " + target + " (the file system refused to delete it)");
            }
            if (!fs.rename(temporary, target)) {
                throw new IOException("cannot move the saved model into place at " + target);
            }
        } finally {
            fs.delete(temporary, false);  // gone already after a successful rename
        }
    }

    /**
     * Reads a model a {@link #save} (or {@code Models.save}) wrote.
     *
     * @param spark the session whose Hadoop configuration resolves the path
     * @param path  the file
     * @return the model ({@code CategoricalHmm}, {@code GaussianHmm}, {@code CloneHmm}, …)
     * @throws FileFormatException if the file is not a diffhmm model (the message says what is wrong)
     * @throws IOException         if the file cannot be read
     */
    public static Hmm<?> load(SparkSession spark, String path) throws IOException {
        final Path source = new Path(Objects.requireNonNull(path, "path"));
        final FileSystem fs = source.getFileSystem(configuration(spark));
        try (InputStream in = fs.open(source)) {
            return Models.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Configuration configuration(SparkSession spark) {
        return Objects.requireNonNull(spark, "spark").sparkContext().hadoopConfiguration();
    }
}
