package dcgan.data;

import dcgan.io.BadFileException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether a set of images fits the Java heap, asked before any of it is decoded, so that a set too large for this
 * Java is refused at once with what it needs rather than failing an hour into decoding. The images are held as
 * bytes; a training run also shuffles them into a second copy, so a set needs twice its bytes, plus what decoding
 * holds while it works and a reserve for the rest of the run.
 */
final class MemoryCheck {

    /** What the rest of a run (the model, a batch, the scorer) is given, beside the images. */
    static final long RESERVE = 256L << 20;

    private MemoryCheck() {
    }

    /** The heap the images need: the set, its shuffled copy, {@code working} bytes for decoding, and the reserve. */
    static long needed(long images, int channels, int size, long working) {
        return 2 * images * channels * size * size + working + RESERVE;
    }

    /**
     * Why {@code images} images of {@code channels x size x size} do not fit a heap of at most {@code maxHeap}
     * bytes, or null when they do.
     */
    static String problem(long images, int channels, int size, long working, long maxHeap) {
        long bytes = images * channels * size * size;
        long needed = needed(images, channels, size, working);
        if (needed <= maxHeap) {
            return null;
        }
        long suggest = Math.max(1, (long) Math.ceil(needed * 1.25 / (1L << 30)));
        return String.format(Locale.ROOT, "%,d %s of %dx%dx%d take %s, and loading and shuffling them needs %s "
                        + "of Java heap, more than the %s this Java may use; give it more, e.g. JAVA_OPTS=-Xmx%dg "
                        + "./run.sh ...", images, images == 1 ? "image" : "images", channels, size, size, amount(bytes),
                amount(needed), amount(maxHeap), suggest);
    }

    /** @throws BadFileException naming {@code data} with {@link #problem} when the images do not fit */
    static void require(Path data, long images, int channels, int size, long working, long maxHeap)
            throws BadFileException {
        String problem = problem(images, channels, size, working, maxHeap);
        if (problem != null) {
            throw new BadFileException(data, problem);
        }
    }

    /** Bytes in words: "24.0 KiB", "812.5 MiB", "2.3 GiB". */
    static String amount(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) (1L << 10));
    }
}
