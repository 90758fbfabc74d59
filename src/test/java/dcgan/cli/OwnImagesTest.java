package dcgan.cli;

import dcgan.io.Npy;
import dcgan.io.SafeTensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on one's own images, as a user runs it: an image folder, CIFAR-10's binary batches and a NumPy
 * array each train, the model following the data (the DCGAN at 32x32 in colour, the notebook's model for grey
 * 28x28); the checkpoint records the model and the preprocessing, generate and evaluate take it, and a resumed
 * run keeps them.
 */
class OwnImagesTest {

    @TempDir
    static Path dir;
    private static Path folder;
    private static Path folderRun;
    private static Path cache;

    /** 2 classes of 40 pictures each, 40x48 (not square, not 32): red disks and blue bars on white, some with alpha. */
    @BeforeAll
    static void pictures() throws IOException {
        folder = dir.resolve("pictures");
        cache = dir.resolve("cache");
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 40; i++) {
            BufferedImage disk = new BufferedImage(40, 48, BufferedImage.TYPE_INT_ARGB);
            BufferedImage bar = new BufferedImage(40, 48, BufferedImage.TYPE_INT_RGB);
            int cx = 12 + r.nextInt(16);
            int cy = 14 + r.nextInt(20);
            int top = r.nextInt(30);
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 40; x++) {
                    boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < 64;
                    disk.setRGB(x, y, in ? 0xFFD02020 : 0x00000000); // transparent outside: white once composited
                    bar.setRGB(x, y, y >= top && y < top + 10 ? 0x2030C0 : 0xFFFFFF);
                }
            }
            Files.createDirectories(folder.resolve("disks"));
            Files.createDirectories(folder.resolve("bars"));
            ImageIO.write(disk, "png", folder.resolve("disks").resolve(i + ".png").toFile());
            ImageIO.write(bar, "jpg", folder.resolve("bars").resolve(i + ".jpg").toFile());
        }
        folderRun = dir.resolve("run-folder");
        CliRun t = train(folder, folderRun, "--image-size", "32", "--max-steps", "2");
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains("model: DCGAN 32x32 (3 channels, ngf 4, ndf 4)"), t.out());
    }

    private static CliRun train(Path data, Path out, String... more) {
        String[] base = {"train", "--device", "cpu", "--data-dir", data.toString(), "--out", out.toString(), "--ngf",
                "4", "--ndf", "4", "--batch-size", "8", "--eval-every", "0", "--scorer-cache", cache.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void anImageFolderTrainsAndItsCheckpointRecordsTheModelAndThePreprocessing() throws IOException {
        try (SafeTensorsFile f = SafeTensorsFile.open(folderRun.resolve("checkpoint.safetensors"))) {
            Map<String, String> m = f.metadata();
            assertEquals("dcgan", m.get("model"));
            assertEquals("32", m.get("image_size"));
            assertEquals("3", m.get("channels"));
            assertEquals("white", m.get("background"));
            assertTrue(m.get("preprocessing").contains("centre crop"), m.get("preprocessing"));
            assertEquals("80", m.get("data_images"));
        }
        BufferedImage grid = ImageIO.read(folderRun.resolve("samples-epoch-001.png").toFile());
        assertEquals(3, grid.getColorModel().getNumColorComponents(), "a colour grid for colour data");
        assertEquals(8 * (2 * 32 + 2) + 2, grid.getWidth(), "32-pixel images doubled, as 28-pixel ones");
    }

    /** generate writes [N, C, S, S] in [0, 1] whatever the model's own range; evaluate scores against the folder. */
    @Test
    void generateAndEvaluateTakeTheCheckpoint() throws IOException {
        Path npy = dir.resolve("samples.npy");
        CliRun g = CliRun.of("generate", "--device", "cpu", "--checkpoint", folderRun.toString(), "--count", "5",
                "--npy", npy.toString(), "--png", dir.resolve("samples.png").toString());
        assertEquals(0, g.status(), g.out() + g.err());
        assertTrue(g.out().contains("noise from seed 0, N(0, 1)"), g.out());
        Npy.Float32 a = Npy.readFloat32(npy);
        assertArrayEquals(new int[] {5, 3, 32, 32}, a.shape());
        for (float v : a.values()) {
            assertTrue(v >= 0 && v <= 1, "in [0, 1]: " + v);
        }
        assertEquals(3, ImageIO.read(dir.resolve("samples.png").toFile()).getColorModel().getNumColorComponents());

        Path walk = dir.resolve("walk.npy");
        CliRun w = CliRun.of("generate", "--device", "cpu", "--checkpoint", folderRun.toString(), "--interpolate", "4",
                "--npy", walk.toString());
        assertEquals(0, w.status(), w.err());
        assertArrayEquals(new int[] {8 * 4, 3, 32, 32}, Npy.readFloat32(walk).shape(), "8 rows unless --count says");

        CliRun e = CliRun.of("evaluate", "--device", "cpu", "--checkpoint", folderRun.toString(), "--count", "64",
                "--scorer-cache", cache.toString());
        assertEquals(0, e.status(), e.out() + e.err());
        assertTrue(e.out().contains("classifier of 2 classes") || e.out().contains("scorer: " + cache), e.out());
        assertTrue(e.out().contains("classifier score") && e.out().contains("(2 at most)"), e.out());
    }

    @Test
    void aResumedRunKeepsItsModelAndBackground() {
        CliRun size = CliRun.of("train", "--resume", folderRun.toString(), "--image-size", "64", "--device", "cpu");
        assertEquals(2, size.status(), size.err());
        assertTrue(size.err().startsWith("error: --image-size 64 conflicts with the checkpoint, which was trained with "
                                         + "32"), size.err());
        CliRun background = CliRun.of("train", "--resume", folderRun.toString(), "--background", "black", "--device",
                "cpu");
        assertEquals(2, background.status(), background.err());
        assertTrue(background.err().contains("--background black conflicts with the checkpoint, which was trained with "
                                             + "white"), background.err());
        CliRun more = CliRun.of("train", "--resume", folderRun.toString(), "--max-steps", "3", "--device", "cpu");
        assertEquals(0, more.status(), more.out() + more.err());
        assertTrue(more.out().contains("read 80 decoded images of " + folder + " from the cache"), more.out());
    }

    /** CIFAR-10's binary layout: a label byte, then 1,024 red, 1,024 green and 1,024 blue bytes per image. */
    @Test
    void cifarBatchesTrainAtTheirOwnSizeInColour() throws IOException {
        Path cifar = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        SplittableRandom r = new SplittableRandom(2);
        ByteBuffer records = ByteBuffer.allocate(40 * 3073);
        for (int i = 0; i < 40; i++) {
            records.put((byte) (i % 10));
            for (int p = 0; p < 3072; p++) {
                records.put((byte) r.nextInt(256));
            }
        }
        Files.write(cifar.resolve("data_batch_1.bin"), records.array());
        Path out = dir.resolve("run-cifar");
        CliRun t = train(cifar, out, "--max-steps", "1");
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains("model: DCGAN 32x32 (3 channels, ngf 4, ndf 4)"), t.out());
        assertTrue(Files.isRegularFile(out.resolve("checkpoint.safetensors")));
    }

    /** A .npy of grey 28x28 images in [0, 1] is the notebook's model's data, and colour 32x32 the DCGAN's. */
    @Test
    void npyArraysTrain() throws IOException {
        Path grey = dir.resolve("grey.npy");
        float[] g = new float[24 * 28 * 28];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < g.length; i++) {
            g[i] = r.nextInt(256) / 255f;
        }
        Npy.writeFloat32(grey, new int[] {24, 28, 28}, g);
        CliRun a = CliRun.of("train", "--device", "cpu", "--data-dir", grey.toString(), "--out",
                dir.resolve("run-grey").toString(), "--batch-size", "8", "--max-steps", "1", "--eval-every", "0",
                "--scorer-cache", cache.toString());
        assertEquals(0, a.status(), a.out() + a.err());
        assertTrue(a.out().contains("model: the notebook's 28x28 model (1 channel)"), a.out());

        Path colour = Files.createDirectories(dir.resolve("arrays")).resolve("images.npy");
        float[] c = new float[24 * 32 * 32 * 3];
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextInt(256) / 255f;
        }
        Npy.writeFloat32(colour, new int[] {24, 32, 32, 3}, c);
        CliRun b = train(colour.getParent(), dir.resolve("run-colour"), "--max-steps", "1");
        assertEquals(0, b.status(), b.out() + b.err());
        assertTrue(b.out().contains("model: DCGAN 32x32 (3 channels, ngf 4, ndf 4)"), b.out());
    }

    /**
     * Images without labels (all at the top of the folder), or of a single class, train; quality, which needs
     * classes to tell apart, is skipped with one line saying why, and evaluate refuses them saying the same.
     */
    @Test
    void withoutLabelsOrWithOneClassQualityIsSkippedSayingWhy() throws IOException {
        Path flat = Files.createDirectories(dir.resolve("flat"));
        Path one = Files.createDirectories(dir.resolve("one").resolve("disks"));
        try (var pictures = Files.list(folder.resolve("disks"))) {
            for (Path p : pictures.toList()) {
                Files.copy(p, flat.resolve(p.getFileName()));
                Files.copy(p, one.resolve(p.getFileName()));
            }
        }
        CliRun unlabelled = CliRun.of("train", "--device", "cpu", "--data-dir", flat.toString(), "--out",
                dir.resolve("run-flat").toString(), "--ngf", "4", "--ndf", "4", "--batch-size", "8", "--max-steps", "1",
                "--scorer-cache", cache.toString());
        assertEquals(0, unlabelled.status(), unlabelled.out() + unlabelled.err());
        assertTrue(unlabelled.out().contains("quality: not measured: the images have no labels, and the scorer "
                                             + "learns to tell their classes apart"), unlabelled.out());
        assertTrue(Files.isRegularFile(dir.resolve("run-flat").resolve("checkpoint.safetensors")));

        CliRun single = CliRun.of("train", "--device", "cpu", "--data-dir", one.getParent().toString(), "--out",
                dir.resolve("run-one").toString(), "--ngf", "4", "--ndf", "4", "--batch-size", "8", "--max-steps", "1",
                "--scorer-cache", cache.toString());
        assertEquals(0, single.status(), single.out() + single.err());
        assertTrue(single.out().contains("quality: not measured: the images are of a single class (disks)"),
                single.out());

        CliRun e = CliRun.of("evaluate", "--device", "cpu", "--checkpoint", dir.resolve("run-flat").toString(),
                "--count", "8", "--scorer-cache", cache.toString());
        assertEquals(1, e.status(), e.out() + e.err());
        assertTrue(e.err().startsWith("error: " + flat + ": the images have no labels, and the scorer learns to tell "
                                      + "their classes apart; give a --data-dir of labelled images"), e.err());
    }

    /** Widths belong to the 32x32 and 64x64 model; a size or channel count outside the models' is refused. */
    @Test
    void modelOptionsOutsideTheModelsAreRefused() {
        CliRun n = CliRun.of("train", "--image-size", "28", "--ngf", "32", "--device", "cpu");
        assertEquals(2, n.status());
        assertTrue(n.err().startsWith("error: --ngf and --ndf set the widths of the 32x32 and 64x64 model"), n.err());
        CliRun s = CliRun.of("train", "--image-size", "48");
        assertEquals(2, s.status());
        assertTrue(s.err().startsWith("error: --image-size needs 28, 32, 64 or auto, got '48'"), s.err());
        CliRun c = CliRun.of("bench", "--channels", "4");
        assertEquals(2, c.status());
        assertTrue(c.err().startsWith("error: --channels needs 1, 3 or auto, got '4'"), c.err());
        CliRun b = CliRun.of("train", "--background", "pink", "--device", "cpu");
        assertEquals(2, b.status());
        assertTrue(b.err().startsWith("error: --background needs"), b.err());
    }
}
