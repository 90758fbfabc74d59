package dcgan.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Encodes one protocol buffer message, field by field, in the wire format
 * (https://protobuf.dev/programming-guides/encoding/): each field is a varint key
 * {@code (field number << 3) | wire type} followed by a varint (type 0), 8 little-endian bytes (type 1),
 * a length-prefixed byte string or nested message (type 2), or 4 little-endian bytes (type 5).
 * Enough for TensorBoard's Event and Summary messages without a protobuf dependency.
 */
final class ProtoWriter {

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        key(field, VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter doubleField(int field, double value) {
        key(field, FIXED64);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    ProtoWriter floatField(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    /** Seven bits at a time, least significant first, the top bit set on all but the last byte. */
    private void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
