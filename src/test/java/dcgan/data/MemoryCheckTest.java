package dcgan.data;

import static dcgan.data.IdxReaderTest.assertBad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryCheckTest {

    @TempDir
    Path dir;

    private final TestImages.Loader loader = new TestImages.Loader();

    @Test
    void twiceTheBytesAndAReserve() {
        // 202,599 colour images of 64x64: 2,489,536,512 bytes; twice that and 256 MiB is 4.9 GiB; 1.25 times that is
        // 6.1 GiB, so -Xmx7g.
        assertEquals(2 * 2_489_536_512L + (256L << 20), MemoryCheck.needed(202_599, 3, 64, 0));
        assertEquals("202,599 images of 3x64x64 take 2.3 GiB, and loading and shuffling them needs 4.9 GiB of Java heap, "
                + "more than the 4.0 GiB this Java may use; give it more, e.g. JAVA_OPTS=-Xmx7g ./run.sh ...",
                MemoryCheck.problem(202_599, 3, 64, 0, 4L << 30));
        assertNull(MemoryCheck.problem(202_599, 3, 64, 0, 5L << 30));
        assertNull(MemoryCheck.problem(70_000, 1, 28, 0, 512L << 20));
        assertTrue(MemoryCheck.problem(70_000, 1, 28, 100L << 20, 400L << 20).contains("needs 460.7 MiB"));
        assertEquals("812.5 MiB", MemoryCheck.amount(852_000_000L));
        assertEquals("24.0 KiB", MemoryCheck.amount(24_576));
    }

    @Test
    void anImageFolderTooLargeIsRefusedBeforeDecoding() throws IOException {
        TestImages.solid(dir.resolve("a.png"), 64, 64, 0x102030);
        TestImages.solid(dir.resolve("b.png"), 64, 64, 0x102030);
        loader.maxHeap = 200L << 20;
        assertBad(dir, "2 images of 3x64x64 take 24.0 KiB, and loading and shuffling them needs 256.", () -> loader.load(dir));
        assertBad(dir, "more than the 200.0 MiB this Java may use; give it more, e.g. JAVA_OPTS=-Xmx1g ./run.sh ...",
                () -> loader.load(dir));
        assertFalse(loader.printed().contains("decoding 2 of"));
    }

    @Test
    void everySourceIsChecked() throws IOException {
        loader.maxHeap = 100L << 20;
        Path cifar = Files.createDirectories(dir.resolve("cifar"));
        CifarFiles.write(cifar.resolve("test_batch.bin"), 2);
        assertBad(cifar, "2 images of 3x32x32 take", () -> loader.load(cifar));
        Path npy = NpyFiles.uint8(dir.resolve("x.npy"), new int[] {3, 28, 28}, new byte[3 * 784]);
        assertBad(npy, "3 images of 1x28x28 take", () -> loader.load(npy));
        loader.maxHeap = Long.MAX_VALUE;
        ImageSet mnist = MnistLoader.load(Path.of("test-data"));
        DataSets.Context small = new DataSets.Context(new Preprocessing(64, 3, Background.WHITE), null, loader.out,
                400L << 20, new Workers(1, loader.out, 0));
        assertBad(Path.of("test-data"), "10,000 images of 3x64x64 take 117.2 MiB",
                () -> DataSets.conform(mnist, Path.of("test-data"), small));
    }

    @Test
    void aCachedSetTooLargeIsRefusedToo() throws IOException {
        TestImages.solid(dir.resolve("d/a.png"), 32, 32, 0x102030);
        Path cache = dir.resolve("cache");
        loader.cache(cache).load(dir.resolve("d"));
        loader.maxHeap = 100L << 20;
        assertBad(dir.resolve("d"), "1 image of 3x32x32 take", () -> loader.load(dir.resolve("d")));
    }
}
