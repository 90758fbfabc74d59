package dcgan.io;

import com.madgag.gif.fmsware.AnimatedGifEncoder;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code progress.gif}: the epochs' sample grids as one animation, a frame per epoch, each labelled with its
 * epoch above the grid; the last frame stays longer. Encoded with animated-gif-lib.
 */
public final class ProgressGif {

    static final int LABEL_HEIGHT = 24;
    static final int FRAME_MILLIS = 400;
    static final int LAST_FRAME_MILLIS = 2000;

    private ProgressGif() {
    }

    /** One frame per grid, in order; {@code epochs.get(i)} labels {@code grids.get(i)}. */
    public static void write(List<Path> grids, List<Integer> epochs, Path target) throws IOException {
        if (grids.isEmpty()) {
            return;
        }
        BufferedImage[] frames = new BufferedImage[grids.size()];
        for (int i = 0; i < frames.length; i++) {
            BufferedImage grid = ImageIO.read(grids.get(i).toFile());
            if (grid == null) {
                throw new BadFileException(grids.get(i), "is not an image this JRE can read");
            }
            frames[i] = labelled(grid, "epoch " + epochs.get(i));
        }
        AtomicFiles.write(target, out -> {
            AnimatedGifEncoder gif = new AnimatedGifEncoder();
            gif.setRepeat(0);
            if (!gif.start(out)) {
                throw new IOException("the GIF encoder could not start");
            }
            for (int i = 0; i < frames.length; i++) {
                gif.setDelay(i == frames.length - 1 ? LAST_FRAME_MILLIS : FRAME_MILLIS);
                if (!gif.addFrame(frames[i])) {
                    throw new IOException("the GIF encoder refused frame " + (i + 1));
                }
            }
            if (!gif.finish()) {
                throw new IOException("the GIF encoder could not finish");
            }
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
}
