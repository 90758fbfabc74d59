package dcgan.cli;

import dcgan.data.Background;
import dcgan.model.ModelSpec;
import dcgan.backend.cpu.CpuBackend;
import dcgan.io.Npy;
import dcgan.io.SpecialFiles;
import dcgan.random.CounterRng;
import dcgan.train.Checkpoint;
import dcgan.train.CheckpointFile;
import dcgan.train.GanTrainer;
import dcgan.train.Generation;
import dcgan.train.GeneratorWeights;
import dcgan.train.Hyperparameters;
import dcgan.train.HostBatches;
import dcgan.train.NetworkSnapshot;
import dcgan.train.TrainerState;
import dcgan.train.RunSettings;
import dcgan.train.StepExecution;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code generate} end to end on a small checkpoint: outputs, noise from a seed or a file, bad input. */
class GenerateCommandTest {

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path checkpoint;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** A checkpoint after one step, so that the moving averages differ from their initial values. */
    @BeforeAll
    static void oneStepCheckpoint() throws IOException {
        Hyperparameters hp = Hyperparameters.of(4, 2e-4f, 0.5f);
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer t = new GanTrainer(cpu, hp, ModelSpec.MNIST, new CounterRng(3));
             HostBatches batches = new HostBatches(cpu, t, 4)) {
            batches.step(new CounterRng(4).uniform(4 * 784, 0f, 1f, 9, 0), 0);
            checkpoint = shared.resolve("ckpt").resolve("checkpoint.safetensors");
            RunSettings settings = new RunSettings(hp, ModelSpec.MNIST, Background.WHITE, 3, 547, 64, Path.of("/data"), checkpoint.getParent(), 1, 0, 0, 1, false, 0, null,
                    StepExecution.DEFAULT);
            CheckpointFile.write(checkpoint, new Checkpoint(settings, 8, "00000000", t.snapshot()));
        }
    }

    @Test
    void writesAGridAndAnArrayOfSamplesFromTheSeed() throws IOException {
        Path png = dir.resolve("out/grid.png");
        Path npy = dir.resolve("out/samples.npy");
        CliRun o = run("generate", "--checkpoint", checkpoint.getParent().toString(), "--count", "5",
                "--png", png.toString(), "--npy", npy.toString(), "--seed", "9", "--threads", "2");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("5 images from " + checkpoint + " (step 1, the notebook's 28x28 model (1 channel))"), o.out());

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(3 * (28 * 2 + 2) + 2, image.getWidth(), "3 columns at scale 2");
        assertEquals(2 * (28 * 2 + 2) + 2, image.getHeight(), "2 rows");

        Npy.Float32 samples = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {5, 1, 28, 28}, samples.shape());
        GeneratorWeights g = CheckpointFile.readGenerator(checkpoint);
        float[] expected;
        float[] otherSeed;
        try (CpuBackend cpu = new CpuBackend(2)) {
            expected = Generation.sample(cpu, g, Generation.noise(9, ModelSpec.MNIST), 5);
            otherSeed = Generation.sample(cpu, g, Generation.noise(10, ModelSpec.MNIST), 5);
        }
        assertFalse(java.util.Arrays.equals(expected, otherSeed), "another seed, other images");
        assertArrayEquals(expected, samples.values());
        for (float v : samples.values()) {
            assertTrue(v > 0f && v < 1f, "sigmoid output " + v);
        }

        // The same noise given as a file gives the same images: the way to compare with another implementation.
        Path z = dir.resolve("z.npy");
        Npy.writeFloat32(z, new int[] {5, 100}, Generation.noise(9, ModelSpec.MNIST).of(0, 5));
        Path fromFile = dir.resolve("from-z.npy");
        CliRun withZ = run("generate", "--checkpoint", checkpoint.toString(), "--z", z.toString(),
                "--npy", fromFile.toString(), "--threads", "1");
        assertEquals(0, withZ.status(), withZ.err());
        assertArrayEquals(expected, Npy.readFloat32(fromFile).values());
    }

    @Test
    void badCheckpointsAndNoiseFilesFailNamingTheFileAndWriteNothing() throws IOException {
        Path png = dir.resolve("grid.png");
        Path cut = dir.resolve("cut.safetensors");
        Files.copy(checkpoint, cut);
        try (FileChannel c = FileChannel.open(cut, StandardOpenOption.WRITE)) {
            c.truncate(c.size() / 2);
        }
        CliRun truncated = run("generate", "--checkpoint", cut.toString(), "--count", "2", "--png", png.toString());
        assertEquals(1, truncated.status());
        assertTrue(truncated.err().contains(cut + ": truncated"), truncated.err());

        CliRun missing = run("generate", "--checkpoint", dir.resolve("nope").toString(), "--count", "2",
                "--png", png.toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains(dir.resolve("nope") + ": no such file"), missing.err());

        Path z = dir.resolve("z50.npy");
        Npy.writeFloat32(z, new int[] {3, 50}, new float[150]);
        CliRun wrongZ = run("generate", "--checkpoint", checkpoint.toString(), "--z", z.toString(),
                "--png", png.toString());
        assertEquals(1, wrongZ.status());
        assertTrue(wrongZ.err().contains(z + ": noise has shape (3, 50), expected (N, 100)"), wrongZ.err());

        Path z100 = dir.resolve("z100.npy");
        Npy.writeFloat32(z100, new int[] {3, 100}, new float[300]);
        CliRun count = run("generate", "--checkpoint", checkpoint.toString(), "--z", z100.toString(),
                "--count", "4", "--png", png.toString());
        assertEquals(1, count.status());
        assertTrue(count.err().contains("holds 3 noise vectors, but --count is 4"), count.err());

        assertFalse(Files.exists(png), "nothing written");
    }

    /** A generator with a NaN in it (damage whose checksum was rewritten to match) draws nothing. */
    @Test
    void aCheckpointWithANonFiniteWeightIsRefused() throws IOException {
        Checkpoint c = CheckpointFile.read(checkpoint);
        TrainerState s = c.state();
        float[] g = s.generator().params().clone();
        g[g.length - 1] = Float.NaN; // G.d4.bias
        TrainerState damaged = new TrainerState(s.step(), s.discriminator(), new NetworkSnapshot(g,
                s.generator().buffers(), s.generator().adamM(), s.generator().adamV(), s.generator().adamStep()));
        Path file = dir.resolve("nan.safetensors");
        CheckpointFile.write(file, new Checkpoint(c.settings(), c.dataImages(), c.dataFingerprint(), damaged));
        Path png = dir.resolve("nan.png");
        CliRun o = run("generate", "--checkpoint", file.toString(), "--count", "2", "--png", png.toString());
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains(file + ": tensor G.d4.bias holds NaN at index 0"), o.err());
        assertFalse(Files.exists(png), "nothing written");
    }

    /**
     * More images than a grid holds: the limit is said before any work, the grid gets the first 10,000, and
     * the array, written a batch at a time, gets them all; batches that start beyond the grid (or with no grid
     * at all) go to the array alone.
     */
    @ParameterizedTest(name = "--count {0}, --png {1}")
    @CsvSource({"10001, true", "10001, false", "10300, true"})
    void largeCountsStreamToTheArrayAndTheGridTakesWhatItHolds(int count, boolean withPng) throws IOException {
        Path png = dir.resolve("big.png");
        Path npy = dir.resolve("big.npy");
        CliRun o = run(withPng
                ? new String[] {"generate", "--checkpoint", checkpoint.toString(), "--count", Integer.toString(count),
                        "--png", png.toString(), "--npy", npy.toString(), "--device", "cpu"}
                : new String[] {"generate", "--checkpoint", checkpoint.toString(), "--count", Integer.toString(count),
                        "--npy", npy.toString(), "--device", "cpu"});
        assertEquals(0, o.status(), o.err());
        Npy.Float32 all = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {count, 1, 28, 28}, all.shape());
        float[] first;
        float[] last;
        try (CpuBackend cpu = new CpuBackend(2)) {
            GeneratorWeights g = CheckpointFile.readGenerator(checkpoint);
            Generation.Noise noise = Generation.noise(0, ModelSpec.MNIST);
            first = Generation.sample(cpu, g, noise, 257);
            // Image i depends on its own noise only: the last image alone, drawn on its own.
            last = Generation.sample(cpu, g, (from, n) -> noise.of(count - 1, 1), 1);
        }
        assertClose(first, Arrays.copyOfRange(all.values(), 0, 257 * 784), "the first 257 images");
        assertClose(last, Arrays.copyOfRange(all.values(), (count - 1) * 784, count * 784), "the last image");
        if (withPng) {
            assertTrue(o.out().startsWith(String.format(java.util.Locale.ROOT, "--png: a grid holds at most 10,000 "
                    + "images; %s gets the first 10,000 of %,d%n", png, count)), o.out());
            BufferedImage grid = ImageIO.read(png.toFile());
            assertEquals(100 * (28 * 2 + 2) + 2, grid.getWidth(), "100 columns");
            assertEquals(100 * (28 * 2 + 2) + 2, grid.getHeight(), "100 rows");
            assertGridShows(grid, 100, all.values(), new int[] {0, 255, 256, 9999});
        } else {
            assertFalse(Files.exists(png));
        }
    }

    /**
     * Counts around one batch (256 images), with and without a grid: the array holds every image, each the one
     * its noise draws, and the grid shows the same images as the array.
     */
    @ParameterizedTest(name = "--count {0}, --png {1}")
    @CsvSource({"1, false", "1, true", "256, false", "256, true", "257, false", "257, true"})
    void everyImageIsWrittenForCountsAroundABatch(int count, boolean withPng) throws IOException {
        Path png = dir.resolve("g.png");
        Path npy = dir.resolve("g.npy");
        String[] args = {"generate", "--checkpoint", checkpoint.toString(), "--count", Integer.toString(count), "--seed",
                "5", "--npy", npy.toString(), "--device", "cpu", "--threads", "2"};
        if (withPng) {
            args = Arrays.copyOf(args, args.length + 2);
            args[args.length - 2] = "--png";
            args[args.length - 1] = png.toString();
        }
        CliRun o = run(args);
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("wrote " + npy), o.out());
        Npy.Float32 written = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {count, 1, 28, 28}, written.shape());
        float[] expected;
        try (CpuBackend cpu = new CpuBackend(2)) {
            expected = Generation.sample(cpu, CheckpointFile.readGenerator(checkpoint), Generation.noise(5, ModelSpec.MNIST), count);
        }
        assertClose(expected, written.values(), count + " images");
        if (withPng) {
            int columns = (int) Math.ceil(Math.sqrt(count));
            BufferedImage grid = ImageIO.read(png.toFile());
            assertEquals(columns * (28 * 2 + 2) + 2, grid.getWidth());
            int[] tiles = new int[count];
            Arrays.setAll(tiles, k -> k);
            assertGridShows(grid, columns, written.values(), tiles);
        } else {
            assertFalse(Files.exists(png));
        }
    }

    /** The product of --count and --interpolate is checked against the limit before any work. */
    @Test
    void aWalkOfTooManyImagesIsRefusedBeforeAnyWork() {
        Path npy = dir.resolve("i.npy");
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", "--interpolate", "2000000000",
                "--npy", npy.toString(), "--device", "cpu");
        assertUsage(o, "--count 2 rows of --interpolate 2000000000 images are 4,000,000,000 images; generate draws at "
                       + "most 2,147,483,647");
        assertFalse(o.out().contains("generate:"), "no work started: " + o.out());
        assertFalse(Files.exists(npy));
    }

    /** A row longer than a grid holds: the grid shows the first 10,000 images of the first row, in one row. */
    @Test
    void aWalkLongerThanAGridHoldsFillsOneRowOfTheGrid() throws IOException {
        Path png = dir.resolve("long.png");
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "1", "--interpolate", "1000000",
                "--png", png.toString(), "--device", "cpu");
        assertEquals(0, o.status(), o.err());
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(10_000 * (28 * 2 + 2) + 2, grid.getWidth(), "10,000 columns");
        assertEquals(28 * 2 + 2 + 2, grid.getHeight(), "one row");
    }

    /**
     * A device, a FIFO or another special file as an output is refused before any work and left as it was (a
     * FIFO stands in for /dev/null, which as root would otherwise be replaced by a regular file); a symbolic link
     * is written through, the file it points to replaced and the link kept.
     */
    @Test
    void aSpecialFileAsAnOutputIsRefusedAndALinkIsWrittenThrough() throws Exception {
        Path fifo = SpecialFiles.mkfifo(dir.resolve("pipe"));
        for (String option : new String[] {"--png", "--npy"}) {
            CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", option, fifo.toString(),
                    "--device", "cpu");
            assertUsage(o, option + " " + fifo + " is a named pipe (FIFO), not a regular file; --png and --npy take the "
                           + "name of a file to write");
            assertFalse(o.out().contains("generate:"), "no work started: " + o.out());
            assertTrue(SpecialFiles.isFifo(fifo), "still a FIFO");
        }
        Path target = Files.writeString(dir.resolve("target.npy"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), target.getFileName());
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", "--npy", link.toString(),
                "--device", "cpu");
        assertEquals(0, o.status(), o.err());
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertArrayEquals(new int[] {2, 1, 28, 28}, Npy.readFloat32(target).shape());
        assertEquals(List.of(), SpecialFiles.temporaryFiles(dir));
    }

    /**
     * Two outputs that are one file, or an output that is an input, are refused before any work, whatever the
     * spelling (a.png and ./a.png, a link): the inputs stay intact.
     */
    @Test
    void outputsThatAreOneFileOrAnInputAreRefused() throws IOException {
        String ck = checkpoint.toString();
        Path same = dir.resolve("same");
        CliRun twice = run("generate", "--checkpoint", ck, "--count", "2", "--png", same.toString(), "--npy",
                same.toString(), "--device", "cpu");
        assertUsage(twice, "--npy " + same + " and --png " + same + " are the same file; give each output its own name");
        assertFalse(twice.out().contains("generate:"), twice.out());
        assertFalse(Files.exists(same));

        String dotted = dir + "/./same";
        assertUsage(run("generate", "--checkpoint", ck, "--count", "2", "--png", same.toString(), "--npy", dotted,
                "--device", "cpu"), "--npy " + dotted + " and --png " + same + " are the same file");
        Path link = Files.createSymbolicLink(dir.resolve("link"), same.getFileName());
        assertUsage(run("generate", "--checkpoint", ck, "--count", "2", "--png", same.toString(), "--npy",
                link.toString(), "--device", "cpu"), "--npy " + link + " and --png " + same + " are the same file");

        Path z = dir.resolve("z.npy");
        Npy.writeFloat32(z, new int[] {2, 100}, Generation.noise(1, ModelSpec.MNIST).of(0, 2));
        byte[] noise = Files.readAllBytes(z);
        CliRun overZ = run("generate", "--checkpoint", ck, "--z", z.toString(), "--npy", dir + "/./z.npy",
                "--device", "cpu");
        assertUsage(overZ, "--npy " + dir + "/./z.npy is the file that --z " + z + " reads; an output must not "
                           + "replace an input");
        assertArrayEquals(noise, Files.readAllBytes(z), "the noise is intact");

        byte[] weights = Files.readAllBytes(checkpoint);
        CliRun overCheckpoint = run("generate", "--checkpoint", checkpoint.getParent().toString(), "--count", "2",
                "--png", checkpoint.toString(), "--device", "cpu");
        assertUsage(overCheckpoint, "--png " + checkpoint + " is the file that --checkpoint " + checkpoint
                                    + " reads; an output must not replace an input");
        assertArrayEquals(weights, Files.readAllBytes(checkpoint), "the checkpoint is intact");
    }

    /**
     * Every output's place is checked before any work, each problem named truly: a directory of a pseudo file
     * system (/proc) that takes no files, a file where a directory should be.
     */
    @Test
    void outputsThatCannotBeWrittenAreNamedBeforeAnyWork() throws IOException {
        Path notes = Files.writeString(dir.resolve("notes"), "x");
        Path below = notes.resolve("grid.png");
        CliRun inTheWay = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", "--png", below.toString(),
                "--device", "cpu");
        assertEquals(1, inTheWay.status(), inTheWay.err());
        assertEquals("error: " + below + ": " + notes + " is a file, not a directory", inTheWay.err().strip());
        assertFalse(inTheWay.out().contains("generate:"), "no work started: " + inTheWay.out());

        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc"))
                                                     && Files.getFileStore(Path.of("/proc")).type().equals("proc"));
        CliRun proc = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", "--png", "/proc/x.png",
                "--device", "cpu");
        assertEquals(1, proc.status(), proc.err());
        assertEquals("error: /proc/x.png: cannot create a file in /proc: its file system takes no new files (a pseudo file "
                     + "system, such as /proc or /sys)", proc.err().strip());
        assertFalse(proc.out().contains("generate:"), "no work started: " + proc.out());
    }

    /**
     * Ctrl-C in the middle of writing the array removes its temporary file; after kill -9, which nothing can
     * catch, the next write of the same file removes what the dead process left.
     */
    @Test
    void aStoppedOrKilledWriteLeavesNoTemporaryFileBehind() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path npy = out.resolve("e.npy");
        for (String signal : new String[] {"INT", "KILL"}) {
            try (ChildProcess child = ChildProcess.start(dir, "", "generate", "--checkpoint", checkpoint.toString(),
                    "--count", "100000", "--npy", npy.toString(), "--device", "cpu", "--threads", "1")) {
                assertTrue(awaitTemporaryFile(out, 120), "the write began:\n" + child.out() + child.err());
                child.signal(signal);
                int status = child.exitStatus(60);
                assertEquals(signal.equals("INT") ? 130 : 137, status, child.out() + child.err());
            }
            if (signal.equals("INT")) {
                assertEquals(List.of(), SpecialFiles.temporaryFiles(out), "Ctrl-C removed the temporary file");
            } else {
                assertEquals(1, SpecialFiles.temporaryFiles(out).size(), "kill -9 leaves it: " + SpecialFiles.temporaryFiles(out));
            }
            assertFalse(Files.exists(npy), "nothing written");
        }
        CliRun next = run("generate", "--checkpoint", checkpoint.toString(), "--count", "3", "--npy", npy.toString(),
                "--device", "cpu");
        assertEquals(0, next.status(), next.err());
        assertEquals(List.of(), SpecialFiles.temporaryFiles(out), "the next write of e.npy removed the dead one's");
        assertArrayEquals(new int[] {3, 1, 28, 28}, Npy.readFloat32(npy).shape());
    }

    /** Waits until a temporary file in {@code dir} holds data: the write is under way (not the check before it). */
    private static boolean awaitTemporaryFile(Path dir, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            for (String name : SpecialFiles.temporaryFiles(dir)) {
                try {
                    if (Files.size(dir.resolve(name)) > 0) {
                        return true;
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // gone between the listing and the look
                }
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-6f) {
                assertEquals(expected[i], actual[i], 1e-6f, what + ": pixel " + i % 784 + " of image " + i / 784);
            }
        }
    }

    /** The grid's tiles show the array's images: each pixel doubled, gray = round(255 v). */
    private static void assertGridShows(BufferedImage grid, int columns, float[] images, int[] tiles) {
        for (int k : tiles) {
            int left = 2 + k % columns * (28 * 2 + 2);
            int top = 2 + k / columns * (28 * 2 + 2);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    float v = images[k * 784 + y * 28 + x];
                    int gray = v >= 1f ? 255 : v > 0f ? Math.round(v * 255f) : 0;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int got = grid.getRaster().getSample(left + 2 * x + dx, top + 2 * y + dy, 0);
                            if (got != gray) {
                                assertEquals(gray, got, "tile " + k + ", pixel (" + y + ", " + x + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    /** An array the disk cannot hold is refused before any image is drawn. */
    @Test
    void anArrayLargerThanTheFreeSpaceIsRefusedFirst() {
        Path npy = dir.resolve("huge.npy");
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2000000000", "--npy",
                npy.toString(), "--device", "cpu");
        assertEquals(1, o.status(), o.err());
        assertTrue(o.err().contains(npy + ": needs 6272000.0 MB, but its file system has "), o.err());
        assertFalse(o.out().contains("generate:"), "no work started: " + o.out());
        assertFalse(Files.exists(npy));
    }

    /** --png naming a directory is refused by name, not through an internal temporary file. */
    @Test
    void aDirectoryForAnOutputIsRefused() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("grids"));
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", "--png", sub.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains(sub + " is a directory; --png and --npy take the name of a file to write"), o.err());
    }

    /**
     * A walk in the noise space: each row goes from one noise vector to another in K equal steps, so its first
     * and last images are those of the two vectors, and each middle image that of the point between them.
     */
    @Test
    void interpolateWritesRowsThatWalkFromOneVectorToAnother() throws IOException {
        Path png = dir.resolve("walk.png");
        Path npy = dir.resolve("walk.npy");
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", "3", "--interpolate", "5",
                "--seed", "2", "--png", png.toString(), "--npy", npy.toString(), "--device", "cpu");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("3 rows of 5 steps from one vector to another"), o.out());
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(5 * (28 * 2 + 2) + 2, grid.getWidth(), "5 columns");
        assertEquals(3 * (28 * 2 + 2) + 2, grid.getHeight(), "3 rows");
        Npy.Float32 walk = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {15, 1, 28, 28}, walk.shape());

        float[] ends = Generation.noise(2, ModelSpec.MNIST).of(0, 6);
        float[] middle = new float[100];
        for (int k = 0; k < 100; k++) {
            middle[k] = 0.5f * ends[200 + k] + 0.5f * ends[300 + k]; // row 1, t = 1/2: between vectors 2 and 3
        }
        float[] expected;
        try (CpuBackend cpu = new CpuBackend(2)) {
            GeneratorWeights g = CheckpointFile.readGenerator(checkpoint);
            float[] z = new float[300];
            System.arraycopy(ends, 200, z, 0, 100);  // row 1's start
            System.arraycopy(middle, 0, z, 100, 100);
            System.arraycopy(ends, 300, z, 200, 100); // row 1's end
            expected = Generation.sample(cpu, g, Generation.noise(z, 100), 3);
        }
        for (int j : new int[] {0, 2, 4}) {
            float[] got = java.util.Arrays.copyOfRange(walk.values(), (5 + j) * 784, (6 + j) * 784);
            float[] want = java.util.Arrays.copyOfRange(expected, j / 2 * 784, (j / 2 + 1) * 784);
            for (int i = 0; i < 784; i++) {
                assertEquals(want[i], got[i], 1e-6f, "row 1, step " + j + ", pixel " + i);
            }
        }
        assertUsage(run("generate", "--checkpoint", checkpoint.toString(), "--count", "2", "--interpolate", "1",
                "--png", png.toString()), "--interpolate must be at least 2");
    }

    @Test
    void usageErrors() {
        String ck = checkpoint.toString();
        assertUsage(run("generate", "--count", "2", "--png", "x.png"), "--checkpoint FILE is required");
        assertUsage(run("generate", "--checkpoint", ck, "--count", "2"), "give --png FILE and/or --npy FILE");
        assertUsage(run("generate", "--checkpoint", ck, "--png", "x.png"), "--count N is required");
        assertUsage(run("generate", "--checkpoint", ck, "--count", "2", "--png", "x.png", "--seed", "1", "--z", "z.npy"),
                "--seed and --z exclude each other");
        assertUsage(run("generate", "--checkpoint", ck, "--count", "0", "--png", "x.png"), "--count must be at least 1");
        CliRun help = run("generate", "--help");
        assertEquals(0, help.status());
        for (String option : new String[] {"--checkpoint", "--count", "--png", "--npy", "--seed", "--z", "--device", "--math",
                "--conv-algo"}) {
            assertTrue(help.out().contains(option), help.out());
        }
    }

    private static void assertUsage(CliRun o, String message) {
        assertEquals(2, o.status(), o.err());
        assertTrue(o.err().contains(message), o.err());
    }
}
