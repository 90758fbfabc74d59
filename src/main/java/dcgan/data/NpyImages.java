package dcgan.data;

import dcgan.io.BadFileException;
import dcgan.io.InputFiles;
import dcgan.io.Npy;
import dcgan.io.Plural;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Images from a NumPy {@code .npy} array, with class labels from a second one or none.
 *
 * <p>The images array is {@code (N, H, W)} (grey), {@code (N, H, W, C)} or {@code (N, C, H, W)} with C = 1 (grey),
 * 3 (RGB) or 4 (RGBA, composited onto the background); when both the second and the last axis could be C, the last
 * is. Its dtype is uint8 (0..255) or float32/float64 in [0, 1] (a value v becomes the byte round(255 v)); NaN and
 * values outside [0, 1] are refused, naming the first one found. The images need not be square. The labels array is
 * 1-D, one integer per image, of any integer dtype; its distinct values, in increasing order, are the classes,
 * named by their numbers.
 */
final class NpyImages {

    private NpyImages() {
    }

    /** The dtypes images may have. */
    private enum Type {
        UINT8(1, "uint8"), FLOAT32(4, "float32"), FLOAT64(8, "float64");

        final int bytes;
        final String text;

        Type(int bytes, String text) {
            this.bytes = bytes;
            this.text = text;
        }
    }

    /** An images array's axes: N images of H x W with C channels, the channels last or second. */
    private record Layout(int count, int height, int width, int channels, boolean channelsLast, int ndim) {
        int values() {
            return height * width * channels;
        }

        /** The array index of image {@code i}'s value at channel {@code c}, row {@code y}, column {@code x}. */
        String index(int i, int c, int y, int x) {
            if (ndim == 3) {
                return "[" + i + ", " + y + ", " + x + "]";
            }
            return channelsLast ? "[" + i + ", " + y + ", " + x + ", " + c + "]"
                    : "[" + i + ", " + c + ", " + y + ", " + x + "]";
        }
    }

    /** The images of the array {@code file}, unlabelled. */
    static ImageSet loadFile(Path file, DataSets.Context context) throws IOException {
        return load(file, null, file + " (%s)", context);
    }

    /**
     * The images of the one or two arrays {@code dir} holds: an images array, and a labels array told apart by a
     * name with "label" in it or, failing that, by being the one 1-D array.
     */
    static ImageSet loadDirectory(Path dir, List<Path> arrays, DataSets.Context context) throws IOException {
        List<String> names = arrays.stream().map(p -> p.getFileName().toString()).toList();
        if (arrays.size() > 2) {
            throw new BadFileException(dir, "holds " + arrays.size() + " .npy files (" + String.join(", ", names)
                    + "); expected one images array and at most one labels array");
        }
        if (arrays.size() == 1) {
            return load(arrays.get(0), null, names.get(0) + " in " + dir + " (%s)", context);
        }
        int labels = labelsIndex(dir, arrays, names);
        Path images = arrays.get(1 - labels);
        return load(images, arrays.get(labels), images.getFileName() + " + " + names.get(labels) + " in " + dir
                + " (%s)", context);
    }

    /** Which of two arrays holds the labels. */
    private static int labelsIndex(Path dir, List<Path> arrays, List<String> names) throws IOException {
        boolean first = names.get(0).toLowerCase(Locale.ROOT).contains("label");
        boolean second = names.get(1).toLowerCase(Locale.ROOT).contains("label");
        if (first != second) {
            return first ? 0 : 1;
        }
        boolean firstFlat = Npy.readHeader(arrays.get(0)).shape().length == 1;
        boolean secondFlat = Npy.readHeader(arrays.get(1)).shape().length == 1;
        if (firstFlat != secondFlat) {
            return firstFlat ? 0 : 1;
        }
        throw new BadFileException(dir, "holds " + names.get(0) + " and " + names.get(1) + " and cannot tell which "
                + "holds the labels: expected one images array and one 1-D labels array, or a labels array with "
                + "\"label\" in its name");
    }

    private static ImageSet load(Path imagesFile, Path labelsFile, String source, DataSets.Context context)
            throws IOException {
        Npy.Header header = Npy.readHeader(imagesFile);
        Type type = imageType(header);
        header.requireCOrder();
        Layout layout = layout(header);
        header.requireLength(type.bytes, type.text);
        long[] labelValues = labelsFile == null ? null : readLabels(labelsFile, layout.count(), imagesFile);

        Preprocessor.Result result;
        FileChannel channel;
        try {
            channel = FileChannel.open(imagesFile, StandardOpenOption.READ);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(imagesFile, e);
        }
        try (channel) {
            Background background = context.prep().background();
            Preprocessor.Source pictures = new Preprocessor.Source() {
                @Override
                public int count() {
                    return layout.count();
                }

                @Override
                public int width(int i) {
                    return layout.width();
                }

                @Override
                public int height(int i) {
                    return layout.height();
                }

                @Override
                public boolean knownGrey(int i) {
                    return layout.channels() == 1;
                }

                @Override
                public Picture read(int i) throws IOException {
                    return picture(imagesFile, channel, header, type, layout, i, background);
                }
            };
            result = Preprocessor.run(pictures, context.prep(), imagesFile, context.maxHeap(), context.workers(),
                    "converting");
        }
        int nativeChannels = layout.channels() == 1 ? 1 : 3;
        boolean changed = layout.height() != result.size() || layout.width() != result.size()
                          || nativeChannels != result.channels();
        String text = String.format(Locale.ROOT, source, Plural.count(result.count(), "image"))
                      + (changed ? ", as " + Preprocessor.shape(result.channels(), result.size()) : "");
        if (labelValues == null) {
            return new ImageSet(result.pixels(), result.channels(), result.size(), null, List.of(), text);
        }
        TreeSet<Long> distinct = new TreeSet<>();
        for (long v : labelValues) {
            distinct.add(v);
        }
        long[] values = distinct.stream().mapToLong(Long::longValue).toArray();
        List<String> classes = new ArrayList<>();
        for (long v : values) {
            classes.add(Long.toString(v));
        }
        int[] labels = new int[labelValues.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = Arrays.binarySearch(values, labelValues[i]);
        }
        return new ImageSet(result.pixels(), result.channels(), result.size(), labels, classes, text);
    }

    private static Type imageType(Npy.Header header) throws BadFileException {
        return switch (header.descr()) {
            case "|u1", "<u1", ">u1" -> Type.UINT8;
            case "<f4" -> Type.FLOAT32;
            case "<f8" -> Type.FLOAT64;
            default -> throw new BadFileException(header.file(), "dtype is '" + header.descr() + "', expected images "
                    + "of uint8 ('|u1', 0..255), float32 ('<f4') or float64 ('<f8', both in [0, 1])");
        };
    }

    private static Layout layout(Npy.Header header) throws BadFileException {
        int[] s = header.shape();
        String expected = "; expected images (N, H, W), (N, H, W, C) or (N, C, H, W) with C = 1, 3 or 4";
        Layout layout;
        if (s.length == 3) {
            layout = new Layout(s[0], s[1], s[2], 1, true, 3);
        } else if (s.length == 4 && channelAxis(s[3])) {
            layout = new Layout(s[0], s[1], s[2], s[3], true, 4);
        } else if (s.length == 4 && channelAxis(s[1])) {
            layout = new Layout(s[0], s[2], s[3], s[1], false, 4);
        } else if (s.length == 4) {
            throw new BadFileException(header.file(), "shape " + Npy.shapeText(s) + " has no channel axis" + expected);
        } else {
            throw new BadFileException(header.file(), "shape " + Npy.shapeText(s) + " has " + s.length
                    + (s.length == 1 ? " dimension" : " dimensions") + expected);
        }
        if (layout.count() == 0) {
            throw new BadFileException(header.file(), "shape " + Npy.shapeText(s) + " holds no images");
        }
        if (layout.height() == 0 || layout.width() == 0) {
            throw new BadFileException(header.file(), "shape " + Npy.shapeText(s) + " holds images of no pixels");
        }
        return layout;
    }

    private static boolean channelAxis(int n) {
        return n == 1 || n == 3 || n == 4;
    }

    /** Image {@code i} of the array, its transparency composited onto {@code background}. */
    private static Picture picture(Path file, FileChannel channel, Npy.Header header, Type type, Layout layout, int i,
            Background background) throws IOException {
        int values = layout.values();
        ByteBuffer data = ByteBuffer.allocate(values * type.bytes).order(ByteOrder.LITTLE_ENDIAN);
        long at = header.dataOffset() + (long) i * values * type.bytes;
        while (data.hasRemaining()) {
            if (channel.read(data, at + data.position()) < 0) {
                throw new BadFileException(file, "ended early while reading image " + i + " (the file changed while "
                        + "it was read?)");
            }
        }
        int h = layout.height();
        int w = layout.width();
        int c = layout.channels();
        int plane = h * w;
        int colours = c == 1 ? 1 : 3;
        byte[] planes = new byte[colours * plane];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int alpha = c == 4 ? value(file, data, type, layout, i, 3, y, x) : 255;
                for (int k = 0; k < colours; k++) {
                    int v = value(file, data, type, layout, i, k, y, x);
                    planes[k * plane + y * w + x] = (byte) Picture.over(v, alpha, 255, background.component(k));
                }
            }
        }
        return colours == 1 ? Picture.grey(w, h, planes) : Picture.colour(w, h, planes);
    }

    /** Channel {@code c} of the pixel at row {@code y}, column {@code x} of the image in {@code data}, as 0..255. */
    private static int value(Path file, ByteBuffer data, Type type, Layout layout, int i, int c, int y, int x)
            throws BadFileException {
        int h = layout.height();
        int w = layout.width();
        int k = layout.channelsLast() ? (y * w + x) * layout.channels() + c : (c * h + y) * w + x;
        if (type == Type.UINT8) {
            return data.get(k) & 0xff;
        }
        double v = type == Type.FLOAT32 ? data.getFloat(4 * k) : data.getDouble(8 * k);
        if (!(v >= 0 && v <= 1)) {
            throw new BadFileException(file, "value " + layout.index(i, c, y, x) + " is " + v + ", outside [0, 1]; "
                    + type.text + " images must be in [0, 1] (for images in [-1, 1], save (x + 1) / 2)");
        }
        return (int) Math.round(v * 255);
    }

    /** The labels of {@code images} images in {@code imagesFile}, each 0 or more. */
    private static long[] readLabels(Path file, int images, Path imagesFile) throws IOException {
        Npy.Header header = Npy.readHeader(file);
        String d = header.descr();
        boolean signed = d.endsWith("i1") || d.startsWith("<i");
        int bytes = switch (d) {
            case "|u1", "<u1", "|i1", "<i1" -> 1;
            case "<u2", "<i2" -> 2;
            case "<u4", "<i4" -> 4;
            case "<u8", "<i8" -> 8;
            default -> throw new BadFileException(file, "dtype is '" + d + "', expected labels of a little-endian "
                    + "integer type ('|u1', '<i4', '<i8', ...)");
        };
        header.requireCOrder();
        if (header.shape().length != 1) {
            throw new BadFileException(file, "shape " + Npy.shapeText(header.shape()) + " is not a list of labels; "
                    + "expected a 1-D array, one class number per image");
        }
        header.requireLength(bytes, "integer");
        if (header.count() != images) {
            throw new BadFileException(file, "holds " + Plural.count(header.count(), "label") + " but " + imagesFile
                    + " holds " + Plural.count(images, "image"));
        }
        ByteBuffer data = ByteBuffer.allocate((int) header.dataBytes()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (data.hasRemaining()) {
                if (channel.read(data, header.dataOffset() + data.position()) < 0) {
                    throw new BadFileException(file, "ended early while reading the labels");
                }
            }
        } catch (BadFileException e) {
            throw e;
        } catch (IOException e) {
            throw InputFiles.cannotOpen(file, e);
        }
        long[] labels = new long[images];
        for (int i = 0; i < images; i++) {
            long v = switch (bytes) {
                case 1 -> signed ? data.get(i) : data.get(i) & 0xffL;
                case 2 -> signed ? data.getShort(2 * i) : data.getShort(2 * i) & 0xffffL;
                case 4 -> signed ? data.getInt(4 * i) : data.getInt(4 * i) & 0xffffffffL;
                default -> data.getLong(8 * i);
            };
            if (v < 0 || (bytes == 8 && !signed && data.getLong(8 * i) < 0)) {
                throw new BadFileException(file, "label at index " + i + " is "
                        + (bytes == 8 && !signed ? Long.toUnsignedString(v) : Long.toString(v))
                        + ", expected a class number 0 or more");
            }
            labels[i] = v;
        }
        return labels;
    }
}
