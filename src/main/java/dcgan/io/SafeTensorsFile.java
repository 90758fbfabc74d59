package dcgan.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads a safetensors file (the layout is described in {@link SafeTensorsWriter}). Opening validates the
 * whole structure before any tensor is read: header length, JSON, dtypes, shapes, and that the tensors'
 * byte ranges match their shapes and tile the data section exactly (no overlap, no gap, nothing missing
 * at the end, nothing extra after it). Every problem is reported as a {@link BadFileException} naming the
 * file and, where there is one, the tensor.
 *
 * <p>Tensor data is read on demand, so a caller that needs a few tensors of a large file reads only those.
 */
public final class SafeTensorsFile implements AutoCloseable {

    static final String METADATA_KEY = "__metadata__";
    /** Metadata key prefix of each tensor's CRC-32C (8 hex digits) as {@link SafeTensorsWriter} records it. */
    public static final String CRC_PREFIX = "crc32c.";
    /** The reference implementation's limit; a larger "header" means a corrupt length field. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    // Strict JSON (RFC 8259) as jackson-core reads it by default; duplicate keys are refused by this class.
    private static final JsonFactory JSON = new JsonFactory();

    private static final Map<String, Integer> DTYPE_BYTES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1),
            Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1),
            Map.entry("U16", 2), Map.entry("I16", 2), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("U32", 4), Map.entry("I32", 4), Map.entry("F32", 4),
            Map.entry("U64", 8), Map.entry("I64", 8), Map.entry("F64", 8));

    /** One tensor's header entry; begin and end are byte offsets into the data section. */
    public record Entry(String name, String dtype, int[] shape, long begin, long end) {
        @Override
        public int[] shape() {
            return shape.clone();
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path file, FileChannel channel, long dataStart, Map<String, Entry> entries,
                            Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; the caller closes it. */
    public static SafeTensorsFile open(Path file) throws IOException {
        InputFiles.requireRegularFile(file, "a .safetensors file");
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw InputFiles.cannotOpen(file, e);
        }
        try {
            SafeTensorsFile opened = parse(file, channel);
            channel = null; // now owned by the result
            return opened;
        } finally {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private static SafeTensorsFile parse(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < Long.BYTES) {
            throw new BadFileException(file, "only " + Plural.count(size, "byte") + ": too short for the 8-byte header length "
                    + "that starts a safetensors file (truncated, or not a safetensors file)");
        }
        ByteBuffer lengthBytes = readFully(file, channel, 0, Long.BYTES);
        long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new BadFileException(file, "header length field is " + Long.toUnsignedString(headerLength)
                    + " bytes, not a plausible safetensors header (corrupt, or not a safetensors file)");
        }
        if (headerLength > size - Long.BYTES) {
            throw new BadFileException(file, "header length field says " + headerLength + " bytes, but only "
                    + (size - Long.BYTES) + " follow it (truncated)");
        }
        String headerText;
        try {
            ByteBuffer headerBytes = readFully(file, channel, Long.BYTES, (int) headerLength);
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBytes);
            headerText = chars.toString();
        } catch (CharacterCodingException e) {
            throw new BadFileException(file, "header is not UTF-8 text (corrupt, or not a safetensors file)", e);
        }
        Map<String, String> metadata = Map.of();
        List<Entry> list = new ArrayList<>();
        JsonParser p = JSON.createParser(headerText);
        try (p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                requireEnd(file, p);
                throw new BadFileException(file, "header is JSON but not an object");
            }
            Set<String> names = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                unique(file, names, name, p);
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    metadata = metadata(file, p);
                } else {
                    list.add(entry(file, name, p));
                }
            }
            requireEnd(file, p);
        } catch (JsonProcessingException e) {
            // Some limits (such as the nesting depth) report no location of their own: the parser's then.
            JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            throw new BadFileException(file, "header is not valid JSON: " + e.getOriginalMessage()
                    + " at character " + at.getCharOffset(), e);
        }
        long dataLength = size - Long.BYTES - headerLength;
        checkTiling(file, list, dataLength);
        Map<String, Entry> entries = new LinkedHashMap<>();
        list.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (Entry entry : list) {
            entries.put(entry.name(), entry);
        }
        return new SafeTensorsFile(file, channel, Long.BYTES + headerLength, Collections.unmodifiableMap(entries),
                metadata);
    }

    /** Nothing but white space may follow the header's JSON value. */
    private static void requireEnd(Path file, JsonParser p) throws IOException {
        if (p.nextToken() != null) {
            throw new BadFileException(file, "header is not valid JSON: unexpected text after the JSON value at "
                    + "character " + p.currentTokenLocation().getCharOffset());
        }
    }

    /** A key seen twice makes the header ambiguous (which tensor is "a"?): refused wherever it happens. */
    private static void unique(Path file, Set<String> seen, String key, JsonParser p) throws BadFileException {
        if (!seen.add(key)) {
            throw new BadFileException(file, "header is not valid JSON: duplicate key \"" + key + "\" at character "
                    + p.currentTokenLocation().getCharOffset());
        }
    }

    /** The {@code __metadata__} object: strings only. */
    private static Map<String, String> metadata(Path file, JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new BadFileException(file, METADATA_KEY + " is not a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> keys = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            unique(file, keys, key, p);
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw new BadFileException(file, METADATA_KEY + " entry \"" + key + "\" is not a string");
            }
            out.put(key, p.getText());
        }
        return Collections.unmodifiableMap(out);
    }

    /** One tensor's object: {@code dtype}, {@code shape} and {@code data_offsets}, nothing else. */
    private static Entry entry(Path file, String name, JsonParser p) throws IOException {
        String where = "tensor " + name + ": ";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new BadFileException(file, where + "header entry is not a JSON object");
        }
        String dtype = null;
        long[] shapeLong = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            unique(file, fields, field, p);
            p.nextToken();
            switch (field) {
                case "dtype" -> dtype = p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                case "shape" -> shapeLong = integers(file, where, field, p, -1);
                case "data_offsets" -> offsets = integers(file, where, field, p, 2);
                default -> throw new BadFileException(file, where + "unexpected header field \"" + field + "\"");
            }
        }
        if (dtype == null) {
            throw new BadFileException(file, where + "dtype missing or not a string");
        }
        Integer elementBytes = DTYPE_BYTES.get(dtype);
        if (elementBytes == null) {
            throw new BadFileException(file, where + "unknown dtype \"" + dtype + "\"");
        }
        if (shapeLong == null) {
            throw new BadFileException(file, where + "shape missing or not a list of integers");
        }
        if (offsets == null) {
            throw new BadFileException(file, where + "data_offsets missing or not a list of 2 integers");
        }
        int[] shape = new int[shapeLong.length];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shapeLong[i] > Integer.MAX_VALUE) {
                throw new BadFileException(file, where + "dimension " + shapeLong[i] + " is too large");
            }
            shape[i] = (int) shapeLong[i];
            count = multiply(file, where, count, shape[i]);
        }
        if (offsets[1] < offsets[0]) {
            throw new BadFileException(file, where + "data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] end before they begin");
        }
        long needed = multiply(file, where, count, elementBytes);
        if (offsets[1] - offsets[0] != needed) {
            throw new BadFileException(file, where + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
                    + (offsets[1] - offsets[0]) + " bytes, but shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + needed);
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers (each fitting a long), of the given length unless it is -1. */
    private static long[] integers(Path file, String where, String field, JsonParser p, int length) throws IOException {
        String expected = length >= 0 ? "a list of " + length + " integers" : "a list of integers";
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new BadFileException(file, where + field + " missing or not " + expected);
        }
        List<Long> values = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            boolean fits = t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
            if (!fits || p.getLongValue() < 0) {
                throw new BadFileException(file, where + field + " holds " + p.getText()
                        + ", expected a non-negative integer");
            }
            values.add(p.getLongValue());
        }
        if (length >= 0 && values.size() != length) {
            throw new BadFileException(file, where + field + " missing or not " + expected);
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static long multiply(Path file, String where, long a, long b) throws BadFileException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new BadFileException(file, where + "size overflows");
        }
    }

    /** The byte ranges must cover [0, dataLength) exactly once, as the format requires. */
    private static void checkTiling(Path file, List<Entry> list, long dataLength) throws BadFileException {
        List<Entry> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw new BadFileException(file, "tensor " + e.name() + ": data_offsets [" + e.begin() + ", "
                        + e.end() + "] overlap tensor " + previous.name() + " [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            if (e.begin() > covered) {
                throw new BadFileException(file, "tensor " + e.name() + ": data_offsets begin at " + e.begin()
                        + ", leaving a gap after byte " + covered + " of the data");
            }
            covered = e.end();
            previous = e;
        }
        if (covered > dataLength) {
            throw new BadFileException(file, "truncated: the header describes " + covered
                    + " bytes of tensor data, but only " + dataLength + " follow it"
                    + (previous == null ? "" : " (tensor " + previous.name() + " is cut off)"));
        }
        if (covered < dataLength) {
            throw new BadFileException(file, (dataLength - covered) + " unexpected bytes after the last tensor "
                    + "(the header describes " + covered + " bytes of data)");
        }
    }

    public Path file() {
        return file;
    }

    /** The {@code __metadata__} map (empty if the file has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Every tensor's header entry, in data order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** Reads a float32 tensor, checking that it exists and has exactly the expected shape. */
    public float[] floats(String name, int... expectedShape) throws IOException {
        long count = 1;
        for (int d : expectedShape) {
            count *= d;
        }
        float[] out = new float[(int) count];
        floatsInto(name, expectedShape, out, 0);
        return out;
    }

    /**
     * Whether the file records its tensors' CRC-32C ({@link SafeTensorsWriter} does; files from elsewhere, or
     * from before it did, may not). Then every tensor read is checked against its own.
     */
    public boolean checksummed() {
        return metadata.keySet().stream().anyMatch(k -> k.startsWith(CRC_PREFIX));
    }

    static String hex(long crc) {
        return String.format(java.util.Locale.ROOT, "%08x", crc);
    }

    /**
     * Like {@link #floats} but into {@code dst[dstOffset ...]}, e.g. a tensor's place in a flat buffer. In a
     * {@link #checksummed} file the tensor's bytes must have the CRC-32C recorded for it.
     */
    public void floatsInto(String name, int[] expectedShape, float[] dst, int dstOffset) throws IOException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new BadFileException(file, "missing tensor " + name);
        }
        if (!e.dtype().equals("F32")) {
            throw new BadFileException(file, "tensor " + name + " has dtype " + e.dtype() + ", expected F32");
        }
        if (!Arrays.equals(e.shape, expectedShape)) {
            throw new BadFileException(file, "tensor " + name + " has shape " + Arrays.toString(e.shape)
                    + ", expected " + Arrays.toString(expectedShape));
        }
        long bytes = e.end() - e.begin();
        java.util.Objects.checkFromIndexSize(dstOffset, (int) (bytes / Float.BYTES), dst.length);
        CRC32C crc = new CRC32C();
        int chunk = 1 << 20;
        for (long done = 0; done < bytes; done += chunk) {
            int n = (int) Math.min(chunk, bytes - done);
            ByteBuffer b = readFully(file, channel, dataStart + e.begin() + done, n);
            crc.update(b.duplicate());
            b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstOffset + (int) (done / Float.BYTES),
                    n / Float.BYTES);
        }
        checkCrc(name, crc);
    }

    /**
     * Reads an int64 tensor of at most a few values (PyTorch's batch-norm step counters), checked as
     * {@link #floatsInto} checks a float one.
     */
    public long[] longs(String name, int... expectedShape) throws IOException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new BadFileException(file, "missing tensor " + name);
        }
        if (!e.dtype().equals("I64")) {
            throw new BadFileException(file, "tensor " + name + " has dtype " + e.dtype() + ", expected I64");
        }
        if (!Arrays.equals(e.shape, expectedShape)) {
            throw new BadFileException(file, "tensor " + name + " has shape " + Arrays.toString(e.shape)
                    + ", expected " + Arrays.toString(expectedShape));
        }
        ByteBuffer b = readFully(file, channel, dataStart + e.begin(), (int) (e.end() - e.begin()));
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate());
        checkCrc(name, crc);
        long[] out = new long[b.remaining() / Long.BYTES];
        b.order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
        return out;
    }

    private void checkCrc(String name, CRC32C crc) throws BadFileException {
        if (checksummed()) {
            String recorded = metadata.get(CRC_PREFIX + name);
            if (recorded == null) {
                throw new BadFileException(file, "metadata key " + CRC_PREFIX + name + " is missing");
            }
            if (!recorded.equals(hex(crc.getValue()))) {
                throw new BadFileException(file, "tensor " + name + ": its data has CRC-32C " + hex(crc.getValue())
                        + ", but the file recorded " + recorded + " (damaged)");
            }
        }
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, long position, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int read = channel.read(b, position + b.position());
            if (read < 0) {
                throw new BadFileException(file, "ended at byte " + (position + b.position())
                        + " while reading (truncated, or changed while being read)");
            }
        }
        b.flip();
        return b;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
