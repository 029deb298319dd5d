package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.diffhmm.models.CategoricalHmm;
import org.diffhmm.models.CloneHmm;
import org.diffhmm.models.FileFormatException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models round-trip exactly through a Hadoop path; a failed save leaves the path as it was; no temporary files stay. */
class ModelStoreTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[1]", "diffhmm-model-store");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void modelsRoundTripAndReplaceAtomically(@TempDir Path dir) throws Exception {
        final CloneHmm chmm = CloneHmm.random(new int[] {2, 3}, 2, 0.1, new SplittableRandom(71));
        final String uri = dir.resolve("models/room.json").toUri().toString();  // file:/...
        ModelStore.save(spark, chmm, uri);
        final CloneHmm back = (CloneHmm) ModelStore.load(spark, uri);
        assertArrayEquals(chmm.parameters(), back.parameters(), "exact round trip");

        final CategoricalHmm cat = CategoricalHmm.random(3, 4, new SplittableRandom(72));
        ModelStore.save(spark, cat, uri);  // replaces
        assertArrayEquals(cat.parameters(), ((CategoricalHmm) ModelStore.load(spark, uri)).parameters());
        try (Stream<Path> files = Files.list(dir.resolve("models"))) {
            assertEquals(1, files.filter(p -> !p.getFileName().toString().endsWith(".crc")).count(),
                    "only the model stays in its folder");
        }

        final byte[] before = Files.readAllBytes(dir.resolve("models/room.json"));
        assertThrows(IllegalArgumentException.class, () -> ModelStore.save(spark, "not a model", uri));
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("models/room.json")), "a failed save changes nothing");

        Files.writeString(dir.resolve("other.json"), "{\"type\": \"categorical\"");
        final FileFormatException bad = assertThrows(FileFormatException.class,
                () -> ModelStore.load(spark, dir.resolve("other.json").toString()));
        assertTrue(bad.getMessage() != null && !bad.getMessage().isEmpty(), String.valueOf(bad));
        assertThrows(java.io.FileNotFoundException.class, () -> ModelStore.load(spark, dir.resolve("missing.json").toString()));
    }
}
