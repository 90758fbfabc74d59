package dcgan.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.Checksum;

/**
 * The pixel bytes of {@code count} images of {@code perImage} bytes each, image after image, kept in chunks of
 * whole images: one Java array holds at most 2 GiB, and 200,000 colour images of 64x64 take 2.5 GB. Every chunk
 * but the last holds {@code perChunk} images; the last holds the rest, exactly.
 *
 * <p>Writers of distinct images may work in parallel: each image lies in one chunk and no two share a byte.
 */
final class Pixels {

    /** The most bytes in one chunk, rounded down to whole images; small enough to copy one chunk on the side. */
    static final int CHUNK_BYTES = 1 << 28;

    private final int count;
    private final int perImage;
    private final int perChunk;
    private final byte[][] chunks;

    private Pixels(int count, int perImage, int perChunk, byte[][] chunks) {
        this.count = count;
        this.perImage = perImage;
        this.perChunk = perChunk;
        this.chunks = chunks;
    }

    /** Zeroed room for {@code count} images of {@code perImage} bytes. */
    static Pixels allocate(int count, int perImage) {
        return allocate(count, perImage, CHUNK_BYTES);
    }

    /** As {@link #allocate(int, int)}, in chunks of at most {@code chunkBytes} (at least one image). */
    static Pixels allocate(int count, int perImage, int chunkBytes) {
        if (count < 0 || perImage < 1) {
            throw new IllegalArgumentException(count + " images of " + perImage + " bytes");
        }
        int perChunk = Math.max(1, chunkBytes / perImage);
        int chunkCount = (int) ((count + (long) perChunk - 1) / perChunk);
        byte[][] chunks = new byte[chunkCount][];
        for (int c = 0; c < chunkCount; c++) {
            int images = Math.min(perChunk, count - c * perChunk);
            chunks[c] = new byte[Math.multiplyExact(images, perImage)];
        }
        return new Pixels(count, perImage, perChunk, chunks);
    }

    /** The images of one array, which is kept (not copied) as the only chunk. */
    static Pixels wrap(byte[] bytes, int perImage) {
        if (perImage < 1 || bytes.length % perImage != 0) {
            throw new IllegalArgumentException(bytes.length + " bytes are not whole images of " + perImage);
        }
        int count = bytes.length / perImage;
        return new Pixels(count, perImage, Math.max(1, count), count == 0 ? new byte[0][] : new byte[][] {bytes});
    }

    int count() {
        return count;
    }

    int perImage() {
        return perImage;
    }

    long bytes() {
        return (long) count * perImage;
    }

    /** The array that holds image {@code i}; it starts at {@link #offset}. */
    byte[] chunk(int i) {
        return chunks[i / perChunk];
    }

    /** Where image {@code i} starts in {@link #chunk}. */
    int offset(int i) {
        return (i % perChunk) * perImage;
    }

    /** Copies image {@code from} of this set to image {@code to} of {@code dst} (which may be this set). */
    void copyImage(int from, Pixels dst, int to) {
        System.arraycopy(chunk(from), offset(from), dst.chunk(to), dst.offset(to), perImage);
    }

    /** Feeds every byte, in order, to {@code checksum}. */
    void update(Checksum checksum) {
        for (byte[] c : chunks) {
            checksum.update(c, 0, c.length);
        }
    }

    void writeTo(OutputStream out) throws IOException {
        for (byte[] c : chunks) {
            out.write(c);
        }
    }

    /** Fills every byte from {@code in}, which must hold them all. */
    void readFrom(DataInputStream in) throws IOException {
        for (byte[] c : chunks) {
            in.readFully(c);
        }
    }

    /** A copy of the first {@code n} images, in chunks like these. */
    Pixels first(int n) {
        Pixels out = allocate(n, perImage, perChunk * perImage);
        for (int c = 0; c < out.chunks.length; c++) {
            System.arraycopy(chunks[c], 0, out.chunks[c], 0, out.chunks[c].length);
        }
        return out;
    }

    /**
     * The first {@code n} images, sharing this set's full chunks and copying only the last one. This set is
     * consumed: it must not be used afterwards.
     */
    Pixels truncate(int n) {
        if (n == count) {
            return this;
        }
        int chunkCount = (int) ((n + (long) perChunk - 1) / perChunk);
        byte[][] kept = Arrays.copyOf(chunks, chunkCount);
        if (chunkCount > 0) {
            int last = chunkCount - 1;
            kept[last] = Arrays.copyOf(kept[last], (n - last * perChunk) * perImage);
        }
        return new Pixels(n, perImage, perChunk, kept);
    }

    /**
     * Each image's first {@code planeBytes} bytes (its first channel), as a set of its own. This set is consumed:
     * its chunks are let go one by one as they are read, so that the two sets are never both held whole.
     */
    Pixels firstPlanes(int planeBytes) {
        Pixels out = allocate(count, planeBytes);
        for (int i = 0; i < count; i++) {
            System.arraycopy(chunk(i), offset(i), out.chunk(i), out.offset(i), planeBytes);
            if ((i + 1) % perChunk == 0) {
                chunks[i / perChunk] = null;
            }
        }
        Arrays.fill(chunks, null);
        return out;
    }
}
