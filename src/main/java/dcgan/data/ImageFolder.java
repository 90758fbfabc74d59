package dcgan.data;

import dcgan.io.BadFileException;
import dcgan.io.Plural;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * The images of a folder, as torchvision's {@code ImageFolder} takes them: each folder directly under the root is a
 * class (named after it, classes in the order of their names) and holds its images at any depth; a root without such
 * folders holds unlabelled images. When the root holds both, the folders are the classes and the images beside
 * them are left out, with a line that says so.
 *
 * <p>Every file is read twice: first its header alone (its size and colour type, for the automatic size and
 * channels and the memory check), then the whole image, both on the {@link Workers}' threads. A file that cannot be
 * read is left out, counted, and named among the first few in one line; a class none of whose files can be read is
 * left out, and the classes that remain are numbered 0..K-1. The decoded images are cached ({@link ImageCache}).
 */
final class ImageFolder {

    /** The most pixels an image may have: a larger one is left out rather than decoded. */
    static final long MAX_PIXELS = 100_000_000L;
    private static final String KINDS = "a PNG, JPEG, GIF or BMP image";

    private ImageFolder() {
    }

    /** A file that cannot be used, and why, in a few words. */
    private static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String why) {
            super(why, null, false, false);
        }
    }

    /** What a file's header says. {@code grey}: its pixels are grey once composited, known from its colour type. */
    private record Header(int width, int height, boolean grey) {
    }

    /** The requests that leave open what {@code prep} gives: its size, its channels, or both, left automatic. */
    private static List<Preprocessing> automaticVariants(Preprocessing prep) {
        List<Preprocessing> variants = new ArrayList<>();
        int a = Preprocessing.AUTO;
        if (prep.size() != a) {
            variants.add(new Preprocessing(a, prep.channels(), prep.background()));
        }
        if (prep.channels() != a) {
            variants.add(new Preprocessing(prep.size(), a, prep.background()));
        }
        if (prep.size() != a && prep.channels() != a) {
            variants.add(new Preprocessing(a, a, prep.background()));
        }
        return variants;
    }

    static ImageSet load(FolderScan scan, DataSets.Context context) throws IOException {
        Path root = scan.root();
        PrintStream out = context.out();
        boolean labelled = scan.images().stream().anyMatch(e -> e.folder() != null);
        List<FolderScan.Entry> files = scan.images().stream().filter(e -> !labelled || e.folder() != null).toList();
        int atRoot = scan.images().size() - files.size();
        if (atRoot > 0) {
            out.println(root + ": " + count(atRoot, "image") + " at the top level left out: the folders "
                        + "beside them are the classes, and an image of a class goes in its folder");
        }
        if (scan.others() > 0) {
            out.println(root + ": ignored " + count(scan.others(), "file") + " that "
                        + (scan.others() == 1 ? "is not an image" : "are not images") + " (" + examples(
                    scan.otherExamples(), scan.others()) + "); images are " + String.join(", ", FolderScan.EXTENSIONS));
        }
        if (!scan.unreadable().isEmpty()) {
            out.println(root + ": could not read " + examples(scan.unreadable(), scan.unreadable().size())
                        + "; left out");
        }
        ImageCache cache = context.cacheDir() == null ? null
                : ImageCache.of(context.cacheDir(), root, context.prep(), files, labelled);
        if (cache != null) {
            ImageCache.Entry cached = cache.read(out, root, context.maxHeap());
            // A size or channel count given now may be what an earlier run chose automatically: its cache holds it.
            Preprocessing prep = context.prep();
            for (Preprocessing earlier : automaticVariants(prep)) {
                if (cached == null) {
                    ImageCache other = ImageCache.of(context.cacheDir(), root, earlier, files, labelled);
                    cached = other.read(out, root, context.maxHeap(), prep.size(), prep.channels());
                    cache = cached != null ? other : cache;
                }
            }
            if (cached != null) {
                out.println("read " + count(cached.pixels().count(), "decoded image") + " of " + root
                            + " from the cache " + cache.file());
                if (!cached.notes().isEmpty()) {
                    out.println(cached.notes());
                }
                return set(root, scan, labelled, cached, out);
            }
            cache = ImageCache.of(context.cacheDir(), root, prep, files, labelled);
        }

        int n = files.size();
        out.println("decoding " + count(n, "image file") + " in " + root + " on "
                    + Plural.count(context.workers().threads(), "thread"));
        Background background = context.prep().background();
        Header[] headers = new Header[n];
        String[] why = new String[n];
        context.workers().run(n, "checking", "image files", i -> {
            try {
                headers[i] = header(files.get(i), background);
            } catch (Unreadable e) {
                why[i] = e.getMessage();
            }
        });
        List<Integer> readable = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (headers[i] != null) {
                readable.add(i);
            }
        }
        if (readable.isEmpty()) {
            throw new BadFileException(root, "none of its " + count(n, "image file") + " can be read: "
                    + failures(files, why, n));
        }
        Preprocessor.Source pictures = new Preprocessor.Source() {
            @Override
            public int count() {
                return readable.size();
            }

            @Override
            public int width(int i) {
                return headers[readable.get(i)].width();
            }

            @Override
            public int height(int i) {
                return headers[readable.get(i)].height();
            }

            @Override
            public boolean knownGrey(int i) {
                return headers[readable.get(i)].grey();
            }

            @Override
            public Picture read(int i) {
                int file = readable.get(i);
                try {
                    return decode(files.get(file), background);
                } catch (Unreadable e) {
                    why[file] = e.getMessage();
                    return null;
                }
            }
        };
        Preprocessor.Result result = Preprocessor.run(pictures, context.prep(), root, context.maxHeap(),
                context.workers(), "decoding");
        int failed = n - result.count();
        if (result.count() == 0) {
            throw new BadFileException(root, "none of its " + count(n, "image file") + " can be read: "
                    + failures(files, why, failed));
        }
        String notes = failed == 0 ? "" : root + ": skipped " + String.format(Locale.ROOT, "%,d", failed) + " of " + count(n, "image file")
                + " that could not be read: " + failures(files, why, failed);
        if (!notes.isEmpty()) {
            out.println(notes);
        }
        List<String> classes = new ArrayList<>();
        int[] labels = null;
        if (labelled) {
            TreeSet<String> present = new TreeSet<>();
            for (int k : result.kept()) {
                present.add(files.get(readable.get(k)).folder());
            }
            classes.addAll(present);
            Map<String, Integer> index = new HashMap<>();
            for (String c : classes) {
                index.put(c, index.size());
            }
            labels = new int[result.count()];
            for (int k = 0; k < labels.length; k++) {
                labels[k] = index.get(files.get(readable.get(result.kept()[k])).folder());
            }
        }
        ImageCache.Entry entry = new ImageCache.Entry(result.pixels(), result.channels(), result.size(), labels,
                classes, notes);
        ImageSet set = set(root, scan, labelled, entry, out);
        if (cache != null) {
            cache.write(entry, out);
        }
        return set;
    }

    /** The set of the decoded images, saying which class folders it leaves out. */
    private static ImageSet set(Path root, FolderScan scan, boolean labelled, ImageCache.Entry entry,
            PrintStream out) {
        int count = entry.pixels().count();
        String what;
        if (labelled) {
            List<String> empty = scan.folders().stream().filter(f -> !entry.classes().contains(f)).toList();
            if (!empty.isEmpty()) {
                out.println(root + ": left out " + Plural.count(empty.size(), "class folder") + " with no readable "
                            + "images (" + examples(empty, empty.size()) + "); " + classes(entry.classes().size())
                            + " remain");
            }
            what = Plural.count(count, "image") + " in " + classes(entry.classes().size());
        } else {
            what = Plural.count(count, "image") + ", unlabelled";
        }
        return new ImageSet(entry.pixels(), entry.channels(), entry.size(), entry.labels(), entry.classes(),
                root + " (" + what + ", " + Preprocessor.shape(entry.channels(), entry.size()) + ")");
    }

    /** "1 image", "12,345 images": a count with thousands separated, and its noun. */
    static String count(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }

    private static String classes(int n) {
        return n + (n == 1 ? " class" : " classes");
    }

    /** "a, b, c", or "a, b, c and 5 more" for a list of {@code total} whose first few are {@code first}. */
    static String examples(List<String> first, int total) {
        List<String> named = first.subList(0, Math.min(first.size(), FolderScan.EXAMPLES));
        return String.join(", ", named) + (total > named.size() ? " and " + (total - named.size()) + " more" : "");
    }

    /** The first few files that could not be read, each with why. */
    private static String failures(List<FolderScan.Entry> files, String[] why, int total) {
        List<String> named = new ArrayList<>();
        for (int i = 0; i < files.size() && named.size() < FolderScan.EXAMPLES; i++) {
            if (why[i] != null) {
                named.add(files.get(i).relative() + " (" + why[i] + ")");
            }
        }
        return examples(named, total);
    }

    /** The size and colour type of an image file, from its header. */
    private static Header header(FolderScan.Entry entry, Background background) throws Unreadable {
        if (!entry.regular()) {
            throw new Unreadable("not a regular file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(entry.path().toFile())) {
            ImageReader reader = reader(in);
            try {
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new Unreadable("it has no pixels");
                }
                if ((long) w * h > MAX_PIXELS) {
                    throw new Unreadable(w + "x" + h + " is more pixels than an image may have here (100 million)");
                }
                ImageTypeSpecifier type = reader.getRawImageType(0);
                return new Header(w, h, type != null && grey(type.getColorModel(), background));
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new Unreadable(why(e));
        } catch (RuntimeException e) {
            throw new Unreadable("its header cannot be read");
        }
    }

    /** Whether images of this colour model stay grey once composited onto {@code background}. */
    private static boolean grey(ColorModel cm, Background background) {
        return cm != null && !(cm instanceof IndexColorModel) && cm.getNumColorComponents() == 1
               && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && (!cm.hasAlpha() || background.grey());
    }

    /** A whole image file's pixels, composited onto {@code background}. */
    private static Picture decode(FolderScan.Entry entry, Background background) throws Unreadable {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(entry.path().toFile())) {
            ImageReader reader = reader(in);
            try {
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new Unreadable(why(e));
        } catch (RuntimeException e) {
            throw new Unreadable("its data cannot be decoded");
        }
        return Picture.of(image, background);
    }

    /** The decoder for the image in {@code in}, its input set. */
    private static ImageReader reader(ImageInputStream in) throws Unreadable {
        if (in == null) {
            throw new Unreadable("cannot be opened for reading");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new Unreadable("not " + KINDS);
        }
        ImageReader reader = readers.next();
        reader.setInput(in, true, true);
        return reader;
    }

    /** Why a file could not be read, in a few words. */
    private static String why(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EOFException) {
                return "the file ends early";
            }
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "it is gone";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "its data cannot be decoded" : m;
    }
}
