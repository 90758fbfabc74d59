package dcgan.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test-side reader of TensorBoard event files, written from the format descriptions and independent of
 * the writer: it checks every record's framing (length, both masked CRC-32Cs) and decodes protocol
 * buffer fields generically.
 */
public final class EventFileReader {

    private EventFileReader() {
    }

    /** The payloads of all records in the file, after checking the framing of each. */
    public static List<byte[]> records(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            assertTrue(b.remaining() >= 12, "a record header needs 12 bytes, " + b.remaining() + " left");
            byte[] lengthBytes = new byte[8];
            b.get(lengthBytes);
            long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(masked(lengthBytes), b.getInt(), "CRC of the length of record " + out.size());
            assertTrue(length >= 0 && length <= b.remaining() - 4, "record " + out.size() + " length " + length);
            byte[] data = new byte[(int) length];
            b.get(data);
            assertEquals(masked(data), b.getInt(), "CRC of the data of record " + out.size());
            out.add(data);
        }
        return out;
    }

    /** CRC-32C, rotated right by 15 bits, plus TensorFlow's constant. */
    static int masked(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        int crc = (int) c.getValue();
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    /**
     * Protocol buffer fields by number, each a list of values: Long for varints and 64-bit fields (raw bits),
     * Integer for 32-bit fields (raw bits), byte[] for length-delimited ones.
     */
    public static Map<Integer, List<Object>> fields(byte[] message) {
        Map<Integer, List<Object>> out = new TreeMap<>();
        ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            long key = varint(b);
            int field = (int) (key >>> 3);
            Object value = switch ((int) (key & 7)) {
                case 0 -> varint(b);
                case 1 -> b.getLong();
                case 2 -> {
                    byte[] bytes = new byte[(int) varint(b)];
                    b.get(bytes);
                    yield bytes;
                }
                case 5 -> b.getInt();
                default -> throw new AssertionError("wire type " + (key & 7));
            };
            out.computeIfAbsent(field, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
    }
}
