package dcgan.data;

import dcgan.io.BadFileException;
import dcgan.io.InputFiles;
import dcgan.io.Plural;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads any data set this program can train on into an {@link ImageSet}, recognising it by what {@code --data-dir}
 * holds, in this order:
 * <ol>
 * <li>MNIST's IDX files ({@link MnistLoader}): the four standard files, or one pair
 *     {@code NAME-images-idx3-ubyte.gz} + {@code NAME-labels-idx1-ubyte.gz};</li>
 * <li>CIFAR-10's binary batches ({@link Cifar10});</li>
 * <li>a NumPy {@code .npy} array: the path itself, or a directory with an images array and perhaps a labels array
 *     ({@link NpyImages});</li>
 * <li>image files in the directory or its subfolders, a subfolder per class ({@link ImageFolder}).</li>
 * </ol>
 * Every source's images then go through the same {@link Preprocessing}; with the default, MNIST's bytes are exactly
 * those of its files. Only an image folder's decoded images are cached: the other sources read in seconds.
 */
public final class DataSets {

    /** What was looked for, for the message about a path that holds none of it. */
    static final String LOOKED_FOR = "expected image files (" + String.join(", ", FolderScan.EXTENSIONS)
            + ") in it or in a subfolder per class, MNIST's IDX files (NAME-images-idx3-ubyte.gz and "
            + "NAME-labels-idx1-ubyte.gz), CIFAR-10's binary batches (data_batch_1.bin .. data_batch_5.bin, "
            + "test_batch.bin) or a NumPy .npy array";

    private static final List<String> ARCHIVES = List.of(".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz",
            ".7z", ".rar");

    private DataSets() {
    }

    /**
     * Everything one load needs besides the path.
     *
     * @param cacheDir where an image folder's decoded images are cached; null: not cached
     * @param maxHeap  the heap the images must fit, with room to spare (Runtime.maxMemory in a run)
     */
    record Context(Preprocessing prep, Path cacheDir, PrintStream out, long maxHeap, Workers workers) {
        Context {
            Objects.requireNonNull(prep, "prep");
            Objects.requireNonNull(out, "out");
            Objects.requireNonNull(workers, "workers");
        }
    }

    /**
     * The images at {@code path}, made what {@code prep} says, in the order of their files (shuffling is the
     * caller's).
     *
     * @param path     what {@code --data-dir} names: a directory, or a {@code .npy} file
     * @param prep     the size, channels and background the images are given
     * @param cacheDir where an image folder's decoded images are kept for the next run (the quality scorer's cache
     *                 directory; it is made if need be); null to cache nothing
     * @param out      where progress and notes (files skipped or ignored, the cache) go, one line each
     * @throws BadFileException naming the path or file and the problem, for data that cannot be used, including data
     *                          that does not fit the Java heap
     * @throws IOException      if the data could not be read for another reason (a failing disk)
     */
    public static ImageSet load(Path path, Preprocessing prep, Path cacheDir, PrintStream out) throws IOException {
        return load(path, new Context(prep, cacheDir, out, Runtime.getRuntime().maxMemory(),
                Workers.forMachine(out)));
    }

    static ImageSet load(Path path, Context context) throws IOException {
        if (Files.isRegularFile(path)) {
            return file(path, context);
        }
        InputFiles.requireDirectory(path, "not found; " + LOOKED_FOR);
        List<String> names = list(path);
        if (names.stream().anyMatch(DataSets::idxName)) {
            return conform(MnistLoader.load(path), path, context);
        }
        if (Cifar10.present(path)) {
            return conform(Cifar10.load(path, context.maxHeap()), path, context);
        }
        List<Path> arrays = new ArrayList<>();
        for (String name : names) {
            if (name.toLowerCase(Locale.ROOT).endsWith(".npy") && !Files.isDirectory(path.resolve(name))) {
                arrays.add(path.resolve(name));
            }
        }
        if (!arrays.isEmpty()) {
            return NpyImages.loadDirectory(path, arrays, context);
        }
        FolderScan scan = FolderScan.of(path);
        if (!scan.images().isEmpty()) {
            return ImageFolder.load(scan, context);
        }
        throw nothingFits(path, scan, names);
    }

    private static ImageSet file(Path file, Context context) throws IOException {
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".npy")) {
            return NpyImages.loadFile(file, context);
        }
        boolean partOfASet = idxName(name) || Cifar10.FILES.contains(name) || FolderScan.imageName(name);
        throw new BadFileException(file, "is a file, not a directory or a .npy array"
                + (partOfASet ? "; give the directory that holds it" : "") + "; " + LOOKED_FOR);
    }

    /** The names in {@code dir}, hidden ones left out, in order. */
    private static List<String> list(Path dir) throws BadFileException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!FolderScan.hidden(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw InputFiles.cannotOpen(dir, e);
        }
        names.sort(null);
        return names;
    }

    private static boolean idxName(String name) {
        return MnistLoader.STANDARD_FILES.contains(name) || name.endsWith(MnistLoader.IMAGES_SUFFIX)
               || name.endsWith(MnistLoader.LABELS_SUFFIX);
    }

    /** The one line for a directory that holds no data this program reads. */
    private static BadFileException nothingFits(Path dir, FolderScan scan, List<String> names) {
        StringBuilder why = new StringBuilder("no data found; ").append(LOOKED_FOR);
        if (scan.others() == 0 && scan.unreadable().isEmpty()) {
            why.append(names.isEmpty() ? "; it is empty" : "; it holds only empty folders");
        } else if (scan.others() > 0) {
            why.append("; it holds ").append(Plural.count(scan.others(), "other file")).append(" (")
                    .append(ImageFolder.examples(scan.otherExamples(), scan.others())).append(")");
        }
        if (!scan.unreadable().isEmpty()) {
            why.append("; could not read ").append(ImageFolder.examples(scan.unreadable(), scan.unreadable().size()));
        }
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (name.equals("data_batch_1") || name.equals("test_batch")) {
                why.append("; ").append(name).append(" is of CIFAR-10's Python version: use its binary version "
                        + "(cifar-10-binary.tar.gz)");
                break;
            }
            if (name.endsWith("-idx3-ubyte") || name.endsWith("-idx1-ubyte")) {
                why.append("; ").append(name).append(" is an IDX file without gzip compression: compress it "
                        + "(gzip ").append(name).append(")");
                break;
            }
            if (ARCHIVES.stream().anyMatch(lower::endsWith)) {
                why.append("; ").append(name).append(" is an archive: unpack it first");
                break;
            }
        }
        return new BadFileException(dir, why.toString());
    }

    /**
     * {@code set} made what the context's preprocessing says: the set itself when that changes nothing (so MNIST's
     * default is its files' bytes exactly), else a new set of the same labels.
     */
    static ImageSet conform(ImageSet set, Path data, Context context) throws IOException {
        Preprocessing prep = context.prep();
        int size = prep.sizeFor(true, set.size(), set.size());
        int channels = prep.channelsFor(set.channels() == 1 || allGrey(set));
        if (size == set.size() && channels == set.channels()) {
            return set;
        }
        Pixels pixels = set.pixels();
        Preprocessor.Source pictures = new Preprocessor.Source() {
            @Override
            public int count() {
                return set.count();
            }

            @Override
            public int width(int i) {
                return set.size();
            }

            @Override
            public int height(int i) {
                return set.size();
            }

            @Override
            public boolean knownGrey(int i) {
                return set.channels() == 1;
            }

            @Override
            public Picture read(int i) {
                byte[] planes = new byte[pixels.perImage()];
                System.arraycopy(pixels.chunk(i), pixels.offset(i), planes, 0, planes.length);
                return set.channels() == 1 ? Picture.grey(set.size(), set.size(), planes)
                        : new Picture(set.size(), set.size(), 3, planes);
            }
        };
        Preprocessor.Result result = Preprocessor.run(pictures, new Preprocessing(size, channels, prep.background()),
                data, context.maxHeap(), context.workers(), "converting");
        return new ImageSet(result.pixels(), result.channels(), result.size(), set.labels(), set.classNames(),
                set.source() + ", as " + Preprocessor.shape(result.channels(), result.size()));
    }

    /** Whether every image of a colour set has R = G = B everywhere. */
    private static boolean allGrey(ImageSet set) {
        Pixels pixels = set.pixels();
        int plane = set.size() * set.size();
        for (int i = 0; i < set.count(); i++) {
            byte[] c = pixels.chunk(i);
            int o = pixels.offset(i);
            for (int p = 0; p < plane; p++) {
                if (c[o + p] != c[o + plane + p] || c[o + p] != c[o + 2 * plane + p]) {
                    return false;
                }
            }
        }
        return true;
    }
}
