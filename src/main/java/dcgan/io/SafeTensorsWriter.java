package dcgan.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes float32 tensors in the safetensors format (https://github.com/huggingface/safetensors), which
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

    private SafeTensorsWriter() {
    }

    /** Atomically replaces {@code file} (see {@link AtomicFiles}). */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> write(out, header, tensors));
    }

    static void write(OutputStream out, byte[] header, List<NamedTensor> tensors) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(header.length);
        out.write(buffer.array(), 0, Long.BYTES);
        out.write(header);
        for (NamedTensor t : tensors) {
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

    /** The JSON header, padded with spaces to make the data start 8-byte aligned. */
    static byte[] header(List<NamedTensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(Json.quote(SafeTensorsFile.METADATA_KEY)).append(":{");
            String sep = "";
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                json.append(sep).append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
                sep = ",";
            }
            json.append('}');
        }
        Set<String> names = new HashSet<>();
        long offset = 0;
        for (NamedTensor t : tensors) {
            if (t.name().equals(SafeTensorsFile.METADATA_KEY) || !names.add(t.name())) {
                throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or used twice");
            }
            long end = offset + (long) t.size() * Float.BYTES;
            json.append(json.length() > 1 ? "," : "").append(Json.quote(t.name()))
                    .append(":{\"dtype\":\"F32\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i > 0 ? "," : "").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (bytes.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(bytes, 0, header, 0, bytes.length);
        for (int i = bytes.length; i < padded; i++) {
            header[i] = ' ';
        }
        return header;
    }
}
