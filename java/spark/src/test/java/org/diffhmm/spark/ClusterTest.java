package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.diffhmm.models.Models;
import org.junit.jupiter.api.Test;

/**
 * A real cluster on one machine: Spark's {@code local-cluster[2,1,1024]} runs a standalone master,
 * two workers and two executor JVMs, so models, closures and statistics cross process boundaries as
 * on a multi-node cluster, and each executor extracts the native library for itself. The room-walks
 * job trained there equals the same job in {@code local[2]} bit for bit (the partials are summed in
 * partition order wherever the partitions ran).
 *
 * <p>Executors are launched from {@code SPARK_HOME}; Surefire points it at an empty Spark home
 * under {@code target/} (made here), and the executors get this JVM's classpath.
 */
class ClusterTest {
    private static final int WALKS = 200, STEPS = 30, ITERATIONS = 5;
    private static final long SEED = 7;

    @Test
    void roomWalksOnTwoExecutorJvmsEqualLocalMode() throws IOException {
        final String home = System.getenv("SPARK_HOME");
        assumeTrue(home != null && home.endsWith("spark-home"),
                "needs SPARK_HOME set to the build's empty Spark home (as the Maven build does)");
        Files.createDirectories(Path.of(home, "jars"));
        if (!Files.exists(Path.of(home, "RELEASE"))) {
            Files.writeString(Path.of(home, "RELEASE"), "empty Spark home for diffhmm's local-cluster test\n");
        }

        final String driverPid = String.valueOf(ProcessHandle.current().pid());
        final RoomWalksJob.Result onCluster;
        final Set<String> executors = new HashSet<>();
        final Set<String> caches = new HashSet<>();
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("diffhmm-cluster")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .getOrCreate();
        try {
            onCluster = RoomWalksJob.run(spark, WALKS, STEPS, ITERATIONS, SEED);
            // Where the work ran: each executor JVM, and the JavaCPP cache it extracted the library into.
            final List<String> seen = spark.range(0, 16, 1, 16).javaRDD().mapPartitions(
                    (FlatMapFunction<java.util.Iterator<Long>, String>) rows -> List.of(
                            ProcessHandle.current().pid() + "|" + System.getProperty("org.bytedeco.javacpp.cachedir"))
                            .iterator()).collect();
            for (String s : seen) {
                final String[] parts = s.split("\\|", 2);
                executors.add(parts[0]);
                caches.add(parts[1]);
            }
        } finally {
            spark.stop();
        }
        assertEquals(2, executors.size(), "two executor JVMs: " + executors);
        assertTrue(!executors.contains(driverPid), "no task ran in the driver");
        assertEquals(2, caches.size(), "one JavaCPP cache per executor: " + caches);
        for (String c : caches) {
            assertNotNull(c);
            assertTrue(c.endsWith("javacpp-cache") && !c.equals("null"), c);
        }

        spark = LocalSpark.start("local[2]", "diffhmm-cluster-reference");
        final RoomWalksJob.Result local;
        try {
            local = RoomWalksJob.run(spark, WALKS, STEPS, ITERATIONS, SEED);
        } finally {
            spark.stop();
        }
        assertEquals(Models.toJson(local.model()), Models.toJson(onCluster.model()),
                "EM across two executor JVMs equals local mode bit for bit");
        assertEquals(local.decoded().size(), onCluster.decoded().size());
        final java.util.Map<Long, Row> byId = new java.util.HashMap<>();
        local.decoded().forEach(r -> byId.put(r.getLong(0), r));
        for (Row r : onCluster.decoded()) {
            assertEquals(byId.get(r.getLong(0)), r, "walk " + r.getLong(0));
        }
        assertNotEquals(0, onCluster.curve().train().length);
    }
}
