package dcgan.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventFileWriterTest {

    @TempDir
    Path dir;

    @Test
    void recordsReadBackWithValidCrcsTagsStepsAndValues() throws IOException {
        byte[] png = new byte[300]; // longer than 127 bytes: a two-byte length varint
        for (int i = 0; i < png.length; i++) {
            png[i] = (byte) (i * 7);
        }
        double before = System.currentTimeMillis() / 1000.0;
        Path file;
        try (EventFileWriter w = EventFileWriter.create(dir)) {
            file = w.file();
            w.sessionStart(1);
            w.scalars(1, new String[] {"D_loss", "G_loss"}, new float[] {1.25f, -0.5f});
            w.scalars(300, new String[] {"D_loss", "G_loss"}, new float[] {Float.NaN, 3e-20f});
            w.image(300, "G_images", png, 118, 470, EventFileWriter.GRAYSCALE);
            w.flush();
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."), file.toString());

        List<byte[]> records = EventFileReader.records(file);
        assertEquals(5, records.size());
        Map<Integer, List<Object>> first = EventFileReader.fields(records.get(0));
        assertEquals("brain.Event:2", new String((byte[]) first.get(3).get(0), StandardCharsets.UTF_8));
        double wallTime = Double.longBitsToDouble((Long) first.get(1).get(0));
        assertTrue(wallTime >= before - 1 && wallTime <= before + 60, "wall time " + wallTime);

        Map<Integer, List<Object>> start = EventFileReader.fields(records.get(1));
        assertEquals(1L, start.get(2).get(0));
        assertEquals(1L, EventFileReader.fields((byte[]) start.get(7).get(0)).get(1).get(0), "SessionLog START");

        assertScalars(records.get(2), 1, new String[] {"D_loss", "G_loss"}, new float[] {1.25f, -0.5f});
        assertScalars(records.get(3), 300, new String[] {"D_loss", "G_loss"}, new float[] {Float.NaN, 3e-20f});

        Map<Integer, List<Object>> event = EventFileReader.fields(records.get(4));
        assertEquals(300L, event.get(2).get(0));
        Map<Integer, List<Object>> value = EventFileReader.fields(
                (byte[]) EventFileReader.fields((byte[]) event.get(5).get(0)).get(1).get(0));
        assertEquals("G_images", new String((byte[]) value.get(1).get(0), StandardCharsets.UTF_8));
        Map<Integer, List<Object>> image = EventFileReader.fields((byte[]) value.get(4).get(0));
        assertEquals(118L, image.get(1).get(0));
        assertEquals(470L, image.get(2).get(0));
        assertEquals(1L, image.get(3).get(0));
        assertArrayEquals(png, (byte[]) image.get(4).get(0));
    }

    @Test
    void twoWritersInOneSecondGetTwoFiles() throws IOException {
        try (EventFileWriter a = EventFileWriter.create(dir); EventFileWriter b = EventFileWriter.create(dir)) {
            assertNotEquals(a.file(), b.file());
        }
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void maskedCrcMatchesTheDefinition() {
        // CRC-32C of "123456789" is 0xe3069283 (the standard check value); masked by hand.
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        int crc = 0xe3069283;
        int expected = ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
        assertEquals(expected, TfRecordWriter.maskedCrc32c(check, 0, check.length));
        assertEquals(expected, EventFileReader.masked(check));
    }

    private static void assertScalars(byte[] record, long step, String[] tags, float[] values) {
        Map<Integer, List<Object>> event = EventFileReader.fields(record);
        assertEquals(step, event.get(2).get(0));
        List<Object> summaryValues = EventFileReader.fields((byte[]) event.get(5).get(0)).get(1);
        assertEquals(tags.length, summaryValues.size());
        for (int i = 0; i < tags.length; i++) {
            Map<Integer, List<Object>> v = EventFileReader.fields((byte[]) summaryValues.get(i));
            assertEquals(tags[i], new String((byte[]) v.get(1).get(0), StandardCharsets.UTF_8));
            assertEquals(Float.floatToRawIntBits(values[i]), (int) (Integer) v.get(2).get(0), tags[i]);
        }
    }
}
