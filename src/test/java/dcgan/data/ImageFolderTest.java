package dcgan.data;

import static dcgan.data.IdxReaderTest.assertBad;
import static dcgan.data.TestImages.image;
import static dcgan.data.TestImages.png;
import static dcgan.data.TestImages.solid;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path dir;

    private final TestImages.Loader loader = new TestImages.Loader();

    @Test
    void pngJpegGifBmpOfAnySizeAndColourTypeMakeOneLabelledSet() throws IOException {
        png(dir.resolve("a/grey.png"), TestImages.grey(28, 28, (x, y) -> 100));
        solid(dir.resolve("a/rgb.png"), 40, 30, 0x0ac81e);
        TestImages.write(dir.resolve("b/photo.jpg"), TestImages.rgb(100, 60, (x, y) -> 0x808080), "jpg");
        png(dir.resolve("b/rgba.png"), TestImages.argb(64, 64, (x, y) -> 0xff204060));
        TestImages.write(dir.resolve("b/x.bmp"), TestImages.rgb(20, 20, (x, y) -> 0x112233), "bmp");
        TestImages.write(dir.resolve("b/y.gif"), TestImages.rgb(30, 30, (x, y) -> 0xff0000), "gif");

        ImageSet set = loader.prep(32, Preprocessing.AUTO).load(dir);

        assertEquals(6, set.count());
        assertEquals(3, set.channels());
        assertEquals(32, set.size());
        assertEquals(List.of("a", "b"), set.classNames());
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 1}, set.labels(), "classes in name order, files by path");
        assertEquals(dir + " (6 images in 2 classes, 3x32x32)", set.source());
        assertSolid(set, 0, 100, 100, 100);   // a/grey.png, replicated to three channels
        assertSolid(set, 1, 10, 200, 30);     // a/rgb.png
        int[] jpeg = image(set, 2);          // b/photo.jpg, lossy
        for (int v : jpeg) {
            assertTrue(Math.abs(v - 128) <= 3, "JPEG grey " + v);
        }
        assertSolid(set, 3, 0x20, 0x40, 0x60); // b/rgba.png, opaque
        assertSolid(set, 4, 0x11, 0x22, 0x33); // b/x.bmp
        assertSolid(set, 5, 255, 0, 0);        // b/y.gif
    }

    /** Asserts that every pixel of image {@code i} is (r, g, b), or v for a grey set. */
    private static void assertSolid(ImageSet set, int i, int... rgb) {
        int[] px = image(set, i);
        int plane = set.size() * set.size();
        for (int c = 0; c < set.channels(); c++) {
            for (int p = 0; p < plane; p++) {
                assertEquals(rgb[c], px[c * plane + p], "image " + i + " channel " + c + " pixel " + p);
            }
        }
    }

    @Test
    void greyPngSamplesAreTakenAsTheyAre() throws IOException {
        // No sRGB conversion: Java's would brighten a grey image's mid-tones.
        png(dir.resolve("g.png"), TestImages.grey(28, 28, (x, y) -> 8 * x + y));

        ImageSet set = loader.load(dir);

        assertEquals(1, set.channels());
        assertEquals(28, set.size(), "automatic: the images' own size");
        assertNull(set.labels());
        assertEquals(List.of(), set.classNames());
        int[] px = image(set, 0);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                assertEquals(8 * x + y, px[y * 28 + x]);
            }
        }
        assertEquals(dir + " (1 image, unlabelled, 1x28x28)", set.source());
    }

    @Test
    void sixteenBitGreyIsScaledToBytes() throws IOException {
        java.awt.image.BufferedImage wide = new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_USHORT_GRAY);
        for (int x = 0; x < 28; x++) {
            wide.getRaster().setSample(x, 0, 0, x == 0 ? 65535 : x == 1 ? 32768 : 257 * x);
        }
        png(dir.resolve("16.png"), wide);
        int[] px = image(loader.load(dir), 0);
        assertEquals(255, px[0]);
        assertEquals(128, px[1]);
        assertEquals(7, px[7]);
        assertEquals(0, px[28]);
    }

    @Test
    void automaticChannelsAreOneWhenEveryPixelIsGrey() throws IOException {
        png(dir.resolve("a.png"), TestImages.rgb(32, 32, (x, y) -> 0x010101 * (x * 7)));
        png(dir.resolve("b.png"), TestImages.grey(32, 32, (x, y) -> y));
        ImageSet grey = loader.load(dir);
        assertEquals(1, grey.channels(), "RGB files whose pixels are all grey");
        assertEquals(32, grey.size());
        assertEquals(14, image(grey, 0)[2]);

        png(dir.resolve("c.png"), TestImages.rgb(32, 32, (x, y) -> x == 3 && y == 3 ? 0x010203 : 0));
        ImageSet colour = loader.load(dir);
        assertEquals(3, colour.channels(), "one pixel of colour in one image");
        assertEquals(3, colour.count());
        int[] c = image(colour, 2);
        assertEquals(1, c[3 * 32 + 3]);
        assertEquals(2, c[1024 + 3 * 32 + 3]);
        assertEquals(3, c[2048 + 3 * 32 + 3]);
        assertArrayEquals(Arrays.copyOf(image(grey, 1), 1024), Arrays.copyOf(image(colour, 1), 1024));
    }

    @Test
    void explicitChannels() throws IOException {
        solid(dir.resolve("c.png"), 28, 28, 0xff0000);
        png(dir.resolve("g.png"), TestImages.grey(28, 28, (x, y) -> 77));
        ImageSet one = loader.prep(Preprocessing.AUTO, 1).load(dir);
        assertEquals(1, one.channels());
        assertSolid(one, 0, 76); // luma of pure red: 255 * 0.299
        assertSolid(one, 1, 77);
        ImageSet three = loader.prep(Preprocessing.AUTO, 3).load(dir);
        assertEquals(3, three.channels());
        assertSolid(three, 1, 77, 77, 77);
    }

    @Test
    void automaticSizeIsTheImagesOwnOnlyWhenItIsOneOfTheModels() throws IOException {
        solid(dir.resolve("a/1.png"), 48, 48, 0x102030);
        solid(dir.resolve("a/2.png"), 48, 48, 0x102030);
        assertEquals(64, loader.load(dir).size(), "48x48 is no model's size");
        Path same = dir.resolve("same");
        solid(same.resolve("1.png"), 32, 32, 1);
        solid(same.resolve("2.png"), 32, 32, 1);
        assertEquals(32, loader.load(same).size());
        solid(same.resolve("3.png"), 28, 28, 1);
        assertEquals(64, loader.load(same).size(), "two sizes");
        Path oblong = dir.resolve("oblong");
        solid(oblong.resolve("1.png"), 32, 28, 1);
        assertEquals(64, loader.load(oblong).size());
    }

    @Test
    void smallImagesAreEnlargedAndLargeOnesReducedAndCropped() throws IOException {
        solid(dir.resolve("small.png"), 10, 7, 0x405060);
        png(dir.resolve("wide.png"), TestImages.rgb(300, 100, (x, y) -> x < 90 || x >= 210 ? 0xffffff : 0x102030));
        ImageSet set = loader.prep(64, 3).load(dir);
        assertSolid(set, 0, 0x40, 0x50, 0x60);
        // The wide image is scaled to 192x64 and its middle 64 columns kept: input columns 100..199 and the filter's
        // reach of 1.6 columns either side, all dark.
        assertSolid(set, 1, 0x10, 0x20, 0x30);
    }

    @Test
    void transparencyIsCompositedOntoTheBackground() throws IOException {
        // Four pixels: opaque, half, clear, a quarter.
        int[] argb = {0xffc86400, 0x80c86400, 0x00c86400, 0x40000000 | 0x3080ff};
        png(dir.resolve("t.png"), TestImages.argb(2, 2, (x, y) -> argb[y * 2 + x]));
        for (Background bg : List.of(Background.WHITE, Background.BLACK, new Background(10, 20, 30))) {
            ImageSet set = loader.background(bg).prep(28, 3).load(dir.resolve("t.png").getParent());
            // 2x2 to 28x28 spreads the pixels; the nearest output to each input pixel's centre is interpolated, so
            // check the composited colours through an unscaled 2x2 copy instead: its corners are the pixels.
            byte[] corners = new byte[3 * 4];
            ResizeCrop.apply(Picture.of(javax.imageio.ImageIO.read(dir.resolve("t.png").toFile()), bg), 2, 3,
                    corners, 0);
            for (int p = 0; p < 4; p++) {
                int a = argb[p] >>> 24;
                for (int c = 0; c < 3; c++) {
                    int v = (argb[p] >> (16 - 8 * c)) & 0xff;
                    int expected = (int) Math.round((v * a + bg.component(c) * (255 - a)) / 255.0);
                    assertEquals(expected, corners[c * 4 + p] & 0xff, bg + ", pixel " + p + ", channel " + c);
                }
            }
            assertEquals(28, set.size());
        }
    }

    @Test
    void aFullyTransparentImageIsTheBackgroundAndAGreyOneStaysGreyOnGrey() throws IOException {
        png(dir.resolve("clear.png"), TestImages.argb(32, 32, (x, y) -> 0x00ff0000));
        png(dir.resolve("ga.png"), TestImages.greyAlpha(32, 32, 200, 0));
        ImageSet white = loader.load(dir);
        assertEquals(1, white.channels(), "both are white once composited");
        assertSolid(white, 0, 255);
        assertSolid(white, 1, 255);
        ImageSet red = loader.background(new Background(255, 0, 0)).load(dir);
        assertEquals(3, red.channels());
        assertSolid(red, 0, 255, 0, 0);
        assertSolid(red, 1, 255, 0, 0);
        ImageSet black = loader.background(Background.BLACK).load(dir);
        assertEquals(1, black.channels());
        assertSolid(black, 0, 0);
    }

    @Test
    void aGifsTransparentColourIsComposited() throws IOException {
        byte[] r = {(byte) 200, 0};
        byte[] g = {(byte) 100, 0};
        byte[] b = {0, 0};
        java.awt.image.IndexColorModel palette = new java.awt.image.IndexColorModel(1, 2, r, g, b, 1);
        java.awt.image.BufferedImage gif = new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_BINARY, palette);
        for (int x = 0; x < 28; x++) {
            gif.getRaster().setSample(x, 0, 0, 1); // the top row transparent, the rest colour 0
        }
        TestImages.write(dir.resolve("t.gif"), gif, "gif");
        ImageSet set = loader.background(new Background(1, 2, 3)).load(dir);
        int[] px = image(set, 0);
        assertEquals(3, set.channels());
        assertEquals(1, px[0]);
        assertEquals(2, px[784]);
        assertEquals(3, px[2 * 784]);
        assertEquals(200, px[28]);
        assertEquals(100, px[784 + 28]);
        assertEquals(0, px[2 * 784 + 28]);
    }

    @Test
    void greyWithAlphaIsComposited() throws IOException {
        png(dir.resolve("ga.png"), TestImages.greyAlpha(28, 28, 100, 128));
        ImageSet set = loader.background(Background.WHITE).load(dir);
        assertEquals(1, set.channels());
        assertSolid(set, 0, (int) Math.round((100 * 128 + 255 * 127) / 255.0));
        ImageSet coloured = loader.background(new Background(0, 0, 255)).load(dir);
        assertEquals(3, coloured.channels());
        assertSolid(coloured, 0, 50, 50, (int) Math.round((100 * 128 + 255 * 127) / 255.0));
    }

    @Test
    void filesThatCannotBeDecodedAreSkippedCountedAndNamed() throws IOException {
        for (int i = 0; i < 4; i++) {
            solid(dir.resolve("ok/" + i + ".png"), 32, 32, 0x0a0b0c);
        }
        Files.write(dir.resolve("ok/noise.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] whole = Files.readAllBytes(solid(dir.resolve("cut.png"), 32, 32, 0x123456));
        Files.write(dir.resolve("ok/cut.png"), Arrays.copyOf(whole, whole.length / 2));
        Files.delete(dir.resolve("cut.png"));
        Files.writeString(dir.resolve("ok/text.jpg"), "not a picture");
        Files.writeString(dir.resolve("ok/z.gif"), "");

        ImageSet set = loader.load(dir);

        assertEquals(4, set.count());
        assertArrayEquals(new int[4], set.labels());
        String said = loader.printed();
        assertTrue(said.contains(dir + ": skipped 4 of 8 image files that could not be read: ok/cut.png ("), said);
        assertTrue(said.contains("ok/noise.png (not a PNG, JPEG, GIF or BMP image), ok/text.jpg (not a PNG, JPEG, "
                + "GIF or BMP image) and 1 more"), said);
        assertEquals(1, said.lines().filter(l -> l.contains("skipped")).count(), said);
        assertFalse(said.contains("Exception"), said);
        assertFalse(said.contains("null"), said);
    }

    @Test
    void everyFolderUnderAClassBelongsToIt() throws IOException {
        solid(dir.resolve("cats/indoor/a.png"), 28, 28, 0x010101);
        solid(dir.resolve("cats/outdoor/deep/b.png"), 28, 28, 0x020202);
        solid(dir.resolve("cats/c.png"), 28, 28, 0x030303);
        solid(dir.resolve("dogs/x/y/z/d.png"), 28, 28, 0x040404);
        ImageSet set = loader.load(dir);
        assertEquals(List.of("cats", "dogs"), set.classNames());
        assertArrayEquals(new int[] {0, 0, 0, 1}, set.labels());
        // by path within a class: cats/c.png, cats/indoor/a.png, cats/outdoor/deep/b.png
        assertEquals(3, image(set, 0)[2]);
        assertEquals(1, image(set, 1)[2]);
        assertEquals(2, image(set, 2)[2]);
    }

    @Test
    void aClassWithNoReadableImagesIsLeftOutAndTheLabelsStayContiguous() throws IOException {
        solid(dir.resolve("apple/1.png"), 28, 28, 1);
        Files.createDirectories(dir.resolve("banana"));
        Files.createDirectories(dir.resolve("cherry"));
        Files.writeString(dir.resolve("cherry/README"), "nothing here");
        Files.createDirectories(dir.resolve("damson"));
        Files.writeString(dir.resolve("damson/broken.png"), "broken");
        solid(dir.resolve("elder/1.png"), 28, 28, 2);
        solid(dir.resolve("elder/2.png"), 28, 28, 3);

        ImageSet set = loader.load(dir);

        assertEquals(List.of("apple", "elder"), set.classNames());
        assertArrayEquals(new int[] {0, 1, 1}, set.labels());
        String said = loader.printed();
        assertTrue(said.contains(dir + ": left out 3 class folders with no readable images (banana, cherry, damson); "
                + "2 classes remain"), said);
    }

    @Test
    void hiddenFilesAndFoldersArePassedOverAndOtherFilesCountedOnce() throws IOException {
        solid(dir.resolve("c/1.png"), 28, 28, 1);
        solid(dir.resolve("c/.thumb.png"), 28, 28, 2);
        solid(dir.resolve(".git/x.png"), 28, 28, 3);
        solid(dir.resolve(".hidden.png"), 28, 28, 4);
        Files.writeString(dir.resolve("c/.DS_Store"), "x");
        Files.writeString(dir.resolve("LICENSE"), "licence text");
        Files.writeString(dir.resolve("c/notes.txt"), "notes");

        ImageSet set = loader.load(dir);

        assertEquals(1, set.count());
        assertEquals(List.of("c"), set.classNames());
        String said = loader.printed();
        assertTrue(said.contains(dir + ": ignored 2 files that are not images (LICENSE, c/notes.txt); images are png, "
                + "jpg, jpeg, gif, bmp"), said);
        assertFalse(said.contains(".git") || said.contains("thumb") || said.contains("DS_Store"), said);
        assertFalse(said.contains("left out"), said);
    }

    @Test
    void imagesAtTheRootAloneAreUnlabelled() throws IOException {
        solid(dir.resolve("b.png"), 28, 28, 0x020202);
        solid(dir.resolve("a.png"), 28, 28, 0x010101);
        Files.createDirectories(dir.resolve("empty"));
        ImageSet set = loader.load(dir);
        assertFalse(set.labelled());
        assertEquals(List.of(), set.classNames());
        assertEquals(2, set.count());
        assertEquals(1, image(set, 0)[0], "by name");
        assertFalse(loader.printed().contains("left out"));
    }

    @Test
    void imagesBesideClassFoldersAreLeftOutSaidOnce() throws IOException {
        solid(dir.resolve("stray1.png"), 28, 28, 9);
        solid(dir.resolve("stray2.png"), 28, 28, 9);
        solid(dir.resolve("one/a.png"), 28, 28, 1);
        solid(dir.resolve("two/b.png"), 28, 28, 2);
        ImageSet set = loader.load(dir);
        assertEquals(2, set.count());
        assertEquals(List.of("one", "two"), set.classNames());
        String said = loader.printed();
        assertTrue(said.contains(dir + ": 2 images at the top level left out: the folders beside them are the "
                + "classes, and an image of a class goes in its folder"), said);
    }

    @Test
    void noReadableImageIsAnError() throws IOException {
        Files.writeString(dir.resolve("a.png"), "text");
        Files.write(dir.resolve("b.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0});
        assertBad(dir, "none of its 2 image files can be read: a.png (not a PNG, JPEG, GIF or BMP image), b.jpg (",
                () -> loader.load(dir));
    }

    @Test
    void imagesWhoseHeadersReadButWhoseDataDoesNot() throws IOException {
        for (String name : new String[] {"a.png", "b.png"}) {
            byte[] whole = Files.readAllBytes(TestImages.png(dir.resolve(name), TestImages.rgb(64, 64,
                    (x, y) -> x * 0x030201 + y * 0x010203)));
            Files.write(dir.resolve(name), Arrays.copyOf(whole, 100));
        }
        assertBad(dir, "none of its 2 image files can be read: a.png (the file ends early), b.png (the file ends early)",
                () -> loader.load(dir));
    }

    @Test
    void anImageTooLargeToDecodeIsSkipped() throws IOException {
        solid(dir.resolve("ok.png"), 28, 28, 0x808080);
        // A PNG whose header says 20000 x 20000: its IHDR chunk's width, height and CRC rewritten.
        byte[] png = Files.readAllBytes(solid(dir.resolve("huge.png"), 2, 2, 0));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(png);
        b.putInt(16, 20000).putInt(20, 20000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        Files.write(dir.resolve("huge.png"), png);
        ImageSet set = loader.load(dir);
        assertEquals(1, set.count());
        assertTrue(loader.printed().contains("skipped 1 of 2 image files that could not be read: huge.png (20000x20000 "
                + "is more pixels than an image may have here (100 million))"));
    }

    @Test
    void aLinkBackUpTheTreeIsNamedAndPassedOver() throws IOException {
        solid(dir.resolve("c/a.png"), 28, 28, 0x808080);
        Files.createSymbolicLink(dir.resolve("c/loop"), dir.resolve("c"));
        ImageSet set = loader.load(dir);
        assertEquals(1, set.count());
        assertTrue(loader.printed().contains(dir + ": could not read c/loop (a symbolic link back to a folder above "
                + "it); left out"));
    }

    @Test
    void countsInItsLinesAreGroupedByThousands() {
        assertEquals("12,345 image files", ImageFolder.count(12345, "image file"));
        assertEquals("1 image", ImageFolder.count(1, "image"));
        assertEquals("0 images", ImageFolder.count(0, "image"));
        assertEquals("a, b, c and 4 more", ImageFolder.examples(List.of("a", "b", "c", "d"), 7));
        assertEquals("a, b", ImageFolder.examples(List.of("a", "b"), 2));
    }

    @Test
    void aLinkToNothingIsSkipped() throws IOException {
        solid(dir.resolve("ok.png"), 28, 28, 5);
        Files.createSymbolicLink(dir.resolve("gone.png"), dir.resolve("nowhere.png"));
        ImageSet set = loader.load(dir);
        assertEquals(1, set.count());
        assertTrue(loader.printed().contains("skipped 1 of 2 image files that could not be read: gone.png (not a "
                + "regular file)"));
    }
}
