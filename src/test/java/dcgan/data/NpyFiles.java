package dcgan.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code .npy} files of any dtype for tests, written byte by byte as NumPy 1.0 format lays them out. */
final class NpyFiles {

    private NpyFiles() {
    }

    /** A file with this header dictionary's descr and shape, then {@code data} as it is. */
    static Path raw(Path file, String descr, int[] shape, boolean fortran, byte[] data) throws IOException {
        StringBuilder dict = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': "
                + (fortran ? "True" : "False") + ", 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i > 0 ? ", " : "").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        dict.append(" ".repeat(total - unpadded)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) text.length).put(text).put(data);
        return Files.write(file, b.array());
    }

    static Path uint8(Path file, int[] shape, byte[] data) throws IOException {
        return raw(file, "|u1", shape, false, data);
    }

    static Path float32(Path file, int[] shape, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return raw(file, "<f4", shape, false, b.array());
    }

    static Path float64(Path file, int[] shape, double[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return raw(file, "<f8", shape, false, b.array());
    }

    static Path int64(Path file, long... values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return raw(file, "<i8", new int[] {values.length}, false, b.array());
    }

    static Path int32(Path file, int... values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return raw(file, "<i4", new int[] {values.length}, false, b.array());
    }
}
