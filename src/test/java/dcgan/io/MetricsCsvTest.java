package dcgan.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    private static final String ROW = ",1,1.0,0.5,0.5,0.7\n";

    /** Each kind of damage a resumed run can find is counted exactly, said, and mended. */
    @Test
    void resumingSaysWhatWasFoundAndWhatWasDone() throws IOException {
        Path file = dir.resolve("metrics.csv");
        // Rows 1-3, a garbage row, row 5 (row 4 is missing), rows 6-7 logged after the checkpoint at step 5, and a
        // cut-off last line.
        Files.writeString(file, MetricsCsv.HEADER + "\n1" + ROW + "2" + ROW + "3" + ROW + "#!garbage\n5" + ROW + "6" + ROW
                                + "7" + ROW + "8,1,0.");
        MetricsCsv.Resumed r = MetricsCsv.resumeAfter(file, 5);
        assertEquals(2, r.afterStep(), "rows 6 and 7, not the garbage or the cut-off line");
        assertEquals(List.of(5), r.unreadable(), "line 5 of the file");
        assertTrue(r.cutOff());
        assertEquals(1, r.gaps().size());
        assertArrayEquals(new long[] {4, 4}, r.gaps().get(0));
        assertEquals(List.of(
                "dropped 2 rows of steps after 5 from " + file + " (logged after the checkpoint; they will be computed again)",
                "dropped 1 row that could not be read from " + file + " (line 5)",
                "dropped the cut-off last line of " + file + " (written when a run was killed)",
                file + " has no rows for steps 4 (of 1-5); the run appends from step 6 and leaves them out"),
                r.describe(file, 5));
        assertEquals(MetricsCsv.HEADER + "\n1" + ROW + "2" + ROW + "3" + ROW + "5" + ROW, Files.readString(file));

        // Mended: resuming again drops nothing and only the gap is left to say.
        MetricsCsv.Resumed again = MetricsCsv.resumeAfter(file, 5);
        assertEquals(0, again.afterStep());
        assertEquals(List.of(), again.unreadable());
        assertEquals(1, again.describe(file, 5).size());
    }

    @Test
    void aShortOrMissingFileIsSaid() throws IOException {
        Path file = dir.resolve("metrics.csv");
        MetricsCsv.Resumed missing = MetricsCsv.resumeAfter(file, 156);
        assertEquals(List.of(file + " is missing: starting a new one at step 157; it will have no rows for steps 1-156"),
                missing.describe(file, 156));
        Files.writeString(file, MetricsCsv.HEADER + "\n1" + ROW + "2" + ROW);
        MetricsCsv.Resumed shortFile = MetricsCsv.resumeAfter(file, 156);
        assertEquals(List.of(file + " has no rows for steps 3-156 (of 1-156); the run appends from step 157 and leaves "
                             + "them out"), shortFile.describe(file, 156));
        assertEquals(MetricsCsv.HEADER + "\n1" + ROW + "2" + ROW, Files.readString(file), "nothing to drop: unchanged");
    }

    /** Copies of rows already in the file (appended twice, say) are dropped on resume: each step keeps one row. */
    @Test
    void duplicateRowsAreDroppedAndSaid() throws IOException {
        Path file = dir.resolve("metrics.csv");
        String rows = "1" + ROW + "2" + ROW + "3" + ROW + "4" + ROW + "5" + ROW + "6" + ROW;
        Files.writeString(file, MetricsCsv.HEADER + "\n" + rows + "4,1,9.0,9.0,9.0,9.0\n5" + ROW + "6" + ROW);
        MetricsCsv.Resumed r = MetricsCsv.resumeAfter(file, 6);
        assertEquals(List.of("dropped 3 duplicate rows of steps 4-6 from " + file + " (each step keeps its first row)"),
                r.describe(file, 6));
        assertEquals(MetricsCsv.HEADER + "\n" + rows, Files.readString(file));
    }

    /** An empty file is treated like a missing one, and no message ever shows Java's null. */
    @Test
    void anEmptyFileIsLikeAMissingOne() throws IOException {
        Path file = Files.createFile(dir.resolve("metrics.csv"));
        MetricsCsv.Resumed r = MetricsCsv.resumeAfter(file, 5);
        assertTrue(r.missing());
        assertEquals(List.of(file + " is empty: starting it afresh at step 6; it will have no rows for steps 1-5"),
                r.describe(file, 5));
        try (MetricsCsv csv = new MetricsCsv(file)) {
            csv.append(6, 2, 1, 2, 3, 4);
        }
        assertEquals(List.of(MetricsCsv.HEADER, "6,2,1.0,2.0,3.0,4.0"), Files.readAllLines(file));
    }

    /** What is not a regular file is named as such, never read (a named pipe would block the run for ever). */
    @Test
    void aDirectoryOrAPipeIsRefusedWithoutReadingIt() throws Exception {
        Path asDir = Files.createDirectory(dir.resolve("metrics.csv"));
        BadFileException e = assertThrows(BadFileException.class, () -> MetricsCsv.resumeAfter(asDir, 5));
        assertEquals(asDir + ": is a directory, not a regular file", e.getMessage());
        BadFileException append = assertThrows(BadFileException.class, () -> new MetricsCsv(asDir));
        assertEquals(asDir + ": is a directory, not a regular file", append.getMessage());

        Path fifo = dir.resolve("quality.csv");
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "mkfifo works here");
        BadFileException pipe = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(10),
                () -> assertThrows(BadFileException.class, () -> MetricsCsv.resumeAfter(fifo, 5)));
        assertEquals(fifo + ": is a named pipe (FIFO), not a regular file", pipe.getMessage());
    }
}
