package dcgan.data;

import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;
import dcgan.io.InputFiles;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The decoded images of an image folder, kept as bytes in a file of the cache directory so that the next run reads
 * them in seconds instead of decoding every file again.
 *
 * <p>One file per folder and preprocessing, {@code images-HASH.bin}, HASH from the folder's real path and the
 * preprocessing. It holds a key, a digest of every image file's path, size and modification time (and the
 * preprocessing), so that a folder whose files changed is decoded again; the images, labels and class names; and a
 * CRC-32C of all of it, checked on reading. Layout, big-endian: "DCGANIMG", int version, 32-byte key, int count,
 * int channels, int size, int class count and each name (Java's modified UTF-8), boolean labelled and an int label
 * per image, the notes of the decoding (UTF), the pixels ({@code [N, C, S, S]} bytes), then the int CRC.
 */
final class ImageCache {

    private static final byte[] MAGIC = "DCGANIMG".getBytes(StandardCharsets.US_ASCII);
    /** Changes whenever the decoding or scaling would give other bytes, so that no older cache is used. */
    static final int VERSION = 1;
    private static final int MAX_NOTES = 8000;

    /** What the cache holds for one folder. {@code notes}: what decoding said (skipped files), "" for nothing. */
    record Entry(Pixels pixels, int channels, int size, int[] labels, List<String> classes, String notes) {
    }

    private final Path file;
    private final byte[] key;

    ImageCache(Path file, byte[] key) {
        this.file = file;
        this.key = key.clone();
    }

    /**
     * The cache of {@code files} of the folder {@code root} (labelled by their folders, or not) under {@code prep},
     * in {@code cacheDir}.
     */
    static ImageCache of(Path cacheDir, Path root, Preprocessing prep, List<FolderScan.Entry> files, boolean labelled)
            throws BadFileException {
        Path real;
        try {
            real = root.toRealPath();
        } catch (IOException e) {
            throw InputFiles.cannotOpen(root, e);
        }
        MessageDigest name = sha256();
        name.update((real + "\n" + prep + "\n").getBytes(StandardCharsets.UTF_8));
        String hash = HexFormat.of().formatHex(name.digest(), 0, 8);
        MessageDigest key = sha256();
        key.update(("dcgan-java image cache " + VERSION + "\n" + prep + "\nlabelled " + labelled + "\n")
                .getBytes(StandardCharsets.UTF_8));
        for (FolderScan.Entry e : files) {
            key.update((e.relative() + "\0" + e.size() + "\0" + e.modified() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return new ImageCache(cacheDir.resolve("images-" + hash + ".bin"), key.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e); // every Java has it
        }
    }

    Path file() {
        return file;
    }

    /**
     * The cached images, or null when there are none: no file, a file of an earlier state of the folder, or a
     * damaged one (both said on {@code out}).
     *
     * @throws BadFileException naming {@code data} if the cached images do not fit the heap
     */
    Entry read(PrintStream out, Path data, long maxHeap) throws BadFileException {
        return read(out, data, maxHeap, Preprocessing.AUTO, Preprocessing.AUTO);
    }

    /**
     * As {@link #read(PrintStream, Path, long)}, but only images of {@code wantSize} and {@code wantChannels}
     * (either {@link Preprocessing#AUTO}: any); a cache of other images, of an earlier state of the folder, or a
     * damaged one is passed over without a word when either is given: this is then a second
     * look, for a cache that an earlier run's automatic choices wrote.
     */
    Entry read(PrintStream out, Path data, long maxHeap, int wantSize, int wantChannels) throws BadFileException {
        if (!InputFiles.present(file)) {
            return null;
        }
        boolean quiet = wantSize != Preprocessing.AUTO || wantChannels != Preprocessing.AUTO;
        if (quiet) {
            out = new PrintStream(java.io.OutputStream.nullOutputStream());
        }
        CRC32C crc = new CRC32C();
        try (DataInputStream in = new DataInputStream(new CheckedInputStream(
                new BufferedInputStream(Files.newInputStream(file), 1 << 16), crc))) {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC) || in.readInt() != VERSION) {
                return damaged(out, "not an image cache of this version");
            }
            byte[] stored = new byte[key.length];
            in.readFully(stored);
            if (!Arrays.equals(stored, key)) {
                out.println("the image cache " + file + " is of an earlier state of " + data
                            + " (its files have changed); decoding the images again");
                return null;
            }
            int count = in.readInt();
            int cachedChannels = in.readInt();
            int cachedSize = in.readInt();
            if (count < 0 || (cachedChannels != 1 && cachedChannels != 3) || !Preprocessing.SIZES.contains(cachedSize)) {
                return damaged(out, "its header is damaged");
            }
            if (wantSize != Preprocessing.AUTO && wantSize != cachedSize
                || wantChannels != Preprocessing.AUTO && wantChannels != cachedChannels) {
                return null;
            }
            int channels = cachedChannels;
            int size = cachedSize;
            MemoryCheck.require(data, count, channels, size, 0, maxHeap);
            int classCount = in.readInt();
            if (classCount < 0 || classCount > count) {
                return damaged(out, "its header is damaged");
            }
            List<String> classes = new ArrayList<>();
            for (int c = 0; c < classCount; c++) {
                classes.add(in.readUTF());
            }
            int[] labels = null;
            if (in.readBoolean()) {
                labels = new int[count];
                for (int i = 0; i < count; i++) {
                    labels[i] = in.readInt();
                    if (labels[i] < 0 || labels[i] >= classCount) {
                        return damaged(out, "a label is damaged");
                    }
                }
            }
            String notes = in.readUTF();
            Pixels pixels = Pixels.allocate(count, channels * size * size);
            pixels.readFrom(in);
            int expected = (int) crc.getValue();
            if (in.readInt() != expected) {
                return damaged(out, "its checksum does not match its data");
            }
            if (in.read() >= 0) {
                return damaged(out, "it has bytes after its end");
            }
            return new Entry(pixels, channels, size, labels, classes, notes);
        } catch (BadFileException e) {
            throw e;
        } catch (EOFException e) {
            return damaged(out, "it is cut short");
        } catch (IOException e) {
            out.println("cannot read the image cache " + file + " (" + AtomicFiles.reason(e)
                        + "); decoding the images again");
            return null;
        }
    }

    private Entry damaged(PrintStream out, String why) {
        out.println("the image cache " + file + " is damaged (" + why + "); decoding the images again");
        return null;
    }

    /** Writes {@code entry} into the cache, atomically, saying on {@code out} where, or why it could not. */
    void write(Entry entry, PrintStream out) {
        String notes = entry.notes().length() > MAX_NOTES ? entry.notes().substring(0, MAX_NOTES) : entry.notes();
        try {
            AtomicFiles.write(file, raw -> {
                CRC32C crc = new CRC32C();
                DataOutputStream d = new DataOutputStream(new CheckedOutputStream(raw, crc));
                d.write(MAGIC);
                d.writeInt(VERSION);
                d.write(key);
                d.writeInt(entry.pixels().count());
                d.writeInt(entry.channels());
                d.writeInt(entry.size());
                d.writeInt(entry.classes().size());
                for (String c : entry.classes()) {
                    d.writeUTF(c);
                }
                d.writeBoolean(entry.labels() != null);
                if (entry.labels() != null) {
                    for (int label : entry.labels()) {
                        d.writeInt(label);
                    }
                }
                d.writeUTF(notes);
                entry.pixels().writeTo(d);
                d.flush();
                new DataOutputStream(raw).writeInt((int) crc.getValue());
            }, AtomicFiles.OnStop.ABANDON);
            out.println("cached the decoded images as " + file + " (" + MemoryCheck.amount(entry.pixels().bytes())
                        + ") for the next run");
        } catch (IOException e) {
            String why = e.getCause() instanceof IOException cause ? AtomicFiles.reason(cause) : AtomicFiles.reason(e);
            out.println("the decoded images are not cached (" + why + "); the next run decodes them again");
        }
    }
}
