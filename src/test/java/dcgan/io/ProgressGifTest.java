package dcgan.io;

import com.madgag.gif.fmsware.AnimatedGifEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressGifTest {

    private static final int COUNT = 16;
    private static final int SIZE = 16;
    private static final int COLUMNS = 4;
    private static final int SCALE = 2;

    @TempDir
    Path dir;

    /**
     * Frame f's image k: its own hue (16 hues around the circle), saturation rising to the right and
     * brightness downwards, shifted a little per frame: thousands of colours, more than a GIF frame holds.
     */
    private static float[] colourImages(int frame) {
        float[] images = new float[COUNT * 3 * SIZE * SIZE];
        for (int k = 0; k < COUNT; k++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    int rgb = Color.HSBtoRGB(k / (float) COUNT + frame * 0.02f, 0.2f + 0.8f * x / (SIZE - 1),
                            0.15f + 0.85f * y / (SIZE - 1));
                    for (int c = 0; c < 3; c++) {
                        images[((k * 3 + c) * SIZE + y) * SIZE + x] = ((rgb >> (16 - 8 * c)) & 255) / 255f;
                    }
                }
            }
        }
        return images;
    }

    private List<Path> colourGrids(int frames) throws IOException {
        List<Path> grids = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            Path grid = dir.resolve("samples-epoch-00" + (f + 1) + ".png");
            PngGrid.write(grid, colourImages(f), 0, COUNT, 3, SIZE, SIZE, COLUMNS, SCALE);
            grids.add(grid);
        }
        return grids;
    }

    @Test
    void colourGridsBecomeColourFramesCloseToThem() throws IOException {
        List<Path> grids = colourGrids(3);
        Path gif = dir.resolve("progress.gif");
        ProgressGif.write(grids, List.of(1, 2, 3), gif);

        List<BufferedImage> frames = readFrames(gif);
        assertEquals(3, frames.size(), "a frame per grid");
        for (int f = 0; f < frames.size(); f++) {
            BufferedImage source = ImageIO.read(grids.get(f).toFile());
            BufferedImage frame = frames.get(f);
            assertEquals(source.getWidth(), frame.getWidth());
            assertEquals(source.getHeight() + ProgressGif.LABEL_HEIGHT, frame.getHeight());
            assertEquals(Color.WHITE.getRGB(), frame.getRGB(frame.getWidth() - 1, 0), "the label's white band");

            // Every pixel of the grid within palette error (16 hues x 256 shades do not fit 256 entries), and
            // each tile's average colour close.
            long[] errorSum = new long[3];
            int worst = 0;
            int cell = SIZE * SCALE + 2;
            for (int k = 0; k < COUNT; k++) {
                long[] sourceSum = new long[3];
                long[] frameSum = new long[3];
                int left = 2 + (k % COLUMNS) * cell;
                int top = 2 + (k / COLUMNS) * cell;
                for (int y = top; y < top + SIZE * SCALE; y++) {
                    for (int x = left; x < left + SIZE * SCALE; x++) {
                        int s = source.getRGB(x, y);
                        int g = frame.getRGB(x, y + ProgressGif.LABEL_HEIGHT);
                        for (int c = 0; c < 3; c++) {
                            int sv = (s >> (16 - 8 * c)) & 255;
                            int gv = (g >> (16 - 8 * c)) & 255;
                            sourceSum[c] += sv;
                            frameSum[c] += gv;
                            errorSum[c] += Math.abs(sv - gv);
                            worst = Math.max(worst, Math.abs(sv - gv));
                        }
                    }
                }
                for (int c = 0; c < 3; c++) {
                    double pixels = SIZE * SCALE * SIZE * SCALE;
                    assertEquals(sourceSum[c] / pixels, frameSum[c] / pixels, 5.0,
                            "frame " + f + ", tile " + k + ", channel " + c + ": average level");
                }
            }
            double pixels = COUNT * SIZE * SCALE * SIZE * SCALE;
            for (int c = 0; c < 3; c++) {
                assertTrue(errorSum[c] / pixels < 10.0, "frame " + f + ", channel " + c + ": mean error "
                        + errorSum[c] / pixels);
            }
            assertTrue(worst <= 48, "frame " + f + ": largest error " + worst);
            // The gap between tiles stays its grey.
            assertEquals(new Color(128, 128, 128).getRGB(), frame.getRGB(0, ProgressGif.LABEL_HEIGHT));
        }
    }

    @Test
    void greyGridsGiveTheGifOfLabelledFramesEncodedAsBefore() throws IOException {
        List<Path> grids = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            float[] images = new float[COUNT * SIZE * SIZE];
            for (int i = 0; i < images.length; i++) {
                images[i] = ((i * (7 + f)) % 97) / 96f;
            }
            Path grid = dir.resolve("grey-" + f + ".png");
            PngGrid.write(grid, images, 0, COUNT, 1, SIZE, SIZE, COLUMNS, SCALE);
            grids.add(grid);
        }
        Path gif = dir.resolve("progress.gif");
        ProgressGif.write(grids, List.of(2, 4, 6), gif);

        // The reference: animated-gif-lib's encoder, as it is, on the same labelled frames.
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        AnimatedGifEncoder encoder = new AnimatedGifEncoder();
        encoder.setRepeat(0);
        assertTrue(encoder.start(expected));
        for (int f = 0; f < 3; f++) {
            encoder.setDelay(f == 2 ? ProgressGif.LAST_FRAME_MILLIS : ProgressGif.FRAME_MILLIS);
            assertTrue(encoder.addFrame(ProgressGif.labelled(ImageIO.read(grids.get(f).toFile()), "epoch " + 2 * (f + 1))));
        }
        assertTrue(encoder.finish());
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(gif));
    }

    @Test
    void aGridThatIsNotAnImageIsNamedAndTheEarlierGifStays() throws IOException {
        List<Path> grids = colourGrids(2);
        Path broken = dir.resolve("samples-epoch-003.png");
        Files.writeString(broken, "not a picture");
        grids.add(broken);
        Path gif = dir.resolve("progress.gif");
        byte[] earlier = {'G', 'I', 'F', '8', '9', 'a'};
        Files.write(gif, earlier);

        IOException e = assertThrows(IOException.class, () -> ProgressGif.write(grids, List.of(1, 2, 3), gif));
        assertEquals("could not write " + gif + ": " + broken + ": is not an image this JRE can read; the previous"
                + " progress.gif is intact", e.getMessage());
        assertArrayEquals(earlier, Files.readAllBytes(gif));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    @Test
    void gridsAndEpochsMustPair() throws IOException {
        List<Path> grids = colourGrids(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProgressGif.write(grids, List.of(1), dir.resolve("progress.gif")));
        assertEquals("2 grids but 1 epochs", e.getMessage());
        assertTrue(Files.notExists(dir.resolve("progress.gif")));
    }

    private static List<BufferedImage> readFrames(Path gif) throws IOException {
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            reader.setInput(in);
            List<BufferedImage> frames = new ArrayList<>();
            for (int i = 0; i < reader.getNumImages(true); i++) {
                frames.add(reader.read(i));
            }
            return frames;
        } finally {
            reader.dispose();
        }
    }
}
