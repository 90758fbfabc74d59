package dcgan.data;

import dcgan.io.BadFileException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Turns the pictures of any source into the bytes of an {@link ImageSet}: it settles the size and channels the
 * {@link Preprocessing} leaves to the data, checks that the set fits the heap, then reads, scales and crops every
 * picture on the {@link Workers}' threads straight into the set's storage.
 */
final class Preprocessor {

    /** Bytes held per pixel of a picture being decoded: the decoder's image, its ARGB copy and the planes. */
    private static final long WORKING_BYTES_PER_PIXEL = 12;

    private Preprocessor() {
    }

    /** The pictures of one source, read on several threads at once. */
    interface Source {
        int count();

        int width(int i);

        int height(int i);

        /** Whether picture {@code i} is grey, when that is known before it is read (a grey file or array). */
        boolean knownGrey(int i);

        /** Picture {@code i}, or null to leave it out (the source keeps why). */
        Picture read(int i) throws IOException;
    }

    /**
     * The processed pictures.
     *
     * @param kept the source's index of each image, in order (those it read; all unless it left some out)
     */
    record Result(Pixels pixels, int channels, int size, int[] kept) {
        int count() {
            return kept.length;
        }
    }

    /**
     * Reads and processes every picture of {@code source}.
     *
     * @param data what to name in a message: the data's file or directory
     * @param verb what is done, for the progress line: "decoding", "resizing"
     * @throws BadFileException if the set does not fit the heap (before any picture is read)
     */
    static Result run(Source source, Preprocessing prep, Path data, long maxHeap, Workers workers, String verb)
            throws IOException {
        int n = source.count();
        boolean uniform = true;
        boolean allKnownGrey = true;
        long largest = 0;
        int tallest = 0;
        for (int i = 0; i < n; i++) {
            uniform &= source.width(i) == source.width(0) && source.height(i) == source.height(0);
            allKnownGrey &= source.knownGrey(i);
            largest = Math.max(largest, (long) source.width(i) * source.height(i));
            tallest = Math.max(tallest, source.height(i));
        }
        int size = n == 0 ? prep.sizeFor(false, 0, 0) : prep.sizeFor(uniform, source.width(0), source.height(0));
        int stored = prep.channelsFor(allKnownGrey);
        long working = workers.threads() * (WORKING_BYTES_PER_PIXEL * largest + 8L * tallest * size);
        MemoryCheck.require(data, n, stored, size, working, maxHeap);

        Pixels pixels = Pixels.allocate(n, stored * size * size);
        boolean[] read = new boolean[n];
        boolean[] grey = new boolean[n];
        try {
            workers.run(n, verb, "images", i -> {
                Picture p = source.read(i);
                if (p != null) {
                    ResizeCrop.apply(p, size, stored, pixels.chunk(i), pixels.offset(i));
                    grey[i] = p.grey();
                    read[i] = true;
                }
            });
        } catch (OutOfMemoryError e) {
            throw new BadFileException(data, verb + " the images took more than the " + MemoryCheck.amount(maxHeap)
                    + " of Java heap this Java may use; give it more, e.g. JAVA_OPTS=-Xmx8g ./run.sh ...");
        }
        int[] kept = new int[n];
        int count = 0;
        boolean allGrey = true;
        for (int i = 0; i < n; i++) {
            if (read[i]) {
                if (i != count) {
                    pixels.copyImage(i, pixels, count);
                }
                kept[count++] = i;
                allGrey &= grey[i];
            }
        }
        Pixels result = pixels.truncate(count);
        int channels = stored;
        if (prep.channels() == Preprocessing.AUTO && stored == 3 && allGrey && count > 0) {
            result = result.firstPlanes(size * size);
            channels = 1;
        }
        return new Result(result, channels, size, Arrays.copyOf(kept, count));
    }

    /** "3x64x64": an image's shape, channels first. */
    static String shape(int channels, int size) {
        return channels + "x" + size + "x" + size;
    }
}
