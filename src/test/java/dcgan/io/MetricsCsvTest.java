package dcgan.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {

    @TempDir
    Path dir;

    @Test
    void headerOnceAndRowsAppendedAcrossSessions() throws IOException {
        Path runDir = dir.resolve("runs/1");
        double[][] losses = {
            {0.6931471805599453, 0.3, 0.1 + 0.2, 1e-8},
            {1.0 / 3, 123456.789, Math.PI, 7.0},
            {Double.NaN, Double.POSITIVE_INFINITY, 0.0, -2.5e-5},
        };
        try (MetricsCsv csv = MetricsCsv.open(runDir)) {
            csv.append(0, 0, losses[0][0], losses[0][1], losses[0][2], losses[0][3]);
            csv.append(1, 0, losses[1][0], losses[1][1], losses[1][2], losses[1][3]);
            csv.flush();
            assertEquals(3, Files.readAllLines(csv.file()).size());
        }
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // decimal comma must not leak into the file
        try (MetricsCsv csv = new MetricsCsv(runDir.resolve("metrics.csv"))) {
            csv.append(10_000_000_000L, 3, losses[2][0], losses[2][1], losses[2][2], losses[2][3]);
        } finally {
            Locale.setDefault(saved);
        }

        List<String> lines = Files.readAllLines(runDir.resolve("metrics.csv"));
        assertEquals(4, lines.size());
        assertEquals("step,epoch,D_loss,D_real_loss,D_fake_loss,G_loss", lines.get(0));
        long[] steps = {0, 1, 10_000_000_000L};
        int[] epochs = {0, 0, 3};
        for (int i = 0; i < 3; i++) {
            String[] cells = lines.get(i + 1).split(",", -1);
            assertEquals(6, cells.length, lines.get(i + 1));
            assertEquals(steps[i], Long.parseLong(cells[0]));
            assertEquals(epochs[i], Integer.parseInt(cells[1]));
            for (int j = 0; j < 4; j++) {
                assertEquals(Float.floatToIntBits((float) losses[i][j]),
                        Float.floatToIntBits(Float.parseFloat(cells[j + 2])), "row " + i + " col " + j);
            }
        }
    }

    @Test
    void emptyExistingFileGetsHeader() throws IOException {
        Path file = dir.resolve("metrics.csv");
        Files.createFile(file);
        try (MetricsCsv csv = new MetricsCsv(file)) {
            csv.append(5, 1, 1, 2, 3, 4);
        }
        assertEquals(List.of(MetricsCsv.HEADER, "5,1,1.0,2.0,3.0,4.0"), Files.readAllLines(file));
    }

    @Test
    void partialLastLineFromACrashIsNotExtended() throws IOException {
        Path file = dir.resolve("metrics.csv");
        Files.writeString(file, MetricsCsv.HEADER + "\n1,0,0.5,0.2,0.3,0.7\n2,0,0.4");
        try (MetricsCsv csv = new MetricsCsv(file)) {
            csv.append(2, 0, 0.25, 0.125, 0.125, 1.5);
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals("2,0,0.4", lines.get(2));
        assertEquals("2,0,0.25,0.125,0.125,1.5", lines.get(3));
    }

    @Test
    void mismatchedHeaderIsRefused() throws IOException {
        Path file = dir.resolve("metrics.csv");
        String content = "step,loss\n1,0.5\n";
        Files.writeString(file, content);
        IOException e = assertThrows(IOException.class, () -> new MetricsCsv(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("step,loss"), e.getMessage());
        assertEquals(content, Files.readString(file));
    }
}
