package dcgan.data;

import static dcgan.data.TestImages.solid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {

    @TempDir
    Path tmp;

    private Path data;
    private Path cache;
    private final TestImages.Loader loader = new TestImages.Loader();

    @BeforeEach
    void folder() throws IOException {
        data = tmp.resolve("data");
        cache = tmp.resolve("cache/dcgan-java");
        solid(data.resolve("red/1.png"), 40, 40, 0xff0000);
        solid(data.resolve("red/2.png"), 40, 40, 0xee0000);
        solid(data.resolve("blue/1.png"), 30, 50, 0x0000ff);
        Files.writeString(data.resolve("blue/broken.png"), "broken");
        loader.cache(cache);
    }

    private Path cacheFile() throws IOException {
        try (Stream<Path> files = Files.list(cache)) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    private static void assertSameSet(ImageSet a, ImageSet b) {
        assertEquals(a.fingerprint(), b.fingerprint());
        assertArrayEquals(a.labels(), b.labels());
        assertEquals(a.classNames(), b.classNames());
        assertEquals(a.source(), b.source());
        assertEquals(a.channels(), b.channels());
        assertEquals(a.size(), b.size());
        assertEquals(a.count(), b.count());
    }

    @Test
    void theSecondLoadReadsTheCache() throws IOException {
        ImageSet first = loader.load(data);
        String said = loader.printed();
        assertTrue(said.contains("decoding 4 image files in " + data), said);
        Path file = cacheFile();
        assertTrue(file.getFileName().toString().matches("images-[0-9a-f]{16}\\.bin"), file.toString());
        assertTrue(said.contains("cached the decoded images as " + file + " ("), said);

        // A file changed without its size or time changing is not seen: the cache's images are what comes back.
        Path red = data.resolve("red/1.png");
        FileTime time = Files.getLastModifiedTime(red);
        byte[] garbage = new byte[(int) Files.size(red)];
        Files.write(red, garbage);
        Files.setLastModifiedTime(red, time);

        ImageSet second = loader.load(data);
        assertSameSet(first, second);
        said = loader.printed();
        assertTrue(said.contains("read 3 decoded images of " + data + " from the cache " + file), said);
        assertFalse(said.contains("decoding"), said);
        assertTrue(said.contains(data + ": skipped 1 of 4 image files that could not be read: blue/broken.png (not a "
                + "PNG, JPEG, GIF or BMP image)"), "the notes of the decoding, again: " + said);
    }

    /**
     * What an automatic choice chose, asked for by name (a resumed run, evaluate on a checkpoint): the cache that
     * the automatic request wrote is read, and no second copy is made; other sizes or channels are decoded.
     */
    @Test
    void whatAnAutomaticChoiceChoseIsReadFromItsCache() throws IOException {
        ImageSet auto = loader.load(data); // 64x64 (mixed sizes), colour
        assertEquals(64, auto.size());
        assertEquals(3, auto.channels());
        Path file = cacheFile();
        loader.printed();
        ImageSet named = loader.prep(64, 3).load(data);
        String said = loader.printed();
        assertTrue(said.contains("read 3 decoded images of " + data + " from the cache " + file), said);
        assertFalse(said.contains("earlier state") || said.contains("decoding"), said);
        assertSameSet(auto, named);
        assertEquals(file, cacheFile(), "still the one cache file");
        loader.prep(64, Preprocessing.AUTO).load(data);
        assertTrue(loader.printed().contains("from the cache " + file));
        ImageSet grey = loader.prep(64, 1).load(data);
        assertTrue(loader.printed().contains("decoding 4 image files"), "other channels are other images");
        assertEquals(1, grey.channels());
    }

    @Test
    void aChangedFileIsDecodedAgain() throws IOException {
        ImageSet first = loader.load(data);
        loader.printed();
        Path red = data.resolve("red/2.png");
        Files.setLastModifiedTime(red, FileTime.fromMillis(Files.getLastModifiedTime(red).toMillis() - 60_000));
        ImageSet second = loader.load(data);
        String said = loader.printed();
        assertTrue(said.contains("the image cache " + cacheFile() + " is of an earlier state of " + data
                + " (its files have changed); decoding the images again"), said);
        assertTrue(said.contains("decoding 4 image files"), said);
        assertSameSet(first, second);

        solid(red, 40, 41, 0x00ff00); // another size, another colour
        ImageSet third = loader.load(data);
        assertTrue(loader.printed().contains("is of an earlier state"));
        assertFalse(first.fingerprint().equals(third.fingerprint()));

        solid(data.resolve("red/3.png"), 40, 40, 0xff0000);
        assertEquals(4, loader.load(data).count());
        assertTrue(loader.printed().contains("is of an earlier state"));
    }

    @Test
    void otherPreprocessingIsAnotherCacheFile() throws IOException {
        loader.load(data);
        loader.printed();
        ImageSet small = loader.prep(32, 1).load(data);
        String said = loader.printed();
        assertTrue(said.contains("decoding 4 image files"), said);
        assertFalse(said.contains("earlier state"), said);
        assertEquals(1, small.channels());
        assertEquals(32, small.size());
        try (Stream<Path> files = Files.list(cache)) {
            assertEquals(2, files.count());
        }
        loader.load(data);
        assertTrue(loader.printed().contains("from the cache"));
        loader.prep(Preprocessing.AUTO, Preprocessing.AUTO).load(data);
        assertTrue(loader.printed().contains("from the cache"), "the first one is still there");
        loader.background(Background.BLACK).load(data);
        assertTrue(loader.printed().contains("decoding"), "another background");
    }

    @Test
    void aDamagedCacheIsRebuiltWithALine() throws IOException {
        ImageSet first = loader.load(data);
        Path file = cacheFile();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 100] ^= 1; // a pixel
        Files.write(file, bytes);
        loader.printed();

        ImageSet second = loader.load(data);
        String said = loader.printed();
        assertTrue(said.contains("the image cache " + file + " is damaged (its checksum does not match its data); "
                + "decoding the images again"), said);
        assertTrue(said.contains("cached the decoded images as " + file), said);
        assertSameSet(first, second);
        loader.load(data);
        assertTrue(loader.printed().contains("from the cache"), "rebuilt");

        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 200));
        assertSameSet(first, loader.load(data));
        assertTrue(loader.printed().contains("is damaged (it is cut short)"));

        Files.writeString(file, "something else entirely");
        assertSameSet(first, loader.load(data));
        assertTrue(loader.printed().contains("is damaged (not an image cache of this version)"));

        Files.write(file, new byte[0]);
        assertSameSet(first, loader.load(data));
        assertTrue(loader.printed().contains("is damaged (it is cut short)"));
    }

    @Test
    void damageBeforeTheChecksumIsFoundToo() throws IOException {
        ImageSet first = loader.load(data);
        Path file = cacheFile();
        byte[] good = Files.readAllBytes(file);
        // "DCGANIMG", version, 32-byte key: the count is at byte 44; after count, channels, size, the class count,
        // "blue" and "red" (2 + 4 and 2 + 3 bytes) and the labelled flag, the first label is at byte 73.
        byte[] bytes = good.clone();
        java.nio.ByteBuffer.wrap(bytes).putInt(44, -1);
        Files.write(file, bytes);
        loader.printed();
        assertSameSet(first, loader.load(data));
        assertTrue(loader.printed().contains("the image cache " + file + " is damaged (its header is damaged); "
                + "decoding the images again"));
        bytes = good.clone();
        java.nio.ByteBuffer.wrap(bytes).putInt(73, 99);
        Files.write(file, bytes);
        assertSameSet(first, loader.load(data));
        assertTrue(loader.printed().contains("is damaged (a label is damaged)"));
        bytes = java.util.Arrays.copyOf(good, good.length + 1);
        Files.write(file, bytes);
        assertSameSet(first, loader.load(data));
        assertTrue(loader.printed().contains("is damaged (it has bytes after its end)"));
    }

    @Test
    void aDirectoryInPlaceOfTheCacheFile() throws IOException {
        loader.load(data);
        Path file = cacheFile();
        Files.delete(file);
        Files.createDirectories(file);
        loader.printed();
        assertEquals(3, loader.load(data).count());
        String said = loader.printed();
        assertTrue(said.contains("cannot read the image cache " + file + " ("), said);
        assertTrue(said.contains("); decoding the images again"), said);
        assertTrue(said.contains("the decoded images are not cached (" + file + ": is a directory"), said);
    }

    @Test
    void anUnwritableCacheDirectoryStillLoads() throws IOException {
        Path blocked = Files.writeString(tmp.resolve("blocked"), "a file where the directory should be");
        ImageSet set = loader.cache(blocked.resolve("dcgan-java")).load(data);
        assertEquals(3, set.count());
        String said = loader.printed();
        assertTrue(said.contains("the decoded images are not cached ("), said);
        assertTrue(said.contains("); the next run decodes them again"), said);
        assertTrue(said.contains(blocked.toString()), said);
        assertEquals(1, said.lines().filter(l -> l.contains("not cached")).count());
    }

    @Test
    void noCacheDirectoryCachesNothing() throws IOException {
        loader.cache(null).load(data);
        loader.load(data);
        assertTrue(loader.printed().lines().filter(l -> l.startsWith("decoding 4")).count() == 2);
        assertFalse(Files.exists(cache));
    }

    @Test
    void theDataIsNeverWrittenTo() throws IOException {
        long before;
        try (Stream<Path> files = Files.walk(data)) {
            before = files.count();
        }
        loader.load(data);
        try (Stream<Path> files = Files.walk(data)) {
            assertEquals(before, files.count());
        }
    }
}
