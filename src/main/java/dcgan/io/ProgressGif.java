package dcgan.io;

import com.madgag.gif.fmsware.AnimatedGifEncoder;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code progress.gif}: the epochs' sample grids as one animation, a frame per epoch, each labelled with its
 * epoch above the grid; the last frame stays longer. Encoded with animated-gif-lib, one grid at a time, so
 * that only one frame is in memory. A GIF frame holds at most 256 colours, chosen for that frame: for a grey
 * grid by the library's own quantiser (NeuQuant, on the labelled grid), for a colour grid by
 * {@link ColourPalette}, which keeps each tile's colours close and is several times faster on large grids.
 */
public final class ProgressGif {

    static final int LABEL_HEIGHT = 24;
    static final int FRAME_MILLIS = 400;
    static final int LAST_FRAME_MILLIS = 2000;

    private ProgressGif() {
    }

    /**
     * One frame per grid (a PNG, grey or RGB), in order; {@code epochs.get(i)} labels {@code grids.get(i)}. A
     * grid that cannot be read stops the write, naming the file, and leaves {@code target} as it was.
     */
    public static void write(List<Path> grids, List<Integer> epochs, Path target) throws IOException {
        if (grids.size() != epochs.size()) {
            throw new IllegalArgumentException(grids.size() + " grids but " + epochs.size() + " epochs");
        }
        if (grids.isEmpty()) {
            return;
        }
        AtomicFiles.write(target, out -> {
            BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
            Encoder gif = new Encoder();
            gif.setRepeat(0);
            if (!gif.start(buffered)) {
                throw new IOException("the GIF encoder could not start");
            }
            for (int i = 0; i < grids.size(); i++) {
                BufferedImage grid = ImageIO.read(grids.get(i).toFile());
                if (grid == null) {
                    throw new BadFileException(grids.get(i), "is not an image this JRE can read");
                }
                gif.setDelay(i == grids.size() - 1 ? LAST_FRAME_MILLIS : FRAME_MILLIS);
                boolean colour = grid.getColorModel().getNumColorComponents() > 1;
                if (!gif.addFrame(labelled(grid, "epoch " + epochs.get(i)), colour)) {
                    throw new IOException("the GIF encoder refused frame " + (i + 1));
                }
            }
            if (!gif.finish()) {
                throw new IOException("the GIF encoder could not finish");
            }
            buffered.flush();
        });
    }

    /** The grid below a white band with the label in it. */
    static BufferedImage labelled(BufferedImage grid, String label) {
        BufferedImage frame = new BufferedImage(grid.getWidth(), grid.getHeight() + LABEL_HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = frame.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, frame.getWidth(), LABEL_HEIGHT);
            g.drawImage(grid, 0, LABEL_HEIGHT, null);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(label, 6, LABEL_HEIGHT - 6);
        } finally {
            g.dispose();
        }
        return frame;
    }

    /** animated-gif-lib's encoder, with {@link ColourPalette} in place of its own quantiser for colour frames. */
    private static final class Encoder extends AnimatedGifEncoder {

        private boolean colour;

        boolean addFrame(BufferedImage frame, boolean colour) {
            this.colour = colour;
            return addFrame(frame);
        }

        /** From {@code pixels} (the frame's blue, green, red bytes): the colour table and each pixel's entry. */
        @Override
        protected void analyzePixels() {
            if (!colour) {
                super.analyzePixels();
                return;
            }
            ColourPalette palette = ColourPalette.of(pixels);
            indexedPixels = palette.entries(pixels);
            colorTab = palette.colourTable();
            Arrays.fill(usedEntry, false);
            Arrays.fill(usedEntry, 0, palette.size(), true);
            pixels = null;
            colorDepth = 8;
            palSize = 7; // the table has 2^(7 + 1) = 256 entries
        }
    }
}
