package dcgan.data;

import java.util.List;
import java.util.Objects;

/**
 * What every image becomes on loading, as PyTorch's {@code Resize(size)} then {@code CenterCrop(size)}: its
 * transparency composited onto {@code background}, its shorter side scaled to {@code size} (an antialiasing
 * triangle filter), its centre cropped to {@code size x size}, and its colours made {@code channels} channels
 * (grey replicated to three, colour to one by ITU-R 601 luma). An image that is already the right size and number
 * of channels stays bit for bit as it was.
 *
 * @param size       28, 32 or 64, or {@link #AUTO}: the data's own size when every image is square and of that one
 *                   size and it is one of these, else 64
 * @param channels   1 or 3, or {@link #AUTO}: 1 when every image is grey (all pixels R = G = B once composited),
 *                   else 3
 * @param background what transparent pixels are composited onto
 */
public record Preprocessing(int size, int channels, Background background) {

    /** A size or channel count that follows from the data. */
    public static final int AUTO = 0;
    /** The image sizes the models are built for. */
    public static final List<Integer> SIZES = List.of(28, 32, 64);
    /** The size {@link #AUTO} gives data of other sizes. */
    public static final int LARGEST = 64;
    /** Everything from the data, transparency onto white: MNIST stays exactly as its files hold it. */
    public static final Preprocessing DEFAULT = new Preprocessing(AUTO, AUTO, Background.WHITE);

    public Preprocessing {
        if (size != AUTO && !SIZES.contains(size)) {
            throw new IllegalArgumentException("--image-size needs 28, 32, 64 or auto, got " + size);
        }
        if (channels != AUTO && channels != 1 && channels != 3) {
            throw new IllegalArgumentException("--channels needs 1, 3 or auto, got " + channels);
        }
        Objects.requireNonNull(background, "background");
    }

    /**
     * The text of {@code --image-size}: 28, 32, 64 or auto ({@link #AUTO}).
     *
     * @throws IllegalArgumentException naming the option, the text and what it should be
     */
    public static int parseSize(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("auto")) {
            return AUTO;
        }
        for (int s : SIZES) {
            if (t.equals(Integer.toString(s))) {
                return s;
            }
        }
        throw new IllegalArgumentException("--image-size needs 28, 32, 64 or auto, got '" + text + "'");
    }

    /**
     * The text of {@code --channels}: 1, 3 or auto ({@link #AUTO}).
     *
     * @throws IllegalArgumentException naming the option, the text and what it should be
     */
    public static int parseChannels(String text) {
        String t = text.strip();
        if (t.equalsIgnoreCase("auto")) {
            return AUTO;
        }
        if (t.equals("1") || t.equals("3")) {
            return Integer.parseInt(t);
        }
        throw new IllegalArgumentException("--channels needs 1, 3 or auto, got '" + text + "'");
    }

    /** The size for images that are all {@code width x height} ({@code uniform}), or of several sizes. */
    int sizeFor(boolean uniform, int width, int height) {
        if (size != AUTO) {
            return size;
        }
        return uniform && width == height && SIZES.contains(width) ? width : LARGEST;
    }

    /** The channels for images that are all grey ({@code allGrey}) or not. */
    int channelsFor(boolean allGrey) {
        if (channels != AUTO) {
            return channels;
        }
        return allGrey ? 1 : 3;
    }

    /** As the options would say it, e.g. "size auto, channels 3, background white". */
    @Override
    public String toString() {
        return "size " + (size == AUTO ? "auto" : size) + ", channels " + (channels == AUTO ? "auto" : channels)
                + ", background " + background;
    }
}
