package dcgan.io;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes float32 (and int64) tensors in the safetensors format (https://github.com/huggingface/safetensors), which
 * Python reads with {@code safetensors.torch.load_file} or {@code safetensors.numpy.load_file}:
 * <pre>
 *   8 bytes    N, the header length, unsigned little-endian
 *   N bytes    JSON: {"__metadata__": {string: string}, NAME: {"dtype": "F32", "shape": [..],
 *              "data_offsets": [begin, end]}, ...}, padded with spaces so that 8 + N is a multiple of 8
 *   the data   each tensor's values, little-endian, row-major, at [begin, end) counted from here
 * </pre>
 * Tensors are stored back to back in the order given, so the offsets cover the data without gaps, as
 * the format requires.
 */
public final class SafeTensorsWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private SafeTensorsWriter() {
    }

    /**
     * Atomically replaces {@code file} (see {@link AtomicFiles}). The metadata also gets each tensor's CRC-32C,
     * as {@value SafeTensorsFile#CRC_PREFIX}NAME (8 hex digits), which {@link SafeTensorsFile} checks on reading.
     */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, String> withChecksums = new LinkedHashMap<>(metadata);
        for (NamedTensor t : tensors) {
            withChecksums.put(SafeTensorsFile.CRC_PREFIX + t.name(), SafeTensorsFile.hex(crc32c(t)));
        }
        byte[] header = header(tensors, withChecksums);
        AtomicFiles.write(file, out -> write(out, header, tensors));
    }

    /** The CRC-32C of a tensor's bytes as this writer stores them (little-endian). */
    static long crc32c(NamedTensor t) {
        CRC32C crc = new CRC32C();
        if (t.longValues() != null) {
            crc.update(int64Bytes(t));
            return crc.getValue();
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = t.values();
        int floatsPerChunk = buffer.capacity() / Float.BYTES;
        for (int done = 0; done < t.size(); done += floatsPerChunk) {
            int n = Math.min(floatsPerChunk, t.size() - done);
            buffer.clear();
            buffer.asFloatBuffer().put(v, t.offset() + done, n);
            crc.update(buffer.array(), 0, n * Float.BYTES);
        }
        return crc.getValue();
    }

    static void write(OutputStream out, byte[] header, List<NamedTensor> tensors) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(header.length);
        out.write(buffer.array(), 0, Long.BYTES);
        out.write(header);
        for (NamedTensor t : tensors) {
            if (t.longValues() != null) {
                out.write(int64Bytes(t));
                continue;
            }
            float[] v = t.values();
            int size = t.size();
            int floatsPerChunk = buffer.capacity() / Float.BYTES;
            for (int done = 0; done < size; done += floatsPerChunk) {
                int n = Math.min(floatsPerChunk, size - done);
                buffer.clear();
                buffer.asFloatBuffer().put(v, t.offset() + done, n);
                out.write(buffer.array(), 0, n * Float.BYTES);
            }
        }
    }

    private static byte[] int64Bytes(NamedTensor t) {
        ByteBuffer b = ByteBuffer.allocate(t.size() * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(t.longValues());
        return b.array();
    }

    /** The JSON header, padded with spaces to make the data start 8-byte aligned. */
    static byte[] header(List<NamedTensor> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes, JsonEncoding.UTF8)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(SafeTensorsFile.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    json.writeStringField(e.getKey(), e.getValue());
                }
                json.writeEndObject();
            }
            Set<String> names = new HashSet<>();
            long offset = 0;
            for (NamedTensor t : tensors) {
                if (t.name().equals(SafeTensorsFile.METADATA_KEY) || !names.add(t.name())) {
                    throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or used twice");
                }
                long end = offset + (long) t.size() * t.elementBytes();
                json.writeObjectFieldStart(t.name());
                json.writeStringField("dtype", t.dtype());
                json.writeArrayFieldStart("shape");
                for (int d : t.shape()) {
                    json.writeNumber(d);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(end);
                json.writeEndArray();
                json.writeEndObject();
                offset = end;
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory", e); // a ByteArrayOutputStream does not fail
        }
        int padded = (bytes.size() + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(bytes.toByteArray(), padded);
        Arrays.fill(header, bytes.size(), padded, (byte) ' ');
        return header;
    }
}
