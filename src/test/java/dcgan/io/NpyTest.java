package dcgan.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dcgan.io.SafeTensorsTest.assertBitsEqual;
import static dcgan.io.SafeTensorsTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    @TempDir
    Path dir;

    /**
     * The rules of NumPy's format (numpy.lib.format, version 1.0) checked on the bytes, independently of
     * the reader: magic, version, little-endian header length, a dict literal with exactly NumPy's keys,
     * padding with spaces and a final newline so that the data starts at a multiple of 64.
     */
    @Test
    void headersFollowNumpysFormatRules() {
        int[][] shapes = {{3, 1, 28, 28}, {5, 100}, {7}, {}, {0, 100}, {123456, 1, 28, 28}};
        String[] tuples = {"(3, 1, 28, 28)", "(5, 100)", "(7,)", "()", "(0, 100)", "(123456, 1, 28, 28)"};
        for (int k = 0; k < shapes.length; k++) {
            byte[] h = Npy.header(shapes[k]);
            assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, Arrays.copyOf(h, 8));
            int len = ByteBuffer.wrap(h, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
            assertEquals(h.length, 10 + len, "header length field");
            assertEquals(0, h.length % 64, "data aligned to 64 bytes");
            String text = new String(h, 10, len, StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\n"), "ends with a newline");
            Matcher m = Pattern.compile("\\{'descr': '<f4', 'fortran_order': False, 'shape': (\\([0-9, ]*\\)), \\} *\n")
                    .matcher(text);
            assertTrue(m.matches(), text);
            assertEquals(tuples[k], m.group(1));
            assertEquals(text.length() - 1, text.indexOf('\n'), "one newline, at the end");
        }
    }

    @Test
    void roundTripsValuesAndShape() throws IOException {
        float[] v = new float[2 * 3 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.37f - 4;
        }
        v[7] = Float.NaN;
        Path file = dir.resolve("a.npy");
        Npy.writeFloat32(file, new int[] {2, 3, 5}, v);
        assertEquals(Npy.header(new int[] {2, 3, 5}).length + 4L * v.length, Files.size(file));
        Npy.Float32 back = Npy.readFloat32(file);
        assertArrayEquals(new int[] {2, 3, 5}, back.shape());
        assertBitsEqual(v, back.values());
        int tenth = Npy.header(new int[] {2, 3, 5}).length + 4 * 10;
        assertEquals(v[10], ByteBuffer.wrap(Files.readAllBytes(file), tenth, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat(),
                "little-endian data right after the header");
    }

    @Test
    void readerAcceptsOtherWaysNumpyWritesTheSameArray() throws IOException {
        // Version 2.0 (4-byte length), double quotes, another key order, no trailing comma, 16-byte padding.
        String dict = "{\"shape\": (2, 1), \"fortran_order\": False, \"descr\": \"<f4\"}";
        Path file = raw("v2.npy", 2, dict + "   \n", new float[] {1.5f, -2f});
        Npy.Float32 a = Npy.readFloat32(file);
        assertArrayEquals(new int[] {2, 1}, a.shape());
        assertArrayEquals(new float[] {1.5f, -2f}, a.values());
    }

    @Test
    void anythingButLittleEndianFloat32InCOrderIsRefusedWithTheReason() throws IOException {
        String good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
        Npy.readFloat32(raw("good.npy", 1, good + "\n", new float[4]));

        assertBadNpy("f8.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new float[4],
                "dtype is '<f8', expected '<f4'");
        assertBadNpy("big.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new float[2],
                "dtype is '>f4'");
        assertBadNpy("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new float[4],
                "Fortran order");
        assertBadNpy("short.npy", good, new float[3], "needs 16 bytes of float32 data, but the file holds 12 (truncated)");
        assertBadNpy("long.npy", good, new float[5], "but the file holds 20");
        assertBadNpy("notuple.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4), }", new float[4],
                "(4) is a number, not a tuple");
        assertBadNpy("keys.npy", "{'descr': '<f4', 'shape': (4,), }", new float[4], "header keys are");
        assertBadNpy("syntax.npy", "{'descr': '<f4' 'fortran_order': False, 'shape': (4,)}", new float[4],
                "is not a valid .npy header");
        assertBadNpy("negative.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", new float[4],
                "is not a valid .npy header");

        assertBadNpy("number.npy", "{'descr': 5, 'fortran_order': False, 'shape': (4,), }", new float[4],
                "dtype 5 is not a simple dtype");
        assertBadNpy("order.npy", "{'descr': '<f4', 'fortran_order': 0, 'shape': (4,), }", new float[4],
                "fortran_order is 0, expected True or False");

        Path notNpy = dir.resolve("text.npy");
        Files.writeString(notNpy, "hello, this is text");
        assertProblem(() -> Npy.readFloat32(notNpy), notNpy, "not a NumPy .npy file");
        Path version = raw("v9.npy", 9, good + "\n", new float[4]);
        assertProblem(() -> Npy.readFloat32(version), version, "version 9.0 is not supported");
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(Npy.header(new int[] {2}), 40));
        assertProblem(() -> Npy.readFloat32(cut), cut, "does not fit in the file's 40 bytes");
        assertProblem(() -> Npy.readFloat32(dir.resolve("none.npy")), dir.resolve("none.npy"), "no such file");
    }

    @Test
    void theHeaderOfAnyDtype() throws IOException {
        String dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
        Path file = raw("u1.npy", 1, dict + "\n", new float[0]);
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6}, java.nio.file.StandardOpenOption.APPEND);
        Npy.Header h = Npy.readHeader(file);
        assertEquals("|u1", h.descr());
        assertArrayEquals(new int[] {2, 3}, h.shape());
        assertEquals(6, h.count());
        assertEquals(10 + dict.length() + 1, h.dataOffset());
        assertEquals(6, h.dataBytes());
        h.requireLength(1, "uint8");
        h.requireCOrder();
        assertProblem(() -> h.requireLength(2, "int16"), file, "shape (2, 3) needs 12 bytes of int16 data, but the "
                + "file holds 6 (truncated)");
        assertProblem(() -> Npy.readFloat32(file), file, "dtype is '|u1', expected '<f4'");
    }

    private void assertBadNpy(String name, String dict, float[] data, String problem) throws IOException {
        Path file = raw(name, 1, dict + "\n", data);
        assertProblem(() -> Npy.readFloat32(file), file, problem);
    }

    private Path raw(String name, int version, String header, float[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        int lengthBytes = version == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Npy.MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            b.putShort((short) h.length);
        } else {
            b.putInt(h.length);
        }
        b.put(h);
        for (float f : data) {
            b.putFloat(f);
        }
        Path file = dir.resolve(name);
        Files.write(file, b.array());
        return file;
    }
}
