package dcgan.cli;

import dcgan.backend.cpu.CpuBackend;
import dcgan.io.Npy;
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

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
        Hyperparameters hp = Hyperparameters.of(4, 100, 2e-4f, 0.5f);
        try (CpuBackend cpu = new CpuBackend(2); GanTrainer t = new GanTrainer(cpu, hp, new CounterRng(3));
             HostBatches batches = new HostBatches(cpu, t, 4)) {
            batches.step(new CounterRng(4).uniform(4 * 784, 0f, 1f, 9, 0), 0);
            checkpoint = shared.resolve("ckpt").resolve("checkpoint.safetensors");
            RunSettings settings = new RunSettings(hp, 3, 547, 64, Path.of("/data"), checkpoint.getParent(), 1, 0, 0, 1, false, 0, null,
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
        assertTrue(o.out().contains("5 images from " + checkpoint + " (step 1)"), o.out());

        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(3 * (28 * 2 + 2) + 2, image.getWidth(), "3 columns at scale 2");
        assertEquals(2 * (28 * 2 + 2) + 2, image.getHeight(), "2 rows");

        Npy.Float32 samples = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {5, 1, 28, 28}, samples.shape());
        GeneratorWeights g = CheckpointFile.readGenerator(checkpoint);
        float[] expected;
        float[] otherSeed;
        try (CpuBackend cpu = new CpuBackend(2)) {
            expected = Generation.sample(cpu, g, Generation.noise(9, 100), 5);
            otherSeed = Generation.sample(cpu, g, Generation.noise(10, 100), 5);
        }
        assertFalse(java.util.Arrays.equals(expected, otherSeed), "another seed, other images");
        assertArrayEquals(expected, samples.values());
        for (float v : samples.values()) {
            assertTrue(v > 0f && v < 1f, "sigmoid output " + v);
        }

        // The same noise given as a file gives the same images: the way to compare with another implementation.
        Path z = dir.resolve("z.npy");
        Npy.writeFloat32(z, new int[] {5, 100}, Generation.noise(9, 100).of(0, 5));
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
     * the array, written a batch at a time, gets them all.
     */
    @Test
    void largeCountsStreamToTheArrayAndTheGridTakesWhatItHolds() throws IOException {
        Path png = dir.resolve("big.png");
        Path npy = dir.resolve("big.npy");
        int count = GenerateCommand.PNG_MAX_IMAGES + 1;
        CliRun o = run("generate", "--checkpoint", checkpoint.toString(), "--count", Integer.toString(count),
                "--png", png.toString(), "--npy", npy.toString(), "--device", "cpu");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().startsWith("--png: a grid holds at most 10,000 images; " + png + " gets the first 10,000 of "
                                      + "10,001\n".replace("\n", System.lineSeparator())), o.out());
        BufferedImage grid = ImageIO.read(png.toFile());
        assertEquals(100 * (28 * 2 + 2) + 2, grid.getWidth(), "100 columns");
        assertEquals(100 * (28 * 2 + 2) + 2, grid.getHeight(), "100 rows");
        Npy.Float32 all = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {count, 1, 28, 28}, all.shape());
        float[] last;
        try (CpuBackend cpu = new CpuBackend(2)) {
            // Image i depends on its own noise only: the last image alone, drawn on its own.
            Generation.Noise noise = Generation.noise(0, 100);
            last = Generation.sample(cpu, CheckpointFile.readGenerator(checkpoint), (first, n) -> noise.of(count - 1, 1), 1);
        }
        float[] tail = java.util.Arrays.copyOfRange(all.values(), (count - 1) * 784, count * 784);
        for (int i = 0; i < 784; i++) {
            assertEquals(last[i], tail[i], 1e-6f, "pixel " + i + " of the last image");
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

        float[] ends = Generation.noise(2, 100).of(0, 6);
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
