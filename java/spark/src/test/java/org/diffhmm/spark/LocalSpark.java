package org.diffhmm.spark;

import org.apache.spark.sql.SparkSession;

/** The SparkSession of a test class: in-process executors, no web UI, two shuffle partitions. */
final class LocalSpark {
    private LocalSpark() {}

    /**
     * Starts (or joins) the session.
     *
     * @param master {@code local[n]}
     * @param app    the application name, for Spark's logs
     * @return the session; stop it in the class's {@code @AfterAll}
     */
    static SparkSession start(String master, String app) {
        return SparkSession.builder().master(master).appName(app).config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }
}
