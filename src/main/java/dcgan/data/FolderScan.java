package dcgan.data;

import dcgan.io.AtomicFiles;
import dcgan.io.BadFileException;

import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * What a directory holds, read once, every level down, following symbolic links: its image files (by their
 * extension), the folders directly under it, and how many other files it has. Hidden files and folders (a name
 * that starts with '.') are passed over.
 */
final class FolderScan {

    /** The extensions (any case) of the files taken for images: what Java's image decoders read. */
    static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp");
    /** How many names a message gives as examples. */
    static final int EXAMPLES = 3;

    /**
     * One image file.
     *
     * @param relative its path under the root, '/'-separated
     * @param folder   the folder directly under the root that holds it, at any depth; null for a file at the root
     * @param regular  whether it is a regular file (a link to nothing, a pipe are not)
     */
    record Entry(Path path, String relative, String folder, long size, long modified, boolean regular) {
    }

    private final Path root;
    private final List<Entry> images;
    private final List<String> folders;
    private final int others;
    private final List<String> otherExamples;
    private final List<String> unreadable;

    private FolderScan(Path root, List<Entry> images, List<String> folders, int others, List<String> otherExamples,
            List<String> unreadable) {
        this.root = root;
        this.images = images;
        this.folders = folders;
        this.others = others;
        this.otherExamples = otherExamples;
        this.unreadable = unreadable;
    }

    /** Whether a file's name is that of an image: one of {@link #EXTENSIONS}, in any case. */
    static boolean imageName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static boolean hidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    /** Reads what {@code root}, a directory, holds. */
    static FolderScan of(Path root) throws BadFileException {
        List<Entry> images = new ArrayList<>();
        TreeSet<String> folders = new TreeSet<>();
        TreeSet<String> otherNames = new TreeSet<>();
        int[] others = {0};
        List<String> unreadable = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (dir.equals(root)) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (hidden(dir)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (root.equals(dir.getParent())) {
                                folders.add(dir.getFileName().toString());
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            if (hidden(file)) {
                                return FileVisitResult.CONTINUE;
                            }
                            String relative = relative(root, file);
                            if (imageName(file.getFileName().toString())) {
                                images.add(new Entry(file, relative, folder(root, file), attrs.size(),
                                        attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS), attrs.isRegularFile()));
                            } else {
                                others[0]++;
                                otherNames.add(relative);
                                if (otherNames.size() > EXAMPLES) {
                                    otherNames.pollLast();
                                }
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            if (file.equals(root)) {
                                throw e;
                            }
                            if (!hidden(file)) {
                                String why = e instanceof FileSystemLoopException ? "a symbolic link back to a folder "
                                        + "above it" : AtomicFiles.reason(e);
                                unreadable.add(relative(root, file) + " (" + why + ")");
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new BadFileException(root, "cannot read the directory: " + AtomicFiles.reason(e), e);
        }
        images.sort(Comparator.comparing((Entry e) -> e.folder() == null ? "" : e.folder())
                .thenComparing(Entry::relative));
        unreadable.sort(null);
        return new FolderScan(root, List.copyOf(images), List.copyOf(folders), others[0], List.copyOf(otherNames),
                List.copyOf(unreadable));
    }

    private static String relative(Path root, Path file) {
        Path r = root.relativize(file);
        List<String> parts = new ArrayList<>();
        for (Path part : r) {
            parts.add(part.toString());
        }
        return String.join("/", parts);
    }

    private static String folder(Path root, Path file) {
        Path r = root.relativize(file);
        return r.getNameCount() > 1 ? r.getName(0).toString() : null;
    }

    Path root() {
        return root;
    }

    /** The image files, those at the root first, then by folder name, then by their path. */
    List<Entry> images() {
        return images;
    }

    /** The folders directly under the root, by name. */
    List<String> folders() {
        return folders;
    }

    /** How many files are not images (nor hidden). */
    int others() {
        return others;
    }

    /** The first few other files, by their path. */
    List<String> otherExamples() {
        return otherExamples;
    }

    /** The folders (and files) that could not be read, each with why. */
    List<String> unreadable() {
        return unreadable;
    }
}
