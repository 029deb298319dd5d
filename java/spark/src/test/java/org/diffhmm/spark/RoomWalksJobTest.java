package org.diffhmm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example job end to end on local[2]: EM over 1,000 room walks never raises the loss and learns
 * the room's dynamics (the loss falls well below the starting model's), and the Spark decode of every
 * walk is the trained model's own decode.
 */
class RoomWalksJobTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "diffhmm-room-walks");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void emOnAThousandWalksLearnsTheRoomAndDecodesEveryWalk() {
        final RoomWalksJob.Result r = RoomWalksJob.run(spark, 1000, 40, 40, 7);
        final double[] loss = r.curve().train();
        System.out.printf("room of %d cells: EM loss %.4f -> %.4f nats/step in %d iterations; %d distinct clones decoded%n",
                r.room().cells(), loss[0], loss[loss.length - 1], loss.length, r.model().distinctClones(r.walks()));
        for (int k = 1; k < loss.length; k++) {
            assertTrue(loss[k] <= loss[k - 1] + 1e-9 * Math.abs(loss[k - 1]), "EM raised the loss at iteration " + k + ": "
                    + java.util.Arrays.toString(loss));
        }
        assertTrue(loss[loss.length - 1] < 0.25 * loss[0], "EM learned the room: " + java.util.Arrays.toString(loss));
        assertEquals(r.walks().size(), r.decoded().size());
        final List<int[]> paths = r.model().decode(r.walks());
        for (Row row : r.decoded()) {
            final int id = (int) row.getLong(0);
            assertArrayEquals(paths.get(id), row.getList(4).stream().mapToInt(v -> (Integer) v).toArray(), "walk " + id);
        }
    }
}
