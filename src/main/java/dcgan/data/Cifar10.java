package dcgan.data;

import dcgan.io.BadFileException;
import dcgan.io.InputFiles;
import dcgan.io.Plural;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10's binary version: the files {@code data_batch_1.bin} .. {@code data_batch_5.bin} (training) and
 * {@code test_batch.bin}, each a run of 3,073-byte records: the label (0..9), then the 32x32 image's 1,024 red,
 * 1,024 green and 1,024 blue bytes, row-major. That is already a colour image's planes in an {@link ImageSet}'s
 * order. The class names are those of {@code batches.meta.txt}, one a line, when it is there.
 */
final class Cifar10 {

    static final List<String> FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");
    static final String META = "batches.meta.txt";
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");
    static final int SIZE = 32;
    static final int IMAGE_BYTES = 3 * SIZE * SIZE;
    static final int RECORD = 1 + IMAGE_BYTES;

    private Cifar10() {
    }

    /** Whether {@code dir} holds any of CIFAR-10's binary batch files. */
    static boolean present(Path dir) {
        return FILES.stream().anyMatch(name -> InputFiles.present(dir.resolve(name)));
    }

    /** Every batch file {@code dir} holds, in the order of {@link #FILES}, as 32x32 colour images. */
    static ImageSet load(Path dir, long maxHeap) throws BadFileException {
        List<Path> files = new ArrayList<>();
        long records = 0;
        for (String name : FILES) {
            Path file = dir.resolve(name);
            if (!InputFiles.present(file)) {
                continue;
            }
            InputFiles.requireRegularFile(file, "a CIFAR-10 batch file");
            long size = size(file);
            if (size == 0) {
                throw new BadFileException(file, "is empty, expected CIFAR-10 records of " + RECORD + " bytes");
            }
            if (size % RECORD != 0) {
                throw new BadFileException(file, "holds " + size + " bytes, not a whole number of " + RECORD
                        + "-byte CIFAR-10 records (a label byte and 3x32x32 pixel bytes each): it is cut short, or "
                        + "not CIFAR-10's binary version");
            }
            files.add(file);
            records += size / RECORD;
        }
        if (records > Integer.MAX_VALUE) {
            throw new BadFileException(dir, records + " CIFAR-10 records are more than one set can hold");
        }
        List<String> classes = classNames(dir);
        MemoryCheck.require(dir, records, 3, SIZE, 0, maxHeap);
        Pixels pixels = Pixels.allocate((int) records, IMAGE_BYTES);
        int[] labels = new int[(int) records];
        int i = 0;
        for (Path file : files) {
            i = read(file, pixels, labels, i);
        }
        return new ImageSet(pixels, 3, SIZE, labels, classes, Plural.count(files.size(), "CIFAR-10 file") + " in "
                + dir + " (" + Plural.count(records, "image") + ")");
    }

    private static long size(Path file) throws BadFileException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(file, e);
        }
    }

    /** Reads {@code file}'s records into images {@code first ..}; returns the index after its last. */
    private static int read(Path file, Pixels pixels, int[] labels, int first) throws BadFileException {
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(file, e);
        }
        int i = first;
        try (InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            int record = 0;
            for (int label = in.read(); label >= 0; label = in.read(), record++, i++) {
                if (label > 9) {
                    throw new BadFileException(file, "record " + record + " (counted from 0) has label " + label
                            + ", expected a CIFAR-10 class 0..9");
                }
                labels[i] = label;
                int n = in.readNBytes(pixels.chunk(i), pixels.offset(i), IMAGE_BYTES);
                if (n < IMAGE_BYTES) {
                    throw new BadFileException(file, "ends inside record " + record + " (the file changed while it "
                            + "was read?)");
                }
            }
        } catch (BadFileException e) {
            throw e;
        } catch (IOException e) {
            throw new BadFileException(file, "cannot read: " + InputFiles.cannotOpen(file, e).problem(), e);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new BadFileException(file, "grew while it was read");
        }
        return i;
    }

    private static List<String> classNames(Path dir) throws BadFileException {
        Path meta = dir.resolve(META);
        if (!InputFiles.present(meta)) {
            return CLASSES;
        }
        InputFiles.requireRegularFile(meta, "CIFAR-10's text file of class names");
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
        } catch (CharacterCodingException e) {
            throw new BadFileException(meta, "is not UTF-8 text, expected CIFAR-10's class names, one a line", e);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(meta, e);
        }
        if (names.size() != CLASSES.size()) {
            throw new BadFileException(meta, "holds " + Plural.count(names.size(), "class name")
                    + ", expected 10, one a line");
        }
        return names;
    }
}
