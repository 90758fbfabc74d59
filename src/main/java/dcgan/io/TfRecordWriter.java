package dcgan.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TensorFlow's record framing, which TensorBoard event files use. Each record is
 * <pre>
 *   uint64 length, little-endian
 *   uint32 masked CRC-32C of those 8 bytes
 *   length bytes of data
 *   uint32 masked CRC-32C of the data
 * </pre>
 * with {@code masked(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8} (TensorFlow masks stored CRCs so
 * that a CRC of data that itself contains CRCs stays well distributed).
 */
public final class TfRecordWriter {

    private static final int MASK_DELTA = 0xa282ead8;

    private final OutputStream out;

    public TfRecordWriter(OutputStream out) {
        this.out = out;
    }

    public void write(byte[] data) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length);
        byte[] lengthBytes = length.array();
        ByteBuffer frame = ByteBuffer.allocate(Long.BYTES + 4).order(ByteOrder.LITTLE_ENDIAN);
        frame.put(lengthBytes).putInt(maskedCrc32c(lengthBytes, 0, lengthBytes.length));
        out.write(frame.array());
        out.write(data);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(maskedCrc32c(data, 0, data.length)).array());
    }

    public static int maskedCrc32c(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }
}
