package dcgan.train;

import dcgan.io.MetricsCsv;
import dcgan.io.PngGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunPicturesTest {

    private static final int SIZE = 8;

    @TempDir
    Path dir;

    @Test
    void colourGridsOfTheEpochsThatHaveOneBecomeColourFrames() throws IOException {
        try (RunDirectory run = RunDirectory.open(dir, new PrintStream(new ByteArrayOutputStream()))) {
            Files.writeString(dir.resolve(MetricsCsv.FILE_NAME), MetricsCsv.HEADER + "\n"
                    + "1,1,1.4,0.7,0.7,0.6\n2,1,1.3,0.6,0.7,0.7\n3,2,1.2,0.6,0.6,0.8\n");
            // Epochs 1 and 3 have a grid, epoch 2 none: two images each, one red and one blue, the red one
            // darker each epoch.
            for (int epoch : new int[] {1, 3}) {
                float[] images = new float[2 * 3 * SIZE * SIZE];
                int plane = SIZE * SIZE;
                Arrays.fill(images, 0, plane, 1f - 0.2f * epoch);          // image 0, red
                Arrays.fill(images, 5 * plane, 6 * plane, 1f);              // image 1, blue
                PngGrid.write(run.samples(epoch), images, 0, 2, 3, SIZE, SIZE, 2, 2);
            }

            RunPictures.update(run, 3);

            BufferedImage losses = ImageIO.read(dir.resolve(RunPictures.LOSSES).toFile());
            assertNotNull(losses, "losses.png is a picture");
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            try (ImageInputStream in = ImageIO.createImageInputStream(dir.resolve(RunPictures.PROGRESS).toFile())) {
                reader.setInput(in);
                assertEquals(2, reader.getNumImages(true), "a frame per grid");
                int[] epochs = {1, 3};
                for (int f = 0; f < 2; f++) {
                    BufferedImage frame = reader.read(f);
                    assertEquals(PngGrid.gridWidth(SIZE, 2, 2), frame.getWidth());
                    int top = 24 + 2 + SIZE; // the label band, the border, half a tile
                    int red = Math.round(255 * (1f - 0.2f * epochs[f]));
                    assertEquals(red << 16, frame.getRGB(2 + SIZE, top) & 0xffffff, "frame " + f + ": red tile");
                    assertEquals(0x0000ff, frame.getRGB(2 + 3 * SIZE + 2, top) & 0xffffff, "frame " + f + ": blue tile");
                }
            } finally {
                reader.dispose();
            }
            assertTrue(Files.size(dir.resolve(RunPictures.PROGRESS)) > 0);
        }
    }
}
