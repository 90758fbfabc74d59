package dcgan.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's {@code .npy} format for float32 arrays in C order, as {@code numpy.save} writes and
 * {@code numpy.load} reads it (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * <pre>
 *   "\x93NUMPY", major and minor version bytes, the header length (2 bytes little-endian in version 1.0,
 *   4 bytes in 2.0 and 3.0), the header: a Python dict literal such as
 *   {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 1, 28, 28), }
 *   padded with spaces and ended by '\n' so that the data starts at a multiple of 64 bytes, then the data.
 * </pre>
 * The writer produces version 1.0 exactly as NumPy does. {@link #readFloat32} accepts versions 1.0 to 3.0 but only
 * little-endian float32 in C order, and checks that the data is exactly as long as the shape says;
 * {@link #readHeader} reads the header of an array of any dtype, for readers of other types (the image loader's
 * uint8 and float64 images, integer labels) to check and read the data themselves.
 */
public final class Npy {

    /** A float32 array read from a file: its shape and values in C order. */
    public record Float32(int[] shape, float[] values) {
        public Float32 {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the data to 64 bytes since 1.9 (older versions used 16; 64 is a multiple of it). */
    static final int ALIGNMENT = 64;
    // A float32 header is well under 1 KiB; far more means a corrupt length, not a real header.
    private static final int MAX_HEADER_BYTES = 1 << 16;

    private Npy() {
    }

    /** Atomically writes {@code values} with the given shape as a little-endian float32 array. */
    public static void writeFloat32(Path file, int[] shape, float[] values) throws IOException {
        long count = 1;
        for (int d : shape) {
            count *= Math.max(d, 0);
        }
        if (count != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " values, but " + values.length + " were given");
        }
        writeFloat32(file, shape, out -> out.write(values, 0, values.length));
    }

    /** Where a streamed array's values go, in C order, a piece at a time. */
    public interface FloatSink {
        void write(float[] values, int from, int n) throws IOException;
    }

    /** Produces an array's values into a sink. */
    @FunctionalInterface
    public interface FloatSource {
        void writeTo(FloatSink sink) throws IOException;
    }

    /**
     * Atomically writes a little-endian float32 array of the given shape whose values {@code source} produces a
     * piece at a time, so that an array larger than memory can be written.
     *
     * @throws IOException if the source produces more or fewer values than the shape holds (nothing is written)
     */
    public static void writeFloat32(Path file, int[] shape, FloatSource source) throws IOException {
        writeFloat32(file, shape, source, AtomicFiles.OnStop.FINISH);
    }

    /** As {@link #writeFloat32(Path, int[], FloatSource)}, saying what becomes of the write if the program is stopped. */
    public static void writeFloat32(Path file, int[] shape, FloatSource source, AtomicFiles.OnStop onStop)
            throws IOException {
        long count = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count *= d;
        }
        long expected = count;
        byte[] header = header(shape);
        AtomicFiles.write(file, out -> {
            out.write(header);
            ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = buffer.capacity() / Float.BYTES;
            long[] written = {0};
            source.writeTo((values, from, n) -> {
                if (written[0] + n > expected) {
                    throw new IOException("more values than shape " + Arrays.toString(shape) + " holds");
                }
                for (int done = 0; done < n; done += perChunk) {
                    int m = Math.min(perChunk, n - done);
                    buffer.clear();
                    buffer.asFloatBuffer().put(values, from + done, m);
                    out.write(buffer.array(), 0, m * Float.BYTES);
                }
                written[0] += n;
            });
            if (written[0] != expected) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + expected
                        + " values, but " + written[0] + " were given");
            }
        }, onStop);
    }

    /** Magic, version 1.0, header length and the padded header: everything before the data. */
    static byte[] header(int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i > 0 ? ", " : "").append(shape[i]);
        }
        // Python writes a one-element tuple as (n,): without the comma it would be a plain number.
        dict.append(shape.length == 1 ? ",), }" : "), }");
        int prefix = MAGIC.length + 2 + 2;
        int unpadded = prefix + dict.length() + 1; // + the final '\n'
        int total = (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        dict.append(" ".repeat(total - unpadded)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }

    /** Reads a little-endian float32 C-order array, rejecting anything else with a message naming the file. */
    public static Float32 readFloat32(Path file) throws IOException {
        FileChannel channel = open(file);
        try (channel) {
            Header h = readHeader(file, channel);
            if (!"<f4".equals(h.descr())) {
                throw new BadFileException(file, "dtype is " + describe(h.descr()) + ", expected '<f4' (little-endian "
                        + "float32; in NumPy: array.astype('<f4'))");
            }
            h.requireCOrder();
            h.requireLength(Float.BYTES, "float32");
            ByteBuffer data = ByteBuffer.allocate((int) h.dataBytes());
            while (data.hasRemaining()) {
                if (channel.read(data, h.dataOffset() + data.position()) < 0) {
                    throw new BadFileException(file, "ended early while reading the data");
                }
            }
            data.flip();
            float[] values = new float[(int) h.count()];
            data.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return new Float32(h.shape(), values);
        }
    }

    /**
     * What a {@code .npy} file's header says, its data not yet read: the dtype as NumPy writes it ({@code descr},
     * e.g. {@code '<f4'}, {@code '|u1'}), whether the data is in Fortran order, the shape, where the data starts and
     * how many bytes of it the file holds.
     */
    public record Header(Path file, String descr, boolean fortranOrder, int[] shape, long dataOffset, long dataBytes) {
        public Header {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** The number of items the shape holds. */
        public long count() {
            long count = 1;
            for (int d : shape) {
                count *= d;
            }
            return count;
        }

        /** @throws BadFileException if the data is in Fortran order */
        public void requireCOrder() throws BadFileException {
            if (fortranOrder) {
                throw new BadFileException(file, "array is stored in Fortran order, expected C order "
                        + "(in NumPy: numpy.ascontiguousarray(array))");
            }
        }

        /**
         * Checks that the data is exactly the shape's items of {@code itemSize} bytes each, and that they fit one Java
         * array.
         *
         * @param type the dtype in words, for the message, e.g. "float32"
         */
        public void requireLength(int itemSize, String type) throws BadFileException {
            long count = 1;
            for (int d : shape) {
                count *= d;
                if (count > Integer.MAX_VALUE / itemSize) {
                    throw new BadFileException(file, "shape " + shapeText(shape) + " is too large");
                }
            }
            if (dataBytes != count * itemSize) {
                throw new BadFileException(file, "shape " + shapeText(shape) + " needs " + count * itemSize
                        + " bytes of " + type + " data, but the file holds " + dataBytes
                        + (dataBytes < count * itemSize ? " (truncated)" : ""));
            }
        }
    }

    /**
     * Reads the header of a {@code .npy} file (of any dtype), checking its magic, version and syntax, and that its
     * keys are exactly descr, fortran_order and shape; the dtype, order and length are the caller's to check.
     */
    public static Header readHeader(Path file) throws IOException {
        FileChannel channel = open(file);
        try (channel) {
            return readHeader(file, channel);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "a .npy file");
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(file, e);
        }
    }

    private static Header readHeader(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer start = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(start, 0);
        if (start.position() < 10 || !Arrays.equals(Arrays.copyOf(start.array(), MAGIC.length), MAGIC)) {
            throw new BadFileException(file, "not a NumPy .npy file (it does not start with \\x93NUMPY)");
        }
        int major = start.get(6);
        int minor = start.get(7);
        long headerLength;
        int prefix;
        if (major == 1 && minor == 0) {
            headerLength = Short.toUnsignedInt(start.getShort(8));
            prefix = 10;
        } else if ((major == 2 || major == 3) && minor == 0 && start.position() >= 12) {
            headerLength = Integer.toUnsignedLong(start.getInt(8));
            prefix = 12;
        } else {
            throw new BadFileException(file, ".npy format version " + major + "." + minor
                    + " is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (headerLength > MAX_HEADER_BYTES || prefix + headerLength > size) {
            throw new BadFileException(file, "header length " + headerLength + " does not fit in the file's "
                    + size + " bytes (truncated or corrupt)");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        channel.read(headerBytes, prefix);
        // Version 3.0 allows UTF-8; for the three keys we accept, ASCII and UTF-8 read the same.
        String header = new String(headerBytes.array(), StandardCharsets.UTF_8);
        Map<String, Object> dict;
        try {
            dict = new HeaderParser(header).dict();
        } catch (IllegalArgumentException e) {
            throw new BadFileException(file, "header " + header.strip() + " is not a valid .npy header: "
                    + e.getMessage());
        }
        if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new BadFileException(file, "header keys are " + dict.keySet()
                    + ", expected exactly descr, fortran_order and shape");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new BadFileException(file, "dtype " + describe(dict.get("descr")) + " is not a simple dtype "
                    + "(a structured array?)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new BadFileException(file, "fortran_order is " + describe(dict.get("fortran_order"))
                    + ", expected True or False");
        }
        if (!(dict.get("shape") instanceof int[] shape)) {
            throw new BadFileException(file, "shape " + describe(dict.get("shape")) + " is not a tuple of integers");
        }
        long dataOffset = prefix + headerLength;
        return new Header(file, descr, fortran, shape, dataOffset, size - dataOffset);
    }

    /** A shape as Python prints it, e.g. (5, 100) or (5,). */
    public static String shapeText(int[] shape) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            b.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return b.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static String describe(Object value) {
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        return value instanceof int[] a ? shapeText(a) : String.valueOf(value);
    }

    /**
     * The Python literal subset that .npy headers use: one dict with string keys whose values are strings,
     * True/False, integers, or tuples of integers (returned as int[]). Whitespace is free; a trailing comma
     * is allowed before a closing bracket, and a one-element tuple needs its comma, as in Python.
     */
    private static final class HeaderParser {
        private final String s;
        private int pos;

        HeaderParser(String s) {
            this.s = s;
        }

        Map<String, Object> dict() {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (!peekSkipping('}')) {
                String key = string();
                expect(':');
                if (out.put(key, value()) != null) {
                    throw new IllegalArgumentException("key '" + key + "' appears twice");
                }
                if (!peekSkipping('}')) {
                    expect(',');
                }
            }
            expect('}');
            space();
            if (pos != s.length()) {
                throw new IllegalArgumentException("unexpected text after the dict");
            }
            return out;
        }

        private Object value() {
            space();
            if (pos >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            return integer();
        }

        private int[] tuple() {
            expect('(');
            List<Integer> items = new ArrayList<>();
            boolean comma = false;
            while (!peekSkipping(')')) {
                items.add(integer());
                comma = peekSkipping(',');
                if (comma) {
                    pos++;
                } else if (!peekSkipping(')')) {
                    throw new IllegalArgumentException("expected ',' or ')' at character " + pos);
                }
            }
            expect(')');
            if (items.size() == 1 && !comma) {
                throw new IllegalArgumentException("(" + items.get(0) + ") is a number, not a tuple");
            }
            return items.stream().mapToInt(Integer::intValue).toArray();
        }

        private int integer() {
            space();
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw new IllegalArgumentException("expected a value at character " + pos);
            }
            try {
                return Integer.parseInt(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("number " + s.substring(start, pos) + " is too large");
            }
        }

        private String string() {
            space();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw new IllegalArgumentException("expected a quoted string at character " + pos);
            }
            char quote = s.charAt(pos++);
            int end = s.indexOf(quote, pos);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string");
            }
            String out = s.substring(pos, end);
            pos = end + 1;
            return out;
        }

        private boolean peekSkipping(char c) {
            space();
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peekSkipping(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at character " + pos);
            }
            pos++;
        }

        private void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
