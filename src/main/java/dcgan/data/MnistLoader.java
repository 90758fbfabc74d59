package dcgan.data;

import dcgan.io.BadFileException;
import dcgan.io.InputFiles;
import dcgan.io.Plural;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads MNIST from a directory, either the four standard files (train then test,
 * concatenated) or a single images/labels pair such as the bundled {@code test-data/}: the IDX source of
 * {@link DataSets#load}, which is the way in for a run (it also reads other data, and resizes).
 *
 * <p>The data comes back in file order; shuffling is left to the caller so that it uses the
 * run's own seeded random generator.
 */
public final class MnistLoader {

    static final String IMAGES_SUFFIX = "-images-idx3-ubyte.gz";
    static final String LABELS_SUFFIX = "-labels-idx1-ubyte.gz";

    /** Standard MNIST file names, in load order: train pair first, then test pair. */
    static final List<String> STANDARD_FILES = List.of(
            "train" + IMAGES_SUFFIX, "train" + LABELS_SUFFIX,
            "t10k" + IMAGES_SUFFIX, "t10k" + LABELS_SUFFIX);

    private static final String EXPECTED = "expected either the four standard MNIST files ("
            + String.join(", ", STANDARD_FILES) + ") or exactly one pair <name>" + IMAGES_SUFFIX
            + " + <name>" + LABELS_SUFFIX;

    private MnistLoader() {}

    public static ImageSet load(Path dir) throws BadFileException {
        InputFiles.requireDirectory(dir, "directory not found (it should hold MNIST's four .gz files; give another "
                + "--data-dir, or run ./run.sh alone for a demo on the bundled digits)");
        List<String> missing = new ArrayList<>();
        for (String name : STANDARD_FILES) {
            // A link that leads nowhere counts as there: reading it says where it leads.
            if (!InputFiles.present(dir.resolve(name))) {
                missing.add(name);
            }
        }
        if (missing.isEmpty()) {
            return loadStandard(dir);
        }
        // Some but not all standard files: most likely an interrupted download, so say so
        // rather than quietly training on half the data.
        if (missing.size() < STANDARD_FILES.size()) {
            throw new BadFileException(dir, "incomplete MNIST download: missing "
                    + String.join(", ", missing) + " (all four of "
                    + String.join(", ", STANDARD_FILES) + " are needed)");
        }
        return loadSinglePair(dir);
    }

    /** Loads one images file and its labels file, checking that they belong together. */
    public static ImageSet loadPair(Path images, Path labels) throws BadFileException {
        Pair pair = readPair(images, labels);
        return new ImageSet(pair.pixels, 1, 28, ints(pair.labels), ImageSet.DIGITS, images.getFileName() + " + "
                + labels.getFileName() + " in " + parentOf(images) + " (" + Plural.count(pair.labels.length, "image")
                + ")");
    }

    private static ImageSet loadStandard(Path dir) throws BadFileException {
        Pair train = readPair(dir.resolve(STANDARD_FILES.get(0)), dir.resolve(STANDARD_FILES.get(1)));
        Pair test = readPair(dir.resolve(STANDARD_FILES.get(2)), dir.resolve(STANDARD_FILES.get(3)));
        byte[] pixels = concat(train.pixels, test.pixels);
        byte[] labels = concat(train.labels, test.labels);
        return new ImageSet(pixels, 1, 28, ints(labels), ImageSet.DIGITS,
                "4 MNIST files in " + dir + " (" + Plural.count(labels.length, "image") + ")");
    }

    private static ImageSet loadSinglePair(Path dir) throws BadFileException {
        List<String> imageFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + IMAGES_SUFFIX)) {
            for (Path file : files) {
                imageFiles.add(file.getFileName().toString());
            }
        } catch (IOException e) {
            throw InputFiles.cannotOpen(dir, e);
        }
        if (imageFiles.isEmpty()) {
            throw new BadFileException(dir, "no MNIST files found; " + EXPECTED);
        }
        if (imageFiles.size() > 1) {
            imageFiles.sort(null);
            throw new BadFileException(dir, "several image files (" + String.join(", ", imageFiles)
                    + ") and no way to choose; " + EXPECTED);
        }
        String imagesName = imageFiles.get(0);
        String prefix = imagesName.substring(0, imagesName.length() - IMAGES_SUFFIX.length());
        Path labels = dir.resolve(prefix + LABELS_SUFFIX);
        if (!InputFiles.present(labels)) {
            throw new BadFileException(dir, "found " + imagesName + " but not its labels file "
                    + labels.getFileName());
        }
        return loadPair(dir.resolve(imagesName), labels);
    }

    private record Pair(byte[] pixels, byte[] labels) {}

    private static int[] ints(byte[] labels) {
        int[] out = new int[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[i];
        }
        return out;
    }

    private static Pair readPair(Path imagesFile, Path labelsFile) throws BadFileException {
        IdxImages images = IdxReader.readImages(imagesFile);
        // The generator and discriminator are built for 28x28, so other sizes cannot be used.
        if (images.rows() != 28 || images.cols() != 28) {
            throw new BadFileException(imagesFile, "images are " + images.rows() + "x"
                    + images.cols() + ", expected 28x28");
        }
        byte[] labels = IdxReader.readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new BadFileException(labelsFile, "has " + Plural.count(labels.length, "label") + " but "
                    + imagesFile + " has " + Plural.count(images.count(), "image"));
        }
        return new Pair(images.pixels(), labels);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String parentOf(Path file) {
        Path parent = file.getParent();
        return parent == null ? "." : parent.toString();
    }
}
